"""A report over rows (`each:`): the row in the sections and the fields, the ids it
makes, and what is wrong with them, at the right file and line."""

import pytest

from helpers import write_report
from pipeline.build import load_document
from pipeline.diagnostics import PipelineError
from pipeline.read.data import DataFiles
from pipeline.read.report import load_report, load_rows

# As a municipality publishes it: Shift_JIS, a title above, a note below, codes with
# leading zeros, '-' for a value not surveyed.
ROWS = ('"市区町村の状況"\r\n'
        '"団体コード","市区町村名","人口（人）","手続数"\r\n'
        '"011002","札幌市","1,973,395","26"\r\n'
        '"012025","函館市","-","27"\r\n'
        '"注：試験用の値である。"\r\n')
EACH = """\
id: "dx-{{ row['団体コード'] }}"
title: "{{ row['市区町村名'] }}の状況"
organisation: 試験庁
date: 2026-04-01
version: "1.0"
each: towns.csv
recipients:
  - name: "{{ row['市区町村名'] }} 担当課"
    email: "dx-{{ row['団体コード'] }}@example.jp"
sections:
  - 01.md
references: references.yaml
"""


def _report(tmp_path, section="# {{ row['市区町村名'] }}\n\n人口は{{ row['人口（人）'] }}人である。\n",
            yaml=EACH, rows=ROWS):
    root = write_report(tmp_path / "r", {"01.md": section})
    (root / "report.yaml").write_text(yaml, encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "towns.csv").write_bytes(rows.encode("cp932"))
    return root


def _errors(call) -> list[str]:
    with pytest.raises(PipelineError) as caught:
        call()
    return [str(d) for d in caught.value.diagnostics]


def test_each_row_makes_its_own_report(tmp_path):
    root = _report(tmp_path)
    each, rows = load_rows(root, DataFiles(root))
    assert each == "towns.csv"
    assert [(r.id, r.where) for r in rows] == [("dx-011002", "data/towns.csv:3"),
                                               ("dx-012025", "data/towns.csv:4")]
    doc, _ = load_document(root, row="dx-012025")
    assert (doc.meta.id, doc.meta.title) == ("dx-012025", "函館市の状況")
    assert doc.meta.recipients == ("函館市 担当課",)
    assert doc.meta.addresses == ("dx-012025@example.jp",)
    text = str(doc.sections[0].blocks)
    assert "人口は-人である" in text  # the file's own mark for the missing value
    first, _ = load_document(root, row="dx-011002")
    assert "人口は1,973,395人である" in str(first.sections[0].blocks)


def test_a_report_over_rows_needs_a_row(tmp_path):
    root = _report(tmp_path)
    assert _errors(lambda: load_report(root)) == [
        f"{root}/report.yaml:6: error: each: makes one report per row of data/towns.csv "
        "(dx-011002, dx-012025): build them with `python -m pipeline batch`, or one with "
        "--row ID [report-field]"]
    assert _errors(lambda: load_report(root, row="dx-01100")) == [
        f"{root}/report.yaml:6: error: --row: no row makes the report 'dx-01100' (did you "
        "mean 'dx-011002'?) (the rows make dx-011002, dx-012025) [report-field]"]


def test_row_given_to_a_report_of_one(tmp_path):
    root = write_report(tmp_path, {"01.md": "# 見出し\n"})
    assert _errors(lambda: load_report(root, row="x")) == [
        f"{root}/report.yaml:1: error: --row x: report.yaml has no each: field, so it makes "
        "one report [report-field]"]
    assert "report.yaml has no each: field" in _errors(lambda: load_rows(root, DataFiles(root)))[0]


def test_two_rows_that_make_one_id(tmp_path):
    rows = ROWS.replace('"012025","函館市"', '"011002","函館市"')
    root = _report(tmp_path, rows=rows)
    assert _errors(lambda: load_rows(root, DataFiles(root))) == [
        f"{root}/data/towns.csv:4: error: this row's id 'dx-011002' is also line 3's: the id "
        "in report.yaml must tell the rows apart [data]"]


def test_an_id_no_file_can_be_named(tmp_path):
    root = _report(tmp_path, yaml=EACH.replace("dx-{{ row['団体コード'] }}",
                                               "{{ row['市区町村名'] }}"))
    errors = _errors(lambda: load_rows(root, DataFiles(root)))
    assert errors[0] == (f"{root}/report.yaml:1: error: the row at data/towns.csv:3 makes the "
                         "id '札幌市', which must be lower-case letters, digits, '.', '_' or "
                         "'-' (it names the output files) [report-field]")
    assert len(errors) == 2


def test_a_column_the_file_lacks(tmp_path):
    root = _report(tmp_path, yaml=EACH.replace("row['団体コード'] }}\"\ntitle",
                                               "row['団体番号'] }}\"\ntitle"))
    errors = _errors(lambda: load_rows(root, DataFiles(root)))
    assert errors[0].startswith(f"{root}/report.yaml:1: error: field 'id' for the row at "
                                "data/towns.csv line 3: data/towns.csv has no column '団体番号'")
    assert "団体コード" in errors[0]
    title = EACH.replace("row['市区町村名'] }}の状況", "row['町名'] }}の状況")
    root = _report(tmp_path, yaml=title)
    assert _errors(lambda: load_report(root, row="dx-011002"))[0].startswith(
        f"{root}/report.yaml:2: error: field 'title': data/towns.csv has no column '町名'")


def test_computing_with_a_missing_value_fails_that_row_alone(tmp_path):
    root = _report(tmp_path, section="# 人口\n\n一手続あたり{{ row['人口（人）'] // row['手続数'] }}人である。\n")
    load_document(root, row="dx-011002")
    errors = _errors(lambda: load_document(root, row="dx-012025"))
    assert errors == [f"{root}/01.md:3: error: template error: data/towns.csv, line 4, column "
                      "'人口（人）' has no value ('-'): it cannot be computed with (test it "
                      "first: {% if value %}) [template]"]


def test_row_is_the_each_row_not_a_data_file_named_row(tmp_path):
    root = _report(tmp_path, section="# {{ row['市区町村名'] }}\n")
    (root / "data" / "row.csv").write_text("市区町村名\n別の町\n", encoding="utf-8")
    doc, _ = load_document(root, row="dx-011002")
    assert "札幌市" in str(doc.sections[0]) and "別の町" not in str(doc.sections[0])


def test_a_batchs_hint_finds_the_row_and_a_stale_one_is_searched_past(tmp_path):
    root = _report(tmp_path)
    hinted, _ = load_document(root, row="dx-012025", row_index=1)
    stale, _ = load_document(root, row="dx-012025", row_index=0)  # the rows moved since
    far, _ = load_document(root, row="dx-012025", row_index=99)
    assert hinted.meta.title == stale.meta.title == far.meta.title == "函館市の状況"
    assert hinted.each_row == stale.each_row == ("towns.csv", 1)
