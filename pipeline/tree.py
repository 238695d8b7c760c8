"""The document tree: the only contract between the stages.

A closed set of frozen node kinds (after Pandoc's AST). The read stage makes
them un-numbered; resolve.py fills in numbers, anchors and citation numbers;
check reads them; the writers dispatch on the node class and never re-read
Markdown. Every block knows the file and line it came from, so any later
stage can point the author at it.
"""

from __future__ import annotations

import dataclasses
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
    pos: Pos | None = None  # where it was written (a reference's URL has none)


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Citation:
    """A `[@a; @b]` citation: its keys and (once resolved) their numbers in the
    reference list; Pandoc's `[see @a, p. 12]` adds, key by key, a prefix and a
    locator (empty tuples when no key has either)."""

    keys: tuple[str, ...]
    pos: Pos
    numbers: tuple[int, ...] = ()
    prefixes: tuple[str, ...] = ()
    locators: tuple[str, ...] = ()

    def items(self) -> list[tuple[str, int, str]] | None:
        """Returns (prefix, number, locator) per key when the citation has affixes and
        every key is numbered, else None: it prints as one group, 1,3)."""
        if not (any(self.prefixes) or any(self.locators)) or len(self.numbers) != len(self.keys):
            return None
        return list(zip(self.prefixes, self.numbers, self.locators))


@dataclass(frozen=True)
class Target:
    """What a cross-reference points at: its number as printed (図1, 表2, 2.3) and
    its anchor."""

    text: str
    anchor: str


@dataclass(frozen=True)
class CrossRef:
    """A `[@fig:map]` or `[@tbl:a; @tbl:b]` reference; resolve finds its targets."""

    labels: tuple[str, ...]
    pos: Pos
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class FootnoteRef:
    """A `[^name]` call; resolve numbers it through the report and brings its note."""

    name: str
    pos: Pos
    number: int = 0
    content: tuple["Inline", ...] = ()


Inline = Union[Text, Strong, Emphasis, Code, Link, LineBreak, Citation, CrossRef, FootnoteRef]
Inlines = tuple[Inline, ...]


# ---- blocks --------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    level: int
    content: Inlines
    pos: Pos
    anchor: str = ""  # `{#id}` as written, else set by resolve
    number: tuple[int, ...] = ()  # (2, 1) is 2.1; () for an unnumbered heading
    unnumbered: bool = False  # `{-}` or `{.unnumbered}` (Pandoc, Quarto): not counted

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
class Provenance:
    """Where a data file's numbers come from, when data/sources.yaml names its publisher:
    the writers make the 出典 line of it, and the open data's sources and licence."""

    publisher: str
    title: str
    url: str
    license: str = ""
    fetched_on: datetime.date | None = None  # in Japan's calendar, from data/sources.lock


@dataclass(frozen=True)
class Table:
    """A table; a captioned one gets its 表 number (and anchor) from resolve."""

    header: tuple[tuple[Inlines, ...], ...]
    body: tuple[tuple[Inlines, ...], ...]
    aligns: tuple[str, ...]  # 'left', 'center', 'right' or '' per column
    pos: Pos
    caption: Inlines = ()
    number: int | None = None
    anchor: str = ""
    source: Inlines = ()  # a data table's 出典: its citations, named by resolve
    label: str = ""  # `id:` of a data table, for cross-references
    notes: tuple[str, ...] = ()  # a data table's notes, as its file writes them under it
    data: str = ""  # a data table's file, as the block names it
    caption_pos: Pos | None = None  # a `Table: …` paragraph's own place
    provenance: Provenance | None = None  # its data file's publisher, for the 出典 line


@dataclass(frozen=True)
class Figure:
    """An image standing alone in a paragraph; its alt text is the caption (図 number)."""

    src: str  # the file (resolved) or the URL it came from
    caption: Inlines
    pos: Pos
    data: bytes  # checked when read; the writers never open src
    media_type: str
    number: int = 0  # set by resolve
    anchor: str = ""
    label: str = ""  # `{#fig:map}`, for cross-references


@dataclass(frozen=True)
class Series:
    """One series of a chart: a data column and its values (None: missing)."""

    name: str
    values: tuple[int | float | None, ...]
    decimals: int = 0  # digits after the point, as the data file writes them


@dataclass(frozen=True)
class Chart:
    """A chart drawn from a data file (図 number, like a figure); the writers draw it."""

    kind: str  # bar, barh, stacked, stacked-barh, line, pie
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    value_labels: bool
    caption: Inlines
    source: Inlines  # its citations; resolve puts the sources' names before each
    pos: Pos
    data: str  # the data file, as the block names it
    label: str = ""  # `id:`, for cross-references
    number: int = 0  # set by resolve
    anchor: str = ""
    provenance: Provenance | None = None  # its data file's publisher, for the 出典 line
    category_name: str = ""  # the column its categories come from (x), for its open data


Block = Union[Heading, Paragraph, BulletList, OrderedList, Quote, CodeBlock, ThematicBreak,
              Table, Figure, Chart]


# ---- the document --------------------------------------------------------

@dataclass(frozen=True)
class Note:
    """A footnote's definition, `[^name]: text`, as a section states it."""

    name: str
    content: Inlines
    pos: Pos


@dataclass(frozen=True)
class Section:
    """One section file, parsed."""

    path: Path
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = ()  # brought to their calls by resolve


