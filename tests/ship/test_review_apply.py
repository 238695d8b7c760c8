"""`review --apply` never corrupts a source: it writes only inside the report's own
sections, only the block the change was made in, the reviewer's whole text or
nothing, one run at a time, over the version it read, keeping the file's BOM and
line ends. Each case is a .docx the pipeline wrote, edited as Word edits it."""

import fcntl
import os
import re
import subprocess
import zipfile

import pytest
from lxml import etree

from pipeline.cli import main

from helpers import run_bounded, run_cli, write_report
from test_review import W, WordEdits, _w

SECTION = ("# 表\n\n最後の段落は、単純な文である。\n\n"
           "| 区分 | 値 |\n|---|---|\n| 甲 | 12 |\n| 乙 | 12 |\n| 丙 | 12 |\n\n"
           "| {{ v.count }} | 12 |\n|---|---|\n| 丁 | 戊 |\n")


class NthEdits(WordEdits):
    """Word's edits, aimed at the n-th run that holds exactly a text (a table cell)."""

    nth = 0

    def run_with(self, text, within=None):
        runs = [t for t in self.root.iter(_w("t")) if t.text == text] if self.nth else []
        if runs:
            return runs[self.nth - 1].getparent(), runs[self.nth - 1]
        return super().run_with(text, within)

    def cell(self, text, new, nth):
        self.nth = nth
        self.replace(text, new)
        self.nth = 0


