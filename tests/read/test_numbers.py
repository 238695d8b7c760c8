"""One rule prints a number (pipeline/numbers.py), and one reads what a column
holds (read/columns.py): each case as an official table writes it."""

from datetime import date, datetime

import pytest

from pipeline.numbers import format_number
from pipeline.read.columns import (CODE, NUMBER, TEXT, YEAR, Missing, column_kind, is_count,
                                   parse_value, typed_cell)


@pytest.mark.parametrize("value, decimals, printed", [
    (1234567, 0, "1,234,567"), (999, 0, "999"), (-1234, 0, "-1,234"),
    (1234567.0, 0, "1,234,567"), (12.5, 2, "12.50"), (1234.5, 1, "1,234.5"),
    (3.0, 1, "3.0"), (0.125, 2, "0.12"), (1e6, 0, "1,000,000"),
    (1234.0, None, "1,234"), (12.5, None, "12"), (True, 0, "True"), ("01", 0, "01"), (None, 0, "None"), (Missing("-"), 0, "-"),
])
def test_a_count_prints_with_separators_and_its_own_decimals(value, decimals, printed):
    given = () if decimals is None else (decimals,)
    assert format_number(value, *given) == printed


@pytest.mark.parametrize("text, value, decimals", [
    ("1,234", 1234, 0), ("１２．５", 12.5, 1), ("12.50", 12.5, 2), ("", None, 0),
    ("  ", None, 0), ("-", Missing("-"), 0), ("…", Missing("…"), 0), ("x", Missing("x"), 0),
    ("△1,234", -1234, 0), ("▲ 5", -5, 0), ("△5", -5, 0), ("−3.5", -3.5, 1), ("△", "△", 0),
    ("+7", 7, 0), ("1,23", "1,23", 0), ("12a", "12a", 0), ("東京", "東京", 0),
    (" 42 ", 42, 0),
])
def test_a_cell_as_written_is_read_as_its_value(text, value, decimals):
    assert parse_value(text) == (value, decimals)
    assert type(parse_value(text)[0]) is type(value)


def test_the_missing_marks_are_the_files_own_when_it_names_them():
    assert parse_value("-", ("*",)) == ("-", 0)
    assert parse_value("*", ("*",)) == (Missing("*"), 0)
    assert str(Missing("…")) == "…"
    assert column_kind("値", ["1", "*"], ("*",)) == NUMBER and column_kind("値", ["1", "*"]) == TEXT


@pytest.mark.parametrize("name, cells, kind", [
    ("都道府県コード", ["1", "2"], CODE), ("団体ID", [1, 2], CODE), ("pref_code", [13], CODE),
    ("cityCode", [1], CODE), ("番号", [5], CODE), ("No.", [1], CODE),
    ("COVID", [120, 130], NUMBER), ("valid", [1, 2], NUMBER), ("Casino", [3], NUMBER),
    ("地域", ["01", "13"], CODE), ("地域", ["東京", "大阪"], TEXT), ("値", ["", "-"], TEXT),
    ("値", ["1", "東京"], TEXT),
    ("年", [2020, 2021], YEAR), ("年度", ["2020", "2021"], YEAR), ("西暦（年）", [2020], YEAR),
    ("調査年", [2015], YEAR), ("調査年", [1, 2], YEAR), ("西暦（年）", [2020, 99], YEAR), ("Fiscal Year", [2019], YEAR), ("以前の年度", [2019], YEAR),
    ("区分", [2015, 2020], YEAR), ("区分", [2015, 12], NUMBER), ("区分", [1867], NUMBER),
    ("区分", [2101], NUMBER), ("区分", [1868, 2100], YEAR),
    ("区分", ["2,015", "2,020"], NUMBER), ("区分", ["2，015"], NUMBER),
    ("2020年度", [2015, 2020], NUMBER), ("令和元年", [2019], NUMBER),
    ("人口（千人）", [2015, 2020], NUMBER), ("期間（年）", [2015, 2020], YEAR),
    ("期間（年度）", [2015], YEAR), ("期間（西暦）", [2015], YEAR),
    ("人口", [12.5, 2020], NUMBER), ("人口", [None, 1234], NUMBER),
])
def test_a_column_is_typed_from_its_name_and_cells(name, cells, kind):
    assert column_kind(name, cells) == kind


@pytest.mark.parametrize("cell, kind, typed", [
    ("01", CODE, ("01", 0)), (1.0, CODE, ("1", 0)), (None, CODE, (None, 0)), ("", CODE, (None, 0)),
    (True, NUMBER, ("True", 0)), (date(2024, 4, 1), NUMBER, ("2024-04-01", 0)),
    (datetime(2024, 4, 1), NUMBER, ("2024-04-01", 0)),
    (datetime(2024, 4, 1, 9, 30), NUMBER, ("2024-04-01 09:30", 0)),
    (5224614.000000001, NUMBER, (5224614.000000001, 0)), (12.25, NUMBER, (12.25, 2)),
    (7, NUMBER, (7, 0)), (1.5e-20, NUMBER, (1.5e-20, 0)), ("1,234", NUMBER, (1234, 0)),
    (" 東京 ", TEXT, ("東京", 0)),
])
def test_a_cell_is_read_as_its_column_reads_it(cell, kind, typed):
    assert typed_cell(cell, kind) == typed


def test_counts_are_numbers_outside_year_columns():
    assert is_count(1234, NUMBER) and is_count(1.5, NUMBER)
    assert not is_count(2020, YEAR) and not is_count(True, NUMBER) and not is_count("1", NUMBER)
