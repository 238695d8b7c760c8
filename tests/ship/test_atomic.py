"""The atomic write (pipeline/atomic.py) and the record of a PDF/.docx pair
(ship/products.py) alone: a file reaches its path whole or not at all, nothing
is left behind, and a pair split by a kill is named."""

import errno
import hashlib
import json
import os
import stat

import pytest

import pipeline.atomic
from pipeline.atomic import TMP_SUFFIX, write_atomic
from pipeline.ship.products import (check_pair, forget_pair, pair_file, remove_staged,
                                    replace_pair, staged_names)


def test_a_file_is_written_whole_readable_by_all_and_nothing_left_beside_it(tmp_path):
    target = tmp_path / "new" / "deeper" / "a.pdf"
    write_atomic(target, b"%PDF-1.7 whole")
    assert target.read_bytes() == b"%PDF-1.7 whole"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(target.parent) == ["a.pdf"]
    write_atomic(target, b"again")
    assert target.read_bytes() == b"again" and os.listdir(target.parent) == ["a.pdf"]


def test_the_temporary_is_hidden_beside_its_file_and_unique(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(source, target):
        seen.append(source)
        assert os.path.dirname(source) == os.path.dirname(target)
        real_replace(source, target)
    monkeypatch.setattr(pipeline.atomic.os, "replace", replace)
    write_atomic(tmp_path / "a.docx", b"1")
    write_atomic(tmp_path / "a.docx", b"2")
    names = [os.path.basename(s) for s in seen]
    assert all(n.startswith(".a.docx.") and n.endswith(TMP_SUFFIX) for n in names)
    assert f".{os.getpid()}." in names[0] and names[0] != names[1]


def test_a_failed_write_leaves_the_old_file_and_names_the_path(tmp_path, monkeypatch):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pipeline.atomic.os, "fsync", no_space)
    with pytest.raises(OSError) as raised:
        write_atomic(target, b"new")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert raised.value.strerror == "No space left on device"
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["a.pdf"]


def test_an_interruption_is_passed_on_and_leaves_nothing(tmp_path, monkeypatch):
    def interrupted(mode):
        raise KeyboardInterrupt
    monkeypatch.setattr(pipeline.atomic.os, "chmod", lambda path, mode: interrupted(mode))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "a.pdf", b"new")
    assert os.listdir(tmp_path) == []


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pair(tmp_path, pdf: bytes = b"pdf 1", docx: bytes = b"docx 1"):
    final = [tmp_path / "r.pdf", tmp_path / "r.docx"]
    staged = staged_names(final)
    for path, data in zip(staged, (pdf, docx)):
        path.write_bytes(data)
    replace_pair(tmp_path, "r", final, staged)
    return final, staged


def test_staged_products_are_hidden_beside_their_places(tmp_path):
    staged = staged_names([tmp_path / "r.pdf", tmp_path / "r.docx"])
    assert [p.name for p in staged] == [f".r.pdf.{os.getpid()}.staged",
                                        f".r.docx.{os.getpid()}.staged"]
    assert all(p.parent == tmp_path for p in staged)


def test_a_pair_is_renamed_into_place_and_recorded(tmp_path):
    final, staged = _pair(tmp_path)
    assert [p.read_bytes() for p in final] == [b"pdf 1", b"docx 1"]
    assert not any(p.exists() for p in staged)
    assert pair_file(tmp_path, "r") == tmp_path / ".r.pair.json"
    assert json.loads(pair_file(tmp_path, "r").read_text()) == {"pdf": _sha(b"pdf 1"),
                                                                "docx": _sha(b"docx 1")}
    assert check_pair(tmp_path, "r") == []


@pytest.mark.parametrize("changed, named", [("pdf", "r.pdf"), ("docx", "r.docx")])
def test_a_pair_split_by_a_kill_is_named_at_the_newer_product(tmp_path, changed, named):
    _pair(tmp_path)
    (tmp_path / f"r.{changed}").write_bytes(b"a newer build")
    (finding,) = check_pair(tmp_path, "r")
    assert (finding.code, finding.path, finding.line) == ("mismatched-pair",
                                                          str(tmp_path / named), None)
    assert finding.message == ("r.pdf and r.docx are from different builds (one was stopped "
                               "between replacing them); this build replaces both")


def test_both_replaced_since_or_no_record_is_no_split(tmp_path):
    _pair(tmp_path)
    for kind in ("pdf", "docx"):
        (tmp_path / f"r.{kind}").write_bytes(b"built alone")
    assert check_pair(tmp_path, "r") == []
    forget_pair(tmp_path, "r")
    assert not pair_file(tmp_path, "r").exists() and check_pair(tmp_path, "r") == []
    forget_pair(tmp_path, "r")  # twice: nothing to drop is no error


@pytest.mark.parametrize("record", ["not json", '{"pdf": "x"}', "[1]", '"text"'])
def test_a_damaged_record_or_a_missing_product_is_no_split(tmp_path, record):
    _pair(tmp_path)
    pair_file(tmp_path, "r").write_text(record)
    assert check_pair(tmp_path, "r") == []
    _pair(tmp_path)
    (tmp_path / "r.docx").unlink()
    assert check_pair(tmp_path, "r") == []


def test_what_is_left_of_staged_products_is_removed(tmp_path):
    staged = staged_names([tmp_path / "r.pdf", tmp_path / "r.docx"])
    staged[0].write_bytes(b"half")
    remove_staged(staged)
    assert os.listdir(tmp_path) == []


def test_a_path_whose_directory_cannot_be_made_is_named_with_its_own_error(tmp_path):
    (tmp_path / "file").write_bytes(b"not a directory")
    target = tmp_path / "file" / "a.pdf"
    with pytest.raises(OSError) as raised:
        write_atomic(target, b"new")
    assert raised.value.errno in (errno.ENOTDIR, errno.EEXIST)
    assert raised.value.filename == str(target)
