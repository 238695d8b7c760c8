"""A section → the prose its products print, block by block, with the place in the
section's text of every character: what `lint` reads.

The blocks and their words are the document tree's own (convert.py keeps them
as it makes them), so a rule sees the sentence the PDF prints, joined by the
one rule that joins lines (lines.py). The parser says on which lines each
block was written (markdown.py's marks); the column of each character is
found by walking the block's text along those lines, in order: the tree's
text is the source less its markup, so each character is the next one of its
kind, and a space that joins two lines is the line break it stands for.

What is not prose (code, citations, cross-references, footnote calls, line
breaks) stands as one MASK, so that no rule matches across it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import markdown

from ..tree import Citation, Code, CrossRef, Emphasis, FootnoteRef, Inlines, Link, Strong, Text
from .convert import ProseRun, prose_runs
from .expand import ExpandedSection
from .markdown import COMMENT, build_markdown_tree, make_markdown

MASK = "\ue200"  # stands where something that is not prose was


@dataclass(frozen=True)
class Prose:
    """One block's printed prose, and the (section file line, column) of each
    character; first is the line of the section's expanded text it begins on."""

    text: str
    places: tuple[tuple[int, int], ...]
    first: int
    starts: tuple[int, ...] = (0,)  # where each part begins in text: a table row's cells


def section_prose(section: ExpandedSection, md: markdown.Markdown | None = None) -> list[Prose]:
    """Returns the prose of one expanded section, in the order it was written."""
    tree = build_markdown_tree(section.text, md or make_markdown())
    lines = section.text.split("\n")
    return [_placed(run, lines, section) for run in prose_runs(section, tree)]


def _placed(run: ProseRun, lines: list[str], section: ExpandedSection) -> Prose:
    walk = _Walk(lines, run.first, run.last)
    text: list[str] = []
    places: list[tuple[int, int]] = []
    starts = []
    for index, part in enumerate(run.parts):
        if index:  # cells apart
            text.append(MASK)
            places.append(walk.place())
        starts.append(sum(map(len, text)))
        for piece, prose in _pieces(part):
            if prose:
                text.append(piece)
                places += [walk.next(char) for char in piece]
            else:
                text.append(MASK)
                places.append(walk.skip(piece))
    return Prose("".join(text), tuple((section.source_line(line), column)
                                      for line, column in places), run.first, tuple(starts))


def _pieces(inlines: Inlines):
    """Yields (text, is it prose) for each piece of printed text, in order; what is
    not prose gives the text it was written with, to keep the walk in step."""
    for node in inlines:
        if isinstance(node, Text):
            yield node.text, True
        elif isinstance(node, (Strong, Emphasis, Link)):
            yield from _pieces(node.children)
        elif isinstance(node, Code):
            yield node.text, False
        elif isinstance(node, Citation):
            for index, key in enumerate(node.keys):
                if node.prefixes:
                    yield node.prefixes[index], False
                yield key, False
                if node.locators:
                    yield node.locators[index], False
        elif isinstance(node, CrossRef):
            yield from ((label, False) for label in node.labels)
        elif isinstance(node, FootnoteRef):
            yield node.name, False
        else:  # a line break
            yield "", False


class _Walk:
    """A cursor along the lines a block was written on."""

    def __init__(self, lines: list[str], first: int, last: int):
        self.first = first
        # A comment is in the lines but not in the tree: blanked, it matches nothing.
        self.source = COMMENT.sub(lambda m: "\0" * len(m.group()),
                                   "\n".join(lines[first - 1:last]))
        self.starts = [0] + [i + 1 for i, c in enumerate(self.source) if c == "\n"]
        self.at = 0

    def next(self, char: str) -> tuple[int, int]:
        """Returns the place of char, the next one of its kind (a space: a line
        break or space just ahead), and moves past it; if it is not there, the
        place the cursor is at."""
        if char.isspace():
            ahead = self.source[self.at:self.at + 3]
            found = next((self.at + i for i, c in enumerate(ahead) if c.isspace()), -1)
        else:
            found = self.source.find(char, self.at)
        if found < 0:
            return self.place()
        self.at = found + 1
        return self.place(found)

    def skip(self, written: str) -> tuple[int, int]:
        """Returns where written stands next and moves past it; if it is not there
        (code as the tree holds it may differ), stays."""
        found = self.source.find(written, self.at) if written else -1
        if found < 0:
            return self.place()
        self.at = found + len(written)
        return self.place(found)

    def place(self, offset: int | None = None) -> tuple[int, int]:
        offset = self.at if offset is None else offset
        line = bisect.bisect_right(self.starts, offset) - 1
        return self.first + line, offset - self.starts[line] + 1
