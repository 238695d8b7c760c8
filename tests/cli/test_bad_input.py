"""Broken and hostile input: each gets its diagnostic and exit 1, within bounded
time and memory, and the products of the last good build stay as they were.

Each case under tests/fixtures/bad/ holds only the files it breaks; they are
laid over a copy of tests/fixtures/clean/, built whole first. The comments in
those files say which error each line must produce (see helpers.expected).
Some cases are bombs (a YAML billion laughs, Jinja that makes gigabytes), so
every bad build runs in a child process held to an address-space limit and a
timeout: a regression fails the test instead of taking the machine down.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

from helpers import ROOT, listing
from helpers import FIXTURES, expected, reported, run_bounded

CASES = sorted(p.name for p in (FIXTURES / "bad").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Returns a copy of the clean report and the output of a good build of it."""
    base = tmp_path_factory.mktemp("bad")
    root, out = base / "clean", base / "out"
    shutil.copytree(FIXTURES / "clean", root)
    assert main(["all", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    return root, out


def _products(out: Path) -> dict:
    return {name: (out / name).read_bytes() for name in listing(out) if name != "check.json"}


def _strays(out: Path) -> list[str]:
    """Returns what a build left in out besides its products, its lock and its pair record."""
    return sorted(p.name for p in out.iterdir()
                  if p.name.startswith(".") and p.name not in (".lock", ".clean.pair.json"))


def _bounded_all(root: Path, out: Path, *options: str) -> dict:
    """Runs `all` in a bounded child; asserts it failed cleanly and small. Its time is
    bounded by the pipeline's own --time-limit (30 s unless given), which ends the run
    with a finding, not by measuring a busy machine's clock."""
    if "--time-limit" not in options:
        options = (*options, "--time-limit", "30")
    result = run_bounded("all", "--content", str(root), "--out", str(out), *options)
    assert not result["crashed"], result["stderr"]
    assert "Traceback" not in result["stderr"]
    assert result["peak_mib"] < 1024, result
    return result


def _copy(built, tmp_path) -> tuple[Path, Path]:
    root, out = built
    shutil.copytree(root, tmp_path / "r")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "r", tmp_path / "out"


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_a_diagnostic_and_keeps_the_last_products(case, built, tmp_path):
    root, out = _copy(built, tmp_path)
    before = _products(out)
    shutil.copytree(FIXTURES / "bad" / case, root, dirs_exist_ok=True)
    assert _bounded_all(root, out)["code"] == 1
    assert _products(out) == before and len(before) == 2
    assert _strays(out) == []
    report = json.loads((out / "check.json").read_text(encoding="utf-8"))
    errors = +reported({**report, "findings": [f for f in report["findings"]
                                               if f["severity"] == "error"]}, root)
    assert errors == expected(FIXTURES / "bad" / case)


def test_an_enormous_line_is_over_the_file_limit(built, tmp_path, capsys):
    root, out = _copy(built, tmp_path)
    before = _products(out)
    (root / "02-body.md").write_text("# 本論\n\n" + "長い行。" * 1_600_000 + "\n")  # 19 MiB
    assert main(["all", "--content", str(root), "--out", str(out)]) == 1
    assert "02-body.md: error: file of 18.3 MiB is over the 5 MiB limit" in capsys.readouterr().err
    assert _products(out) == before


def test_bom_and_crlf_are_accepted(built, tmp_path):
    root, out = _copy(built, tmp_path)
    for path in [root / "report.yaml", root / "01-intro.md", root / "references.yaml"]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["all", "--content", str(root), "--out", str(tmp_path / "again")]) == 0
    assert _products(tmp_path / "again") == _products(out)  # the same briefing, byte for byte


def test_a_missing_japanese_font_is_an_error_naming_the_package(tmp_path):
    config = tmp_path / "fonts.conf"  # fontconfig that knows no font at all
    config.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir>'
                      f'<cachedir>{tmp_path}/cache</cachedir></fontconfig>')
    env = dict(os.environ, FONTCONFIG_FILE=str(config), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "pipeline", "pdf", "--content",
                             str(FIXTURES / "clean"), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 1
    assert "Japanese font not installed: BIZ UDMincho, BIZ UDGothic (install it: apt-get " \
           "install fonts-morisawa-bizud-mincho fonts-morisawa-bizud-gothic)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "clean.pdf").exists()


DOUBLING = "{% set a = 'x' * 100000 %}" + "".join(
    f"{{% set {b} = {a} ~ {a} %}}" for a, b in zip("abcdefghijklmn", "bcdefghijklmno")) + "{{ o }}"


@pytest.mark.parametrize("body, rule, message", [
    ("本文" * 12_500 + "。", "too-long", "a paragraph of 25,001 characters is longer than 20,000 "
     "(--max-paragraph-chars): split it"),
    ("x" * 4_000_000, "too-long", "a paragraph of 4,000,000 characters"),
    ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
     "template", "ran for more than 5 s of CPU time"),
    (DOUBLING, "template", "needs more than 512 MiB of memory"),
])
def test_generated_bombs_are_refused_in_bounded_time_and_memory(built, tmp_path, body, rule,
                                                                message):
    root, out = _copy(built, tmp_path)
    before = _products(out)
    (root / "02-body.md").write_text(f"# 本論\n\n{body}\n", encoding="utf-8")
    result = _bounded_all(root, out)
    assert result["code"] == 1
    assert f"[{rule}]" in result["stderr"] and message in result["stderr"]
    assert _products(out) == before and _strays(out) == []


def test_a_report_too_long_to_fit_is_refused_before_layout(built, tmp_path):
    root, out = _copy(built, tmp_path)
    before = _products(out)
    paragraphs = "".join(f"{'文章' * 7_000}[@staff]。\n\n" for _ in range(60))  # 840,000 characters
    (root / "02-body.md").write_text(f"# 本論\n\n{paragraphs}", encoding="utf-8")
    result = _bounded_all(root, out, "--max-pages", "100", "--time-limit", "15")
    assert result["code"] == 1 and "[time-limit]" not in result["stderr"]  # laid out: minutes
    assert "pages (estimated from its text before layout), over the limit of 100" in \
        result["stderr"]
    assert _products(out) == before and _strays(out) == []
