"""check/references.py alone: each rule of the reference list on entries read from
CSL YAML as an office writes it, with its exact message, severity and line."""

import datetime

import pytest

from pipeline.check.references import TYPES, check_references
from pipeline.read.references import load_references

REPORT_DATE = datetime.date(2026, 4, 1)
WEB = ("  type: webpage\n  title: 行政のDX\n  publisher: デジタル庁\n"
       "  URL: https://www.digital.go.jp/dx\n  issued: 2025-03-01\n  accessed: 2026-01-10\n")


def _found(tmp_path, text: str, cited=None) -> list[tuple[str, str, int, str]]:
    path = tmp_path / "references.yaml"
    path.write_text(text, encoding="utf-8")
    refs, errors = load_references(path)
    assert errors == []
    keys = {r.key for r in refs} if cited is None else cited
    return [(d.code, d.severity, d.line, d.message)
            for d in check_references(refs, REPORT_DATE, keys)]


def test_a_complete_web_source_is_quiet(tmp_path):
    assert _found(tmp_path, "- id: a\n" + WEB) == []


def test_an_uncited_entry_unless_nocite_and_only_when_citations_are_known(tmp_path):
    text = "- id: a\n" + WEB + "- id: b\n" + WEB.replace("/dx", "/b").replace("行政", "国") + \
        "  nocite: true\n"
    assert _found(tmp_path, text, cited=set()) == [
        ("uncited", "error", 1, "reference 'a' is never cited (cite it, remove it, or mark "
                                  "it nocite: true)")]
    path = tmp_path / "references.yaml"
    refs, _ = load_references(path)
    assert check_references(refs, REPORT_DATE, None) == []


@pytest.mark.parametrize("entry, expected", [
    ("  title: 報告\n  publisher: 庁\n  issued: 2025\n",
     [("missing-type", "error", 1, "reference 'a' has no 'type' (webpage, report, book, …)")]),
    ("  type: reprot\n  title: 報告\n  publisher: 庁\n  issued: 2025\n",
     [("unknown-type", "error", 2, "reference 'a': unknown type 'reprot' (did you mean "
                                   "'report'?)")]),
    ("  type: report\n  publisher: 庁\n  issued: 2025\n",
     [("missing-title", "error", 1, "reference 'a' has no title")]),
    ("  type: report\n  title: 報告\n  issued: 2025\n",
     [("missing-creator", "error", 1, "reference 'a' names no author or publisher")]),
    ("  type: legislation\n  title: デジタル社会形成基本法\n  issued: 2021-05-19\n", []),
    ("  type: book\n  title: 本\n  author:\n    - literal: 山田太郎\n  issued: 2020\n",
     [("missing-field", "error", 1, "reference 'a' (book) has no 'publisher'")]),
    ("  type: chapter\n  title: 章\n  publisher: 出版社\n  issued: 2020\n",
     [("missing-field", "error", 1, "reference 'a' (chapter) has no 'container-title'")]),
    ("  type: article-journal\n  title: 論文\n  container-title: 誌\n  publisher: 学会\n"
     "  issued: 2020\n", []),
    ("  type: webpage\n  title: 頁\n  publisher: 庁\n  issued: 2020\n  accessed: 2026-01-01\n",
     [("missing-url", "error", 1, "reference 'a' (webpage) has no URL: a web source must give "
                                  "the address where it can be found")]),
    ("  type: post\n  title: 頁\n  publisher: 庁\n  issued: 2020\n",
     [("missing-url", "error", 1, "reference 'a' (post) has no URL: a web source must give "
                                  "the address where it can be found"),
      ("missing-accessed", "warning", 1, "reference 'a' has no accessed date: record the day "
                                         "the page was consulted")]),
    ("  type: report\n  title: 報告\n  publisher: 庁\n",
     [("missing-issued", "warning", 1, "reference 'a' has no issued date (add it, or write "
                                       "'issued: null' if the source states none)")]),
    ("  type: report\n  title: 報告\n  publisher: 庁\n  issued: null\n", []),
    ("  type: webpage\n  publisher: 庁\n  URL: https://example.go.jp/\n  issued: 2020\n"
     "  accessed: 2026-01-01\n",
     [("missing-title", "error", 1, "reference 'a' has no title")]),
    ("  type: report\n  title: 報告\n  publisher: 庁\n  issued: 2025\n"
     "  URL: https://example.go.jp/r.pdf\n",
     [("missing-accessed", "warning", 1, "reference 'a' has no accessed date: record the day "
                                         "the page was consulted")]),
])
def test_what_each_type_needs(tmp_path, entry, expected):
    assert _found(tmp_path, "- id: a\n" + entry) == expected


