"""read/tables.py alone: each kind of data file → its DataTable, and each way a file
can be wrong → its message at its line. Files are written in the shapes their
publishers use (Shift_JIS with CRLF, a BOM, a quoted cell over two lines, a
workbook Excel never recalculated, a municipality's JSON inside an object)."""

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.diagnostics import PipelineError
from pipeline.read.columns import CODE, NUMBER, TEXT, YEAR, Missing
from pipeline.read.layout import Layout
from pipeline.read.tables import (MAX_XLSX_UNPACKED, DataTable, ReadOptions, load_json,
                                  read_sheet_names, read_table, record_lines, records_table)


def _refusal(call) -> tuple[int | None, str, str]:
    """Returns (line, message, rule) of the one finding call raises."""
    with pytest.raises(PipelineError) as raised:
        call()
    (finding,) = raised.value.diagnostics
    return finding.line, finding.message, finding.code


def _file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# ---- CSV ----------------------------------------------------------------------

def test_a_shift_jis_csv_with_crlf_is_read_with_its_lines(tmp_path):
    path = _file(tmp_path, "p.csv", "地域コード,地域,人口\r\n01,北海道,\"5,224,614\"\r\n"
                                    "13,東京都,-\r\n".encode("cp932"))
    table = read_table(path)
    assert table.columns == ("地域コード", "地域", "人口")
    assert table.rows == (("01", "北海道", 5224614), ("13", "東京都", Missing("-")))
    assert table.lines == (2, 3) and table.unit == "line" and table.where(1) == "line 3"
    assert table.kinds == (CODE, TEXT, NUMBER) and table.decimals == ((0, 0, 0), (0, 0, 0))
    assert table.naming == (0, 1)


def test_a_bom_and_a_cell_over_two_lines_keep_the_rows_lines(tmp_path):
    path = _file(tmp_path, "p.csv", b"\xef\xbb\xbf" + "区分,説明,値\n甲,\"一行目\n二行目\",1.50\n"
                 "乙,短い,2.25\n".encode("utf-8"))
    table = read_table(path)
    assert table.columns[0] == "区分" and table.lines == (2, 4)
    assert table.rows[0][1] == "一行目\n二行目" and table.decimals[0][2] == 2
    assert record_lines(["a", "b\nc\nd"]) == 3 and record_lines([]) == 1


def test_the_encoding_named_in_sources_yaml_is_the_one_used(tmp_path):
    text = "区分,値\n甲,1\n"
    assert read_table(_file(tmp_path, "e.csv", text.encode("euc_jp")),
                      options=ReadOptions(encoding="euc-jp")).rows == (("甲", 1),)
    line, message, rule = _refusal(lambda: read_table(
        _file(tmp_path, "s.csv", "a,b\n1,2\n乙,２\n".encode("cp932")),
        options=ReadOptions(encoding="utf-8")))
    assert (line, message, rule) == (3, "not utf-8 text (encoding: in data/sources.yaml)", "data")


def test_text_in_neither_encoding_is_refused_at_its_first_bad_line(tmp_path):
    path = _file(tmp_path, "b.csv", b"a,b\n1,2\n3,\x82\xff\x80\n")
    assert _refusal(lambda: read_table(path)) == (
        3, "neither UTF-8 nor Shift_JIS (CP932) text: save the file in one of them", "data")


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_utf16_is_refused_with_what_to_do(tmp_path, bom):
    path = _file(tmp_path, "u.csv", bom + "a,b\n".encode("utf-16-le"))
    assert _refusal(lambda: read_table(path)) == (
        1, "UTF-16 text is not supported: save the file as UTF-8", "data")


def test_a_control_character_is_refused_at_its_place(tmp_path):
    path = _file(tmp_path, "c.csv", "区分,値\n甲,1\x07\n")
    line, message, rule = _refusal(lambda: read_table(path))
    assert (line, rule) == (2, "bad-character") and "U+0007" in message


def test_a_broken_csv_is_refused_at_its_line(tmp_path):
    path = _file(tmp_path, "q.csv", "区分,値\n甲,1\n乙,\"2\x00\n")
    line, message, _ = _refusal(lambda: read_table(path))
    assert line == 3