@dataclass(frozen=True)
class PartialDate:
    """A CSL date that may stop at the year or the month."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    def earliest(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list as the CSL YAML states it, with its line."""

    key: str
    type: str
    title: str
    authors: tuple[str, ...]
    publisher: str
    container: str
    url: str
    issued: PartialDate | None
    accessed: PartialDate | None
    note: str
    nocite: bool
    path: Path
    line: int
    lines: dict  # field → line, for every field the entry states (`issued: null` too)

    @property
    def creator(self) -> str:
        """Returns who is responsible: the authors, else the publisher."""
        return "; ".join(self.authors) or self.publisher


@dataclass(frozen=True)
class ReferenceEntry:
    """A numbered entry of the reference list; the writers print it (SIST 02)."""

    number: int
    anchor: str
    source: Reference

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def pos(self) -> Pos:
        return Pos(self.source.path, self.source.line)


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
    edition: str = "manual"  # "auto": `dist` makes the next edition when the data changed
    addresses: tuple[str, ...] = ()  # each recipient's mail address ('' : not mailed), `send`
    attach: tuple[str, ...] = ("pdf",)  # what `send` attaches: pdf, docx
    link_base: str = ""  # `send` links to the copy under this address instead of attaching
    max_attachment_mib: float = 10.0  # a mail's attachments at most


@dataclass(frozen=True)
class Document:
    meta: Metadata
    sections: tuple[Section, ...]
    references: tuple[ReferenceEntry, ...]
    inputs: tuple[Path, ...] = ()  # every file it was read from, for the content hash
    each_row: tuple[str, int] | None = None  # of a report over rows: its data file and row

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
            affixes = zip(node.prefixes or [""] * len(node.keys), node.keys,
                          node.locators or [""] * len(node.keys))
            parts.append("[" + "; ".join(f"{p}@{k}" + (f", {loc}" if loc else "")
                                         for p, k, loc in affixes) + "]")
        elif isinstance(node, Citation):
            parts.append("".join(p + (f"（{loc}）" if loc else "")
                                 for p, _, loc in node.items() or ()))
        elif isinstance(node, CrossRef):
            parts.append("[" + "; ".join(f"@{k}" for k in node.labels) + "]" if keys
                         else "・".join(t.text for t in node.targets))
    return "".join(parts)


def map_tree(nodes: tuple, change) -> tuple:
    """Returns nodes with change(node) applied to each node and every node below
    it, in reading order (a node before its children, a table's caption before
    its cells). A node whose children are unchanged is kept as it is."""
    return tuple(_map_node(node, change) for node in nodes)


def _map_node(node, change):
    node = change(node)
    fields = _CHILDREN.get(type(node), ())
    new = {}
    for name in fields:
        value = getattr(node, name)
        if name in ("header", "body"):
            mapped = tuple(tuple(map_tree(cell, change) for cell in row) for row in value)
        else:
            mapped = map_tree(value, change)
        if mapped != value:
            new[name] = mapped
    return dataclasses.replace(node, **new) if new else node


def walk(nodes):
    """Yields every node in nodes and below them, depth first, in document order."""
    for node in nodes:
        yield node
        for name in _CHILDREN.get(type(node), ()):
            if name in ("header", "body"):
                for row in getattr(node, name):
                    for cell in row:
                        yield from walk(cell)
            else:
                yield from walk(getattr(node, name))


def dump_tree(nodes) -> str:
    """Returns the nodes as indented text, one node a line with its fields and
    @line:column: the golden form the reader's tests compare against."""
    lines: list[str] = []
    _dump(nodes, 0, lines)
    return "".join(line + "\n" for line in lines)


def _dump(nodes, depth: int, lines: list[str]) -> None:
    for node in nodes:
        children = _CHILDREN.get(type(node), ())
        fields = [f"{f.name}={_brief(getattr(node, f.name))}" for f in dataclasses.fields(node)
                  if f.name not in children and f.name != "pos"]
        pos = getattr(node, "pos", None)
        where = [f"@{pos.line}:{pos.column}"] if pos else []
        lines.append("  " * depth + " ".join([type(node).__name__, *fields, *where]))
        for name in children:
            value = getattr(node, name)
            if name in ("header", "body") or len(children) > 1:
                lines.append("  " * (depth + 1) + f"{name}:")
            if name in ("header", "body"):
                for row in value:
                    lines.append("  " * (depth + 2) + "row")
                    for cell in row:
                        lines.append("  " * (depth + 3) + "cell")
                        _dump(cell, depth + 4, lines)
            else:
                _dump(value, depth + (2 if len(children) > 1 else 1), lines)


def _brief(value) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and value.startswith("/"):
        return repr(Path(value).name)  # a resolved file: the same on every machine
    if isinstance(value, Pos):
        return f"@{value.line}:{value.column}"  # its file is the node's own
    return repr(value)


# The fields that hold nodes, per kind, in reading order.
_CHILDREN = {
    Strong: ("children",), Emphasis: ("children",), Link: ("children",),
    FootnoteRef: ("content",), Note: ("content",),
    Heading: ("content",), Paragraph: ("content",), ListItem: ("blocks",),
    BulletList: ("items",), OrderedList: ("items",), Quote: ("blocks",),
    Table: ("caption", "header", "body", "source"), Figure: ("caption",),
    Chart: ("caption", "source"), Section: ("blocks",),
}
