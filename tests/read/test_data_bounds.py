"""Data that would crash a chart or run away in time and memory is refused early, at
its file and cell, within limits the operator can raise (--max-data-columns,
--max-data-cells). Each case runs the pipeline in a child process held to 1.5 GiB
and its --time-limit, so that a regression fails here instead of taking the machine
down."""

import pytest

from helpers import run_bounded, write_report


def _chart(kind: str, data: str = "v.csv", extra: str = "") -> str:
    return (f"# 一\n\n[@alpha]による。\n\n```chart\ntype: {kind}\ndata: {data}\ncaption: 図\n"
            f"source: [@alpha]\n{extra}```\n")


CASES = {
    "400 digits": (_chart("bar"), {"v.csv": "名,値\n甲," + "9" * 400 + "\n"},
                   "data/v.csv, line 2, column '値': a value of 400 digits is too large to draw"),
    "300 full-width digits": (_chart("bar"), {"v.csv": "名,値\n甲," + "９" * 300 + "\n"},
                              "a value of 300 digits is too large to draw"),
    "a pie of zeros": (_chart("pie"), {"v.csv": "名,値\n甲,0\n乙,-\n"},
                       "a pie of zeros shows nothing: every value is 0 or missing"),
    "nan in a pie": (_chart("pie", "v.yaml"), {"v.yaml": "- 名: 甲\n  値: .nan\n- 名: 乙\n  値: 1\n"},
                     "data/v.yaml:1: error: line 1, '値': nan is not a number a table can print"),
    "inf in the text": ("# 一\n\n値は{{ v[0]['値'] }}である。\n", {"v.yaml": "- 名: 甲\n  値: .inf\n"},
                        "'値': inf is not a number a table can print"),
    "110 series": (_chart("line"), {"v.csv": "名," + ",".join(f"s{i}" for i in range(110)) + "\n"
                                    + "甲," + ",".join("1" for _ in range(110)) + "\n"},
                   "110 series cannot be told apart: at most 12"),
    "10,000 points": (_chart("line"), {"v.csv": "日,値\n" + "".join(f"{i},{i}\n"
                                                                   for i in range(10_000))},
                      "a chart of 10,000 points cannot be read: at most 5,000 "
                      "(--max-chart-points"),
    "stacked negatives": (_chart("stacked"), {"v.csv": "名,甲,乙\nA,1,-2\nB,3,4\n"},
                          "a stacked chart cannot show negative values"),
    "200,000 columns": ("# 一\n\n{{ v[0] }}\n",
                        {"v.csv": ",".join(f"c{i}" for i in range(200_000)) + "\n"
                         + ",".join("1" for _ in range(200_000)) + "\n"},
                        "200,000 columns, more than 1,000 (--max-data-columns)"),
    "5,000 keys": ("# 一\n\n{{ v[0] }}\n", {"v.yaml": "".join(f"- k{i}: {i}\n"
                                                             for i in range(5_000))},
                   "data/v.yaml: error: 5,000 columns, more than 1,000 (--max-data-columns)"),
    "3,000,000 cells": ("# 一\n\n{{ v[0] }}\n", {"v.csv": "a,b,c\n" + "1,2,3\n" * 1_000_000},
                        "1,000,000 rows of 3 columns are 3,000,000 cells, more than 2,000,000 "
                        "(--max-data-cells)"),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_data_is_refused_at_its_place(tmp_path, case):
    section, data, message = CASES[case]
    root = write_report(tmp_path / "r", {"01.md": section}, data=data)
    result = run_bounded("pdf", "--content", str(root), "--out", str(tmp_path / "o"),
                         "--max-file-mib", "20", "--time-limit", "60", memory_mib=1536)
    assert result["code"] == 1 and message in result["stderr"], result["stderr"][-1500:]
    assert "Traceback" not in result["stderr"]


def test_the_operator_raises_the_chart_points(tmp_path):
    section, data, _ = CASES["10,000 points"]
    root = write_report(tmp_path / "r", {"01.md": section}, data=data)
    raised = run_bounded("check", "--content", str(root), "--out", str(tmp_path / "o"),
                         "--max-chart-points", "20000")
    assert raised["code"] == 0, raised["stderr"][-1500:]


def test_the_operator_raises_the_data_limits(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n値は{{ v[0]['c1'] }}である。\n"},
                        data={"v.csv": ",".join(f"c{i}" for i in range(1_200)) + "\n"
                              + ",".join("1" for _ in range(1_200)) + "\n"})
    refused = run_bounded("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert refused["code"] == 1 and "--max-data-columns" in refused["stderr"]
    raised = run_bounded("check", "--content", str(root), "--out", str(tmp_path / "o"),
                         "--max-data-columns", "2000")
    assert raised["code"] == 0, raised["stderr"]


def _workbook_with_broken_sheet() -> bytes:
    import io
    import zipfile

    import openpyxl
    book = openpyxl.Workbook()
    book.active.append(["名", "値"])
    book.active.append(["甲", 1])
    plain = io.BytesIO()
    book.save(plain)
    broken = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row><c")
            target.writestr(info, data)
    return broken.getvalue()


@pytest.mark.parametrize("case", ["data", "references", "sheet"])
def test_yaml_nested_thousands_deep_and_a_broken_sheet_are_diagnostics(tmp_path, case):
    deep = "[" * 3000 + "]" * 3000
    section = "# 一\n\n値は{{ v.x }}である。\n" if case == "data" else "# 一\n\n本文。\n"
    root = write_report(tmp_path / "r", {"01.md": section},
                        data={"v.yaml": f"x: {deep}\n"} if case == "data" else None,
                        **({"references": f"- id: a\n  title: {deep}\n"}
                           if case == "references" else {}))
    if case == "sheet":
        (root / "01.md").write_text("# 一\n\n値は{{ v['Sheet'][0]['値'] }}である。\n",
                                    encoding="utf-8")
        (root / "data").mkdir(exist_ok=True)
        (root / "data" / "v.xlsx").write_bytes(_workbook_with_broken_sheet())
    result = run_bounded("check", "--content", str(root), "--out", str(tmp_path / "o"),
                         "--time-limit", "60", memory_mib=1536)
    expected = "not an Excel workbook openpyxl can read" if case == "sheet" else \
        "invalid YAML: nested too deep"
    assert result["code"] == 1 and expected in result["stderr"], result["stderr"][-1500:]
    assert "Traceback" not in result["stderr"]


def _workbook_edited(edit) -> bytes:
    import io
    import zipfile

    import openpyxl
    book = openpyxl.Workbook()
    book.active.append(["名", "値"])
    book.active.append(["甲", 1])
    book.active.append(["乙", "文字"])
    plain, out = io.BytesIO(), io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) \
            as target:
        for info in source.infolist():
            target.writestr(info, edit(info.filename, source.read(info)))
    return out.getvalue()


@pytest.mark.parametrize("case", ["declared A1:XFD1048576", "95 MiB of shared strings"])
def test_a_workbook_that_claims_or_unpacks_huge_ends_within_the_limits(tmp_path, case):
    import re

    def edit(name, data):
        if case.startswith("declared") and name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>',
                          data)
        if case.startswith("95") and name == "xl/sharedStrings.xml":
            return data.replace(b"<t>", b"<t>" + b"a" * (95 * 2**20), 1)
        return data
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n値は{{ v['Sheet'][0]['値'] }}である。\n"},
                        data={"v.csv": "a\n1\n"})
    (root / "data" / "v.csv").unlink()
    (root / "data" / "v.xlsx").write_bytes(_workbook_edited(edit))
    result = run_bounded("check", "--content", str(root), "--out", str(tmp_path / "o"),
                         "--time-limit", "60", memory_mib=1536, seconds=90)
    assert not result["crashed"] and result["code"] in (0, 1), result["stderr"][-1500:]
    assert "Traceback" not in result["stderr"]
