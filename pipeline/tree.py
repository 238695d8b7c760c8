"""The document tree: the only contract between the parser and the writers.

A closed set of frozen node kinds (after Pandoc's AST). Every block knows the
file and line it came from, so any later stage can point the author at it.
Writers dispatch on the node class and never re-read Markdown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Union


@dataclass(frozen=True)
class Pos:
    """Where a node came from: a source file and a 1-based line (and column)."""

    path: Path
    line: int
    column: int = 1


# ---- inlines -------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Emphasis:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Citation:
    """A `[@a; @b]` citation: its keys and their numbers in the reference list."""

    keys: tuple[str, ...]
    numbers: tuple[int, ...]
    pos: Pos


Inline = Union[Text, Strong, Emphasis, Code, Link, LineBreak, Citation]
Inlines = tuple[Inline, ...]


# ---- blocks --------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    level: int
    number: tuple[int, ...]  # (2, 1) is 2.1; () for an unnumbered heading
    anchor: str
    content: Inlines
    pos: Pos

    @property
    def label(self) -> str:
        """Returns the printed number: '2' for a chapter, '2.1' below it."""
        return ".".join(str(n) for n in self.number)

    @property
    def number_prefix(self) -> str:
        """Returns what precedes the title: the number and a full-width space, as
        Japanese documents set it (it also separates them in PDF bookmarks)."""
        return f"{self.label}\u3000" if self.number else ""


@dataclass(frozen=True)
class Paragraph:
    content: Inlines
    pos: Pos


@dataclass(frozen=True)
class ListItem:
    blocks: tuple["Block", ...]
    pos: Pos


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    pos: Pos


@dataclass(frozen=True)
class OrderedList:
    items: tuple[ListItem, ...]
    start: int
    pos: Pos


@dataclass(frozen=True)
class Quote:
    blocks: tuple["Block", ...]
    pos: Pos


@dataclass(frozen=True)
class CodeBlock:
    text: str
    language: str
    pos: Pos


@dataclass(frozen=True)
class ThematicBreak:
    pos: Pos


@dataclass(frozen=True)
class Table:
    """A table; `number` is its 表 number when it has a caption, else None."""

    header: tuple[tuple[Inlines, ...], ...]
    body: tuple[tuple[Inlines, ...], ...]
    aligns: tuple[str, ...]  # 'left', 'center', 'right' or '' per column
    caption: Inlines
    number: int | None
    anchor: str
    pos: Pos


@dataclass(frozen=True)
class Figure:
    """An image standing alone in a paragraph; its alt text is the caption (図 number)."""

    src: str  # the file (resolved) or the URL it came from
    caption: Inlines
    number: int
    anchor: str
    pos: Pos
    data: bytes = b""  # checked when read; the writers never open src
    media_type: str = "image/png"


Block = Union[Heading, Paragraph, BulletList, OrderedList, Quote, CodeBlock, ThematicBreak,
              Table, Figure]


# ---- the document --------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """One section file, parsed."""

    path: Path
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReferenceEntry:
    """A numbered entry of the reference list, already formatted (SIST 02)."""

    number: int
    key: str
    content: Inlines
    anchor: str
    pos: Pos | None = None  # where the entry starts in the reference file


@dataclass(frozen=True)
class Metadata:
    """The report's metadata, as the writers print it."""

    id: str
    title: str
    subtitle: str
    organisation: str
    author: str
    date: datetime.date
    version: str
    marking: str
    summary: tuple[str, ...]
    keywords: tuple[str, ...]
    archival: bool = True  # the PDF is PDF/A-3u, tagged
    recipients: tuple[str, ...] = ()  # one numbered copy each, in `make dist`


@dataclass(frozen=True)
class Document:
    meta: Metadata
    sections: tuple[Section, ...]
    references: tuple[ReferenceEntry, ...]
    inputs: tuple[Path, ...] = ()  # every file it was read from, for the content hash

    def headings(self, max_level: int = 6) -> list[Heading]:
        """Returns every heading down to max_level, in document order."""
        return [b for s in self.sections for b in s.blocks
                if isinstance(b, Heading) and b.level <= max_level]


def plain_text(inlines: Inlines, keys: bool = False) -> str:
    """Returns the text of inlines without markup; citations are left out, or
    written [@key] when keys is true (for comparing two versions' text)."""
    parts = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            parts.append(node.text)
        elif isinstance(node, (Strong, Emphasis, Link)):
            parts.append(plain_text(node.children, keys))
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, Citation) and keys:
            parts.append("[" + "; ".join(f"@{k}" for k in node.keys) + "]")
    return "".join(parts)


def walk(nodes):
    """Yields every node in nodes and below them, depth first, in document order."""
    for node in nodes:
        yield node
        if isinstance(node, Table):
            yield from walk(node.caption)
            for row in node.header + node.body:
                for cell in row:
                    yield from walk(cell)
            continue
        for name in ("blocks", "items", "content", "children", "caption"):
            yield from walk(getattr(node, name, ()))
