"""check/review.py and check/edits.py alone: every finding's exact words and place,
the checklist, and the rules that decide what --apply may touch, on reviews made
by hand and on small reports."""

import subprocess
from pathlib import Path

import pytest

from pipeline.check.edits import edited_text, encoded_like, uncommitted, unified_diff
from pipeline.check.review import apply_edits, comments_checklist, plan_edits, review_findings
from pipeline.diagnostics import PipelineError
from pipeline.limits import Limits
from pipeline.read.files import content_sha256, line_sha256
from pipeline.read.review import Block, Change, Comment, Review

from helpers import write_report


def _block(mark, line, generated, after=None, file="01.md", text_line=None, found=True):
    return Block(mark, file, line, generated, line_sha256(text_line or ""), generated,
                 generated if after is None else after, found)


def _said(findings):
    return [(d.code, Path(d.path).name, d.line, d.message) for d in findings]


def test_findings_say_who_when_and_where(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文。\n"})
    docx = tmp_path / "返却.docx"
    blocks = {"_src1": _block("_src1", 3, "本文。", text_line="本文。"),
              "_src2": Block("_src2", "01.md", 1, "消えた", "", "", "", False)}
    blocks["_src1"].before = "本文だ。"
    review = Review(blocks, {"01.md": "0" * 64, "../outside.md": "1"}, [
        Change("insertion", "", "", "追記", "_src1"),
        Change("deletion", "課長", "2026-12-01T09:00:00Z", "", "_zz")],
        [Comment("", "", "確認", "本文", "_src1"),
         Comment("係長", "2026-12-02T10:00:00Z", "出典", "x" * 50, "_gone")])
    assert _said(review_findings(review, root, docx)) == [
        ("review-stale", "返却.docx", None, "the sources changed since 返却.docx was written: "
         "01.md; blocks that no longer match are reported, not guessed"),
        ("review-change", "01.md", 3, "挿入「追記」（不明、日付なし）"),
        ("review-change", "返却.docx", None, "削除（課長、2026-12-01）"),
        ("review-comment", "01.md", 3, "コメント（不明、日付なし）：確認 ／ 対象：「本文」"),
        ("review-comment", "返却.docx", None, "コメント（係長、2026-12-02）：出典 ／ 対象：「"
         + "x" * 38 + "…」"),
        ("review-edit", "01.md", 3, "変更履歴のない編集：「本文だ。」"),
        ("review-unmapped", "01.md", 1, "この段落の目印が文書から消えている（削除されたか、"
         "目印ごと書き換えられた）：「消えた」")]


def test_two_changed_sources_are_named_together(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n", "02.md": "# 二\n"})
    review = Review({}, {"01.md": "0", "02.md": "0", "03.md": "0",  # 03.md is not there
                         "report.yaml": content_sha256(root / "report.yaml")})
    (stale,) = review_findings(review, root, tmp_path / "a.docx")
    assert stale.message.startswith("the sources changed since a.docx was written: 01.md, 02.md;")


def test_the_checklist_lists_each_comment_at_its_place(tmp_path):
    review = Review({"_src1": _block("_src1", 7, "本文")}, {}, [], [
        Comment("係長", "2026-12-02T10:00:00Z", "出典を示す", "限られた\n人員", "_src1"),
        Comment("課長", "2026-12-03T10:00:00Z", "全体に", "", "")])
    assert comments_checklist(review, tmp_path) == (
        "# 査読コメント\n\n"
        "- [ ] 01.md:7 係長（2026-12-02）：出典を示す（対象：「限られた／人員」）\n"
        "- [ ] （位置不明） 課長（2026-12-03）：全体に（対象：「」）\n")


@pytest.mark.parametrize("length, shown", [(40, "あ" * 40), (41, "あ" * 38 + "…")])
def test_a_long_text_is_cut_at_forty_characters(tmp_path, length, shown):
    review = Review({}, {}, [Change("insertion", "a", "", "あ" * length, "")])
    (finding,) = review_findings(review, tmp_path, tmp_path / "a.docx")
    assert finding.message == f"挿入「{shown}」（a、日付なし）"


def _plan(root, blocks):
    return plan_edits(Review({b.mark: b for b in blocks}, {}), root)


def _applied(root, blocks):
    plan = _plan(root, blocks)
    return {p.name: after for p, (_, after) in apply_edits(plan.edits, plan.texts).items()}, \
        _said(plan.manual)


def test_a_heading_on_the_first_line_and_a_line_after_jinja_are_written(tmp_path):
    text = "# 最初の見出し\n{{ report.title }}の段落である。\n\n最後の段落である。"  # no final \n
    root = write_report(tmp_path / "r", {"01.md": text})
    changed, manual = _applied(root, [
        _block("_src1", 1, "最初の見出し", "最新の見出し", text_line="# 最初の見出し"),
        _block("_src2", 4, "最後の段落である。", "最後の段落だった。", text_line="最後の段落である。")])
    assert manual == []
    assert changed == {"01.md": text.replace("最初", "最新")
                       .replace("最後の段落である。", "最後の段落だった。")}


def test_the_manual_finding_gives_the_reviewers_text(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n{{ report.title }}の段落。\n"})
    changed, manual = _applied(root, [_block("_src1", 3, "試験報告の段落。", "試験報告の章。",
                                             text_line="{{ report.title }}の段落。")])
    assert changed == {} and manual == [
        ("review-manual", "01.md", 3, "手で反映する（Jinja の式、引用、相互参照、図表、データの値に"
         "触れる変更、または.docx の作成後に原稿が変わった箇所）：査読後の文「試験報告の章。」")]


@pytest.mark.parametrize("file", ["", "/etc/passwd", "../r/01.md", "data", "references.yaml",
                                  "report.yaml"])
def test_a_map_naming_anything_but_a_section_is_edited_by_hand(tmp_path, file):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文。\n"})
    (root / "data").mkdir()
    changed, manual = _applied(root, [_block("_src1", 3, "本文。", "本文だ。", file=file,
                                             text_line="本文。")])
    assert changed == {} and [m[0] for m in manual] == ["review-manual"]


def test_a_line_past_the_end_or_a_changed_line_is_edited_by_hand(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文。\n"})
    for line, text_line in ((99, ""), (3, "前の本文。")):
        changed, manual = _applied(root, [_block("_src1", line, "本文。", "本文だ。",
                                                 text_line=text_line)])
        assert changed == {} and len(manual) == 1


@pytest.mark.parametrize("text, line, generated, after, text_line", [
    ("# 一\n\n{% for n in [1, 2] %}\n繰り返す段落。\n\n{% endfor %}\n", 4,  # a loop's line
     "繰り返す段落。", "繰り返した段落。", "繰り返す段落。"),
    ("# 一\n\n前の文[@alpha]と後の文。\n", 3,  # a citation's number
     "前の文1)と後の文。", "前の文3)と後の文。", "前の文[@alpha]と後の文。"),
    ("# 一\n\n{{ report.title }}の段落。\n", 3,  # an insertion at a Jinja line's start
     "試験報告の段落。", "新しい試験報告の段落。", "{{ report.title }}の段落。"),
])
def test_a_change_jinja_or_a_citation_stands_in_is_edited_by_hand(tmp_path, text, line, generated,
                                                                  after, text_line):
    root = write_report(tmp_path / "r", {"01.md": text})
    changed, manual = _applied(root, [_block("_src1", line, generated, after,
                                             text_line=text_line)])
    assert changed == {} and len(manual) == 1


def test_identical_cells_on_one_line_are_told_apart_by_their_order(tmp_path):
    text = "# 一\n\n| 乙 | 12 | 12 |\n|---|---|---|\n| a | b | c |\n"
    line = "| 乙 | 12 | 12 |"
    root = write_report(tmp_path / "r", {"01.md": text})
    changed, _ = _applied(root, [_block("_src1", 3, "乙", "丁", text_line=line),
                                 _block("_src2", 3, "12", text_line=line),
                                 _block("_src3", 3, "12", "15", text_line=line)])
    assert changed == {"01.md": text.replace(line, "| 丁 | 12 | 15 |")}


def test_cells_no_longer_printing_the_same_are_edited_by_hand(tmp_path):
    text = "# 一\n\n| {{ v.a }} | {{ v.b }} |\n|---|---|\n| x | y |\n"
    root = write_report(tmp_path / "r", {"01.md": text}, data={"v.yaml": "a: 1\nb: 2\n"})
    line = "| {{ v.a }} | {{ v.b }} |"
    _, manual = _applied(root, [_block("_src1", 3, "1", text_line=line),
                                _block("_src2", 3, "1", "5", text_line=line)])
    assert len(manual) == 1  # the data changed since: the second cell prints 2


def test_changes_beside_citations_and_at_both_ends_are_written(tmp_path):
    text = "# 一\n\n前の文[@alpha]と中の文[@beta]と後の文。\n"
    root = write_report(tmp_path / "r", {"01.md": text})
    generated = "前の文1)と中の文2)と後の文。"
    line = "前の文[@alpha]と中の文[@beta]と後の文。"
    changed, manual = _applied(root, [_block("_src1", 3, generated,
                                             "まず前の文1)と中の文2)、後の文だ。",
                                             text_line=line)])
    assert manual == [] and changed == {"01.md": text.replace(
        line, "まず前の文[@alpha]と中の文[@beta]、後の文だ。")}
    changed, manual = _applied(root, [_block("_src1", 3, generated, "前の文1)と中の文2)と後の文。追記",
                                             text_line=line)])
    assert changed == {"01.md": text.replace("後の文。", "後の文。追記")}
    changed, manual = _applied(root, [_block("_src1", 3, generated, "前の文1)挿入と中の文2)と後の文。",
                                             text_line=line)])
    assert changed == {"01.md": text.replace("[@alpha]と", "[@alpha]挿入と")}


def test_a_broken_section_stops_the_plan_with_its_diagnostic(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n{{ nothing }}\n"})
    with pytest.raises(PipelineError) as raised:
        _plan(root, [])
    assert "nothing" in str(raised.value)
    wide = write_report(tmp_path / "w", {"01.md": "# 一\n\n{{ v[0]['a'] }}\n"},
                        data={"v.csv": "a,b\n1,2\n"})
    with pytest.raises(PipelineError):
        plan_edits(Review({}, {}), wide, Limits(max_data_columns=1))


# ---- check/edits.py ---------------------------------------------------------------------

def test_changes_on_one_line_are_made_from_its_end():
    before = "一行目の甲と乙。\n二行目の丙。"
    after = edited_text(before, [(1, 6, "乙", "おつ"), (1, 4, "甲", "こう"), (2, 4, "丙", "へい"),
                                 (2, 0, "違う", "x")])
    assert after == "一行目のこうとおつ。\n二行目のへい。"


@pytest.mark.parametrize("original, expected", [
    (b"a\r\nb\r\n", b"x\r\ny\r\n"), (b"\xef\xbb\xbfa\nb\n", b"\xef\xbb\xbfx\ny\n"),
    (b"a\r\nb\n", b"x\ny\n"), (b"a\nb\n", b"x\ny\n")])
def test_a_source_is_written_as_its_file_was(original, expected):
    assert encoded_like(original, "x\ny\n") == expected


def test_the_diff_the_author_reads():
    assert unified_diff(Path("c/01.md"), "一\n二\n", "一\n三\n") == (
        "--- a/01.md\n+++ b/01.md\n@@ -1,2 +1,2 @@\n 一\n-二\n+三\n")


def test_uncommitted_sources_are_named(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "add", "a.md"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.email=t@example.jp", "-c",
                    "user.name=t", "commit", "-q", "-m", "a"], check=True)
    assert uncommitted([tmp_path / "a.md", tmp_path / "b.md"]) == [str(tmp_path / "b.md")]
    (tmp_path / "a.md").write_text("y\n", encoding="utf-8")
    assert uncommitted([tmp_path / "a.md"]) == [str(tmp_path / "a.md")]


def test_an_item_after_a_line_jinja_makes_is_written(tmp_path):
    text = "# 一\n\n- {{ report.title }}の項目\n- 二つ目の項目\n"
    root = write_report(tmp_path / "r", {"01.md": text})
    changed, manual = _applied(root, [_block("_src1", 4, "二つ目の項目", "二番目の項目",
                                             text_line="- 二つ目の項目")])
    assert manual == [] and changed == {"01.md": text.replace("二つ目", "二番目")}


@pytest.mark.parametrize("after, written", [
    ("一行目の文行目の文。", None),  # across the line Jinja makes: by hand
    ("一行目の文だ、二行目の文、三行目の文。", "一行目の文だ、"),  # its own line only
    ("一行目の文。二行目の文、三行目の文。", "一行目の文。"),  # its last character, before Jinja's
])
def test_a_change_is_written_only_where_every_character_is_literal(tmp_path, after, written):
    text = "# 一\n\n一行目の文、\n{{ '二行目' }}の文、\n三行目の文。\n"
    root = write_report(tmp_path / "r", {"01.md": text})
    changed, manual = _applied(root, [_block("_src1", 3, "一行目の文、二行目の文、三行目の文。", after,
                                             text_line="一行目の文、")])
    if written is None:
        assert changed == {} and len(manual) == 1
    else:
        assert manual == [] and changed == {"01.md": text.replace("一行目の文、", written)}


def test_a_block_holding_the_reviewers_text_already_is_left_quietly(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文だ。\n"})
    plan = _plan(root, [_block("_src1", 3, "本文である。", "本文だ。", text_line="本文だ。")])
    assert plan.edits == [] and plan.manual == []


def test_the_limits_hold_when_review_and_lint_read_the_report(tmp_path):
    from pipeline.check.lint import lint_report
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n{{ v[0]['a'] }}\n"},
                        data={"v.csv": "a,b\n1,2\n"})
    with pytest.raises(PipelineError):
        plan_edits(Review({}, {}), root, Limits(max_expanded_mib=0.000001))
    for read in (lambda: plan_edits(Review({}, {}), root, Limits(max_data_columns=1)),
                 lambda: lint_report(root, Limits(max_data_columns=1))):
        with pytest.raises(PipelineError) as raised:
            read()
        assert "--max-data-columns" in str(raised.value)
