"""One expanded section → its blocks: the un-numbered document tree.

Python-Markdown's element tree becomes our typed nodes here, and nothing
more: numbers, anchors and citation numbers are given by resolve.py once
every section is read, and the rules a briefing must meet are in check/.
Every block and inline has the line the parser recorded for it
(markdown.py's line marks); citations and footnote calls keep their exact
line and column. For lint, the converter also keeps each run of printed
prose beside the lines it was written on (ProseRun; placed in prose.py).
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown.extensions.footnotes import NBSP_PLACEHOLDER

from ..diagnostics import Diagnostic, PipelineError
from ..limits import Limits
from ..processes import Helper, may_fork
from ..rules import (CROSS_REF, EMPTY_SECTION, FIGURE, FOOTNOTE, MARKDOWN, NESTING,
                     STRAY_CITATION, TOO_LONG)
from ..tree import (Block, BulletList, Citation, Code, CodeBlock, CrossRef, Emphasis, Figure,
                    FootnoteRef, Heading, Inline, Inlines, LineBreak, Link, ListItem, Note,
                    OrderedList, Paragraph, Pos, Quote, Section, Strong, Table, Text,
                    ThematicBreak, plain_text, walk)
from .assets import ImageRules, load_image
from .blocks import BlockText, convert_block
from .data import DataFiles
from .expand import ExpandedSection
from .lines import join_lines
from .markdown import CITE_PLACEHOLDER, MarkdownTree, build_markdown_tree, make_markdown

@dataclass(frozen=True)
class ProseRun:
    """Printed prose as the tree holds it: the parts of one block (a paragraph, a
    heading, a tight list item's text, a caption, a table row's cells, a note's
    paragraph) and the first and last line of the section text it was written on."""

    parts: tuple[Inlines, ...]
    first: int
    last: int


MAX_NESTING = 12  # lists and quotations inside each other; deeper is an error, not a crash
_CAPTION = re.compile(r"^(?:Table|table|表)?\s*[:：]\s*")
_BLOCK_TAGS = {"p", "ul", "ol", "blockquote", "pre", "table", "hr"}
_STASH = re.compile(r"^\x02wzxhzdk:(\d+)\x03$")
# A fence's attributes (```{#lst:x .haskell}, Pandoc's and pandoc-crossref's) give the
# <pre> an id, which a code block does not keep; its language is kept.
_CODE_HTML = re.compile(r'<pre(?: id="[^"]*")?><code(?: class="language-([^" ]*)[^"]*")?>'
                        r'(.*)</code></pre>\s*$', re.S)
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})", re.M)
_RULE = re.compile(r"^[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M)
# Python-Markdown leaves a call with no definition as text: `[^x]` not followed by ':'.
_LOOSE_CALL = re.compile(r"(?<!\\)\[\^[^\]\s]+\]")
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
_LABEL = re.compile(r"\s*\{#([\w:.-]+)\}\s*$")
CROSSREF_PREFIXES = ("fig", "tbl", "sec")


def convert_sections(sections: list[ExpandedSection], images: ImageRules, data: DataFiles,
                     limits: Limits = Limits()) -> tuple[tuple[Section, ...], list[Diagnostic]]:
    """Returns the sections as un-numbered trees, and the findings about their Markdown.

    A long report's sections are converted on two cores: a forked child takes
    the second half (Python-Markdown's parse is most of reading). The result
    is the same as one process's, in the same order.
    """
    if len(sections) >= PARALLEL_SECTIONS and may_fork():
        parsed, findings = _convert_in_two(sections, images, data, limits)
    else:
        parsed, findings = _convert(sections, images, data, limits)
    return tuple(parsed), findings


# Below this many sections a second process costs more than it saves (about
# 10 ms to fork and to send the trees back, against 4 ms a section).
PARALLEL_SECTIONS = 12


def _convert_in_two(sections, images, data, limits) -> tuple[list[Section], list[Diagnostic]]:
    """Converts the first half here and the second in a forked helper; if the helper
    fails in any way, converts its half here too."""
    half = (len(sections) + 1) // 2
    helper = Helper(lambda: _convert(sections[half:], images, data, limits))
    answer = None
    try:
        first = _convert(sections[:half], images, data, limits)
        answer = helper.answer()
    finally:
        if answer is None:
            helper.stop()
    second = answer.value if answer.kind == "value" else None
    if second is None:
        second = _convert(sections[half:], images, data, limits)
    return first[0] + second[0], first[1] + second[1]


def _convert(sections, images: ImageRules, data: DataFiles,
             limits: Limits) -> tuple[list[Section], list[Diagnostic]]:
    md = make_markdown()
    parsed, findings = [], []
    for section in sections:
        if not section.text.strip():
            findings.append(EMPTY_SECTION.at(section.path, 1, "the section is empty: give it at "
                                             "least a heading, or remove it from sections"))
            continue
        if (title_block := _title_block(section)) is not None:
            findings.append(title_block)
            continue
        converter = None
        try:
            tree = build_markdown_tree(section.text, md)
            converter = _Converter(section, tree, images, data)
            blocks = converter.blocks(list(tree.root))
            converter.report_note_mistakes()
            parsed.append(Section(section.path, blocks, tuple(converter.notes)))
            converter.report_stray_citations()
            findings += overlong_blocks(parsed[-1], limits.max_paragraph_chars)
        except RecursionError:  # Python-Markdown recurses once per level of nesting
            findings.append(NESTING.at(section.path, None, "lists or quotations are nested too "
                                       f"deeply (at most {MAX_NESTING} levels)"))
        findings += converter.findings if converter else []
    return parsed, findings


_FRONT_MATTER = re.compile(r"(?:[ \t]*\n)*---[ \t]*\n[A-Za-z_][\w-]*[ \t]*:(?:[^\n]*\n)*?"
                           r"(?:---|\.\.\.)[ \t]*(?:\n|$)")
_PANDOC_TITLE = re.compile(r"(?:[ \t]*\n)*%[ \t]")


def _title_block(section: ExpandedSection) -> Diagnostic | None:
    """Returns an error when a section opens with YAML front matter or Pandoc's % title
    block, which Python-Markdown would print as body text (a rule and a heading)."""
    text = section.text
    if _FRONT_MATTER.match(text):
        what = "YAML front matter (--- … ---)"
    elif _PANDOC_TITLE.match(text):
        what = "a Pandoc title block (% title)"
    else:
        return None
    line = section.source_line(len(text) - len(text.lstrip("\n")) + 1)
    return MARKDOWN.at(section.path, line, f"{what} at the top of a section would be printed "
                       "as text: a report's title, author and date go in report.yaml (title:, "
                       "organisation:, date:); remove it from the section")


def prose_runs(section: ExpandedSection, tree: MarkdownTree) -> list[ProseRun]:
    """Returns the prose of one parsed section as the writers print it, run by run,
    in the order of the lines it was written on; quotations keep their own words
    and are left out, as are code, figures and data blocks."""
    converter = _Converter(section, tree, ImageRules(section.path.parent), None, prose=[])
    try:
        converter.blocks(list(tree.root))
    except RecursionError:  # too deep to build, so too deep to read: the build says so
        pass
    return sorted(converter.prose, key=lambda run: run.first)


def overlong_blocks(section: Section, max_chars: int) -> list[Diagnostic]:
    """Returns an error for each run of text longer than max_chars: a PDF's line
    breaking grows faster than the text, so one huge paragraph takes minutes."""
    findings = []
    for node in walk(section.blocks):
        for length in _text_lengths(node):
            if length > max_chars:
                findings.append(TOO_LONG.at(node.pos.path, node.pos.line,
                                            f"{_WHAT[type(node)]} of {length:,} characters is "
                                            f"longer than {max_chars:,} "
                                            "(--max-paragraph-chars): split it"))
                break
    return findings


_WHAT = {Paragraph: "a paragraph", Heading: "a heading", Figure: "a caption",
         Table: "a table cell or caption", CodeBlock: "a line of code"}


def _text_lengths(node) -> list[int]:
    if isinstance(node, (Paragraph, Heading)):
        return [len(plain_text(node.content))]
    if isinstance(node, Figure):
        return [len(plain_text(node.caption))]
    if isinstance(node, Table):
        cells = [cell for row in node.header + node.body for cell in row]
        return [len(plain_text(c)) for c in (node.caption, *cells)]
    if isinstance(node, CodeBlock):
        return [max(map(len, node.text.split("\n")))]
    return []


class _Converter:
    """Turns one section's element tree into blocks; holds where it has read up to."""

    def __init__(self, section: ExpandedSection, tree: MarkdownTree, images: ImageRules,
                 data: DataFiles | None, prose: list[ProseRun] | None = None):
        self.section, self.tree, self.images, self.data = section, tree, images, data
        self.prose = prose  # kept only when asked (lint): then nothing is loaded
        self.quoted = 0  # inside how many quotations
        self.notes: list[Note] = []
        self.called: set[str] = set()
        self.findings: list[Diagnostic] = []
        self.depth = 0  # of lists and quotations
        text = tree.marked_text
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.cursor = 0

    # ---- positions -------------------------------------------------------

    def pos_at(self, offset: int, column: int = 1) -> Pos:
        text_line = bisect.bisect_right(self.line_starts, offset)
        return Pos(self.section.path, self.section.source_line(text_line), column)

    def locate(self, elem: etree.Element) -> Pos:
        """Returns where elem starts, as the parser recorded it (markdown.py)."""
        line = self.tree.lines.starts.get(id(elem), 0)
        if line:
            self.cursor = max(self.cursor, self.line_starts[line - 1])
            return Pos(self.section.path, self.section.source_line(line), 1)
        return self.pos_at(self.cursor)

    def keep_prose(self, elem: etree.Element, *parts: Inlines, span=None) -> None:
        if self.prose is None or self.quoted:
            return
        span = span or self.tree.lines.spans.get(id(elem))
        if span:
            self.prose.append(ProseRun(parts, *span))

    def fail(self, pos: Pos, message: str, rule=MARKDOWN) -> None:
        self.findings.append(rule.at(pos.path, pos.line, message))

    # ---- blocks ----------------------------------------------------------

    def blocks(self, elems: list[etree.Element]) -> tuple[Block, ...]:
        out: list[Block] = []
        pending_caption: Inlines = ()
        for index, elem in enumerate(elems):
            caption = self.caption_of(elem)
            if caption is not None and self.is_table(elems, index + 1):
                pending_caption = caption  # a caption paragraph before its table
                self.keep_prose(elem, caption[0])
                continue
            if caption is not None and out and isinstance(out[-1], Table) and not out[-1].caption:
                out[-1] = dataclasses.replace(out[-1], caption=caption[0],  # ... or after it
                                              label=caption[1], caption_pos=caption[2])
                self.keep_prose(elem, caption[0])
                continue
            block = self.block(elem)
            if isinstance(block, Table) and pending_caption:
                block = dataclasses.replace(block, caption=pending_caption[0],
                                            label=pending_caption[1],
                                            caption_pos=pending_caption[2])
            pending_caption = ()
            if block is not None:
                out.append(block)
        return tuple(out)

    def block(self, elem: etree.Element) -> Block | None:
        tag = elem.tag
        if re.fullmatch(r"h[1-6]", tag):
            return self.heading(elem, int(tag[1]))
        if tag == "div" and elem.get("class") == "footnote":
            self.read_notes(elem)  # Python-Markdown gathers the definitions at the end
            return None
        handler = {"p": self.paragraph, "ul": self.bullet_list, "ol": self.ordered_list,
                   "blockquote": self.quote, "pre": self.code_block, "hr": self.rule,
                   "table": self.table}.get(tag)
        if handler is None:
            self.fail(self.locate(elem), f"this Markdown produces <{tag}>, which the writers "
                      "do not support")
            return None
        if tag in ("ul", "ol", "blockquote"):
            return self.nest(handler, elem)
        return handler(elem)

    def nest(self, handler, elem: etree.Element) -> Block | None:
        """Returns handler(elem) one level deeper, unless that is too deep."""
        if self.depth >= MAX_NESTING:
            self.fail(self.locate(elem), f"lists or quotations are nested more than "
                      f"{MAX_NESTING} levels deep", NESTING)
            return None
        self.depth += 1
        try:
            return handler(elem)
        finally:
            self.depth -= 1

    def heading(self, elem: etree.Element, level: int) -> Heading:
        pos = self.locate(elem)
        content = self.inlines(elem)
        self.keep_prose(elem, content)
        unnumbered = "-" in elem.attrib or "unnumbered" in elem.get("class", "").split()
        return Heading(level, content, pos, anchor=elem.get("id", ""), unnumbered=unnumbered)

    def paragraph(self, elem: etree.Element) -> Block | None:
        stashed = _STASH.match((elem.text or "").strip())
        if stashed and len(elem) == 0:
            return self.stashed_code(elem, int(stashed.group(1)))
        images = elem.findall("img")
        if len(elem) == 1 and images and not (elem.text or "").strip() \
                and not (images[0].tail or "").strip():
            if self.prose is not None:
                self.keep_prose(elem, self.text_inlines(images[0].get("alt", "")))
                return None
            return self.figure(images[0])
        pos = self.locate(elem)  # first, so that findings in its text point at its line
        content = self.inlines(elem)
        self.keep_prose(elem, content)
        return Paragraph(content, pos)

    def figure(self, img: etree.Element) -> Figure | None:
        pos = self.locate(img)
        src, caption = img.get("src", ""), img.get("alt", "").strip()
        if not caption:
            self.fail(pos, f"figure '{src}' has no caption: write ![caption]({src})", FIGURE)
            return None
        try:
            origin, image = load_image(src, self.section.path.parent, self.images)
        except ValueError as exc:
            self.fail(pos, str(exc), FIGURE)
            return None
        return Figure(origin, self.text_inlines(caption), pos, image.data, image.media_type,
                      label=img.get("id", ""))

    def bullet_list(self, elem: etree.Element) -> BulletList:
        items = tuple(self.list_item(li) for li in elem.findall("li"))
        return BulletList(items, items[0].pos if items else self.locate(elem))

    def ordered_list(self, elem: etree.Element) -> OrderedList:
        items = tuple(self.list_item(li) for li in elem.findall("li"))
        start = int(elem.get("start", "1"))
        return OrderedList(items, start, items[0].pos if items else self.locate(elem))

    def list_item(self, li: etree.Element) -> ListItem:
        pos = self.locate(li)
        if not (li.text or "").strip() and len(li) and li[0].tag in _BLOCK_TAGS:
            return ListItem(self.blocks(list(li)), pos)  # a loose item: blocks inside
        # A tight item: inline text, maybe followed by a nested list.
        nested = [child for child in li if child.tag in {"ul", "ol"}]
        inline = _without(li, nested)
        content = self.inlines(inline)
        self.keep_prose(li, content, span=self.own_lines(li, nested))
        blocks: list[Block] = [Paragraph(content, pos)]
        blocks += [b for b in (self.block(n) for n in nested) if b is not None]
        return ListItem(tuple(blocks), pos)

    def own_lines(self, li: etree.Element, nested: list[etree.Element]) -> tuple[int, int] | None:
        """Returns the lines of a tight item's own text: up to its nested list."""
        span = self.tree.lines.spans.get(id(li))
        inner = [self.tree.lines.spans[id(n)][0] for n in nested if id(n) in self.tree.lines.spans]
        if not span or (inner and inner[0] <= span[0]):
            return None
        return span[0], (inner[0] - 1) if inner else span[1]

    def quote(self, elem: etree.Element) -> Quote:
        pos = self.locate(elem)
        self.quoted += 1
        try:
            return Quote(self.blocks(list(elem)), pos)
        finally:
            self.quoted -= 1

    def code_block(self, elem: etree.Element) -> CodeBlock:
        code = elem.find("code")
        text = html.unescape((code.text if code is not None else elem.text) or "")
        return CodeBlock(self.restore_citations(text).rstrip("\n"), "", self.locate(elem))

    def stashed_code(self, elem: etree.Element, index: int) -> CodeBlock | None:
        match = _CODE_HTML.match(self.tree.stash[index]) if index < len(self.tree.stash) else None
        if not match:
            self.fail(self.locate(elem), "raw HTML is not supported in sections")
            return None
        text = html.unescape(match.group(2)).rstrip("\n")
        pos = self.locate_fenced_code()
        language = match.group(1) or ""
        if language in ("chart", "table"):
            return self.data_block(BlockText(language, text, pos, self.text_inlines))
        return CodeBlock(self.restore_citations(text), language, pos)

    def data_block(self, block: BlockText) -> Block | None:
        if self.data is None:  # reading prose only: its data are not loaded
            return None
        try:
            return convert_block(block, self.data)
        except PipelineError as exc:
            self.findings += exc.diagnostics
            return None

    def locate_fenced_code(self) -> Pos:
        """Returns where the next fenced block opens, and moves the cursor past its
        closing fence, so that words inside the code place no later block."""
        text = self.tree.marked_text
        opening = _FENCE.search(text, self.cursor)
        if not opening:
            return self.pos_at(self.cursor)
        pos = self.pos_at(opening.start())
        fence = re.escape(opening.group(1))
        closing = re.compile(rf"^[ ]{{0,3}}{fence}[`~]*[ \t]*$", re.M).search(text, opening.end())
        self.cursor = closing.end() if closing else len(text)
        return pos

    def rule(self, elem: etree.Element) -> ThematicBreak:
        found = _RULE.search(self.tree.marked_text, self.cursor)
        if found:
            self.cursor = found.start()
        return ThematicBreak(self.pos_at(self.cursor))

    def table(self, elem: etree.Element) -> Table:
        pos = self.locate(elem)
        header = tuple(self.row(tr) for tr in elem.findall("thead/tr"))
        body = tuple(self.row(tr) for tr in elem.findall("tbody/tr"))
        for tr, cells in zip(elem.findall("thead/tr") + elem.findall("tbody/tr"), header + body):
            self.keep_prose(tr, *cells)
        first = (elem.findall("thead/tr") or elem.findall("tbody/tr"))[0]
        aligns = tuple(_align(cell) for cell in first)
        return Table(header, body, aligns, pos)

    def row(self, tr: etree.Element) -> tuple[Inlines, ...]:
        return tuple(self.inlines(cell) for cell in tr)

    def caption_of(self, elem: etree.Element) -> tuple[Inlines, str, Pos] | None:
        """Returns the caption, its label ({#tbl:x}) and where it stands when elem is
        a `Table: ...` paragraph, else None."""
        if elem.tag != "p" or not _CAPTION.match(elem.text or ""):
            return None
        pos = self.locate(elem)
        copy = _without(elem, [])
        copy.text = _CAPTION.sub("", copy.text, count=1)
        label = _take_label(copy)
        return self.inlines(copy), label, pos

    @staticmethod
    def is_table(elems: list[etree.Element], index: int) -> bool:
        return index < len(elems) and elems[index].tag == "table"

    # ---- inlines ---------------------------------------------------------

    def inlines(self, elem: etree.Element) -> Inlines:
        out: list[Inline] = list(self.text_inlines(elem.text or ""))
        for child in elem:
            node = self.inline(child)
            if node is not None:
                out.append(node)
            out.extend(self.text_inlines(child.tail or ""))
        return tuple(out)

    def inline(self, elem: etree.Element) -> Inline | None:
        tag = elem.tag
        if tag == "strong":
            return Strong(self.inlines(elem))
        if tag == "em":
            return Emphasis(self.inlines(elem))
        if tag == "code":  # Python-Markdown escapes code as HTML (&lt;): the tree holds text
            return Code(self.restore_citations(html.unescape(elem.text or "")))
        if tag == "a":  # its kind of address is checked in check/safety.py
            return Link(elem.get("href", ""), self.inlines(elem), self.locate(elem))
        if tag == "br":
            return LineBreak()
        if tag == "sup" and elem.get("id", "").startswith("fnref"):
            return self.footnote_call(elem)
        where = self.locate(elem)
        if tag == "img":
            self.fail(where, "an image must stand alone in its paragraph, to become a figure")
        else:
            self.fail(where, f"unsupported inline element <{tag}>")
        return None

    def text_inlines(self, text: str) -> Inlines:
        text = join_lines(text)
        out: list[Inline] = []
        last = 0
        for match in CITE_PLACEHOLDER.finditer(text):
            if match.start() > last:
                out.append(Text(text[last:match.start()]))
            out.append(self.citation(int(match.group(1))))
            last = match.end()
        if last < len(text):
            out.append(Text(text[last:]))
        return tuple(out)

    def citation(self, index: int) -> Citation | CrossRef:
        mark = self.tree.citations[index]
        pos = self.pos_at(mark.offset, mark.column)
        kinds = {key.split(":", 1)[0] in CROSSREF_PREFIXES for key in mark.keys}
        if kinds == {True}:
            if mark.prefixes:
                self.findings.append(CROSS_REF.at(pos.path, pos.line, f"'{mark.original}': a "
                                                  "cross-reference takes no prefix or locator",
                                                  pos.column))
            return CrossRef(mark.keys, pos)
        if kinds == {True, False}:
            self.findings.append(CROSS_REF.at(pos.path, pos.line, f"'{mark.original}' mixes "
                                              "cross-references and citations: write them "
                                              "apart, as [@fig:a][@key]", pos.column))
        return Citation(mark.keys, pos, prefixes=mark.prefixes, locators=mark.locators)

    # ---- footnotes -------------------------------------------------------

    def footnote_call(self, sup: etree.Element) -> FootnoteRef:
        link = sup.find("a")
        name = (link.get("href", "") if link is not None else "").removeprefix("#fn:")
        self.called.add(name)
        found = self.tree.marked_text.find(f"[^{name}]", self.cursor)
        offset = found if found >= 0 else self.cursor
        column = offset - self.tree.marked_text.rfind("\n", 0, offset)
        return FootnoteRef(name, self.pos_at(offset, column))

    def read_notes(self, div: etree.Element) -> None:
        """Reads the definitions Python-Markdown gathered: each note's text, less
        its links back to the calls."""
        for item in div.iter("li"):
            name = item.get("id", "").removeprefix("fn:")
            paragraphs = [_without(p, [a for a in p if a.get("class") == "footnote-backref"])
                          for p in item.findall("p")]
            content: list[Inline] = []
            for index, (paragraph, p) in enumerate(zip(paragraphs, item.findall("p"))):
                if index:
                    content.append(LineBreak())
                part = self.inlines(paragraph)
                content += part
                self.keep_prose(p, _strip_end(part))
            self.notes.append(Note(name, _strip_end(tuple(content)), self.note_pos(name)))

    def note_pos(self, name: str) -> Pos:
        found = re.search(rf"^ {{0,3}}\[\^{re.escape(name)}\]:", self.tree.marked_text, re.M)
        return self.pos_at(found.start() if found else 0)

    def report_note_mistakes(self) -> None:
        """Calls with no definition, definitions never called, two of one name."""
        text = self.tree.marked_text
        defined = {m.group(1) for m in _DEFINITION.finditer(text)}
        for match in _LOOSE_CALL.finditer(text):
            if not text.startswith(":", match.end()) and match.group()[2:-1] not in defined:
                column = match.start() - text.rfind("\n", 0, match.start())
                pos = self.pos_at(match.start(), column)
                self.findings.append(FOOTNOTE.at(pos.path, pos.line, f"footnote {match.group()} "
                                                 "has no definition: add "
                                                 f"'{match.group()}: 注の本文。'", pos.column))
        for note in self.notes:
            if note.name not in self.called:
                self.findings.append(FOOTNOTE.at(note.pos.path, note.pos.line, f"footnote "
                                                 f"[^{note.name}] is defined but never called"))
        seen: dict[str, int] = {}
        for match in _DEFINITION.finditer(text):
            line = self.pos_at(match.start()).line
            first = seen.setdefault(match.group(1), line)
            if first != line:
                self.findings.append(FOOTNOTE.at(self.section.path, line, f"footnote "
                                                 f"[^{match.group(1)}] is defined twice "
                                                 f"(first at line {first})"))

    def restore_citations(self, text: str) -> str:
        """Returns code text with placeholders put back as written: code cites nothing."""
        return CITE_PLACEHOLDER.sub(lambda m: self.tree.citations[int(m.group(1))].original, text)

    def report_stray_citations(self) -> None:
        for offset, text in self.tree.stray_citations:
            pos = self.pos_at(offset)
            self.findings.append(STRAY_CITATION.at(pos.path, pos.line, f"'{text}' looks like a "
                                                   "citation but is not one: write [@key], "
                                                   "[@key, p. 12] or [@a; @b]"))


def _without(elem: etree.Element, dropped: list[etree.Element]) -> etree.Element:
    copy = etree.Element(elem.tag, elem.attrib)
    copy.text = elem.text
    copy.extend(child for child in elem if child not in dropped)
    return copy


def _align(cell: etree.Element) -> str:
    match = re.search(r"text-align:\s*(\w+)", cell.get("style", ""))
    return match.group(1) if match else ""


def _take_label(elem: etree.Element) -> str:
    """Removes a trailing `{#tbl:x}` from elem's text and returns the label, or ''."""
    last = elem[-1] if len(elem) else None
    text = (last.tail if last is not None else elem.text) or ""
    match = _LABEL.search(text)
    if not match:
        return ""
    if last is not None:
        last.tail = text[:match.start()]
    else:
        elem.text = text[:match.start()]
    return match.group(1)


def _strip_end(content: Inlines) -> Inlines:
    """Returns a note's content without the no-break space Python-Markdown ends it with
    (a placeholder in the tree, made a space only when it writes HTML)."""
    if content and isinstance(content[-1], Text):
        text = content[-1].text.replace(NBSP_PLACEHOLDER, "").rstrip("\u00a0 ")
        return content[:-1] + ((Text(text),) if text else ())
    return content
