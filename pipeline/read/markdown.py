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

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.treeprocessors import Treeprocessor

_KEY = r"\w(?:[\w:.#$%&+?<>~/-]*\w)?"
_CITATION = re.compile(rf"(?<!\\)\[(\s*@{_KEY}\s*(?:;\s*@{_KEY}\s*)*)\](?!\()")
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


@dataclass(frozen=True)
class MarkdownTree:
    """What Python-Markdown made of one section, plus what convert.py needs beside it."""

    root: etree.Element
    marked_text: str  # the text Python-Markdown read, citations replaced
    citations: tuple[CiteMark, ...]
    stash: tuple[str, ...]  # raw HTML Python-Markdown set aside (fenced code blocks)
    stray_citations: tuple[tuple[int, str], ...]  # (offset, text) of `[..@..]` not understood


class _CaptureTree(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.md.captured_root = root


class _TreeExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        # After 'unescape' (priority 0), so that backslash escapes are resolved.
        md.treeprocessors.register(_CaptureTree(md), "capture_tree", -100)


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
                        tuple(md.htmlStash.rawHtmlBlocks), stray)


def mark_citations(text: str) -> tuple[str, tuple[CiteMark, ...]]:
    """Returns the text with each citation replaced by a numbered placeholder."""
    marks: list[CiteMark] = []
    shift = 0

    def replace(match: re.Match) -> str:
        nonlocal shift
        keys = tuple(k.strip().lstrip("@") for k in match.group(1).split(";"))
        placeholder = f"{_CITE_OPEN}{len(marks)}{_CITE_CLOSE}"
        column = match.start() - text.rfind("\n", 0, match.start())
        marks.append(CiteMark(keys, match.start() + shift, column, match.group()))
        shift += len(placeholder) - len(match.group())
        return placeholder

    marked = _CITATION.sub(replace, text)
    return marked, tuple(marks)
