"""The Word file knows its sources: every block it writes is marked, for `review`.

Each paragraph written from a source line (a heading, a paragraph, a list
item, a quotation, a table cell, a caption) is wrapped in a hidden bookmark
`_src<N>`, which Word and LibreOffice keep when they save and which no reader
sees. A custom XML part maps each N to the source file, its line (and a hash of
that line as it stood) and the text the block was written with, with a hash
of every source file, so that `review` can tell what a reviewer changed and
where it belongs, and that the place still holds it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from ...diagnostics import PipelineError
from ...read.files import content_sha256, line_sha256, read_text
from .xml import qn

MARK_PREFIX = "_src"
NAMESPACE = "urn:pipeline:sources:1"
PART_NAME = "/customXml/pipeline-sources.xml"


class SourceMarks:
    """The marks of one document, in the order they are made."""

    def __init__(self, bookmarks):
        self.bookmarks = bookmarks
        self.marks: list[tuple[str, str, Path, int]] = []  # name, text, source, line

    def mark(self, paragraph, path: Path, line: int) -> None:
        """Marks a written paragraph (its text is final: a mark adds none)."""
        text = paragraph_text(paragraph._p)
        if not text:
            return  # an empty cell: nothing to review, and LibreOffice moves its mark
        name = f"{MARK_PREFIX}{len(self.marks) + 1}"
        self.bookmarks.wrap(paragraph, name)
        self.marks.append((name, text, path, line))

    def attach(self, document, inputs: tuple[Path, ...]) -> None:
        """Adds the map part: every mark's place and text, and the sources' hashes."""
        home = inputs[0].parent if inputs else Path.cwd()
        rows = [f'<source file={quoteattr(_relative(p, home))} sha256="{content_sha256(p)}"/>'
                for p in inputs]
        lines: dict[Path, list[str]] = {}  # each source as it stands, read once
        rows += [f"<block mark={quoteattr(name)} file={quoteattr(_relative(path, home))} "
                 f'line="{line}" line-sha256="{_line_sha256(path, line, lines)}">'
                 f"{escape(text)}</block>" for name, text, path, line in self.marks]
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<sources xmlns="{NAMESPACE}">\n' + "\n".join(rows) + "\n</sources>\n")
        part = Part(PackURI(PART_NAME), "application/xml", xml.encode("utf-8"),
                    document.part.package)
        document.part.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_XML)


def escape(text: str) -> str:
    """Returns text escaped as xml.sax.saxutils.escape does (which imports urllib,
    http and ssl: a tenth of a .docx build's start)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """Returns text as a quoted attribute value, as xml.sax.saxutils.quoteattr does."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


def paragraph_text(p) -> str:
    """Returns a paragraph's text as Word shows it: its w:t and its tabs."""
    parts = []
    for node in p.iter(qn("w:t"), qn("w:tab")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.getparent().tag == qn("w:r"):  # not a tab stop of w:pPr
            parts.append("\t")
    return "".join(parts)


def _line_sha256(path: Path, line: int, read: dict[Path, list[str]]) -> str:
    """Returns the hash of the source line a block starts on, as it stands now: review
    writes a change back only while that line still says the same."""
    if path not in read:
        try:
            read[path] = read_text(path).split("\n")
        except PipelineError:  # not text (a workbook): nothing there is written back
            read[path] = []
    lines = read[path]
    return line_sha256(lines[line - 1] if 0 < line <= len(lines) else "")



@cache  # a few sources, thousands of marks
def _relative(path: Path, home: Path) -> str:
    return Path(os.path.relpath(path, home)).as_posix()
