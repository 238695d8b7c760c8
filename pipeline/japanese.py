"""Japanese forms shared by both writers: era dates and fonts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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