def test_a_repeated_column_name_is_refused_only_where_used(tmp_path):
    table = read_table(_file(tmp_path, "r.csv", "名,値,値\n甲,1,2\n"))
    assert table.column("名") == 0
    with pytest.raises(ValueError) as raised:
        table.column("値")
    assert str(raised.value) == ("data/r.csv has 2 columns named '値' (columns 2, 3): name them "
                                 "apart with header_rows: or names: in data/sources.yaml")


def test_naming_columns_are_text_filled_and_unique(tmp_path):
    table = read_table(_file(tmp_path, "n.csv", "名,区分,年,値\n甲,A,2020,1\n乙,A,2021,2\n"
                                              "丙,,2022,3\n"))
    assert table.naming == (0,)
    assert table.kinds == (TEXT, TEXT, YEAR, NUMBER)
    empty = read_table(_file(tmp_path, "m.csv", "名,値\n"), options=ReadOptions(
        layout=Layout(header_row=1)))
    assert empty.naming == () and empty.rows == ()


# ---- Excel -----------------------------------------------------------------------

def _workbook(tmp_path: Path, sheets: dict[str, list[list]], name="b.xlsx") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_a_workbooks_sheet_is_read_by_rows(tmp_path):
    path = _workbook(tmp_path, {"表紙": [["人口の表"]], "人口": [
        ["人口（単位：人）"], ["地域", "人口"], ["北海道", 5224614.000000001], ["東京都", 14047594]]})
    table = read_table(path, "人口")
    assert table.rows == (("北海道", 5224614.000000001), ("東京都", 14047594))
    assert table.decimals == ((0, 0), (0, 0)) and table.lines == (3, 4) and table.unit == "row"
    assert read_sheet_names(path) == ["表紙", "人口"]


def test_only_sheets_that_hold_something_are_named(tmp_path):
    path = _workbook(tmp_path, {"空": [[None, ""]], "値": [["a"], [1]]})
    assert read_sheet_names(path) == ["値"]


def test_a_missing_sheet_is_named_with_the_sheets_there(tmp_path):
    path = _workbook(tmp_path, {"甲": [["a"], [1]], "乙": [["b"], [2]]})
    assert _refusal(lambda: read_table(path, "丙")) == (
        None, "no sheet named '丙' (the sheets: 甲, 乙)", "data")


def test_an_empty_sheet_is_refused(tmp_path):
    path = _workbook(tmp_path, {"空": [[None, ""]]})
    assert _refusal(lambda: read_table(path)) == (None, "sheet '空' is empty", "data")


def test_a_layout_mistake_in_a_sheet_names_the_sheet_and_row(tmp_path):
    path = _workbook(tmp_path, {"値": [["a", "b"], [1, 2]]})
    line, message, _ = _refusal(lambda: read_table(path, options=ReadOptions(
        layout=Layout(header_row=9))))
    assert line == 9 and message.startswith("sheet '値', row 9: ")


def test_a_formula_excel_never_computed_is_named_by_its_cell(tmp_path):
    path = _workbook(tmp_path, {"計": [["a", "b"], [1, "=A2*2"]]})
    assert _refusal(lambda: read_table(path)) == (
        None, "sheet '計', cell B2: the formula =A2*2 has no saved value (open and save the file "
        "in Excel)", "data")


