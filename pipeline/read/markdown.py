"""Markdown text → an ElementTree from Python-Markdown, with citations marked.

Python-Markdown is used for what it does well (block and inline syntax,
tables, attribute lists, fenced code); its tree is captured before it is
serialised, and convert.py turns it into our typed nodes. Raw HTML is not
passed through: `<b>` in a section stays the text "<b>", in both writers.

Citations (`[@key]`, `[@a; @b]`) are replaced by placeholders before
Python-Markdown sees the text, so that each keeps the line and column where
the author wrote it.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.inlinepatterns import AUTOMAIL_RE, InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .lines import fenced

_KEY = r"\w(?:[\w:.#$%&+?<>~/-]*\w)?"
# Pandoc's citation: [@a; @b], and with a prefix, a locator or a suppressed author,
# [see @a, p. 12; -@b]. A prefix ends in a space, so an address (a@b.jp) is none.
_PREFIX, _LOCATOR = r"(?:[^\[\]@;\n]*?\s)?", r"[^\[\]@;\n]*?"
_ITEM = rf"\s*{_PREFIX}-?@{_KEY}(?:\s*,\s*{_LOCATOR})?\s*"
_CITATION = re.compile(rf"(?<!\\)\[({_ITEM}(?:;{_ITEM})*)\](?!\()")
_ITEM_PARTS = re.compile(rf"\s*(?P<prefix>{_PREFIX})-?@(?P<key>{_KEY})"
                         rf"(?:\s*,\s*(?P<locator>{_LOCATOR}))?\s*")
_STRAY_CITATION = re.compile(r"(?<!\\)\[[^\]\n]*@[^\]\n]*\]")
_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
CITE_PLACEHOLDER = re.compile(f"{_CITE_OPEN}(\\d+){_CITE_CLOSE}")
EXTENSIONS = ["tables", "attr_list", "fenced_code", "sane_lists", "footnotes"]


@dataclass(frozen=True)
class CiteMark:
    """A citation as written: its keys, where it stands, and its original text."""

    keys: tuple[str, ...]
    offset: int  # in the marked text
    column: int  # in its line of the expanded section
    original: str
    prefixes: tuple[str, ...] = ()  # see, 例えば: printed before the number
    locators: tuple[str, ...] = ()  # p. 12: printed after it


@dataclass(frozen=True)
class MarkdownTree:
    """What Python-Markdown made of one section, plus what convert.py needs beside it."""

    root: etree.Element
    marked_text: str  # the text Python-Markdown read, citations replaced
    citations: tuple[CiteMark, ...]
    stash: tuple[str, ...]  # raw HTML Python-Markdown set aside (fenced code blocks)
    stray_citations: tuple[tuple[int, str], ...]  # (offset, text) of `[..@..]` not understood
    lines: SourceLines  # where each element stands in marked_text's lines


class _CaptureTree(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.md.captured_root = root


class _TreeExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(_MarkLines(md), "mark_lines", 28)
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        # <nobody@example.jp> and <mailto:…>: a plain link. Python-Markdown spells the
        # address as character references against harvesters, which a PDF, a .docx
        # and our checks would take for the address itself.
        md.inlinePatterns.register(_PlainMail(AUTOMAIL_RE, md), "automail", 110)
        # After 'unescape' (priority 0), so that backslash escapes are resolved.
        md.treeprocessors.register(_CaptureTree(md), "capture_tree", -100)


class _PlainMail(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str) -> tuple[etree.Element, int, int]:
        address = self.unescape(m.group(1)).removeprefix("mailto:")
        link = etree.Element("a", href=f"mailto:{address}")
        link.text = AtomicString(address)
        return link, m.start(0), m.end(0)


def make_markdown() -> markdown.Markdown:
    """Returns a reusable Python-Markdown converter set up for sections.

    Only the element tree is used: the HTML that convert() would write from
    it (a tenth of its time) is skipped, and it returns "".
    """
    md = markdown.Markdown(extensions=EXTENSIONS + [_TreeExtension()])
    md.serializer = _no_html
    return md


def _no_html(_root) -> str:
    return "<div></div>"  # what convert() strips as the empty document's wrapper


def build_markdown_tree(text: str, md: markdown.Markdown) -> MarkdownTree:
    """Returns the element tree of one section's Markdown text."""
    marked, citations = mark_citations(text)
    md.reset()
    md.convert(marked)
    stray = tuple((m.start(), m.group()) for m in _STRAY_CITATION.finditer(marked))
    return MarkdownTree(md.captured_root, marked, citations,
                        tuple(md.htmlStash.rawHtmlBlocks), stray, take_lines(md.captured_root))


def mark_citations(text: str) -> tuple[str, tuple[CiteMark, ...]]:
    """Returns the text with each citation replaced by a numbered placeholder."""
    marks: list[CiteMark] = []
    shift = 0

    def replace(match: re.Match) -> str:
        nonlocal shift
        items = [_ITEM_PARTS.fullmatch(item) for item in match.group(1).split(";")]
        keys = tuple(item["key"] for item in items)
        prefixes = tuple(item["prefix"] for item in items)
        locators = tuple(item["locator"] or "" for item in items)
        if not (any(prefixes) or any(locators)):
            prefixes = locators = ()
        placeholder = f"{_CITE_OPEN}{len(marks)}{_CITE_CLOSE}"
        column = match.start() - text.rfind("\n", 0, match.start())
        marks.append(CiteMark(keys, match.start() + shift, column, match.group(), prefixes,
                              locators))
        shift += len(placeholder) - len(match.group())
        return placeholder

    marked = _CITATION.sub(replace, text)
    return marked, tuple(marks)


