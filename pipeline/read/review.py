"""A reviewed .docx → what the reviewers did: each marked block's text before and
after their tracked changes, the changes with author and date, the comments
with the text they are anchored to, and the map back to the sources.

Reads what Word writes: w:ins, w:del with w:delText, w:moveFrom / w:moveTo,
comment ranges and comments.xml, paragraphs split or merged inside a marked
block, and property changes (w:rPrChange, w:pPrChange: formatting only). The
file is untrusted: a damaged zip, a macro-enabled .docm, a zip bomb, XML with
a DOCTYPE (so no entity is ever expanded or fetched) or a huge part is a
diagnostic, and nothing is read past it.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..diagnostics import PipelineError
from ..guards import memory_ceiling
from ..rules import REVIEW_FILE

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SOURCES_NS = "urn:pipeline:sources:1"
MARK_PREFIX = "_src"
MAX_PART = 50 * 2**20  # one XML part, unpacked
MAX_UNPACKED = 200 * 2**20  # the whole package, unpacked
REVIEW_MEMORY = 1024 * 2**20  # what reading one reviewed file may take
MAX_BLOCKS = 200_000  # marked blocks: a 1,000-page report has about 40,000
MAX_RUNS = 1_000_000  # pieces of text: a 1,000-page report reviewed has a few hundred thousand
MAX_COMMENTS = 10_000  # comment anchors: no review has thousands
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass
class Block:
    """A marked block: where it came from, what it said, what it says now."""

    mark: str
    file: str
    line: int
    generated: str  # the text the pipeline wrote
    line_sha256: str = ""  # of the source line it started on, when it was written
    before: str = ""  # its text with the tracked changes rejected
    after: str = ""  # ... and accepted
    found: bool = False  # its marker is still in the document


@dataclass(frozen=True)
class Change:
    kind: str  # insertion, deletion, move, formatting
    author: str
    date: str
    text: str
    mark: str  # the block it is in ('' when in none)


@dataclass(frozen=True)
class Comment:
    author: str
    date: str
    text: str
    anchored: str  # the text it is attached to
    mark: str


@dataclass
class Review:
    blocks: dict[str, Block]
    sources: dict[str, str]  # file → sha256 when the .docx was written
    changes: list[Change] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def read_review(path: Path) -> Review:
    """Returns what the reviewers did to a .docx this pipeline wrote."""
    parts = _open_package(path)
    sources_xml = next((xml for name, xml in parts.items()
                        if name.startswith("customXml/") and SOURCES_NS.encode() in xml), None)
    if sources_xml is None:
        raise PipelineError([REVIEW_FILE.at(path, None, "this .docx was not written by the "
                                            "pipeline (it has no map of its sources)")])
    try:
        with memory_ceiling(REVIEW_MEMORY):
            review = _map(path, sources_xml)
            comments = _comment_texts(path, parts.get("word/comments.xml"))
            walker = _Walker(review, comments, path)
            walker.walk(_parse(path, "word/document.xml", parts["word/document.xml"]))
            if "word/footnotes.xml" in parts:  # notes hold no marks: their changes are listed
                walker.walk(_parse(path, "word/footnotes.xml", parts["word/footnotes.xml"]))
            walker.finish()
    except MemoryError:
        raise PipelineError([REVIEW_FILE.at(path, None, "reading it would take more than "
                                            f"{REVIEW_MEMORY // 2**20:,} MiB: not a file a "
                                            "reviewer saved")]) from None
    return review


def _open_package(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PipelineError([REVIEW_FILE.at(path, None, f"not a Word file (.docx is a zip: "
                                            f"{exc})")]) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "word/vbaProject.bin" in names or any(n.endswith(".bin") and "vba" in n.lower()
                                                 for n in names):
            raise PipelineError([REVIEW_FILE.at(path, None, "a macro-enabled document (.docm) "
                                                "is not read: save it as .docx")])
        if sum(info.file_size for info in infos) > MAX_UNPACKED:
            raise PipelineError([REVIEW_FILE.at(path, None, "the file unpacks to more than "
                                                f"{MAX_UNPACKED // 2**20} MiB: a zip bomb?")])
        if "word/document.xml" not in names:
            raise PipelineError([REVIEW_FILE.at(path, None, "not a Word file: no "
                                                "word/document.xml")])
        wanted = [i for i in infos if i.filename in _PARTS
                  or i.filename.startswith("customXml/item") or
                  i.filename == "customXml/pipeline-sources.xml"]
        return {info.filename: _member(path, archive, info) for info in wanted}


_PARTS = ("word/document.xml", "word/comments.xml", "word/footnotes.xml")


def _member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Returns one part, read no further than MAX_PART whatever its entry claims; a
    damaged, encrypted or oddly compressed part is a diagnostic."""
    too_big = PipelineError([REVIEW_FILE.at(path, None, f"{info.filename} unpacks to more "
                                            f"than {MAX_PART // 2**20} MiB")])
    if info.file_size > MAX_PART:
        raise too_big
    try:
        with archive.open(info) as member:
            data = member.read(MAX_PART + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
            zlib.error) as exc:
        raise PipelineError([REVIEW_FILE.at(path, None, f"{info.filename} cannot be unpacked "
                                            f"({exc}): the file is damaged")]) from None
    if len(data) > MAX_PART:
        raise too_big
    return data


