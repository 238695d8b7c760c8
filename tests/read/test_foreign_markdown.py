"""What other tools' Markdown means, or a clear error at its line: front matter, title
blocks, links to anchors that do not exist, citations with prefixes and locators."""

from __future__ import annotations

import pytest
from helpers import errors_of, load_doc, nodes_of

from pipeline.tree import Citation, Heading


@pytest.mark.parametrize("head, line, what", [
    ("---\ntitle: 節の題\nauthor: 山田\n---\n\n", 1, "YAML front matter"),
    ("\n---\ntitle: 節の題\n...\n\n", 2, "YAML front matter"),
    ("% 節の題\n% 山田\n\n", 1, "Pandoc title block"),
])
def test_a_title_block_at_a_sections_top_is_an_error_at_its_line(tmp_path, head, line, what):
    errors = errors_of(tmp_path, {"01.md": head + "# 概要\n\n本文である。\n"})
    assert len(errors) == 1 and errors[0].startswith(f"01.md:{line}: error: ") \
        and what in errors[0] and "report.yaml" in errors[0] and errors[0].endswith("[markdown]")


def test_a_rule_at_the_top_is_not_front_matter(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "---\n\n# 概要\n\n本文はhttps://example.jp: である。\n\n---\n"})
    assert [h.number for h in nodes_of(doc, Heading)] == [(1,)]


def test_a_link_to_a_missing_anchor_is_an_error_naming_the_anchor_meant(tmp_path):
    errors = errors_of(tmp_path, {"01.md": "# 概要\n\n[概要](#1-概要)を見る。\n\n"
                                           "# 付録 {-}\n\n[付録](#付録)と[表](#tbl-9)。\n"})
    assert errors == [
        "01.md:3:1: error: link to '#1-概要' names no anchor of the report: the heading '概要' "
        "is '#sec-1' [link-anchor]",
        "01.md:7:1: error: link to '#付録' names no anchor of the report: the heading '付録' "
        "is '#h-1' [link-anchor]",
        "01.md:7:1: error: link to '#tbl-9' names no anchor of the report (the nearest is "
        "'#h-1') [link-anchor]"]


def test_three_identical_paragraphs_with_one_bad_link_are_three_findings(tmp_path):
    paragraph = "詳しくは[別紙](#nope)を参照する。\n\n"
    errors = errors_of(tmp_path, {"01.md": "# 概要\n\n" + paragraph * 3})
    assert [e.split(":")[1] for e in errors] == ["3", "5", "7"]


def test_links_to_the_reports_own_anchors_pass(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "# 概要 {#sec:overview}\n\n[上](#sec:overview)、"
                                          "[文献](#references)、[見出し](#sec-2)。\n\n# 次\n"})
    assert doc


def test_citation_prefixes_and_locators_are_kept_key_by_key(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "# 概要\n\n本文[@alpha, p. 12]、[see @beta]、[-@gamma]、"
                                          "[@alpha]、[例えば @beta, 第2章; @gamma]。\n"})
    cites = nodes_of(doc, Citation)
    assert [(c.keys, c.prefixes, c.locators) for c in cites] == [
        (("alpha",), ("",), ("p. 12",)), (("beta",), ("see ",), ("",)), (("gamma",), (), ()),
        (("alpha",), (), ()), (("beta", "gamma"), ("例えば ", ""), ("第2章", ""))]


def test_a_cross_reference_with_a_locator_is_an_error(tmp_path):
    errors = errors_of(tmp_path, {"01.md": "# 概要 {#sec:a}\n\n[see @sec:a]を見る。\n"})
    assert len(errors) == 1 and "takes no prefix or locator" in errors[0]
