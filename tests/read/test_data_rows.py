"""read/rows.py alone: a table as the sections' Jinja sees it. Cells print as the
table prints them and stay numbers; rows are found by name, code or position;
a missing value refuses arithmetic; every failed lookup says what it searched."""

from pathlib import Path

import pytest

from pipeline.read.rows import Absent, Count, DataLookupError, Measure, as_rows, nearest
from pipeline.read.tables import read_table


def _rows(tmp_path: Path, text: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return as_rows(read_table(path))


def _refusal(call) -> str:
    with pytest.raises(DataLookupError) as raised:
        call()
    return str(raised.value)


@pytest.fixture
def pref(tmp_path):
    return _rows(tmp_path, "コード,都道府県,年,人口,面積,割合\n01,北海道,2020,\"5,224,614\",83424.31,"
                           "1.50\n13,東京都,2020,\"14,047,594\",-,\n", "pref.csv")


def test_cells_print_as_the_table_does_and_stay_numbers(pref):
    tokyo = pref["13"]
    assert str(tokyo["人口"]) == "14,047,594" and tokyo["人口"] + 1 == 14047595
    assert isinstance(tokyo["人口"], Count) and f"{tokyo['人口']:d}" == "14047594"
    assert str(pref["北海道"]["面積"]) == "83,424.31" and isinstance(pref[0]["面積"], Measure)
    assert str(pref[0]["割合"]) == "1.50" and f"{pref[0]['割合']:.1f}" == "1.5"
    assert pref[0]["年"] == 2020 and str(pref[0]["年"]) == "2020" and pref[0]["コード"] == "01"


def test_a_measure_without_the_files_digits_prints_none(tmp_path):
    from pipeline.read.tables import DataTable
    table = DataTable(tmp_path / "m.csv", ("名", "値"), (("甲", 2.5),), (2,), kinds=("text", "number"))
    assert str(as_rows(table)[0]["値"]) == "2"


def test_a_missing_value_prints_its_mark_and_refuses_arithmetic(pref):
    area, share = pref["東京都"]["面積"], pref["東京都"]["割合"]
    assert isinstance(area, Absent) and str(area) == "-" and not area and str(share) == ""
    assert _refusal(lambda: area + 1) == (
        "data/pref.csv, line 3, column '面積' has no value ('-'): it cannot be computed with "
        "(test it first: {% if value %})")
    assert _refusal(lambda: share * 2) == (
        "data/pref.csv, line 3, column '割合' has no value (an empty cell): it cannot be "
        "computed with (test it first: {% if value %})")
    for operation in (lambda: 1 - area, lambda: area < 3, lambda: round(area), lambda: -area,
                      lambda: float(area), lambda: f"{area:,}"):
        with pytest.raises(DataLookupError):
            operation()


def test_an_unknown_column_names_the_nearest_and_the_columns(pref):
    assert _refusal(lambda: pref[0]["人"]) == (
        "data/pref.csv has no column '人' (did you mean '人口'?) (its columns: 'コード', '都道府県', "
        "'年', '人口', '面積', '割合')")
    assert _refusal(lambda: pref[0][3]) == (
        "data/pref.csv has no column '3' (its columns: 'コード', '都道府県', '年', '人口', "
        "'面積', '割合')")


def test_a_repeated_column_is_refused_where_it_is_used(tmp_path):
    rows = _rows(tmp_path, "名,値,値\n甲,1,2\n", "r.csv")
    assert rows[0]["名"] == "甲"
    assert _refusal(lambda: rows[0]["値"]) == (
        "data/r.csv has 2 columns named '値' (columns 2, 3): name them apart with header_rows: "
        "or names: in data/sources.yaml")


def test_rows_by_position_and_the_messages_when_there_is_none(pref):
    assert pref[1]["都道府県"] == "東京都" and pref[-1]["都道府県"] == "東京都"
    assert [r["都道府県"] for r in pref[0:1]] == ["北海道"]
    assert _refusal(lambda: pref[5]) == "data/pref.csv has 2 rows: no row 5 (rows count from 0)"
    assert _refusal(lambda: pref[1.5]) == (
        "a row of data/pref.csv is found by its name or its position, not by 1.5")


def test_an_unknown_row_names_the_columns_searched_and_the_nearest(pref):
    assert _refusal(lambda: pref["東京"]) == (
        "data/pref.csv has no row '東京' (searched the columns 'コード', '都道府県') "
        "(did you mean '東京都'?)")
    assert _refusal(lambda: pref["大阪府"]) == (
        "data/pref.csv has no row '大阪府' (searched the columns 'コード', '都道府県')")


def test_with_no_column_that_names_rows_the_message_says_so(tmp_path):
    rows = _rows(tmp_path, "区分,値\n甲,1\n甲,2\n", "d.csv")
    assert _refusal(lambda: rows["甲"]) == (
        "data/d.csv has no row '甲' (searched the columns none: no column holds a different "
        "name on every row)")


def test_a_name_is_found_in_the_second_naming_column_too(tmp_path):
    rows = _rows(tmp_path, "コード,名,値\nA1,甲,1\nB2,乙,2\n", "n.csv")
    assert rows["乙"]["値"] == 2 and rows["A1"]["値"] == 1


@pytest.mark.parametrize("key, names, said", [
    ("人口", ["面積", "人口（人）", "人口"], " (did you mean '人口（人）'?)"),
    ("東京", ["大阪府", "京都府", "東京都"], " (did you mean '東京都'?)"),
    ("京都", ["東京都", "京都府"], " (did you mean '京都府'?)"),
    ("都", ["東京都", "京都府"], " (did you mean '東京都'?)"),
    ("人口総数", ["面積", "人口総"], " (did you mean '人口総'?)"),
    ("", ["a"], ""), ("zzz", ["人口"], ""),
    ("a", ["ba", "ab", "ab"], " (did you mean 'ab'?)"),
])
def test_the_nearest_name_begins_with_the_key_or_holds_it(key, names, said):
    assert nearest(key, names) == said


def test_a_long_list_of_columns_is_cut_at_twelve(tmp_path):
    header = ",".join(f"c{i}" for i in range(13))
    rows = _rows(tmp_path, header + "\n" + ",".join("1" * 13) + "\n", "w.csv")
    message = _refusal(lambda: rows[0]["x"])
    assert message.endswith("'c10', 'c11', … (13 in all))") and "'c12'" not in message
    twelve = _rows(tmp_path, ",".join(f"c{i}" for i in range(12)) + "\n" + "1," * 11 + "1\n",
                   "v.csv")
    assert _refusal(lambda: twelve[0]["x"]).endswith("'c10', 'c11')")