def _parse(path: Path, name: str, data: bytes):
    """Returns a part's XML root. A DOCTYPE (in any encoding, anywhere) or an entity
    reference, which Word never writes, is refused, never expanded: the text after
    an unexpanded `&x;` would be lost and --apply would write a shortened block."""
    refused = PipelineError([REVIEW_FILE.at(path, None, f"{name} declares a DOCTYPE or "
                                            "entities, which a Word file never does: not read")])
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise refused
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PipelineError([REVIEW_FILE.at(path, None, f"{name} is not well-formed XML "
                                            f"({exc})")]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None \
            or next(root.iter(etree.Entity), None) is not None:
        raise refused
    return root


def _map(path: Path, data: bytes) -> Review:
    root = _parse(path, "the source map", data)
    sources = {e.get("file"): e.get("sha256") for e in root.iter(f"{{{SOURCES_NS}}}source")}
    blocks = {}
    for number, e in enumerate(root.iter(f"{{{SOURCES_NS}}}block"), 1):
        mark, file, line = e.get("mark"), e.get("file"), e.get("line") or ""
        if number > MAX_BLOCKS:
            raise PipelineError([REVIEW_FILE.at(path, None, f"the source map has more than "
                                                f"{MAX_BLOCKS:,} blocks: not one this "
                                                "pipeline wrote")])
        if not (mark and file and line.isdigit() and len(line) < 10):
            raise PipelineError([REVIEW_FILE.at(path, None, f"block {number} of the source map "
                                                "has no mark, file or line: the map is damaged")])
        blocks[mark] = Block(mark, file, int(line), e.text or "", e.get("line-sha256", ""))
    return Review(blocks, sources)


def _comment_texts(path: Path, data: bytes | None) -> dict[str, tuple[str, str, str]]:
    if data is None:
        return {}
    root = _parse(path, "word/comments.xml", data)
    return {c.get(_w("id")): (c.get(_w("author"), ""), c.get(_w("date"), ""),
                              "".join(t.text or "" for t in c.iter(_w("t"))))
            for c in root.iter(_w("comment"))}


_CHANGE_KINDS = {_w("ins"): "insertion", _w("del"): "deletion", _w("moveFrom"): "move",
                 _w("moveTo"): "move"}


class _Walker:
    """Goes through the body in order, giving text to the blocks whose marks are open."""

    def __init__(self, review: Review, comments: dict, path: Path):
        self.review, self.comment_texts, self.path = review, comments, path
        self.open: dict[str, str] = {}  # bookmark id → mark
        self.pieces: list[str] = []  # every run's text, in order, for the comments
        self.ranges: dict[str, list[int]] = {}  # comment id → [first piece, end piece]
        self.comment_mark: dict[str, str] = {}
        self.texts: dict[str, tuple[list[str], list[str]]] = {}  # mark → (before, after)
        self.current = ""  # the block the text being read belongs to

    def walk(self, root) -> None:
        body = root.find(_w("body"))
        for paragraph in (body if body is not None else root).iter(_w("p")):
            self.paragraph(paragraph)
        self.current = ""
        self.open.clear()

    def finish(self) -> None:
        """Gives the blocks their text and lists every comment, those anchored by a
        reference alone and those anchored nowhere too."""
        for mark, (before, after) in self.texts.items():
            block = self.review.blocks[mark]
            block.before, block.after = "".join(before), "".join(after)
        for comment_id, (author, date, text) in self.comment_texts.items():
            first, end = self.ranges.get(comment_id, [0, 0])
            self.review.comments.append(Comment(author, date, text, self.anchored(first, end),
                                                self.comment_mark.get(comment_id, "")))

    def anchored(self, first: int, end: int) -> str:
        """Returns the text a comment is attached to, as far as a message shows it."""
        out, length = [], 0
        for piece in self.pieces[first:end]:
            out.append(piece)
            length += len(piece)
            if length > 200:
                break
        return "".join(out)

    def paragraph(self, p) -> None:
        """A paragraph's text goes to the block marked in it, whole: Word and
        LibreOffice move a bookmark's end within its paragraph when they save. A
        paragraph with no mark of its own, inside a block's range, continues that
        block: the reviewer split it."""
        self.current = self.latest_open()
        if self.current:
            self.text("\n", "\n")
        for node in p.iter():
            self.node(node)

    def latest_open(self) -> str:
        return next(reversed(self.open.values()), "") if self.open else ""

    def node(self, node) -> None:
        tag = node.tag
        if tag == _w("bookmarkStart") and (node.get(_w("name")) or "").startswith(MARK_PREFIX):
            mark = node.get(_w("name"))
            if mark in self.review.blocks:
                self.open[node.get(_w("id"))] = mark
                self.review.blocks[mark].found = True
                self.current = mark  # two marks in one paragraph: the reviewer merged them
        elif tag == _w("bookmarkEnd"):
            self.open.pop(node.get(_w("id")), None)
        elif tag in (_w("commentRangeStart"), _w("commentReference")):
            comment_id = node.get(_w("id"))
            if comment_id not in self.ranges:  # a reference alone anchors where it stands
                self.refuse_past(len(self.ranges), MAX_COMMENTS, "comment anchors")
                self.ranges[comment_id] = [len(self.pieces), len(self.pieces)]
                self.comment_mark[comment_id] = self.current
        elif tag == _w("commentRangeEnd") and node.get(_w("id")) in self.ranges:
            self.ranges[node.get(_w("id"))][1] = len(self.pieces)
        elif tag in (_w("t"), _w("delText")) or (tag == _w("tab")
                                                  and node.getparent().tag == _w("r")):
            self.run_text(node)  # (a w:tab elsewhere is a tab stop in w:pPr, not text)
        elif tag in (_w("ins"), _w("del"), _w("moveFrom"), _w("moveTo")):
            self.change(node)
        elif tag in (_w("rPrChange"), _w("pPrChange")):
            self.review.changes.append(Change("formatting", node.get(_w("author"), ""),
                                              node.get(_w("date"), ""), "", self.current))

    def run_text(self, node) -> None:
        text = "\t" if node.tag == _w("tab") else node.text or ""
        removed = any(a.tag in (_w("del"), _w("moveFrom")) for a in node.iterancestors())
        added = any(a.tag in (_w("ins"), _w("moveTo")) for a in node.iterancestors())
        self.text("" if added else text, "" if removed else text)
        self.refuse_past(len(self.pieces), MAX_RUNS, "pieces of text")
        self.pieces.append(text)

    def refuse_past(self, count: int, limit: int, what: str) -> None:
        if count >= limit:
            raise PipelineError([REVIEW_FILE.at(self.path, None, f"more than {limit:,} {what}: "
                                                "not a file a reviewer saved")])

    def change(self, node) -> None:
        text = "".join(t.text or "" for t in node.iter(_w("t"), _w("delText")))
        if text:
            self.review.changes.append(Change(_CHANGE_KINDS[node.tag], node.get(_w("author"), ""),
                                              node.get(_w("date"), ""), text, self.current))

    def text(self, before: str, after: str) -> None:
        if self.current:
            texts = self.texts.setdefault(self.current, ([], []))
            texts[0].append(before)
            texts[1].append(after)