@pytest.mark.parametrize("url", ["ftp://example.go.jp/a", "https://", "example.go.jp/a",
                                 "https://exa mple.go.jp/", "javascript:alert(1)"])
def test_a_url_that_is_not_an_absolute_http_address_is_refused_at_its_line(tmp_path, url):
    text = "- id: a\n" + WEB.replace("https://www.digital.go.jp/dx", f'"{url}"')
    assert _found(tmp_path, text) == [
        ("bad-url", "error", 5, f"reference 'a': '{url}' is not an absolute http(s) address "
                                "with a host")]


def test_http_is_an_address_too(tmp_path):
    assert _found(tmp_path, "- id: a\n" + WEB.replace("https://", "http://")) == []


def test_dates_after_the_report_or_accessed_before_issued(tmp_path):
    future = WEB.replace("issued: 2025-03-01", "issued: 2026-04-02").replace(
        "accessed: 2026-01-10", "accessed: 2026-05")
    assert _found(tmp_path, "- id: a\n" + future) == [
        ("future-date", "error", 6, "reference 'a': issued date 2026-04-02 is after the "
                                    "report's date 2026-04-01"),
        ("future-date", "error", 7, "reference 'a': accessed date 2026-05 is after the "
                                    "report's date 2026-04-01")]
    same_day = WEB.replace("issued: 2025-03-01", "issued: 2026-04-01").replace(
        "accessed: 2026-01-10", "accessed: 2026-04-01")
    assert _found(tmp_path, "- id: a\n" + same_day) == []
    before = WEB.replace("accessed: 2026-01-10", "accessed: 2025-02-28")
    assert _found(tmp_path, "- id: a\n" + before) == [
        ("bad-date", "error", 7, "reference 'a': accessed 2025-02-28, before it was issued "
                                 "(2025-03-01)")]


@pytest.mark.parametrize("issued, accessed, bad", [
    ("2025-03", "2025-03-01", False), ("2025", "2025-01-01", False), ("2025-03-02", "2025-03", False),
    ("2025-03", "2025-02-28", True), ("2025", "2024-12", True), ("2025-03-01", "2025-03-01", False),
])
def test_partial_dates_compare_as_far_as_both_are_known(tmp_path, issued, accessed, bad):
    entry = WEB.replace("issued: 2025-03-01", f"issued: {issued}").replace(
        "accessed: 2026-01-10", f"accessed: {accessed}")
    assert [f[0] for f in _found(tmp_path, "- id: a\n" + entry)] == (["bad-date"] if bad else [])


def test_duplicates_by_id_by_url_and_by_title_and_publisher(tmp_path):
    second = WEB.replace("https://www.digital.go.jp/dx", "http://WWW.digital.go.jp/dx/")
    third = WEB.replace("https://www.digital.go.jp/dx", "https://www.digital.go.jp/other") \
        .replace("行政のDX", " 行政のＤｘ ").replace("デジタル庁", "デジタル庁")
    found = _found(tmp_path, "- id: a\n" + WEB + "- id: b\n" + second + "- id: c\n" + third +
                   "- id: a\n" + WEB.replace("/dx", "/x").replace("行政のDX", "別"))
    assert found == [
        ("duplicate-id", "error", 22, "duplicate reference id 'a' (first at line 1)"),
        ("duplicate-url", "warning", 8, "reference 'b' has the same URL as 'a' (line 1): a "
                                        "duplicate?"),
        ("duplicate-title", "warning", 8, "reference 'b' has the same title and publisher as "
                                          "'a' (line 1): a duplicate?"),
        ("duplicate-title", "warning", 15, "reference 'c' has the same title and publisher as "
                                           "'a' (line 1): a duplicate?")]


def test_a_query_or_another_host_is_another_page(tmp_path):
    text = "- id: a\n" + WEB + "- id: b\n" + WEB.replace("/dx", "/dx?page=2").replace(
        "行政のDX", "二") + "- id: c\n" + WEB.replace("www.digital", "digital").replace(
        "行政のDX", "三")
    assert _found(tmp_path, text) == []


def test_entries_without_a_url_or_with_urls_apart_are_no_duplicates(tmp_path):
    report = "  type: report\n  publisher: 庁\n  issued: 2025\n"
    assert _found(tmp_path, "- id: a\n  title: 甲\n" + report + "- id: b\n  title: 乙\n" +
                  report) == []
    text = "- id: a\n" + WEB.replace("/dx", "/docX") + "- id: b\n" + WEB.replace(
        "/dx", "/doc").replace("行政のDX", "別の頁")
    assert _found(tmp_path, text) == []


def test_every_web_type_needs_its_url():
    assert sorted(name for name, rule in TYPES.items() if rule.online) == [
        "post", "post-weblog", "webpage"]
    assert [name for name, rule in TYPES.items() if not rule.creator] == ["legislation"]
