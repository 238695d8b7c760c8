"""The words and numbers the products print around the content, defined once
for every writer: era dates, the front matter's headings, 第N版, 出典, 注N
(図N and 表N are resolve.py's, since cross-references print them too).
"""

from __future__ import annotations

import datetime

from ..resolve import REFERENCES_ANCHOR  # noqa: F401 -- links to it are checked there
from ..tree import Metadata

SUMMARY = "要旨"
CONTENTS = "目次"
REFERENCES = "参考文献"
SOURCE = "出典："  # before the sources under a chart or a data table
DATA_LINK = "データ（CSV）"  # the web edition's link to a chart's or table's numbers
SOURCE_JOIN = "；"  # between a publisher's provenance and the sources cited after it


def provenance_text(provenance) -> str:
    """Returns the 出典 of a publisher's data as PDL 1.0 and CC BY ask of data that was
    worked on: 内閣人事局「国家公務員の数」（2026年12月1日取得）を加工して作成, with a
    Creative Commons licence named beside the date; '' for None."""
    if provenance is None:
        return ""
    notes = []
    if provenance.fetched_on is not None:
        notes.append(f"{seireki(provenance.fetched_on)}取得")
    if provenance.license.upper().startswith("CC"):
        notes.append(provenance.license)
    said = f"（{'、'.join(notes)}）" if notes else ""
    return f"{provenance.publisher}「{provenance.title}」{said}を加工して作成"
CROSSREF_JOIN = "・"  # 図1・図2
CITATION_JOIN = "、"  # between the keys of [see @a, p. 3; @b]: see 1)（p. 3）、2)


NOTE_WORD = "注"  # before a footnote's number: 注1, unlike a citation's 1)


def note_mark(number: int) -> str:
    """Returns a footnote's mark, 注1: unlike a citation's 1), so the two never mix."""
    return f"{NOTE_WORD}{number}"
TOC_DEPTH = 2  # chapters and their sections

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
    return seireki(date)


def seireki(date: datetime.date) -> str:
    """Returns the date in the Western calendar as Japanese writes it: 2026年12月1日."""
    return f"{date.year}年{date.month}月{date.day}日"


def edition(version: str) -> str:
    """Returns the edition as printed: 第1.0版."""
    return f"第{version}版"




def citation_label(numbers) -> str:
    """Returns a citation as SIST 02 prints it, after the numbers: 1) or 1,3)."""
    return ",".join(str(n) for n in numbers) + ")"


def cover_rows(meta: Metadata) -> list[tuple[str, str]]:
    """Returns the cover's facts under the title: date, issuing office, edition."""
    author = meta.organisation + (f"\u3000{meta.author}" if meta.author else "")
    return [("日付", wareki(meta.date)), ("作成", author), ("版", edition(meta.version))]
