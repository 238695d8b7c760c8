"""What the tests share: small inline reports, running the CLI, reading products.

Imported by the test modules (`from helpers import …`); no test module
imports another.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "content"
FIXTURES = ROOT / "tests" / "fixtures"

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


def respond(handler, status: int, body: bytes, headers: dict) -> None:
    """Answers an http.server request of a test's own server: status, headers, body."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def listing(directory: Path) -> list[str]:
    """Returns the names in directory, sorted, without hidden ones (the build lock)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def row_args(root: Path) -> list[str]:
    """Returns ['--row', ID] of the first row of a report over rows (`each:`), else []."""
    if "each:" not in (root / "report.yaml").read_text(encoding="utf-8"):
        return []
    from pipeline.read.data import DataFiles
    from pipeline.read.report import load_rows
    return ["--row", load_rows(root, DataFiles(root))[1][0].id]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs `python -m pipeline ARGS` as a user would, and returns the finished process."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                          capture_output=True, text=True, env=cli_env())


def cli_env() -> dict:
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


def need_tool(*names: str) -> str:
    """Returns the path of the first of names on PATH. Missing, the test is skipped on a
    developer's machine and fails under CI, which `make test` equips: a missing tool
    never passes silently there."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{names[0]} is not installed; `make test` installs it"
    if os.environ.get("CI"):
        pytest.fail(f"under CI: {message}")
    pytest.skip(message)


def pdf_pages_text(path: Path) -> list[str]:
    """Returns the text of each page, as pdftotext lays it out."""
    need_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def tiny_png() -> bytes:
    """Returns a valid 1×1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def load_doc(tmp_path, sections, **kwargs):
    """Returns the document and warnings of a small report written under tmp_path."""
    from pipeline.build import load_document
    return load_document(write_report(tmp_path, sections, **kwargs))


def nodes_of(doc, kind) -> list:
    """Returns every node of one kind in the document's sections, in reading order."""
    from pipeline.tree import walk
    return [n for s in doc.sections for n in walk(s.blocks) if isinstance(n, kind)]


def errors_of(tmp_path, sections, **kwargs) -> list[str]:
    """Returns the errors of a small report that fails, paths relative to tmp_path."""
    from pipeline.build import load_document
    from pipeline.diagnostics import PipelineError
    with pytest.raises(PipelineError) as caught:
        load_document(write_report(tmp_path, sections, **kwargs))
    return [str(d).replace(f"{tmp_path}/", "") for d in caught.value.diagnostics if d.is_error]


# A fixture states what it expects beside the line, as `expect: error unknown-key`
# in a comment (YAML `#`, Jinja `{## ##}`).
_EXPECT = re.compile(r"expect:(.*)")
_FINDING = re.compile(r"(error|warning) ([a-z-]+)")


def expected(fixture: Path) -> Counter:
    """Returns the (file, line, severity, rule) the fixture's comments announce."""
    found = Counter()
    for path in sorted(fixture.rglob("*")):
        if path.suffix not in {".md", ".yaml"}:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")  # a fixture may be bad
        for number, line in enumerate(text.splitlines(), start=1):
            marker = _EXPECT.search(line)
            for severity, rule in _FINDING.findall(marker.group(1) if marker else ""):
                found[(path.relative_to(fixture).as_posix(), number, severity, rule)] += 1
    return found


def check(fixture: Path, out: Path, *options: str) -> tuple[int, dict]:
    """Runs `check` in this process; returns the exit code and check.json."""
    from pipeline.cli import main
    code = main(["check", "--content", str(fixture), "--out", str(out), *options])
    return code, json.loads((out / "check.json").read_text(encoding="utf-8"))


def reported(report: dict, fixture: Path) -> Counter:
    """Returns the (file, line, severity, rule) of each finding in check.json."""
    return Counter((Path(f["path"]).resolve().relative_to(fixture.resolve()).as_posix(),
                    f["line"], f["severity"], f["rule"]) for f in report["findings"])


_BOUNDED = """
import json, resource, sys
from pipeline.cli import main
code = main(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "peak_kib": peak}))
"""


def run_bounded(*args: str, memory_mib: int = 2048, seconds: float = 60) -> dict:
    """Runs `python -m pipeline ARGS` in a child process held to memory_mib of address
    space and killed after seconds, so that a regression to a bomb fails the test
    instead of taking the machine down. Returns its exit code, stderr, wall time
    and peak memory (MiB, as the child measured it)."""
    import resource
    import time

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib * 2**20, memory_mib * 2**20))

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _BOUNDED, *args], cwd=ROOT, env=cli_env(),
                          capture_output=True, text=True, timeout=seconds, preexec_fn=limit)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    report = json.loads(last) if last.startswith("{") else {}
    return {"code": report.get("code", done.returncode), "stderr": done.stderr,
            "seconds": time.perf_counter() - started,
            "peak_mib": report.get("peak_kib", 0) / 1024, "crashed": "code" not in report}


