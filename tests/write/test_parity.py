"""One tree, three products that say the same thing: every block's text (headings,
paragraphs, list items, quotations, table cells and captions, figure captions,
footnotes) is printed in the PDF, the .docx and the web edition alike.

A block's text is compared as runs: the words between its citations and
footnote calls, which each product marks its own way (a superscript 1), Word's
footnote reference, the web's note in brackets). Whitespace is ignored, since
each product breaks lines where it must.
"""

import re
import subprocess
import zipfile
from html import unescape

import pytest

from pipeline.build import load_document
from pipeline.cli import main
from pipeline.tree import (Chart, Citation, Code, CrossRef, Emphasis, Figure, FootnoteRef,
                           Heading, Link, Paragraph, Strong, Table, Text, walk)

from helpers import FLAGSHIP, ROOT, need_tool

REPORTS = [FLAGSHIP] + sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.is_dir())


@pytest.fixture(scope="module", params=REPORTS, ids=lambda p: p.name)
def products(request, tmp_path_factory):
    """Returns the report's tree and the text of its three products, squeezed."""
    out = tmp_path_factory.mktemp(request.param.name)
    for command in ("all", "html"):
        assert main([command, "--content", str(request.param), "--out", str(out),
                     "--quiet"]) == 0
    doc, _ = load_document(request.param)
    stem = out / doc.meta.id
    return doc, {"pdf": _pdf_text(stem.with_suffix(".pdf"), doc),
                 "docx": _docx_text(stem.with_suffix(".docx")),
                 "web": _web_text(stem.with_suffix(".html"))}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(path, doc) -> str:
    """The PDF's text without what each page repeats (the running head, the page
    number) or sets apart (its footnotes, which are compared on their own)."""
    furniture = {_squeeze(doc.meta.title + (doc.meta.marking or "")), _squeeze(doc.meta.title)}
    kept = []
    need_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # in reading order: a cell's words together
    for page in text.split("\f")[:-1]:
        lines = page.split("\n")
        notes = next((i for i, line in enumerate(lines) if re.match(r"\s*注\d+\s", line)),
                     len(lines))
        body = [line for line in lines[:notes] if _squeeze(line) not in furniture
                and not re.fullmatch(r"\s*-\s*\d+\s*-\s*", line)]
        kept.append(_squeeze("".join(body)) + "\n" + _squeeze("".join(lines[notes:])))
    return "\n".join(kept)


def _docx_text(path) -> str:
    """The Word file's text, body and footnotes, in the order Word keeps it."""
    package = zipfile.ZipFile(path)
    parts = ["word/document.xml"] + [n for n in package.namelist() if n == "word/footnotes.xml"]
    return "\n".join(_squeeze(unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>",
                                                             package.read(n).decode("utf-8")))))
                     for n in parts)


def _web_text(path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)  # a chart's words are its own
    return _squeeze(unescape(re.sub(r"<[^>]+>", "", html)))


def runs(inlines) -> list[str]:
    """Returns the inlines' text, cut where a citation or a footnote call stands."""
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
    return [run for run in map(_squeeze, out) if len(run) > 1]


def blocks_text(doc) -> list[str]:
    """Returns the runs of every block of the document, in reading order."""
    found = []
    for section in doc.sections:
        for node in walk(section.blocks):
            if isinstance(node, (Heading, Paragraph)):
                found += runs(node.content)
            elif isinstance(node, Table):
                found += runs(node.caption)
                found += [r for row in node.header + node.body for cell in row for r in runs(cell)]
                found += [_squeeze(note) for note in node.notes]  # a data file's notes
            elif isinstance(node, (Figure, Chart)):
                found += runs(node.caption)
            elif isinstance(node, FootnoteRef):
                found += runs(node.content)
    return found


def test_every_blocks_text_is_in_all_three_products(products):
    doc, texts = products
    expected = blocks_text(doc)
    assert expected
    missing = {kind: [run for run in expected if run not in text] for kind, text in texts.items()}
    assert missing == {"pdf": [], "docx": [], "web": []}


def test_the_comparison_sees_a_block_a_product_left_out(products):
    doc, texts = products
    run = max(blocks_text(doc), key=len)
    cut = {kind: text.replace(run, "") for kind, text in texts.items()}
    assert all(run not in text for text in cut.values())
