"""`check`: each rule against its fixture report under tests/fixtures/.

A fixture states what it expects next to the line it expects it at, as
`expect: error unknown-key` in a comment (YAML `#`, Jinja `{## ##}`); the
test compares those with the findings in check.json, both ways, so a
missing finding and a finding too many both fail.
"""

import json
import re
from collections import Counter

import pytest

from pipeline.cli import main

from helpers import (FIXTURES, FLAGSHIP, check, expected, listing, reported, run_cli,
                     write_report)

_GCC = re.compile(r"^[^:]+:\d+(:\d+)?: (error|warning): .+ \[[a-z-]+\]$")


@pytest.mark.parametrize("name, exit_code", [
    ("resolution", 1), ("fields", 1), ("well-formed", 1), ("traceability", 0),
    ("structure", 1), ("source-article", 1), ("clean", 0),
])
def test_rule_fixture(name, exit_code, tmp_path):
    fixture = FIXTURES / name
    code, report = check(fixture, tmp_path)
    assert reported(report, fixture) == expected(fixture)
    assert code == exit_code
    assert name == "clean" or expected(fixture), "a rule fixture must expect findings"


def test_source_article_list_is_rejected_for_want_of_addresses(tmp_path):
    code, report = check(FIXTURES / "source-article", tmp_path)
    rules = Counter(f["rule"] for f in report["findings"] if f["severity"] == "error")
    assert code == 1 and rules == {"missing-url": 6}


def test_clean_fixture_passes_strict(tmp_path):
    code, report = check(FIXTURES / "clean", tmp_path, "--strict")
    assert (code, report["findings"], report["strict"]) == (0, [], True)


def test_strict_turns_warnings_into_errors(tmp_path):
    code, report = check(FIXTURES / "traceability", tmp_path, "--strict")
    assert code == 1
    assert {f["severity"] for f in report["findings"]} == {"error"}
    assert report["errors"] == len(expected(FIXTURES / "traceability"))


def test_check_json_counts_and_fields(tmp_path):
    _, report = check(FIXTURES / "fields", tmp_path)
    assert (report["errors"], report["warnings"]) == (7, 3)
    finding = report["findings"][0]
    assert set(finding) == {"rule", "severity", "path", "line", "column", "message"}
    assert finding["path"].endswith("fields/references.yaml")


def test_diagnostics_on_stderr_one_per_finding_gcc_style(tmp_path):
    result = run_cli("check", "--content", "tests/fixtures/well-formed", "--out", str(tmp_path))
    lines = result.stderr.splitlines()
    findings = json.loads((tmp_path / "check.json").read_text())["findings"]
    assert result.returncode == 1
    assert all(_GCC.match(line) for line in lines[:-1]) and len(lines) == len(findings) + 1
    assert ("tests/fixtures/well-formed/references.yaml:5: error: reference 'ftp': "
            "'ftp://example.go.jp/file' is not an absolute http(s) address with a host "
            "[bad-url]") in lines


@pytest.mark.parametrize("command", ["pdf", "docx", "all"])
def test_builds_run_the_check_first_and_build_nothing_on_error(command, tmp_path):
    code = main([command, "--content", str(FIXTURES / "resolution"), "--out", str(tmp_path)])
    assert code == 1
    assert listing(tmp_path) == ["check.json"]


def test_warnings_do_not_stop_a_build_unless_strict(tmp_path):
    fixture = str(FIXTURES / "traceability")
    assert main(["docx", "--content", fixture, "--out", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "traceability.docx").is_file()
    assert main(["docx", "--content", fixture, "--out", str(tmp_path / "b"), "--strict"]) == 1
    assert not (tmp_path / "b" / "traceability.docx").exists()


def test_flagship_has_no_errors_and_only_warnings_a_person_must_clear(tmp_path):
    code, report = check(FLAGSHIP, tmp_path)
    assert code == 0 and report["errors"] == 0
    # Access dates are not recorded for the flagship's sources, and are never guessed.
    assert {f["rule"] for f in report["findings"]} <= {"missing-accessed", "missing-issued"}


def test_a_section_that_cannot_be_read_makes_nothing_uncited(tmp_path):
    references = "- id: cited-there\n  type: report\n  title: 報告\n  publisher: 庁\n  issued: 2022\n"
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n{% if %}[@cited-there]\n"},
                        references=references)
    code, report = check(root, tmp_path / "out")
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["template"]
