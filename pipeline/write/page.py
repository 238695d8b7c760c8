"""The fonts and the page, the same in the PDF and in Word."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Palette:
    """The colours the PDF, the Word file and the web edition share, as hex digits:
    the CSS templates read them as `#{{ colours.navy }}`, Word's styles as RGB."""

    text: str = "111111"
    navy: str = "1f3b63"  # headings, the title, table rules
    link: str = "0b4f9c"  # links and citations
    marking: str = "aa0000"  # 取扱注意
    table_head: str = "e6ebf2"  # a table's header row


COLOURS = Palette()
