"""Statistics files as ministries publish them, read: what each column holds, the
table found in the sheet, missing marks, notes, lookups, and every message.

The files in tests/corpus/statistics/data/ are in the published shapes: an
e-Stat download (Shift_JIS, CRLF, a title line, quoted "127,095", one column
per year, leading columns the same on every row), the census series (codes
"00", note rows, `-`), 気象庁's download (a header over two rows, repeated
names), a daily CSV (UTF-8 with a BOM) and a municipality's JSON.
"""

import shutil

import pytest

from pipeline.build import load_document
from pipeline.diagnostics import PipelineError
from pipeline.read.columns import CODE, NUMBER, TEXT, YEAR, Missing, column_kind, parse_value
from pipeline.read.layout import Layout, find_table
from pipeline.tree import Paragraph, Table, plain_text

from helpers import ROOT, load_doc, nodes_of, run_cli, write_report

STATISTICS = ROOT / "tests" / "corpus" / "statistics"


@pytest.mark.parametrize("name, cells, kind", [
    ("2020年度", ["5,224,614", "1,237,984"], NUMBER),  # named for a period: its values
    ("2015年", ["1,952", "1,308"], NUMBER),
    ("令和5年度", ["1990", "2001"], NUMBER),
    ("4月", ["2010", "1999"], NUMBER),
    ("人口（千人）", ["1952", "1999"], NUMBER),  # a unit: amounts, whatever they are
    ("年度", ["2015", "2016"], YEAR),
    ("西暦（年）", ["2019", "2020"], YEAR),
    ("調査年", ["2020"], YEAR),
    ("以前の年度", [2000, 2021, None], YEAR),
    ("区分", ["2015", "2020"], YEAR),  # values that are all plain years
    ("区分", ["2,015", "2,020"], NUMBER),  # written with separators: counts
    ("都道府県コード", ["1", "2"], CODE),
    ("地域", ["00", "01", "13"], CODE),  # a leading zero makes a code
    ("団体名", ["札幌市", "-"], TEXT),
    ("人口", ["-", "…"], TEXT),  # nothing but missing marks
])
def test_a_column_holds_what_its_name_and_values_say(name, cells, kind):
    assert column_kind(name, cells) == kind


@pytest.mark.parametrize("mark", ["-", "－", "―", "…", "x", "X", "***"])
def test_the_missing_marks_of_e_stat_and_the_ministries_are_missing_values(mark):
    assert parse_value(f" {mark} ") == (Missing(mark), 0)


@pytest.mark.parametrize("text, value", [("△1,234", (-1234, 0)), ("▲ 0.5", (-0.5, 1)),
                                         ("−12", (-12, 0)), ("△", ("△", 0))])
def test_a_decrease_marked_as_official_tables_mark_it_is_negative(text, value):
    assert parse_value(text) == value


def test_e_stat_metadata_lines_above_the_table_are_skipped():
    records = [(1, ["統計名：", "人口推計"]), (2, ["表題：", "都道府県別人口"]),
               (3, ["表章項目", "男女別", "地域コード", "地域", "2015年", "2019年"]),
               (4, ["人口", "男女計", "00000", "全国", "127,095", "126,167"])]
    assert find_table(records).columns[2:4] == ("地域コード", "地域")


def test_title_lines_are_skipped_and_notes_kept_apart():
    records = [(1, ["人口推計（単位：千人）"]), (2, []), (3, ["地域", "2019年"]),
               (4, ["全国", "126,167"]), (5, ["北海道", "5,250"]),
               (6, ["注）2015年は国勢調査による。"]), (7, ["資料：総務省統計局", ""])]
    grid = find_table(records)
    assert grid.columns == ("地域", "2019年") and grid.lines == (4, 5)
    assert grid.notes == ("注）2015年は国勢調査による。", "資料：総務省統計局")


def test_a_header_over_two_rows_names_each_column_apart():
    records = [(4, ["年月", "平均気温(℃)", "平均気温(℃)", "平均気温(℃)"]),
               (5, ["", "", "品質情報", "均質番号"]), (6, ["2023/1", "5.4", "8", "1"])]
    grid = find_table(records, Layout(header_row=4, header_rows=2))
    assert grid.columns == ("年月", "平均気温(℃)", "平均気温(℃) 品質情報", "平均気温(℃) 均質番号")
    assert grid.lines == (6,)


@pytest.fixture(scope="module")
def statistics():
    """Returns the statistics report's document and warnings, read once."""
    return load_document(STATISTICS)