def test_a_file_that_is_no_workbook_is_refused(tmp_path):
    path = _file(tmp_path, "x.xlsx", b"PK not a zip")
    line, message, _ = _refusal(lambda: read_table(path))
    assert line is None and message.startswith("not an Excel workbook (.xlsx is a zip file: ")
    assert _refusal(lambda: read_sheet_names(path))[1] == message
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as archive:
        archive.writestr("hello.txt", "no workbook here")
    line, message, _ = _refusal(lambda: read_table(tmp_path / "z.xlsx"))
    assert message.startswith("not an Excel workbook openpyxl can read (")
    assert _refusal(lambda: read_sheet_names(tmp_path / "z.xlsx"))[1] == message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(MAX_XLSX_UNPACKED // 2**20 + 1):
                member.write(b"\0" * 2**20)
    message = (f"the workbook unpacks to {MAX_XLSX_UNPACKED // 2**20 + 1:,} MiB, more than "
               f"{MAX_XLSX_UNPACKED // 2**20} MiB: a zip bomb, or not a table")
    assert _refusal(lambda: read_table(path)) == (None, message, "data")
    assert _refusal(lambda: read_sheet_names(path)) == (None, message, "data")


# ---- YAML and JSON -------------------------------------------------------------------

def test_yaml_rows_and_yaml_columns_give_the_same_table(tmp_path):
    rows = read_table(_file(tmp_path, "r.yaml", "- 名: 甲\n  値: 1\n- 名: 乙\n  値: 2.5\n"
                                               "  注: あり\n"))
    assert rows.columns == ("名", "値", "注") and rows.lines == (1, 3)
    assert rows.rows == (("甲", 1, None), ("乙", 2.5, "あり"))
    columns = read_table(_file(tmp_path, "c.yaml", "名:\n  - 甲\n  - 乙\n値:\n  - 1\n"))
    assert columns.columns == ("名", "値") and columns.rows == (("甲", 1), ("乙", None))
    assert columns.lines == (2, 3)


@pytest.mark.parametrize("text, line", [("a: 1\n", 1), ("- 1\n- 2\n", 1), ("[]\n", 1),
                                        ("{}\n", 1), ("\n\nx:\n  - 1\ny: 2\n", 3)])
def test_yaml_that_is_no_table_is_refused(tmp_path, text, line):
    found = _refusal(lambda: read_table(_file(tmp_path, "n.yaml", text)))
    assert found[1:] == ("a data table in YAML is a list of rows (mappings) or a mapping of "
                         "columns (lists)", "data")


def test_a_nested_value_is_no_cell(tmp_path):
    path = _file(tmp_path, "d.yaml", "- 名: 甲\n- 名: 乙\n  値: [1, 2]\n")
    assert _refusal(lambda: read_table(path)) == (
        2, "line 2, '値': a list is not a cell of a table", "data")
    path = _file(tmp_path, "d.json", '[{"名": "甲", "値": {"a": 1}}]')
    assert _refusal(lambda: read_table(path)) == (
        None, "record 1, '値': a mapping is not a cell of a table", "data")


def test_json_records_found_by_their_path(tmp_path):
    data = {"meta": {"title": "人口"}, "result": {"items": [
        {"code": "011002", "名": "札幌市", "人口": 1973395}, {"code": "012025", "名": "函館市"}]}}
    path = _file(tmp_path, "o.json", json.dumps(data, ensure_ascii=False))
    table = read_table(path, options=ReadOptions(path="result.items"))
    assert table.rows == (("011002", "札幌市", 1973395), ("012025", "函館市", None))
    assert table.lines == (1, 2) and table.unit == "record" and table.where(0) == "record 1"
    assert _refusal(lambda: read_table(path, options=ReadOptions(path="result.rows"))) == (
        None, "path: 'result.rows' does not lead to a value: no key 'rows' (there: items)", "data")
    assert _refusal(lambda: read_table(path, options=ReadOptions(path="meta.title.x")))[1] == (
        "path: 'meta.title.x' does not lead to a value: no key 'x' (there: no keys)")
    assert _refusal(lambda: read_table(path)) == (
        None, "a data table in JSON is a list of records (objects)", "data")
    assert _refusal(lambda: read_table(path, options=ReadOptions(path="result")))[1] == (
        "a data table in JSON is a list of records (objects) (name the records with path:, "
        "e.g. path: items)")
    assert _refusal(lambda: read_table(_file(tmp_path, "l.json", "[1, 2]")))[1] == (
        "a data table in JSON is a list of records (objects)")


def test_json_mistakes_are_refused_at_their_line(tmp_path):
    assert _refusal(lambda: load_json(_file(tmp_path, "m.json", '[\n{"a": 1},\n{"a" 2}]'))) == (
        3, "not valid JSON: Expecting ':' delimiter (column 6)", "data")
    deep = _file(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert _refusal(lambda: load_json(deep)) == (None, "JSON nested too deep to be data", "data")
    line, _, rule = _refusal(lambda: load_json(_file(tmp_path, "b.json", '["\x01"]')))
    assert (line, rule) == (1, "bad-character")


def test_records_inside_a_variable_become_a_table_unless_they_nest(tmp_path):
    table = records_table(tmp_path / "v.yaml", [{"名": "甲", "値": "1,234"}, {"名": "乙"}], [3, 5])
    assert isinstance(table, DataTable) and table.rows == (("甲", 1234), ("乙", None))
    assert table.lines == (3, 5) and table.unit == "record"
    assert records_table(tmp_path / "v.yaml", [{"名": "甲", "子": [1]}], [1]) is None
    assert records_table(tmp_path / "v.yaml", [{"名": "甲", "子": {"a": 1}}], [1]) is None


def test_a_csvs_layout_mistake_is_at_its_line_and_its_notes_are_kept(tmp_path):
    assert _refusal(lambda: read_table(_file(tmp_path, "w.csv", "a,b\n1,2\n1,2,3\n"))) == (
        3, "this row has 3 cells, the header 2", "data")
    table = read_table(_file(tmp_path, "n.csv", "名,値\n甲,1\n注：推計値\n"))
    assert table.notes == ("注：推計値",) and table.lines == (2,)


def test_the_files_own_missing_marks_type_its_columns(tmp_path):
    table = read_table(_file(tmp_path, "m.csv", "名,値\n甲,1\n乙,*\n"),
                       options=ReadOptions(missing=("*",)))
    assert table.kinds == (TEXT, NUMBER) and table.rows[1] == ("乙", Missing("*"))


def test_a_cell_past_the_csv_field_limit_is_refused_at_its_line(tmp_path):
    path = _file(tmp_path, "f.csv", "名,値\n甲,1\n乙," + "9" * 200_000 + "\n")
    assert _refusal(lambda: read_table(path)) == (
        3, "not a CSV file the pipeline can read (field larger than field limit (131072))",
        "data")


def test_old_mac_line_ends_are_line_ends(tmp_path):
    table = read_table(_file(tmp_path, "r.csv", b'a,b\r1,"x\ry"\r2,z\r'))
    assert table.rows == ((1, "x\ny"), (2, "z")) and table.lines == (2, 4)


def test_the_first_bad_line_counts_a_leading_empty_line(tmp_path):
    path = _file(tmp_path, "e.csv", b"\na,b\n1,\x82\xff\x80\n")
    assert _refusal(lambda: read_table(path))[0] == 3


def test_a_workbook_of_exactly_the_limit_is_no_bomb(tmp_path):
    path = tmp_path / "limit.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.bin", "w") as member:
            for _ in range(MAX_XLSX_UNPACKED // 2**20):
                member.write(b"\0" * 2**20)
    assert _refusal(lambda: read_table(path))[1].startswith(
        "not an Excel workbook openpyxl can read (")


@pytest.mark.parametrize("text, line", [("# 注\n\n- 1\n- 2\n", 3), ("ただの文字列\n", 1),
                                        ("# 注\n名: 甲\n", 2)])
def test_yaml_that_is_no_table_is_refused_at_its_line(tmp_path, text, line):
    assert _refusal(lambda: read_table(_file(tmp_path, "y.yaml", text)))[0] == line


def test_every_table_knows_its_file(tmp_path):
    for name, text in [("a.yaml", "- 名: 甲\n"), ("b.json", '[{"名": "甲"}]'), ("c.csv", "名\n甲\n")]:
        path = _file(tmp_path, name, text)
        assert read_table(path).path == path


def test_json_is_utf8_and_a_mistake_names_its_file(tmp_path):
    path = _file(tmp_path, "s.json", '[{"名": "甲"}]'.encode("cp932"))
    with pytest.raises(PipelineError) as raised:
        load_json(path)
    (finding,) = raised.value.diagnostics
    assert finding.path == str(path) and finding.message == (
        "not utf-8 text (encoding: in data/sources.yaml)")


def test_a_wrong_json_path_lists_the_keys_there_cut_at_200_characters(tmp_path):
    keys = {f"k{i:03d}" + "x" * 20: i for i in range(20)}
    path = _file(tmp_path, "k.json", json.dumps({"a": 1, "b": 2, "deep": keys}))
    assert _refusal(lambda: read_table(path, options=ReadOptions(path="c")))[1] == (
        "path: 'c' does not lead to a value: no key 'c' (there: a, b, deep)")
    message = _refusal(lambda: read_table(path, options=ReadOptions(path="deep.z")))[1]
    listed = ", ".join(keys)[:200]
    assert message == f"path: 'deep.z' does not lead to a value: no key 'z' (there: {listed})"


def test_a_brief_reason_is_the_exceptions_message_or_its_kind():
    from pipeline.read.tables import _brief
    assert _brief(ValueError()) == "ValueError" and _brief(KeyError("x")) == "'x'"
    assert _brief(ValueError("あ" * 300)) == "あ" * 200


def test_utf16_without_its_bom_is_refused_as_utf16(tmp_path):
    path = _file(tmp_path, "u.csv", "名,値\n甲,1\n".encode("utf-16-le"))
    assert _refusal(lambda: read_table(path)) == (
        1, "UTF-16 text is not supported: save the file as UTF-8", "data")


# ---- bounds: what no statistics table is --------------------------------------------------

def test_a_table_wider_or_larger_than_the_limits_is_refused_before_it_is_typed(tmp_path):
    from pipeline.limits import Limits
    path = _file(tmp_path, "w.csv", "a,b,c\n1,2,3\n4,5,6\n")
    assert read_table(path, limits=Limits(max_data_columns=3, max_data_cells=6)).rows
    assert _refusal(lambda: read_table(path, limits=Limits(max_data_columns=2))) == (
        None, "3 columns, more than 2 (--max-data-columns): not a table to read", "data")
    assert _refusal(lambda: read_table(path, limits=Limits(max_data_cells=5))) == (
        None, "2 rows of 3 columns are 6 cells, more than 5 (--max-data-cells)", "data")
    for name, text in (("y.yaml", "- a: 1\n  b: 2\n  c: 3\n"),
                       ("j.json", '[{"a": 1, "b": 2, "c": 3}]'),
                       ("c.yaml", "a: [1]\nb: [2]\nc: [3]\n")):
        with pytest.raises(PipelineError):
            read_table(_file(tmp_path, name, text), limits=Limits(max_data_columns=2))
    with pytest.raises(PipelineError):
        records_table(tmp_path / "v.yaml", [{"a": 1, "b": 2, "c": 3}], [1], "line",
                      Limits(max_data_columns=2))
    book = _workbook(tmp_path, {"表": [["a", "b", "c"], [1, 2, 3]]})
    assert _refusal(lambda: read_table(book, limits=Limits(max_data_columns=2)))[1].startswith(
        "3 columns, more than 2")


@pytest.mark.parametrize("name, text, line, where", [
    ("n.yaml", "- 名: 甲\n  値: .nan\n", 1, "line 1, '値': nan"),
    ("i.yaml", "- 名: 甲\n- 名: 乙\n  値: -.inf\n", 2, "line 2, '値': -inf"),
    ("j.json", '[{"名": "甲", "値": 1e999}]', None, "record 1, '値': inf"),
])
def test_nan_and_infinity_are_refused_at_their_cell(tmp_path, name, text, line, where):
    path = _file(tmp_path, name, text)
    assert _refusal(lambda: read_table(path)) == (
        line, f"{where} is not a number a table can print (leave the cell empty, or mark it "
              "missing)", "data")
    assert _refusal(lambda: read_table(path))[0] == line


@pytest.mark.parametrize("data, utf16", [
    ("名,値\n".encode("utf-16-le"), True), ("名,値\n".encode("utf-16-be"), True),
    (b"\xff\xfe" + "a".encode("utf-16-le"), True), (b"\xfe\xff" + "a".encode("utf-16-be"), True),
    (b"a" * 9 + b"\0", True), (b"a" * 10 + b"\0", False), (b"a" * 5000 + b"\0" * 100, False),
    (b"\xff\xfe" + "名値".encode("utf-16-le"), True), (b"\xfe\xff" + "名値".encode("utf-16-be"), True),
    (b"\0", True), (b"", False),
])
def test_utf16_is_told_by_its_bom_or_its_nuls(tmp_path, data, utf16):
    path = _file(tmp_path, "u.csv", data)
    with pytest.raises(PipelineError) as raised:
        read_table(path)
    said = raised.value.diagnostics[0].message
    assert (said == "UTF-16 text is not supported: save the file as UTF-8") is utf16


def test_a_broken_sheet_is_named_as_an_unreadable_workbook(tmp_path):
    plain = _workbook(tmp_path, {"表": [["a", "b"], [1, 2]]})
    with zipfile.ZipFile(plain) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<sheetData>", b"<sheetData><row><c <", 1)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    for read in (lambda: read_table(broken), lambda: read_sheet_names(broken)):
        line, message, rule = _refusal(read)
        assert (line, rule) == (None, "data") and message.startswith(
            "not an Excel workbook openpyxl can read (not well-formed")
