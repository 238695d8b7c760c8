"""A column of cells as a file writes them → typed values, and what the column holds.

Statistics files say what a column holds in its name and in its values, and
both are read here, once, so that the text, the tables and the charts print a
value alike (pipeline/numbers.py):

- a **code** (`都道府県コード`, `番号`, `ID`, or any value with a leading zero,
  `"01"`) stays text, as written: `01` is `01`, and rows are found by it;
- a **year** (a name that is only a period word, `年`, `年度`, `西暦（年）`,
  `調査年`, or values that are all plain years) prints as written: `2021`;
- a column **named for a period** (`2020年度`, `令和5年度`, `4月`) holds that
  period's values: counts, printed `1,234,567`;
- a **missing-value mark** of e-Stat and the ministries (`-`, `…`, `x`,
  `***`) is a missing value, kept with the mark the file wrote; an empty cell
  is missing too, never zero.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

NUMBER, YEAR, CODE, TEXT = "number", "year", "code", "text"
# e-Stat's and the ministries' marks for "no value": 該当なし, 不詳, 秘匿, 未集計 …
MISSING_MARKS = ("-", "－", "―", "—", "‐", "…", "...", "・・・", "x", "X", "ｘ", "Ｘ",
                 "***", "＊＊＊")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_LEADING_ZERO = re.compile(r"0\d+")
_MINUS = "△▲−"  # a decrease, as official tables mark it; U+2212
# A name that ends in a code word: Japanese as a suffix (団体コード), Latin as a word
# of its own (pref_code, 団体ID, cityCode), never inside one (COVID, valid, Casino).
_CODE_NAME = re.compile(r"(?:コード|番号|識別子|(?:^|[^A-Za-z])(?:id|code|no\.?)"
                        r"|(?:^|[^A-Z])(?:ID|Id|Code|CODE|No\.?|NO\.?))$")
# A name that is only a period word: the column holds years, not values of a year.
_YEAR_NAME = re.compile(r"(?:.*の)?(?:調査|対象|会計|実施|開始|終了|基準|公表|集計|西暦|和暦)?"
                        r"(?:年|年度|年次|年月|年月日|年度末)|西暦|和暦|元号|"
                        r"(?i:year|fiscal ?year|fy)")
_UNIT = re.compile(r"[（(]([^）)]*)[）)]\s*$")
_FIRST_YEAR, _LAST_YEAR = 1868, 2100  # 明治 onwards: a plain number there reads as a year


@dataclass(frozen=True)
class Missing:
    """A cell with no value, as the file marks it ('' for an empty cell)."""

    mark: str

    def __str__(self) -> str:
        return self.mark


Value = int | float | str | Missing | None


def parse_value(text: str, marks: tuple[str, ...] = MISSING_MARKS) -> tuple[Value, int]:
    """Returns a cell's value and its digits after the point: '1,234' → 1234,
    '１２．５' → 12.5, '' → None (missing, not zero), '-' → Missing('-');
    other text stays text."""
    text = text.strip()
    if not text:
        return None, 0
    if text in marks:
        return Missing(text), 0
    normal = unicodedata.normalize("NFKC", text)
    if normal[0] in _MINUS and len(normal) > 1:  # △1,234: how Japanese tables write -1,234
        normal = "-" + normal[1:].lstrip()
    if not _NUMBER.fullmatch(normal):
        return text, 0
    plain = normal.replace(",", "")
    if "." in plain:
        return float(plain), len(plain.split(".")[1])
    return int(plain), 0


def column_kind(name: str, cells: list, marks: tuple[str, ...] = MISSING_MARKS) -> str:
    """Returns what a column holds, CODE, YEAR, NUMBER or TEXT, from its name and its
    cells as the file writes them (text, or the numbers a workbook or YAML holds)."""
    written = [_written(cell) for cell in cells]
    if _is_code_name(name) or any(_LEADING_ZERO.fullmatch(w) for w in written if w):
        return CODE
    values = [v for v, _ in (parse_value(w, marks) for w in written) if _is_value(v)]
    if not values:
        return TEXT
    if not all(isinstance(v, (int, float)) for v in values):
        return TEXT
    if _is_year_name(name) or (_years_alone(values, written) and not _is_named_for_period(name)
                               and not _is_named_for_unit(name)):
        return YEAR
    return NUMBER


def typed_cell(cell, kind: str, marks: tuple[str, ...] = MISSING_MARKS) -> tuple[Value, int]:
    """Returns a cell's value as its column's kind reads it: a code as its text."""
    if kind == CODE:
        text = _written(cell)
        return (text or None), 0
    if isinstance(cell, bool):
        return str(cell), 0
    if isinstance(cell, date):  # a datetime too
        return _written(cell), 0
    if isinstance(cell, (int, float)):
        # 12 significant digits: a workbook's 5224614.000000001 is 5224614, as Excel shows it
        text = format(cell, ".12g") if isinstance(cell, float) else ""
        return cell, (len(text.split(".")[1]) if "." in text and "e" not in text else 0)
    return parse_value(_written(cell), marks)


def is_count(value, kind: str) -> bool:
    """Says whether a value prints with thousands separators: any number, unless its
    column holds years (codes are text already)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and kind != YEAR


def _written(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):  # a workbook's date: as the day it is
        return cell.date().isoformat() if cell.time() == time() else \
            cell.isoformat(" ", "minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _is_value(value) -> bool:
    return value is not None and not isinstance(value, Missing)


def _base_name(name: str) -> str:
    """Returns the name without its unit in brackets: 西暦（年） → 西暦."""
    return _UNIT.sub("", name).strip()


def _is_code_name(name: str) -> bool:
    return bool(_CODE_NAME.search(_base_name(name)))


def _is_year_name(name: str) -> bool:
    return bool(_YEAR_NAME.fullmatch(_base_name(name)))


def _is_named_for_period(name: str) -> bool:
    """`2020年度`, `令和5年度`, `4月`, `H27`: a name with a number in it is one period's
    values, whatever they are."""
    return any(c.isdigit() for c in unicodedata.normalize("NFKC", name)) or "元年" in name


def _is_named_for_unit(name: str) -> bool:
    """A column whose name gives a unit other than 年 holds amounts: 人口（千人）."""
    unit = _UNIT.search(name)
    return bool(unit) and unit.group(1).strip() not in ("年", "年度", "西暦")


def _years_alone(values: list, written: list[str]) -> bool:
    """Values that are all plain years (2015, 2020), written without separators."""
    return (all(isinstance(v, int) and _FIRST_YEAR <= v <= _LAST_YEAR for v in values)
            and not any("," in w or "，" in w for w in written))