# ---- the products' text, for comparing what they say -----------------------------

def squeeze(text: str) -> str:
    """Returns text without whitespace: each product breaks lines where it must."""
    return re.sub(r"\s+", "", text)


def pdf_reading_text(path: Path, meta) -> str:
    """The PDF's text without what each page repeats (the running head, the page
    number) or sets apart (its footnotes, which are compared on their own)."""
    furniture = {squeeze(meta.title + (meta.marking or "")), squeeze(meta.title)}
    kept = []
    need_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # in reading order: a cell's words together
    for page in text.split("\f")[:-1]:
        lines = page.split("\n")
        notes = next((i for i, line in enumerate(lines) if re.match(r"\s*注\d+\s", line)),
                     len(lines))
        body = [line for line in lines[:notes] if squeeze(line) not in furniture
                and not re.fullmatch(r"\s*-\s*\d+\s*-\s*", line)]
        kept.append(squeeze("".join(body)) + "\n" + squeeze("".join(lines[notes:])))
    return "\n".join(kept)


def pdf_lines(path: Path) -> list[str]:
    """Returns every printed line of a PDF, as a reader sees it: pdftotext's words
    (-bbox) gathered by where they stand, a raised call (1), 注1) on the line it is
    raised from, whatever row pdftotext's own layout would give it."""
    return ["".join(word.text for word in line) for line in pdf_line_words(path)]


@dataclass(frozen=True, order=True)
class Word:
    """A word pdftotext found: its left and right edges, text and height, in points."""

    left: float
    right: float
    text: str
    height: float


def pdf_line_words(path: Path) -> list[list[Word]]:
    """Returns each printed line's words, left to right."""
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">(.*?)</word>|<page ', subprocess.run(
                           ["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout)
    lines, page = [], []
    for left, top, right, bottom, text in found + [("", "", "", "", "")]:
        if not left:  # a page starts (or the last ends): its lines, top to bottom
            lines += [sorted(line[2]) for line in sorted(page, key=lambda line: line[0])]
            page = []
            continue
        top, bottom = float(top), float(bottom)
        middle = (top + bottom) / 2
        line = next((line for line in page if line[0] <= middle <= line[1]
                     or top <= line[0] <= bottom), None)
        if line is None:
            page.append(line := [top, bottom, []])
        line[0], line[1] = min(line[0], top), max(line[1], bottom)
        line[2].append(Word(float(left), float(right), unescape(text), bottom - top))
    return lines


def docx_text(path: Path) -> str:
    """The Word file's text, body and footnotes, in the order Word keeps it."""
    package = zipfile.ZipFile(path)
    parts = ["word/document.xml"] + [n for n in package.namelist() if n == "word/footnotes.xml"]
    return "\n".join(squeeze(unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>",
                                                             package.read(n).decode("utf-8")))))
                     for n in parts)


def web_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)  # a chart's words are its own
    return squeeze(unescape(re.sub(r"<[^>]+>", "", html)))


def text_runs(inlines) -> list[str]:
    """Returns the inlines' text, cut where a citation or a footnote call stands: the
    words between the marks each product prints its own way."""
    from pipeline.tree import Citation, Code, CrossRef, Emphasis, FootnoteRef, Link, Strong, Text
    out, current = [], []

    def visit(nodes):
        for node in nodes:
            if isinstance(node, (Citation, FootnoteRef)):
                out.append("".join(current))
                current.clear()
            elif isinstance(node, Text):
                current.append(node.text)
            elif isinstance(node, Code):
                current.append(node.text)
            elif isinstance(node, CrossRef):
                current.append("・".join(t.text for t in node.targets))
            elif isinstance(node, (Strong, Emphasis, Link)):
                visit(node.children)
    visit(inlines)
    out.append("".join(current))
    return [run for run in map(squeeze, out) if len(run) > 1]


def blocks_text(doc) -> list[str]:
    """Returns the runs of every block of the document, in reading order."""
    from pipeline.tree import Chart, Figure, FootnoteRef, Heading, Paragraph, Table, walk
    found = []
    for section in doc.sections:
        for node in walk(section.blocks):
            if isinstance(node, (Heading, Paragraph)):
                found += text_runs(node.content)
            elif isinstance(node, Table):
                found += text_runs(node.caption)
                found += [r for row in node.header + node.body for cell in row for r in text_runs(cell)]
                found += [squeeze(note) for note in node.notes]  # a data file's notes
            elif isinstance(node, (Figure, Chart)):
                found += text_runs(node.caption)
            elif isinstance(node, FootnoteRef):
                found += text_runs(node.content)
    return found