def test_the_text_prints_data_numbers_as_the_tables_do(statistics):
    doc, warnings = statistics
    text = "".join(plain_text(p.content) for p in nodes_of(doc, Paragraph))
    assert "東京都の人口は14,047,594人であり、2015年の13,515,271人から532,323人増えた" in text
    assert "北海道は5,224,614人で、都道府県コードは01である" in text  # found by name; a code
    assert "東京都の面積は-と表示されている" in text  # a missing value, as marked
    assert "青森県の人口は2019年に1,252千人" in text  # e-Stat: found past 表章項目
    assert "地域コード02000が青森県" in text
    assert "平均気温は28.7℃" in text and "札幌市の人口は1,973,395人" in text
    assert [str(w) for w in warnings if w.code.startswith("data")] == []


def test_a_data_table_prints_codes_years_counts_and_marks_as_written(statistics):
    doc, _ = statistics
    census = next(t for t in nodes_of(doc, Table) if t.data == "census.csv")
    rows = [[plain_text(c) for c in row] for row in census.body]
    assert rows[0] == ["00", "全国", "127,094,745", "126,146,099", "-0.7", "377,975"]
    assert rows[13][:4] == ["13", "東京都", "13,515,271", "14,047,594"] and rows[13][5] == "-"
    assert census.aligns == ("", "", "right", "right", "right", "right")
    assert census.notes[0].startswith("注1) 2015年は") and census.notes[-1].startswith("資料：")
    jinko = next(t for t in nodes_of(doc, Table) if t.data == "jinko.csv")
    assert [plain_text(c) for c in jinko.body[-1]][:3] == ["47000", "沖縄県", "…"]


def _expanded(tmp_path, text: str, data: dict[str, str]) -> str:
    doc, _ = load_doc(tmp_path / "r", {"01.md": "# 一\n\n" + text + "\n"}, data=data)
    return plain_text(nodes_of(doc, Paragraph)[0].content)


CENSUS = '都道府県コード,都道府県名,人口（人）,調査年\n"00",全国,"126,146,099",2020\n' \
         '"13",東京都,"14,047,594",2020\n"47",沖縄県,-,2020\n'


@pytest.mark.parametrize("expression, printed", [
    ('{{ p["13"]["人口（人）"] }}', "14,047,594"),
    ('{{ p["東京都"]["人口（人）"] }}', "14,047,594"),
    ('{{ p["13"]["人口（人）"] * 2 }}', "28095188"),
    ('{{ (p["00"]["人口（人）"] - p["13"]["人口（人）"]) | comma }}', "112,098,505"),
    ('{{ p["13"]["人口（人）"] | comma }}', "14,047,594"),
    ('{{ "多い" if p["13"]["人口（人）"] > 10000000 else "少ない" }}', "多い"),
    ('{{ reduction(p["00"]["人口（人）"], p["13"]["人口（人）"]) }}', "88.9"),
    ('{{ p["13"]["調査年"] }}', "2020"),
    ('{{ p[0]["都道府県コード"] }}', "00"),
    ('{{ p["47"]["人口（人）"] }}', "-"),
    ('{% if p["47"]["人口（人）"] %}有{% else %}無{% endif %}', "無"),
])
def test_a_data_value_prints_as_the_table_and_computes_as_a_number(tmp_path, expression,
                                                                   printed):
    assert _expanded(tmp_path, expression, {"p.csv": CENSUS}) == printed


@pytest.mark.parametrize("expression, message", [
    ('{{ p["99"] }}', "data/p.csv has no row '99' (searched the columns '都道府県コード', "
     "'都道府県名')"),
    ('{{ p["東京"] }}', "(did you mean '東京都'?)"),
    ('{{ p["13"]["人口"] }}', "data/p.csv has no column '人口' (did you mean '人口（人）'?)"),
    ('{{ p[7] }}', "data/p.csv has 3 rows: no row 7"),
    ('{{ p["47"]["人口（人）"] + 1 }}', "data/p.csv, line 4, column '人口（人）' has no value "
     "('-'): it cannot be computed with"),
    ('{{ reduction(p["00"]["人口（人）"], p["47"]["人口（人）"]) }}', "line 4, column "
     "'人口（人）' has no value"),
])
def test_a_lookup_or_a_computation_that_fails_names_the_file_and_the_cell(tmp_path,
                                                                          expression, message):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + expression + "\n"},
                        data={"p.csv": CENSUS})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and "01.md:3: error: template error: " in result.stderr
    assert message in result.stderr
    assert "object" not in result.stderr and "Rows" not in result.stderr


