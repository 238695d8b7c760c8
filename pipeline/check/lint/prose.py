"""An expanded section → its prose, paragraph by paragraph, with the place in the
author's file of every character.

Only prose is linted: code blocks and code spans, quotations (`>`), link
addresses and bare URLs, citations and cross-references, footnote calls,
attribute lists and HTML comments are masked, so that no rule matches
inside them (a cited title keeps its own spelling; the reference list is
not read at all). Lines of a paragraph are joined as Japanese text is, so a
word the editor wrapped is one word again, and each character keeps its
line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...read.expand import ExpandedSection
from ...read.lines import fenced, joins_without_space

MASK = "\ue200"  # stands where something that is not prose was
_DISABLE = re.compile(r"^\s*<!--\s*lint:\s*disable=([\w,\s-]+?)\s*-->\s*$")
_BLOCK_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|Table:\s*|表[:：]\s*|"
                           r"\[\^[^\]]+\]:\s*)?)")
_INLINE_MASKS = re.compile(
    r"`[^`\n]*`"  # code spans
    r"|\]\([^)\s]*\)"  # a link's address
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
    """Returns the prose of a section, one Paragraph per block of text."""
    out: list[Paragraph] = []
    lines: list[tuple[int, str]] = []  # (index in the expanded text, line)
    disabled, disable_line = frozenset(), None
    text_lines = section.text.split("\n")
    for index, (line, in_fence) in enumerate(zip(text_lines, fenced(text_lines))):
        if in_fence:
            continue
        directive = _DISABLE.match(line)
        if directive:
            disabled = frozenset(r.strip() for r in directive.group(1).split(",") if r.strip())
            disable_line = section.source_line(index + 1)
            continue
        if not line.strip() or line.lstrip().startswith(">") or _is_table_rule(line):
            if lines:
                out.append(_paragraph(section, lines, disabled, disable_line))
                lines, disabled, disable_line = [], frozenset(), None
            continue
        if _starts_block(line) and lines:
            out.append(_paragraph(section, lines, disabled, disable_line))
            lines, disabled, disable_line = [], frozenset(), None
        lines.append((index, line))
    if lines:
        out.append(_paragraph(section, lines, disabled, disable_line))
    return out


def _is_table_rule(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\|?[\s:|-]*-[\s:|-]*\|?\s*", line))


def _starts_block(line: str) -> bool:
    """A list item, heading or table row starts anew, even without a blank line."""
    return bool(re.match(r"\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)", line))


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
