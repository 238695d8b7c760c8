"""`lint` reads the tree's text at the parser's places: each finding at its own
line and column, in every kind of block, repeated text included; `--fix`
changes exactly those characters; quotations, code and comments are not prose.

golden/lint_places.md holds the same wrong form (3ヶ月) in a heading, three
identical paragraphs, a list item at depth 3, a caption, two identical
table cells, a figure's caption, a paragraph over two lines, a footnote's
body and, where lint must not look, a quotation, code, a comment and a
chart block's YAML. golden/lint_places.txt lists where it must be found.
"""

import re
from pathlib import Path

from pipeline.check.lint import lint_report, lint_text
from pipeline.check.lint.fix import apply_fixes
from pipeline.read.expand import ExpandedSection
from pipeline.read.prose import MASK, section_prose

from helpers import write_report

GOLDEN = Path(__file__).parent / "golden"
TEXT = (GOLDEN / "lint_places.md").read_text(encoding="utf-8")
STAFF = "区分,人数\n本省,10\n"


def test_each_finding_is_where_its_golden_list_says():
    found = [f"{d.line}:{d.column} {d.code}" for d in lint_text(TEXT)]
    assert found == (GOLDEN / "lint_places.txt").read_text(encoding="utf-8").split("\n")[:-1]


def test_the_places_are_the_characters_themselves():
    """Every place a finding names holds the form it names, in the file as written."""
    lines = TEXT.split("\n")
    for finding in lint_text(TEXT):
        assert lines[finding.line - 1][finding.column - 1] == "ヶ", finding


def test_fix_changes_exactly_the_prose_and_leaves_the_rest(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": TEXT}, data={"staff.csv": STAFF})
    result = lint_report(root)
    before, after = apply_fixes(result.fixes)[root / "01.md"]
    assert before == TEXT
    kept = [line for line in after.split("\n") if "3ヶ月" in line]
    assert kept == ["> 引用の3ヶ月は原文のままである。", "caption: 図の3ヶ月はデータ側の題である",
                    "行をまたぐ段落の`3ヶ月`と", "<!-- 注記の3ヶ月 -->"]
    assert "𠮷野の3か\n月は" in after  # found across the line break, fixed in its line


def test_lint_reads_the_sentence_the_tree_prints():
    """The join of lines is one rule: 𠮷 and half-width ｱ at a line's end join as
    the products print them."""
    text = "# 見出し\n\n山田𠮷\n野の件。ｱ\nｲの件。\n\n- 項目の\n  続き\n"
    prose = section_prose(ExpandedSection(Path("t.md"), text, ()))
    assert [p.text for p in prose] == ["見出し", "山田𠮷野の件。ｱ ｲの件。", "項目の続き"]


def test_what_is_not_prose_is_masked_where_it_stands():
    text = "段落の`コード`と[@alpha]と[^n]と**強調**。\n\n[^n]: 注。\n"
    first = section_prose(ExpandedSection(Path("t.md"), text, ()))[0]
    assert first.text == f"段落の{MASK}と{MASK}と{MASK}と強調。"
    assert first.places[first.text.index("強")] == (1, text.index("強") + 1)


def test_a_comment_is_printed_by_no_product_and_splits_nothing(tmp_path):
    from pipeline.build import load_document
    from pipeline.tree import BulletList, Paragraph, plain_text, walk
    root = write_report(tmp_path / "r", {"01.md": (
        "# 一\n\n<!-- 作成者へ：数字を確認する -->\n本文で<!-- 途中 -->ある。\n\n"
        "- 一つ目\n<!-- 項目の注記 -->\n- 二つ目\n\n`<!-- コード -->`は残る。\n")})
    doc, _ = load_document(root)
    paragraphs = [plain_text(n.content) for n in walk(doc.sections[0].blocks)
                  if isinstance(n, Paragraph)]
    assert paragraphs == ["本文である。", "一つ目", "二つ目", "<!-- コード -->は残る。"]
    lists = [n for n in walk(doc.sections[0].blocks) if isinstance(n, BulletList)]
    assert len(lists) == 1 and len(lists[0].items) == 2
    assert not any(re.search("作成者|途中|注記", p) for p in paragraphs)