def test_a_repeated_column_name_is_an_error_only_where_it_is_used(tmp_path):
    data = {"k.csv": "年月,気温,気温\n2023/1,5.4,8\n"}
    assert _expanded(tmp_path / "a", '{{ k[0]["年月"] }}', data) == "2023/1"
    root = write_report(tmp_path / "b", {"01.md": '# 一\n\n{{ k[0]["気温"] }}\n'}, data=data)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "data/k.csv has 2 columns named '気温' (columns 2, 3): name them apart with " \
           "header_rows: or names: in data/sources.yaml" in result.stderr


def test_a_data_file_nothing_uses_stops_no_build_and_every_bad_file_is_reported(tmp_path):
    (tmp_path / "r" / "data").mkdir(parents=True)
    kishou = (STATISTICS / "data" / "kishou.csv").read_bytes()  # read without its options
    (tmp_path / "r" / "data" / "kishou.csv").write_bytes(kishou)
    (tmp_path / "r" / "data" / "README.txt").write_text("出典の説明", encoding="utf-8")
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文。\n"})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    assert "data/kishou.csv:3: warning: column 1 has no name in the header row: name the " \
           "header's line with header_row: in data/sources.yaml, or the columns with names: " \
           "(nothing uses this file yet) [data-unused]" in result.stderr
    assert "data/README.txt: warning: data/README.txt is not read (not a data file; data " \
           "files are .csv, .xlsx, .json or .yaml) [data-unused]" in result.stderr
    (root / "01.md").write_text("# 一\n\n{{ kishou[0] }}{{ bad[0] }}\n", encoding="utf-8")
    (root / "data" / "bad.csv").write_text("区分,人数\n国,59,1\n", encoding="utf-8")
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "data/bad.csv:2: error: this row has 3 cells, the header 2 [data]" in result.stderr
    assert "data/kishou.csv:3: error: column 1 has no name" in result.stderr
    assert "undefined" not in result.stderr


def test_json_is_data_objects_in_the_text_and_records_as_a_table(tmp_path):
    data = {"o.json": '{"title": "件数", "result": {"records": [{"団体コード": "011002", '
            '"団体名": "札幌市", "件数": 12873}, {"団体コード": "041009", "団体名": "仙台市", '
            '"件数": null}]}}'}
    text = "{{ o.title }}：{{ o.result.records['041009']['団体名'] }}、" \
           "{{ o.result.records['札幌市']['件数'] }}件\n\n" \
           "```table\ndata: o.json\npath: result.records\ncaption: 件数\nsource: [@alpha]\n```\n"
    doc, _ = load_doc(tmp_path / "r", {"01.md": "# 一\n\n" + text}, data=data)
    assert plain_text(nodes_of(doc, Paragraph)[0].content) == "件数：仙台市、12,873件"
    table = nodes_of(doc, Table)[0]
    assert [[plain_text(c) for c in row] for row in table.body] == [
        ["011002", "札幌市", "12,873"], ["041009", "仙台市", ""]]


def test_json_without_its_path_names_where_the_records_are(tmp_path):
    data = {"o.json": '{"result": {"records": [{"a": 1}]}, "notes": []}'}
    text = "```table\ndata: o.json\ncaption: 件数\nsource: [@alpha]\n```\n"
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + text}, data=data)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "data/o.json: error: a data table in JSON is a list of records (objects) (name the " \
           "records with path:, e.g. path: notes) [data]" in result.stderr


def test_sources_yaml_reads_a_file_as_published_and_its_mistakes_are_named(tmp_path):
    shutil.copytree(STATISTICS, tmp_path / "r")
    sources = tmp_path / "r" / "data" / "sources.yaml"
    sources.write_text("kishou.csv:\n  encoding: shift_jis\n  header_rows: 2\n  headr_row: 4\n"
                       "gone.csv:\n  header_row: 2\n", encoding="utf-8")
    result = run_cli("check", "--content", str(tmp_path / "r"), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "data/sources.yaml:4: error: kishou.csv: unknown key 'headr_row' (did you mean " \
           "'header_row'?)" in result.stderr
    assert "data/sources.yaml:5: error: no data file data/gone.csv [data]" in result.stderr


def test_a_series_with_no_value_and_too_many_bars_are_refused_with_advice(tmp_path):
    chart = "```chart\ntype: {kind}\ndata: d.csv\ny: [{y}]\ncaption: 図\nsource: [@alpha]\n```\n"
    rows = "".join(f"地域{n},{n},-\n" for n in range(60))
    data = {"d.csv": "地域,件数,率\n" + rows}
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + chart.format(kind="line", y="率")
                                         + "\n" + chart.format(kind="bar", y="件数")},
                        data=data)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert "01.md:3: error: data/d.csv, column '率' has no value to draw: every cell is empty " \
           "or marked missing [chart]" in result.stderr
    assert "01.md:11: error: a bar chart of 60 categories cannot be read: at most 50 (draw a " \
           "line chart, or show the data as a table) [chart]" in result.stderr


