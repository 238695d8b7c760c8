"""The source's lines joined as Japanese text is: one rule, for the document tree
and for `lint`, so that both see the same sentence.
"""

from __future__ import annotations

import re
import unicodedata

_SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def join_lines(text: str) -> str:
    """Returns text with the source's line breaks joined as Japanese text is.

    A line break inside a paragraph is only where the author's editor
    wrapped: between two East Asian wide characters it vanishes (行政の
    ⏎デジタル化 → 行政のデジタル化), elsewhere it is a space, as in
    Pandoc's east_asian_line_breaks. Done once, in the tree, so that neither
    writer prints a space between kanji nor Word a hard line break.
    """
    def join(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        sides = [c for c in (before, after) if c]
        return "" if sides and all(wide(c) for c in sides) else " "
    return _SOFT_BREAK.sub(join, text)


def wide(char: str) -> bool:
    """Says whether a character is East Asian wide (kanji, kana, full-width forms,
    𠮷 as well): between two of them a line break is no space."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def joins_without_space(before: str, after: str) -> bool:
    """Says whether two lines, ending in before and beginning with after, join
    without a space."""
    return bool(before and after and wide(before) and wide(after))


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def fenced(lines: list[str]) -> list[bool]:
    """Returns, line by line, whether it opens, closes or lies in a fenced block:
    lines no rule of prose or of block syntax may touch."""
    out, fence = [], ""
    for line in lines:
        opening = _FENCE.match(line)
        if opening and not fence:
            fence = opening.group(1)[0] * 3
        elif opening and line.strip().startswith(fence):
            fence = ""
            out.append(True)
            continue
        out.append(bool(fence))
    return out