# ---- source lines -------------------------------------------------------------
# Python-Markdown keeps no positions. Before it parses, a mark naming its line is
# put where each line's text begins (after its indentation and block syntax: `#`,
# `>`, `-`, `1.`, `|`, `[^n]:`), never in a fence, a rule or a table's delimiter
# row, where it would change what the line means. After, each element takes the
# line of the first mark in it (or before it), and the marks are removed: every
# block and inline knows its line, and the tree's text is what it was.
# Noncharacters (U+FDD0–U+FDEF), which no source may hold (files.BAD_CHARACTERS).
_LINE_OPEN, _LINE_CLOSE, _DIGIT = "\ufdd0", "\ufdd1", 0xFDE0
_LINE_MARK = re.compile(f"{_LINE_OPEN}([\ufde0-\ufde9]+){_LINE_CLOSE}")
_UNMARKED = re.compile(r"\s*(?:\|?[\s:|-]*-[\s:|-]*\|?|=+|([*_])(?:\s*\1){2,}|"
                       r"\[[^\]^][^\]]*\]:\s*\S.*|\{:?[^}]*\}|<!--.*)\s*")
_LINE_PREFIX = re.compile(r"\s*(?:>\s?)*\s*(?:(?:[-*+]|\d+[.)])\s+)*(?:#{1,6}\s+|\[\^[^\]]+\]:\s*|"
                          r"\|\s*)?")


def line_mark(line: int) -> str:
    return _LINE_OPEN + "".join(chr(_DIGIT + int(d)) for d in str(line)) + _LINE_CLOSE


class _MarkLines(Preprocessor):
    """Puts each line's mark where its text begins (after normalize_whitespace, whose
    lines are the text's lines, and before fenced_code, which must see its fences),
    then takes out the HTML comments."""

    def run(self, lines: list[str]) -> list[str]:
        out, fences = [], fenced(lines)
        for number, (line, in_fence) in enumerate(zip(lines, fences), start=1):
            if in_fence:
                out.append(line)
                continue
            prefix = _LINE_PREFIX.match(line).end()
            if not line[prefix:].strip() or _UNMARKED.fullmatch(line):
                out.append(line)
            else:
                out.append(line[:prefix] + line_mark(number) + line[prefix:])
        return without_comments(out, fences)


# ---- comments -------------------------------------------------------------------
# `<!-- … -->` is a note to the authors (and `<!-- lint: disable=… -->` one to lint):
# no product prints it, as no browser shows it. A line that held only comments goes
# away whole, so that it neither splits a paragraph nor loosens a list; the marks
# keep every other line's number. A `<!--` with no `-->` after it, or inside code,
# is text.
COMMENT = re.compile(r"<!--.*?-->", re.S)
_GONE = "\ufdd2"  # where a comment was, until the lines it emptied are dropped


def without_comments(lines: list[str], fences: list[bool]) -> list[str]:
    """Returns the lines without their HTML comments, outside fences and code spans."""
    text = "\n".join(lines)
    if "<!--" not in text:
        return lines
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def drop(match: re.Match) -> str:
        line = bisect.bisect_right(starts, match.start()) - 1
        before = text[starts[line]:match.start()]
        if fences[line] or before.count("`") % 2:
            return match.group()
        return _GONE
    kept = COMMENT.sub(drop, text).split("\n")
    return [line.replace(_GONE, "") for line in kept
            if _GONE not in line or line.replace(_GONE, "").strip()]


@dataclass(frozen=True)
class SourceLines:
    """Where the parser found each element, by id(element), in the lines of the text
    it read: the line it starts on, and the first and last line its marks were on."""

    starts: dict
    spans: dict


def take_lines(root: etree.Element) -> SourceLines:
    """Returns where each element of the tree stands and removes the marks from it
    (texts, tails, attributes)."""
    starts: dict[int, int] = {}
    spans: dict[int, tuple[int, int]] = {}
    last = 0

    def take(text: str | None, seen: list[int]) -> tuple[str | None, int | None]:
        nonlocal last
        if not text or _LINE_OPEN not in text:
            return text, None
        found = [_mark_value(m) for m in _LINE_MARK.finditer(text)]
        last = found[-1]
        seen += found
        return _LINE_MARK.sub("", text), found[0] if not text.split(_LINE_OPEN)[0].strip() \
            else None

    def visit(elem: etree.Element) -> None:
        before, seen = last, []
        elem.text, first = take(elem.text, seen)
        for key, value in elem.attrib.items():
            if value and _LINE_OPEN in value:  # `{-}` sets '-' with no value
                elem.set(key, _LINE_MARK.sub("", value))
        for child in elem:
            visit(child)
            seen += spans.get(id(child), ())
            child.tail, _ = take(child.tail, seen)
        if seen:
            spans[id(elem)] = (min(seen), max(seen))
        if first:
            starts[id(elem)] = first
        elif not (elem.text or "").strip() and len(elem):  # a list, a table: its first row
            starts[id(elem)] = starts[id(elem[0])]
        else:  # it goes on from the line before it, as a link inside a sentence
            starts[id(elem)] = before
    visit(root)
    return SourceLines(starts, spans)


def _mark_value(match: re.Match) -> int:
    return int("".join(str(ord(c) - _DIGIT) for c in match.group(1)))