def test_a_bad_data_file_used_twice_is_reported_once(tmp_path):
    table = "```table\ndata: bad.csv\ncaption: 表\nsource: [@alpha]\n```\n\n"
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + table * 2},
                        data={"bad.csv": "区分,人数\n国,59,1\n"})
    with pytest.raises(PipelineError) as caught:
        load_document(root)
    assert [d.message for d in caught.value.diagnostics] == ["this row has 3 cells, the header 2"]


def test_an_xlsx_as_ministries_publish_it_title_codes_and_notes(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口"
    sheet.append(["表3　都道府県別人口（単位：人）"])
    sheet.append([])
    sheet.append(["都道府県コード", "都道府県", "2020年度"])
    sheet.append(["01", "北海道", 5224614])
    sheet.append(["13", "東京都", "X"])
    sheet.append(["（注）Xは秘匿。"])
    (tmp_path / "r" / "data").mkdir(parents=True)
    book.save(tmp_path / "r" / "data" / "pop.xlsx")
    text = '{{ pop["人口"]["01"]["2020年度"] }}、{{ pop["人口"]["東京都"]["2020年度"] }}\n\n' \
           "```table\ndata: pop.xlsx\ncaption: 人口\nsource: [@alpha]\n```\n"
    doc, _ = load_doc(tmp_path / "r", {"01.md": "# 一\n\n" + text})
    assert plain_text(nodes_of(doc, Paragraph)[0].content) == "5,224,614、X"
    table = nodes_of(doc, Table)[0]
    assert [[plain_text(c) for c in row] for row in table.body] == [
        ["01", "北海道", "5,224,614"], ["13", "東京都", "X"]]
    assert table.notes == ("（注）Xは秘匿。",)


def test_a_files_missing_marks_can_be_changed(tmp_path):
    data = {"p.csv": "地域,件数\n甲,x\n乙,-\n", "sources.yaml": "p.csv:\n  missing: [\"x\"]\n"}
    root = write_report(tmp_path / "r", {"01.md": '# 一\n\n{{ p["甲"]["件数"] }}\n'}, data=data)
    doc, _ = load_document(root)
    assert plain_text(nodes_of(doc, Paragraph)[0].content) == "x"
    from pipeline.read.data import DataFiles
    table = DataFiles(root).table("p.csv")
    assert table.rows == (("甲", Missing("x")), ("乙", "-"))  # '-' is text in this file


def test_an_undefined_attribute_of_a_data_value_names_no_python_class(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": '# 一\n\n{{ p["13"]["人口（人）"].total }}\n'},
                        data={"p.csv": CENSUS})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert "01.md:3: error: undefined variable: a number has no attribute 'total' " \
           "[template]" in result.stderr


def test_a_workbooks_dates_sums_and_headers_over_lines_read_as_excel_shows_them(tmp_path):
    import datetime

    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日付", "件数\n（件）", "比率"])
    sheet.append([datetime.datetime(2020, 1, 16), 0.1 + 0.2 + 1233.7, 0.125])
    sheet.append([datetime.datetime(2020, 1, 17), 5224614.000000001, 0.5])
    (tmp_path / "r" / "data").mkdir(parents=True)
    book.save(tmp_path / "r" / "data" / "d.xlsx")
    text = "```table\ndata: d.xlsx\ncaption: 件数\nsource: [@alpha]\n```\n"
    doc, _ = load_doc(tmp_path / "r", {"01.md": "# 一\n\n" + text})
    table = nodes_of(doc, Table)[0]
    assert [plain_text(c) for c in table.header[0]] == ["日付", "件数（件）", "比率"]
    assert [[plain_text(c) for c in row] for row in table.body] == [
        ["2020-01-16", "1,234", "0.125"], ["2020-01-17", "5,224,614", "0.5"]]
