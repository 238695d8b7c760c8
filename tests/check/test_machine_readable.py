"""Data files against the Digital Agency's rules for machine-readable tables: a warning
per rule broken, at its first cell, in files shaped as offices publish them."""

from __future__ import annotations

import pytest
from helpers import FLAGSHIP, ROOT, write_report

from pipeline.check.machine_readable import machine_readable_findings

SECTION = {"01.md": "# 一\n\n本文である。\n"}


def _findings(tmp_path, name: str, data: bytes, sources: str = "") -> list[tuple]:
    root = write_report(tmp_path / "r", SECTION)
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / name).write_bytes(data)
    if sources:
        (root / "data" / "sources.yaml").write_text(sources, encoding="utf-8")
    return [(d.code, d.line, d.message) for d in machine_readable_findings(root)]


def test_the_flagship_and_the_statistics_corpus_meet_the_rules():
    assert machine_readable_findings(FLAGSHIP) == []
    assert [d.code for d in machine_readable_findings(ROOT / "tests/corpus/statistics")] == []


@pytest.mark.parametrize("rows, rule, line, quoted", [
    ("区分,職員数\n本庁,12人\n支所,8人\n", "data-unit-in-cell", 2, "「12人」 (and 1 more)"),
    ("区分,職員数\n本庁,12\n支所,8※\n", "data-note-in-cell", 3, "「8※」"),
    ("区分,職員数\n本庁,１２\n支所,8\n", "data-full-width", 2, "「１２」"),
    ("区分,職員数\n本庁,12\n\n支所,8\n出張所,3\n", "data-blank-line", 3, "a blank row"),
    ("区分,職員数\n本庁,12\n支所,8\n\n区分,予算\n本庁,100\n支所,80\n", "data-two-tables", 5,
     "a second table"),
    ("区分,職員数,職員数\n,本庁,支所\n令和元年,12,8\n令和2年,13,9\n令和3年,14,9\n",
     "data-header-rows", 2, "header_rows: 2"),
    ("年,職員数\n令和2年,12\n令和3年,13\n", "data-wareki", 2, "「令和2年」 (and 1 more)"),
])
def test_a_broken_rule_is_one_warning_at_its_first_cell(tmp_path, rows, rule, line, quoted):
    found = _findings(tmp_path, "staff.csv", rows.encode("cp932"),
                      "staff.csv:\n  encoding: cp932\n")
    assert [(code, at) for code, at, _ in found if code == rule] == [(rule, line)]
    assert quoted in next(message for code, _, message in found if code == rule)


def test_a_declared_header_over_two_rows_and_wareki_beside_seireki_pass(tmp_path):
    rows = "区分,職員数,職員数\n,本庁,支所\n2020年（令和2年）,12,8\n2021年（令和3年）,13,9\n"
    found = _findings(tmp_path, "staff.csv", rows.encode("utf-8"),
                      "staff.csv:\n  header_rows: 2\n")
    assert found == []


def test_merged_cells_in_a_workbook_are_a_warning(tmp_path):
    import io

    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["地域", "人口", "世帯"], ["北部", 1200, 500], ["南部", 900, 400]):
        sheet.append(row)
    sheet.merge_cells("B1:C1")
    data = io.BytesIO()
    book.save(data)
    found = _findings(tmp_path, "area.xlsx", data.getvalue())
    assert [(code, at) for code, at, _ in found] == [("data-merged-cells", None)]
    assert "B1:C1" in found[0][2]
