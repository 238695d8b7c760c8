"""report.yaml and references: typed loading, and a diagnostic with a line for each mistake."""

import datetime

import pytest

from pipeline.diagnostics import PipelineError
from pipeline.read.references import load_references, parse_date
from pipeline.read.report import load_report

from helpers import run_cli, write_report


def test_report_loads_typed_fields(tmp_path):
    root = write_report(tmp_path, {"01.md": "# 見出し\n"},
                        extra="marking: 取扱注意\nsummary:\n  - 要点一\nkeywords: [DX]\n")
    report, warnings = load_report(root)
    assert report.meta.id == "test-report"
    assert report.meta.date == datetime.date(2026, 4, 1)
    assert report.meta.version == "1.0"
    assert report.meta.marking == "取扱注意"
    assert report.meta.summary == ("要点一",)
    assert [s.path.name for s in report.sections] == ["01.md"]
    assert warnings == []


def test_misspelt_field_is_a_warning_with_suggestion(tmp_path):
    root = write_report(tmp_path, {"01.md": "# 見出し\n"}, extra="subtitel: 副題\n")
    _, warnings = load_report(root)
    assert [str(w) for w in warnings] == [
        f"{root}/report.yaml:9: warning: unknown field 'subtitel' (did you mean 'subtitle'?) [unknown-field]"]


def test_missing_section_file_names_the_line_and_the_others_load(tmp_path):
    root = write_report(tmp_path, {"01.md": "# 見出し\n", "02.md": "# 次\n"})
    (root / "01.md").unlink()
    report, found = load_report(root)
    assert [str(d) for d in found] == [
        f"{root}/report.yaml:7: error: section file not found: 01.md [missing-section]"]
    assert [s.path.name for s in report.sections] == ["02.md"]


def test_missing_required_field_and_bad_date(tmp_path):
    root = write_report(tmp_path, {"01.md": "# 見出し\n"})
    text = (root / "report.yaml").read_text().replace("title: 試験報告\n", "")
    (root / "report.yaml").write_text(text.replace("date: 2026-04-01", "date: 2026-13-01"))
    with pytest.raises(PipelineError) as caught:
        load_report(root)
    messages = [d.message for d in caught.value.diagnostics]
    assert "missing required field 'title'" in messages
    assert any("field 'date' must be an ISO date" in m for m in messages)


def test_invalid_yaml_reports_line_and_column(tmp_path):
    root = write_report(tmp_path, {"01.md": "# 見出し\n"})
    (root / "report.yaml").write_text("id: x\ntitle: [unclosed\n")
    with pytest.raises(PipelineError) as caught:
        load_report(root)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line == 3 and "invalid YAML" in diagnostic.message


def test_references_load_csl_fields(tmp_path):
    root = write_report(tmp_path, {"01.md": "x\n"})
    refs, warnings = load_references(root / "references.yaml")
    alpha = refs[0]
    assert (alpha.key, alpha.publisher, alpha.url) == ("alpha", "アルファ省",
                                                       "https://example.go.jp/alpha")
    assert str(alpha.issued) == "2021-05-21" and str(refs[2].issued) == "2022"
    assert alpha.line == 2 and refs[1].line == 10
    assert warnings == []


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    root = write_report(tmp_path, {"01.md": "x\n"})
    path = root / "report.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    report, _ = load_report(root)
    assert report.meta.title == "試験報告"


@pytest.mark.parametrize("value, expected", [
    ("2021-05-21", "2021-05-21"), ("2021-05", "2021-05"), (2022, "2022"),
    ({"date-parts": [[2019, 6, 21]]}, "2019-06-21"),
])
def test_dates(value, expected):
    assert str(parse_date(value)) == expected


@pytest.mark.parametrize("value", ["2021-02-30", "May 2021", "21-05-01"])
def test_bad_dates(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    from pipeline.read.files import read_text
    with pytest.raises(PipelineError) as caught:
        read_text(tmp_path)  # a directory where a file should be
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        ("read", "cannot read file: Is a directory")]


@pytest.mark.parametrize("references, message", [
    ("{a: 1}\n", "references.yaml:1: error: expected a list of references (CSL YAML) "
     "[reference]"),
    ("- type: report\n  title: 題\n", "references.yaml:1: error: reference has no 'id' "
     "[reference]"),
])
def test_a_reference_file_that_is_no_list_of_entries_is_named(tmp_path, references, message):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文。\n"}, references=references)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and message in result.stderr
