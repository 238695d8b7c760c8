"""The fonts and the page, the same in the PDF and in Word."""

from __future__ import annotations

from dataclasses import dataclass

from ..fonts import BODY_FONT, HEADING_FONT, Font  # noqa: F401 -- the writers' names


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
