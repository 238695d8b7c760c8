"""Faults: a crashed Word writer, a stopped or killed build, a full disk.

Nothing is lost and nothing is left behind: the products of the last good
build stay, no staged or temporary file survives a build, and the next run
is clean.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import time

import pytest

import pipeline.ship.bundle
import pipeline.build.products
from pipeline.cli import main

from helpers import ROOT, cli_env, listing, write_report

GOOD = {"01.md": "# 一\n\n本文[@alpha]。\n"}
# Long enough that `all` takes two or three seconds here, so that a signal at 1.5 s
# lands mid-build (the test asserts it did, rather than passing on a finished build).
LONG = {"01.md": "# 一\n\n" + "".join(f"段落{n}の本文である[@alpha]。\n\n" for n in range(900))}


def _strays(out) -> list[str]:
    return sorted(p.name for p in out.rglob(".*")
                  if p.name.endswith((".tmp", ".staged")))


def _products(out) -> dict:
    """Returns every product file under out (a bundle's too) and its bytes."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "check.json" and not p.relative_to(out).parts[0]
            .startswith(".") and ".state" not in p.parts}


@pytest.mark.parametrize("failure, message", [
    (lambda: (_ for _ in ()).throw(RuntimeError("boom")), "the Word writer failed: "
     "RuntimeError: boom [writer]"),
    (lambda: os.kill(os.getpid(), signal.SIGKILL), "the Word writer failed: killed by "
     "signal 9 [writer]"),
])
def test_any_crash_of_the_word_child_is_a_finding(tmp_path, monkeypatch, capsys, failure,
                                                  message):
    monkeypatch.setattr(pipeline.build.products, "write_docx", lambda doc, path, **_: failure())
    root = write_report(tmp_path / "r", GOOD)
    assert main(["all", "--content", str(root), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert listing(tmp_path / "o") == ["check.json"] and _strays(tmp_path / "o") == []


def test_the_time_limit_binds_the_word_child_and_frees_the_lock(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pipeline.build.products, "write_docx",
                        lambda doc, path, **_: time.sleep(60))  # the forked child hangs
    root, out = write_report(tmp_path / "r", GOOD), tmp_path / "o"
    # The child would sleep a minute and then write the .docx: the finding says the
    # time limit, not the hanging child, ended the run.
    assert main(["all", "--content", str(root), "--out", str(out), "--time-limit", "3"]) == 1
    assert "[time-limit]" in capsys.readouterr().err
    monkeypatch.undo()
    assert main(["all", "--content", str(root), "--out", str(out), "--quiet"]) == 0  # not 75
    assert _strays(out) == []


def _start(args, tmp_path):
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("command", ["all", "dist"])
@pytest.mark.parametrize("delay", [0.4, 0.9, 1.5])
def test_sigterm_leaves_nothing_half_written(tmp_path, command, delay):
    root, out = write_report(tmp_path / "r", LONG), tmp_path / "o"
    assert main([command, "--content", str(root), "--out", str(out), "--quiet"]) == 0
    before = _products(out)
    (root / "01.md").write_text(LONG["01.md"].replace("本文", "改めた本文"), encoding="utf-8")
    if command == "dist":
        text = (root / "report.yaml").read_text(encoding="utf-8")
        (root / "report.yaml").write_text(text.replace('"1.0"', '"1.1"'), encoding="utf-8")
    build = _start([command, "--content", str(root), "--out", str(out)], tmp_path)
    time.sleep(delay)
    assert build.poll() is None, "the build ended before the signal: make LONG longer"
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    # -SIGTERM: it came before the handler was installed, when nothing was written yet
    assert build.returncode in (128 + signal.SIGTERM, -signal.SIGTERM), err
    assert "Traceback" not in err and _strays(out) == []
    assert _products(out) == before  # neither product was replaced
    if command == "dist":
        assert sorted(p.name for p in (out / "dist").iterdir()
                      if not p.name.startswith(".")) == ["test-report-v1.0-20260401"]
    assert main([command, "--content", str(root), "--out", str(out), "--quiet"]) == 0


@pytest.mark.parametrize("command", ["all", "dist"])
@pytest.mark.parametrize("delay", [0.5, 1.2])
def test_sigkill_leaves_nothing_the_next_run_does_not_clear(tmp_path, command, delay):
    root, out = write_report(tmp_path / "r", LONG), tmp_path / "o"
    build = _start([command, "--content", str(root), "--out", str(out)], tmp_path)
    time.sleep(delay)
    build.kill()
    build.communicate(timeout=60)
    assert main([command, "--content", str(root), "--out", str(out), "--quiet"]) == 0
    assert _strays(out) == []
    if command == "dist":
        bundle = next((out / "dist").glob("test-report-*"))
        sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=bundle,
                              capture_output=True, text=True)
        assert sums.returncode == 0, sums.stdout + sums.stderr
    else:
        assert sorted(_products(out)) == ["test-report.docx", "test-report.pdf"]


def test_a_pair_left_by_a_killed_all_is_named_and_replaced(tmp_path, capsys):
    root, out = write_report(tmp_path / "r", GOOD), tmp_path / "o"
    assert main(["all", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    # What a build killed between its two renames leaves: a new PDF, the old .docx.
    (out / "test-report.pdf").write_bytes(b"%PDF-1.7 another build\n")
    assert main(["all", "--content", str(root), "--out", str(out)]) == 0
    assert "test-report.pdf and test-report.docx are from different builds" in \
        capsys.readouterr().err
    assert main(["all", "--content", str(root), "--out", str(out)]) == 0
    assert "[mismatched-pair]" not in capsys.readouterr().err


def _no_bigger_files_than(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_write_that_fails_names_the_file_and_exits_74(tmp_path):
    root, out = write_report(tmp_path / "r", GOOD), tmp_path / "o"
    assert main(["pdf", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    before = _products(out)
    (root / "01.md").write_text("# 一\n\n改めた本文[@alpha]。\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pipeline", "pdf", "--content", str(root),
                           "--out", str(out)], cwd=ROOT, env=cli_env(), capture_output=True,
                          text=True, preexec_fn=_no_bigger_files_than(20_000))
    assert done.returncode == 74, done.stderr
    assert f"{out}/test-report.pdf: error: File too large [io-error]" in done.stderr
    assert _products(out) == before and _strays(out) == []


def test_a_bundle_whose_move_failed_is_made_again_and_chained(tmp_path, monkeypatch):
    root, out = write_report(tmp_path / "r", GOOD), tmp_path / "o"
    dist = ["dist", "--content", str(root), "--out", str(out), "--quiet"]
    assert main(dist) == 0
    text = (root / "report.yaml").read_text(encoding="utf-8")
    (root / "report.yaml").write_text(text.replace('"1.0"', '"1.1"'), encoding="utf-8")
    (root / "01.md").write_text("# 一\n\n改めた本文[@alpha]。\n", encoding="utf-8")

    def full_disk(tmp, target):
        raise OSError(28, "No space left on device", str(target))
    monkeypatch.setattr(pipeline.ship.bundle, "move_into_place", full_disk)
    assert main(dist) == 74
    monkeypatch.undo()
    assert main(dist) == 0  # the record named a bundle that never reached the disk
    manifest = json.loads((out / "dist" / "test-report-v1.1-20260401" / "manifest.json")
                          .read_text(encoding="utf-8"))
    assert manifest["previous"] == "test-report-v1.0-20260401"
    assert (out / "dist" / "test-report-v1.1-20260401" / "CHANGES.md").is_file()
