"""Shared fixtures: small inline reports, and the flagship built once per session."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "content"

REFERENCES = """\
# Complete entries, listed even when a test cites none of them (nocite).
- id: alpha
  type: webpage
  title: アルファの資料
  publisher: アルファ省
  URL: https://example.go.jp/alpha
  issued: 2021-05-21
  accessed: 2026-03-01
  nocite: true
- id: beta
  type: webpage
  title: ベータの資料
  publisher: ベータ県
  URL: https://example.lg.jp/beta
  issued: null
  accessed: 2026-03-02
  nocite: true
- id: gamma
  type: report
  title: ガンマ白書
  publisher: ガンマ庁
  issued: 2022
  nocite: true
"""


def write_report(root: Path, sections: dict[str, str], references: str = REFERENCES,
                 extra: str = "", data: dict[str, str] | None = None) -> Path:
    """Writes a small report directory and returns it."""
    root.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"  - {name}\n" for name in sections)
    (root / "report.yaml").write_text(
        "id: test-report\ntitle: 試験報告\norganisation: 試験庁\ndate: 2026-04-01\n"
        f"version: \"1.0\"\nsections:\n{listed}references: references.yaml\n{extra}",
        encoding="utf-8")
    (root / "references.yaml").write_text(references, encoding="utf-8")
    for name, text in sections.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in (data or {}).items():
        (root / "data").mkdir(exist_ok=True)
        (root / "data" / name).write_text(text, encoding="utf-8")
    return root


def listing(directory: Path) -> list[str]:
    """Returns the names in directory, sorted, without hidden ones (the build lock)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs `python -m pipeline ARGS` as a user would, and returns the finished process."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                          capture_output=True, text=True, env=_env())


def _env() -> dict:
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture(scope="session")
def flagship_pdf(tmp_path_factory) -> Path:
    """Returns the flagship PDF, built once through the command line."""
    out = tmp_path_factory.mktemp("flagship")
    result = run_cli("pdf", "--content", str(FLAGSHIP), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "gov-dx-briefing.pdf"


def pdf_pages_text(path: Path) -> list[str]:
    """Returns the text of each page, as pdftotext lays it out."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make test` installs it")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]
