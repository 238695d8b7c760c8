"""Japanese forms shared by both writers: era dates, line joining and fonts."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

_SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")

# (first day, era name), newest first
_ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
)


def wareki(date: datetime.date) -> str:
    """Returns the date as officials write it: 令和8年（2026年）11月27日."""
    for first_day, era in _ERAS:
        if date >= first_day:
            year = date.year - first_day.year + 1
            era_year = "元" if year == 1 else str(year)
            return f"{era}{era_year}年（{date.year}年）{date.month}月{date.day}日"
    return f"{date.year}年{date.month}月{date.day}日"


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
        return "" if sides and all(_wide(c) for c in sides) else " "
    return _SOFT_BREAK.sub(join, text)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


@dataclass(frozen=True)
class Font:
    """One typeface: its fontconfig family (PDF), its Windows name (Word), its package."""

    family: str
    word_name: str
    debian_package: str


# Mincho for reading, Gothic for headings and navigation: the usual pairing in
# Japanese government documents. BIZ UD faces are designed for legibility and
# ship with Windows 10 and later, so the Word file keeps its look there.
BODY_FONT = Font("BIZ UDMincho", "BIZ UD明朝 Medium", "fonts-morisawa-bizud-mincho")
HEADING_FONT = Font("BIZ UDGothic", "BIZ UDゴシック", "fonts-morisawa-bizud-gothic")


@dataclass(frozen=True)
class PageLayout:
    """A4 and its margins in millimetres, the same in the PDF and in Word."""

    width: float = 210
    height: float = 297
    top: float = 24
    bottom: float = 22
    left: float = 27
    right: float = 27
    body_size_pt: float = 10.5
    line_height: float = 1.7


PAGE = PageLayout()
