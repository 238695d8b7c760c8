"""An expanded section → its prose, paragraph by paragraph, with the place in the
author's file of every character.

The prose is the reader's (read/prose.py): the blocks the products print,
with their words as the document tree holds them, so lint reads the
sentences the PDF prints. Code, citations, cross-references and footnote
calls are masked there; quotations keep their own wording and are not read,
nor is the reference list. Here, bare URLs and quoted titles are masked too
(a cited title keeps its own spelling), and the `<!-- lint: disable=… -->`
comments before a block are found.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ...read.expand import ExpandedSection
from ...read.lines import fenced
from ...read.markdown import make_markdown
from ...read.prose import MASK, Prose, section_prose

_DISABLE = re.compile(r"^\s*<!--\s*lint:\s*disable=([\w,\s-]+?)\s*-->\s*$")
_URL = re.compile(r"https?://[^\s)）」、。]+")
# A quoted title keeps its own spelling: 「子ども・子育て支援法」 is the law's name.
_TITLE = re.compile(r"(?<=「)[^「」\n]{1,60}(?:法|法律|条例|規則|政令|省令|府令|計画|方針|指針|プラン|"
                    r"戦略|要領|要綱|白書|報告書|庁|局|省|会議|本部|事業|センター)(?=」)")


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
    directives = _directives(section.text.split("\n"))
    out, pending = [], None
    for prose in section_prose(section, _markdown()):
        while directives and directives[0][0] < prose.first:  # the last one before it holds
            pending = directives.pop(0)
        disabled, line = (pending[1], section.source_line(pending[0])) if pending \
            else (frozenset(), None)
        out.append(_paragraph(section.path, prose, disabled, line))
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


def _paragraph(path: Path, prose: Prose, disabled, disable_line) -> Paragraph:
    text = _URL.sub(_masked, prose.text)
    return Paragraph(path, _TITLE.sub(_masked, text), prose.places, disabled, disable_line)


def _masked(match: re.Match) -> str:
    return MASK * len(match.group())