def _built(tmp_path, section=SECTION, data=None, raw=None):
    root = write_report(tmp_path / "r", {"01.md": section},
                        data=data or {"v.yaml": "count: 12\n"})
    if raw is not None:
        (root / "01.md").write_bytes(raw)
    for command in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", "-C", str(root), *command], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.jp", "-c",
                    "user.name=t", "commit", "-q", "-m", "sources"], check=True)
    out = tmp_path / "o"
    assert main(["docx", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    return root, out / "test-report.docx"


def _apply(docx_path, root, *options):
    return main(["review", str(docx_path), "--content", str(root), "--out",
                 str(root.parent / "o"), "--apply", "--force", *options])


def _codes(capsys) -> list[str]:
    return re.findall(r"\[([a-z-]+)\]", capsys.readouterr().err)


def test_two_changes_in_one_sentence_give_the_reviewers_sentence(tmp_path):
    root, docx_path = _built(tmp_path)
    edits = WordEdits(docx_path)
    edits.replace("最後", "最終")
    edits.replace("単純", "簡単")
    assert _apply(edits.save(tmp_path / "r.docx"), root) == 0
    assert "最終の段落は、簡単な文である。" in (root / "01.md").read_text(encoding="utf-8")
    assert _apply(tmp_path / "r.docx", root) == 0  # a second time changes nothing
    assert (root / "01.md").read_text(encoding="utf-8").count("最終の段落は、簡単な文である。") == 1


def test_a_cell_change_lands_in_its_own_row(tmp_path):
    root, docx_path = _built(tmp_path)
    edits = NthEdits(docx_path)
    edits.cell("12", "15", 2)  # row 乙
    assert _apply(edits.save(tmp_path / "r.docx"), root) == 0
    text = (root / "01.md").read_text(encoding="utf-8")
    assert "| 甲 | 12 |\n| 乙 | 15 |\n| 丙 | 12 |" in text


def test_a_cell_jinja_made_is_listed_and_the_literal_beside_it_untouched(tmp_path, capsys):
    root, docx_path = _built(tmp_path)
    edits = NthEdits(docx_path)
    edits.cell("12", "99", 4)  # the header cell {{ v.count }} prints 12
    before = (root / "01.md").read_bytes()
    assert _apply(edits.save(tmp_path / "r.docx"), root) == 0
    assert (root / "01.md").read_bytes() == before
    assert "review-manual" in _codes(capsys)


def test_after_a_row_is_deleted_the_change_is_listed_not_moved(tmp_path, capsys):
    root, docx_path = _built(tmp_path)
    edits = NthEdits(docx_path)
    edits.cell("12", "15", 2)  # row 乙
    reviewed = edits.save(tmp_path / "r.docx")
    source = root / "01.md"
    source.write_text(source.read_text(encoding="utf-8").replace("| 甲 | 12 |\n", ""),
                      encoding="utf-8")
    before = source.read_bytes()
    assert _apply(reviewed, root) == 0
    assert source.read_bytes() == before  # 丙 now stands where 乙 stood: untouched
    assert {"review-manual", "review-stale"} <= set(_codes(capsys))


def _mapped_to(docx_path, target, file):
    """Returns a copy of the .docx whose map names another file for every block."""
    with zipfile.ZipFile(docx_path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    name = "customXml/pipeline-sources.xml"
    parts[name] = re.sub(rb'file="[^"]*"', f'file="{file}"'.encode(), parts[name])
    with zipfile.ZipFile(target, "w") as package:
        for part, data in parts.items():
            package.writestr(part, data)
    return target


@pytest.mark.parametrize("file", ["../victim/01.md", "{victim}/01.md", "link/01.md"])
def test_a_map_naming_a_file_outside_the_report_writes_nothing_there(tmp_path, file, capsys):
    root, docx_path = _built(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "01.md").write_bytes((root / "01.md").read_bytes())
    (root / "link").symlink_to(victim)
    edits = WordEdits(docx_path)
    edits.replace("最後", "最終")
    reviewed = _mapped_to(edits.save(tmp_path / "e.docx"), tmp_path / "m.docx",
                          file.format(victim=victim))
    assert _apply(reviewed, root) == 0
    assert (victim / "01.md").read_bytes() == (root / "01.md").read_bytes()
    assert "最終" not in (victim / "01.md").read_text(encoding="utf-8")
    assert "review-manual" in _codes(capsys)


def test_a_map_naming_a_device_is_never_read(tmp_path):
    root, docx_path = _built(tmp_path)
    with zipfile.ZipFile(docx_path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    name = "customXml/pipeline-sources.xml"
    parts[name] = parts[name].replace(b"<source ", b'<source file="../../../../dev/zero" '
                                      b'sha256="0"/><source ', 1)
    with zipfile.ZipFile(tmp_path / "z.docx", "w") as package:
        for part, data in parts.items():
            package.writestr(part, data)
    done = run_cli("review", str(tmp_path / "z.docx"), "--content", str(root), "--out",
                   str(tmp_path / "o"), "--time-limit", "60")
    assert done.returncode == 0, done.stderr


def test_a_second_apply_while_one_runs_exits_75_and_writes_nothing(tmp_path, capsys):
    root, docx_path = _built(tmp_path)
    edits = WordEdits(docx_path)
    edits.replace("最後", "最終")
    reviewed = edits.save(tmp_path / "r.docx")
    before = (root / "01.md").read_bytes()
    holder = os.open(root / "report.yaml", os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert _apply(reviewed, root) == 75
        assert (root / "01.md").read_bytes() == before
        assert "busy" in _codes(capsys)
    finally:
        os.close(holder)
    assert _apply(reviewed, root) == 0 and (root / "01.md").read_bytes() != before


def test_a_source_changed_between_reading_and_writing_is_not_written_over(tmp_path, capsys,
                                                                          monkeypatch):
    import pipeline.check.review as review
    root, docx_path = _built(tmp_path)
    edits = WordEdits(docx_path)
    edits.replace("最後", "最終")
    reviewed = edits.save(tmp_path / "r.docx")
    planned = review.plan_edits

    def plan_then_someone_saves(*args, **kwargs):
        plan = planned(*args, **kwargs)
        with open(root / "01.md", "a", encoding="utf-8") as source:
            source.write("\n追記した段落である。\n")
        return plan
    monkeypatch.setattr(review, "plan_edits", plan_then_someone_saves)
    assert _apply(reviewed, root) == 0
    text = (root / "01.md").read_text(encoding="utf-8")
    assert "追記した段落である。" in text and "最終" not in text
    assert "review-stale" in _codes(capsys)


def test_the_files_bom_and_crlf_line_ends_are_kept(tmp_path):
    plain = "# 表\n\n最後の段落は、単純な文である。\n\n次の段落である。\n"
    raw = b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode("utf-8")
    root, docx_path = _built(tmp_path, raw=raw)
    edits = WordEdits(docx_path)
    edits.replace("最後", "最終")
    assert _apply(edits.save(tmp_path / "r.docx"), root) == 0
    assert (root / "01.md").read_bytes() == raw.replace("最後".encode(), "最終".encode())


def test_a_reviewers_markdown_characters_print_as_typed(tmp_path):
    root, docx_path = _built(tmp_path)
    edits = WordEdits(docx_path)
    edits.replace("単純", "*単純*な[注]")
    assert _apply(edits.save(tmp_path / "r.docx"), root) == 0
    assert r"\*単純\*な\[注\]な文である。" in (root / "01.md").read_text(encoding="utf-8")


def test_a_reviewers_jinja_is_never_written(tmp_path, capsys):
    root, docx_path = _built(tmp_path)
    edits = WordEdits(docx_path)
    edits.replace("単純", "{{ report.id }}")
    before = (root / "01.md").read_bytes()
    assert _apply(edits.save(tmp_path / "r.docx"), root) == 0
    assert (root / "01.md").read_bytes() == before and "review-manual" in _codes(capsys)


# ---- hostile files: each refused with a diagnostic, bounded ------------------------------

DOCUMENT = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>本文</w:t></w:r></w:p></w:body>'
            "</w:document>")
MAP = '<sources xmlns="urn:pipeline:sources:1">{}</sources>'


def _package(path, parts, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def _patched(path, find: bytes, replace: bytes):
    data = path.read_bytes()
    assert find in data
    path.write_bytes(data.replace(find, replace, 1))
    return path


def _hostile(tmp_path, case):
    path = tmp_path / f"{case}.docx"
    good = {"word/document.xml": DOCUMENT, "customXml/pipeline-sources.xml": MAP.format("")}
    if case == "bad-crc":
        _package(path, good, zipfile.ZIP_STORED)
        return _patched(path, "本文".encode(), "本分".encode())
    if case == "encrypted":
        _package(path, good)
        data = bytearray(path.read_bytes())
        data[6] |= 1  # the local header's flag: encrypted
        central = data.rfind(b"PK\x01\x02", 0, len(data))
        data[central + 8] |= 1
        path.write_bytes(bytes(data))
        return path
    if case == "method-99":
        _package(path, good, zipfile.ZIP_STORED)
        data = bytearray(path.read_bytes())
        for header, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
            at = data.find(header)
            while at >= 0:
                data[at + offset:at + offset + 2] = (99).to_bytes(2, "little")
                at = data.find(header, at + 4)
        path.write_bytes(bytes(data))
        return path
    if case in ("no-line", "bad-line"):
        block = '<block mark="_src1" file="01.md">本文</block>' if case == "no-line" else \
            '<block mark="_src1" file="01.md" line="x">本文</block>'
        return _package(path, {**good, "customXml/pipeline-sources.xml": MAP.format(block)})
    if case == "doctype-utf16":
        xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY x "y">]>' + DOCUMENT
        return _package(path, {**good, "word/document.xml": xml.encode("utf-16")})
    if case == "doctype-late":
        xml = "<?xml version='1.0'?>" + "<!-- " + "x" * 5000 + " -->" + \
            '<!DOCTYPE w [<!ENTITY x "y">]>' + DOCUMENT
        return _package(path, {**good, "word/document.xml": xml})
    if case == "entity":
        return _package(path, {**good, "word/document.xml": DOCUMENT.replace("本文", "本&x;文")})
    if case == "many-blocks":
        blocks = "".join(f'<block mark="_src{n}" file="01.md" line="1">a</block>'
                         for n in range(250_000))
        return _package(path, {**good, "customXml/pipeline-sources.xml": MAP.format(blocks)})
    if case == "lying-size":
        _package(path, good)
        data = bytearray(path.read_bytes())
        at = data.find(b"PK\x01\x02")  # the central directory says 10 bytes unpacked
        data[at + 24:at + 28] = (10).to_bytes(4, "little")
        path.write_bytes(bytes(data))
        return path
    raise AssertionError(case)


@pytest.mark.parametrize("case, message", [
    ("bad-crc", "word/document.xml cannot be unpacked"),
    ("encrypted", "cannot be unpacked"),
    ("method-99", "cannot be unpacked"),
    ("no-line", "block 1 of the source map has no mark, file or line"),
    ("bad-line", "block 1 of the source map has no mark, file or line"),
    ("doctype-utf16", "declares a DOCTYPE or entities"),
    ("doctype-late", "declares a DOCTYPE or entities"),
    ("entity", "not well-formed XML"),
    ("many-blocks", "the source map has more than 200,000 blocks"),
    ("lying-size", "cannot be unpacked"),
])
def test_a_hostile_docx_is_a_diagnostic_not_a_traceback(tmp_path, case, message):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文\n"})
    result = run_bounded("review", str(_hostile(tmp_path, case)), "--content", str(root),
                         "--out", str(tmp_path / "o"), "--time-limit", "60", memory_mib=1536)
    assert result["code"] == 1 and message in result["stderr"], result["stderr"][-2000:]
    assert "[review-file]" in result["stderr"] and "Traceback" not in result["stderr"]


def _with_runs(docx_path, target, runs: str):
    with zipfile.ZipFile(docx_path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"</w:body>", f"<w:p>{runs}</w:p></w:body>".encode())
    return _package(target, parts)


@pytest.mark.parametrize("runs, message", [
    ("<w:r><w:t>a</w:t></w:r>" * 1_500_000, "more than 1,000,000 pieces of text"),
    ("".join(f'<w:commentRangeStart w:id="{n}"/>' for n in range(30_000))
     + "<w:r><w:t>a</w:t></w:r>" * 30_000, "more than 10,000 comment anchors"),
])
def test_huge_run_and_comment_counts_end_within_the_limits(tmp_path, runs, message):
    root, docx_path = _built(tmp_path)
    path = _with_runs(docx_path, tmp_path / "big.docx", runs)
    result = run_bounded("review", str(path), "--content", str(root), "--out",
                         str(tmp_path / "o2"), "--time-limit", "60", memory_mib=1536,
                         seconds=120)
    assert result["code"] == 1 and message in result["stderr"], result["stderr"][-2000:]
    assert "[review-file]" in result["stderr"] and "Traceback" not in result["stderr"]


def test_a_change_in_a_footnote_and_a_comment_by_reference_alone_are_listed(tmp_path):
    root, docx_path = _built(tmp_path, section="# 一\n\n本文である[^n]。\n\n[^n]: 注の本文である。\n")
    with zipfile.ZipFile(docx_path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    notes = etree.fromstring(parts["word/footnotes.xml"])
    t = next(t for t in notes.iter(_w("t")) if "注の本文" in (t.text or ""))
    inserted = etree.SubElement(t.getparent().getparent(), _w("ins"))
    inserted.set(_w("id"), "77")
    inserted.set(_w("author"), "課長 山田")
    inserted.set(_w("date"), "2026-12-01T09:00:00Z")
    run = etree.SubElement(inserted, _w("r"))
    etree.SubElement(run, _w("t")).text = "追記"
    parts["word/footnotes.xml"] = etree.tostring(notes)
    document = etree.fromstring(parts["word/document.xml"])
    body_t = next(t for t in document.iter(_w("t")) if "本文" in (t.text or ""))
    reference_run = etree.Element(_w("r"))
    etree.SubElement(reference_run, _w("commentReference")).set(_w("id"), "5")
    body_t.getparent().addnext(reference_run)
    parts["word/document.xml"] = etree.tostring(document)
    parts["word/comments.xml"] = (
        f'<w:comments xmlns:w="{W}"><w:comment w:id="5" w:author="係長 佐藤" '
        f'w:date="2026-12-01T10:00:00Z"><w:p><w:r><w:t>出典は</w:t></w:r></w:p></w:comment>'
        f'</w:comments>').encode()
    path = _package(tmp_path / "n.docx", parts)
    assert main(["review", str(path), "--content", str(root), "--out", str(tmp_path / "o")]) == 0
    import json
    report = json.loads((tmp_path / "o" / "review.json").read_text(encoding="utf-8"))
    messages = [(f["rule"], f["message"]) for f in report["findings"]]
    assert any(rule == "review-change" and "追記" in message for rule, message in messages)
    comment = [f for f in report["findings"] if f["rule"] == "review-comment"]
    assert len(comment) == 1 and "出典は" in comment[0]["message"]
    assert comment[0]["line"] == 3  # the block that holds the reference
