"""An expanded section → its prose, paragraph by paragraph, with the place in the
author's file of every character.

The blocks are the reader's: Python-Markdown parses the section as a build
does (read/markdown.py) and says on which lines each paragraph, heading,
table row and list item stands, so lint reads the blocks the products print.
Only prose is linted: code blocks, quotations (their lazy lines too), and
within a block code spans, link addresses and bare URLs, citations and
cross-references, footnote calls, attribute lists and HTML comments are
masked, so that no rule matches inside them (a cited title keeps its own
spelling; the reference list is not read at all). Lines of a paragraph are
joined as the tree joins them (read/lines.py), and each character keeps its
line and column.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ...read.expand import ExpandedSection
from ...read.lines import fenced, joins_without_space
from ...read.markdown import SourceLines, build_markdown_tree, make_markdown

MASK = "\ue200"  # stands where something that is not prose was
_DISABLE = re.compile(r"^\s*<!--\s*lint:\s*disable=([\w,\s-]+?)\s*-->\s*$")
_BLOCK_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|Table:\s*|表[:：]\s*|"
                           r"\[\^[^\]]+\]:\s*)?)")
_INLINE_MASKS = re.compile(
    r"`[^`\n]*`"  # code spans
    r"|\]\([^)\s]*\)"  # a link's address
    r"|\[(?=[^\[\]\n]*\]\()"  # and the bracket that opens its text
    r"|https?://[^\s)）」、。]+"  # bare URLs
    r"|\[@[^\]]*\]"  # citations and cross-references
    r"|\[\^[^\]]+\]"  # footnote calls
    r"|\{[#:.][^}]*\}"  # attribute lists
    r"|<!--.*?-->"  # comments
    r"|!\[|\*\*|__|\*|\|")  # markup around prose


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's prose, masked, and the (line, column) of each character in path."""

    path: Path
    text: str
    places: tuple[tuple[int, int], ...]
    disabled: frozenset[str]  # rules a `<!-- lint: disable=… -->` before it turned off
    disable_line: int | None  # the line of that comment


def paragraphs(section: ExpandedSection) -> list[Paragraph]:
    """Returns the prose of a section, one Paragraph per block of text: the blocks
    the reader's parser finds (read/markdown.py), with the lines it says they are on."""
    text_lines = section.text.split("\n")
    tree = build_markdown_tree(section.text, _markdown())
    directives = _directives(text_lines)
    out, pending = [], None
    for first, last in _prose_blocks(tree.root, tree.lines):
        while directives and directives[0][0] < first:  # the last one before it holds
            pending = directives.pop(0)
        lines = [(i, text_lines[i]) for i in range(first - 1, last) if text_lines[i].strip()]
        if not lines:
            continue
        disabled, line = (pending[1], section.source_line(pending[0])) if pending \
            else (frozenset(), None)
        out.append(_paragraph(section, lines, disabled, line))
        pending = None
    return out


@functools.cache
def _markdown():
    return make_markdown()  # reset for each section by build_markdown_tree


def _directives(text_lines: list[str]) -> list[tuple[int, frozenset[str]]]:
    """Returns each `<!-- lint: disable=… -->` outside code: (its line, its rules)."""
    found = []
    for index, (line, in_fence) in enumerate(zip(text_lines, fenced(text_lines))):
        directive = None if in_fence else _DISABLE.match(line)
        if directive:
            found.append((index + 1, frozenset(r.strip() for r in directive.group(1).split(",")
                                               if r.strip())))
    return found


_NOT_PROSE = {"blockquote", "pre", "code", "hr"}  # quotations keep their own wording
_PROSE = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}


def _prose_blocks(elem, lines: SourceLines) -> list[tuple[int, int]]:
    """Returns the first and last line of each block of prose under elem, in order: a
    paragraph, a heading, a table row, a tight list item's own text."""
    out = []
    for child in elem:
        span = lines.spans.get(id(child))
        if child.tag in _NOT_PROSE:
            continue
        if child.tag in _PROSE:
            out += [span] if span else []
        elif child.tag == "li" and not any(c.tag == "p" for c in child):
            nested = [lines.spans[id(c)][0] for c in child if id(c) in lines.spans]
            if span and (not nested or nested[0] > span[0]):
                out.append((span[0], (nested[0] - 1) if nested else span[1]))
            out += _prose_blocks(child, lines)
        else:
            out += _prose_blocks(child, lines)
    return out


def _paragraph(section: ExpandedSection, lines, disabled, disable_line) -> Paragraph:
    text, places = [], []
    for number, (index, line) in enumerate(lines):
        prefix = len(_BLOCK_PREFIX.match(line).group(1))
        body = _mask(line[prefix:]).rstrip()
        if number and text and not joins_without_space(text[-1], body[:1]):
            text.append(" ")
            places.append(places[-1])
        source_line = section.source_line(index + 1)
        for offset, char in enumerate(body):
            text.append(char)
            places.append((source_line, prefix + offset + 1))
    return Paragraph(section.path, "".join(text), tuple(places), disabled, disable_line)


# A quoted title keeps its own spelling: 「子ども・子育て支援法」 is the law's name.
_TITLE = re.compile(r"(?<=「)[^「」\n]{1,60}(?:法|法律|条例|規則|政令|省令|府令|計画|方針|指針|プラン|"
                    r"戦略|要領|要綱|白書|報告書|庁|局|省|会議|本部|事業|センター)(?=」)")


def _mask(line: str) -> str:
    line = re.sub(r"\s*\{#[^}]*\}\s*$", lambda m: MASK * len(m.group()), line)
    line = _INLINE_MASKS.sub(lambda m: MASK * len(m.group()), line)
    return _TITLE.sub(lambda m: MASK * len(m.group()), line)
