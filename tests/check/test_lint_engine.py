"""`lint`'s engine (check/lint/__init__.py, kobun.py): exact messages and right
forms, which fixes are safe, allowed words to the character, the rules over the
whole document, lint.yaml and `--rule`, and findings traced into data files."""

import pytest

from pipeline.check.lint import lint_report, lint_text
from pipeline.check.lint.config import LintConfig
from pipeline.diagnostics import PipelineError
from pipeline.limits import Limits

from helpers import write_report

SOURCE_4 = "（公用文における漢字使用等について 1(2)オ）"


def _found(text, **options):
    return [(d.code, d.line, d.column, d.message) for d in lint_text(text, **options)]


def _report(tmp_path, body: str, data=None, lint_yaml: str = ""):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + body}, data=data)
    if lint_yaml:
        (root / "lint.yaml").write_text(lint_yaml, encoding="utf-8")
    return root


@pytest.mark.parametrize("text, code, column, message", [
    ("資料または記録", "conj-kanji-four", 3, f"「または」→ 接続詞「又は」は漢字で書く{SOURCE_4}"),
    ("申請することができる。", "redundant", 3, "「することができる」→ 重複した表現や回りくどい"
     "表現は避ける：「できる」（公用文作成の考え方 Ⅱ-5ウ）"),
    ("明日来れる。", "ranuki", 3, "「来れる」→ 「ら抜き言葉」は使わない：「来られる」（国語審議会 "
     "第20期報告、1995）"),
    ("決めれない。", "ranuki", 1, "「決めれ」→ 「ら抜き言葉」は使わない：「決められ」（国語審議会 "
     "第20期報告、1995）"),
    ("調べれます。", "ranuki", 1, "「調べれ」→ 「ら抜き言葉」は使わない：「調べられ」（国語審議会 "
     "第20期報告、1995）"),
    ("実施する事がある。", "keishiki-meishi", 5, "「事」→ 形式名詞は仮名で書く（「こと」「とき」"
     "「ところ」）。具体的な時・所を指すなら漢字のままでよい。確認されたい（公用文における漢字使用等"
     "について 1(2)キ）"),
    ("あ" * 61 + "。", "sentence-length", 1, "一文が長い（60字を超える）。読みにくくなっていない"
     "か確認されたい（公用文作成の考え方 解説 p.32）"),
])
def test_each_finding_says_the_wrong_form_and_the_right_one(text, code, column, message):
    assert _found(text) == [(code, 1, column, message)]


@pytest.mark.parametrize("era, value", [
    ("令和五年", "5"), ("令和九年", "9"), ("令和十年", "10"), ("平成十一年", "11"), ("平成十九年", "19"),
    ("平成二十年", "20"), ("平成二十三年", "23"), ("昭和六十四年", "64"), ("昭和九十九年", "99"),
])
def test_an_era_year_in_kanji_is_given_its_arabic_number(era, value):
    (found,) = _found(f"{era}に実施した。")
    assert found[0] == "arabic-num" and found[3].startswith(f"「{era[2:-1]}」→ ") \
        and f"：「{value}」" in found[3]


def test_a_month_in_kanji_and_what_is_no_number():
    assert [f[3][:12] for f in _found("2020年十二月に")] == ["「十二」→ 横書きの数字"]
    assert _found("令和十十年に実施した。") == [] and _found("令和元年に実施した。") == []


def test_a_long_wrong_form_is_cut_at_twenty_characters():
    twenty, twenty_one = "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔ", "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕ"
    assert _found(twenty)[0][3].startswith(f"「{twenty}」→ ")
    assert _found(twenty_one)[0][3].startswith("「ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒ…」→ ")


def test_the_same_ranuki_verb_twice_is_found_twice_at_its_own_columns():
    assert [(f[0], f[2]) for f in _found("見れる人も見れる。")] == [("ranuki", 1), ("ranuki", 6)]


def test_a_document_mostly_in_desu_masu_is_left_to_the_author():
    assert _found("報告します。確認します。連絡します。記録である。") == []
    mixed = _found("記録である。確認した。報告します。")
    assert mixed == [("buntai-mix", 1, 15, "「ます。」：である体の文書にです・ます体が混じっている"
                                         "（公用文作成の考え方 Ⅲ-1イ）")]


def test_allowed_words_silence_exactly_their_own_characters():
    config = LintConfig(allowed=("庁舎",))
    assert [f[2] for f in _found("Aまたは庁舎", config=config)] == [2]  # allowed starts at its end
    assert [f[2] for f in _found("庁舎またはA", config=config)] == [3]  # allowed ends at its start
    config = LintConfig(allowed=("AまたはB",))
    assert [f[2] for f in _found("AまたはB、CまたはD", config=config)] == [8]  # and only there


def test_safe_fixes_only_and_never_across_a_line_break(tmp_path):
    root = _report(tmp_path, "資料または記録。申請することができる。\n\n資料また\nは記録。\n")
    fixes = [(f.line, f.column, f.wrong, f.right) for f in lint_report(root).fixes]
    assert fixes == [(3, 3, "または", "又は")]  # redundant is not safe; the split word by hand


def test_lint_yaml_turns_document_rules_off_and_reports_office_terms(tmp_path):
    body = "資料，記録、報告である。パソコンの記録である。記録です。\n"
    root = _report(tmp_path, body, lint_yaml="disable: [touten, buntai-mix]\nreplace:\n"
                                             "  パソコン: 端末\n")
    found = [(d.code, d.line, d.column, d.message) for d in lint_report(root).findings]
    assert found == [("office-term", 3, 13, "「パソコン」→ 「端末」と書く（r/lint.yaml）")]
    only = lint_report(root, only=frozenset({"kasho-kagetsu"})).findings
    assert only == []
    (root / "lint.yaml").write_text("disable: [touten, buntai-mix, office-term]\nreplace:\n"
                                    "  パソコン: 端末\n", encoding="utf-8")
    assert lint_report(root).findings == []


def test_an_unused_or_unknown_disable_is_itself_a_finding():
    text = "<!-- lint: disable=kodomo, nosuch -->\n本文である。\n"
    assert _found(text) == [
        ("lint-disable", 1, None, "lint: disable=kodomo は何も抑止していない：削除する"),
        ("lint-disable", 1, None, "lint: disable=nosuch は何も抑止していない（そのような規則はない）"
                                  "：削除する")]
    assert lint_text("x")[0:0] == [] and all(d.path == "text.md" for d in lint_text("資料または"))


def test_a_section_jinja_cannot_expand_is_an_error_not_a_lint_run(tmp_path):
    root = _report(tmp_path, "{{ nothing }}\n")
    with pytest.raises(PipelineError) as raised:
        lint_report(root)
    assert "nothing" in str(raised.value)
    big = _report(tmp_path / "b", "{{ 'あ' * 3000 }}\n")
    with pytest.raises(PipelineError):
        lint_report(big, Limits(max_expanded_mib=0.001))
    assert lint_report(big).findings == []


def test_text_from_a_data_file_is_placed_at_the_data_files_line(tmp_path):
    csv = "区分,説明\n甲,資料の写し\n乙,資料または記録\n".encode("cp932")
    root = _report(tmp_path, "{{ notes['乙']['説明'] }}。", data={"notes.csv": ""})
    (root / "data" / "notes.csv").write_bytes(csv)
    (finding,) = lint_report(root).findings
    assert (finding.path, finding.line, finding.column) == (str(root / "data" / "notes.csv"),
                                                             3, 5)
    assert lint_report(root).fixes == []  # the author corrects the data file


def test_a_word_written_in_the_section_stays_there_though_a_data_file_holds_it(tmp_path):
    root = _report(tmp_path, "前の 段落 には 空白 が ある。\n\n資料または記録、{{ plan.goal }}", data={
        "plan.yaml": "goal: または、または\n"})
    found = [(d.path, d.line, d.column) for d in lint_report(root).findings]
    assert found == [(str(root / "01.md"), 5, 3),
                     (str(root / "data" / "plan.yaml"), 1, 7),
                     (str(root / "data" / "plan.yaml"), 1, 7)]


def test_a_heading_on_the_first_line_made_by_jinja_is_traced_to_its_data(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# {{ plan.title }}\n\n本文である。\n"},
                        data={"plan.yaml": "title: 資料または記録\n"})
    (finding,) = lint_report(root).findings
    assert (finding.path, finding.line, finding.column) == (str(root / "data" / "plan.yaml"),
                                                             1, 10)


def test_fix_keeps_the_files_bom_and_crlf_and_changes_one_line(tmp_path, capsys):
    from pipeline.cli import main
    root = _report(tmp_path, "")
    body = "# 一\n\n資料または記録。\n\n次の段落である。\n"
    (root / "01.md").write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode("utf-8"))
    main(["lint", "--content", str(root), "--out", str(tmp_path / "o"), "--fix"])
    expected = body.replace("または", "又は").replace("\n", "\r\n")
    assert (root / "01.md").read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")
    diff = capsys.readouterr().out
    assert [line for line in diff.split("\n") if line[:1] in ("+", "-") and line[:3] not in
            ("+++", "---")] == ["-資料または記録。", "+資料又は記録。"]


@pytest.mark.parametrize("line, fixed", [
    ('資料または{{ "記録" }}', True),  # a tag right after the word moves nothing before it
    ('{{ "ab" }}または記録', False),  # a tag before it moves it
    ('{{ "abcdefgh" }}資料または記録', False),
])
def test_fix_is_made_only_before_the_first_jinja_tag(tmp_path, line, fixed):
    root = _report(tmp_path, line + "\n")
    assert bool(lint_report(root).fixes) is fixed


def test_fix_never_lands_in_code_when_jinja_before_it_prints_longer(tmp_path):
    line = '{{ "X" * 21 }}資料または記録 `または`'  # the tag prints 7 more than its length
    root = _report(tmp_path, line + "\n")
    result = lint_report(root)
    assert [d.code for d in result.findings] == ["conj-kanji-four"] and result.fixes == []


def test_code_of_every_kind_and_link_targets_are_not_prose():
    text = ("# 一\n\n本文の``ＡＢ `ＣＤ` ＥＦ``と[リンク](#ＧＨ)である。\n\n    ＩＪ\n\n"
            "~~~\nＫＬ\n~~~\n")
    assert _found(text) == []


def test_lint_reads_data_within_the_limits(tmp_path):
    root = _report(tmp_path, "{{ v[0]['a'] }}\n", data={"v.csv": "a,b\n1,2\n"})
    with pytest.raises(PipelineError) as raised:
        lint_report(root, Limits(max_data_columns=1))
    assert "--max-data-columns" in str(raised.value)


# ---- the rules of issue 28, exactly -------------------------------------------------

def _rule(text: str, rule: str) -> list[tuple[int, int, str]]:
    """Returns (line, column, message) of one rule's findings, with --fix's right form."""
    return [(line, column, message) for code, line, column, message in _found(text)
            if code == rule]


def test_touten_flags_the_comma_used_less_with_the_other_as_its_fix():
    assert [m[:24] for _, _, m in _rule("甲，乙、丙、丁。", "touten")] == \
        ["「，」→ 読点は文書内で「、」か「，」の一方に統"]
    assert "：「、」" in _rule("甲，乙、丙、丁。", "touten")[0][2]
    fewer_ten = _rule("甲，乙，丙、丁。", "touten")
    assert [(c, m[:3]) for _, c, m in fewer_ten] == [(6, "「、」")] and "：「，」" in fewer_ten[0][2]
    assert [c for _, c, _ in _rule("甲，乙、丙。", "touten")] == [2]  # a tie: 「，」 goes
    assert _rule("甲、乙、丙。", "touten") == _rule("甲，乙，丙。", "touten") == []
    fixes = lint_report_fixes("甲，乙、丙、丁。\n")
    assert fixes == [("，", "、")]


def lint_report_fixes(body: str) -> list[tuple[str, str]]:
    """The safe fixes lint_text's findings would make: (wrong, right) from the message."""
    import re
    return [(m.group(1), m.group(2)) for _, _, message in _rule(body, "touten")
            if (m := re.match(r"「(.+?)」→ .*：「(.+?)」", message))]


def test_a_stray_full_width_number_in_a_half_width_document_and_its_fix():
    stray = _rule("2022年度に20件、2023年度に30件、2024年度に３０件を処理した。", "zenkaku-hankaku")
    assert [(c, m[:4]) for _, c, m in stray] == [(30, "「３０」")] and "：「30」" in stray[0][2]
    half = "2022年度に20件、2023年度に３０件、2024年度に４０件を処理した。"  # 4 half, 2 full
    assert len(_rule(half, "zenkaku-hankaku")) == 2
    even = "20件と３０件。"  # one of each: the full-width one strays
    assert [m[:4] for _, _, m in _rule(even, "zenkaku-hankaku")] == ["「３０」"]
    more_full = "２０件と３０件と40件。"  # mostly full width: its half-width numbers may be data
    assert _rule(more_full, "zenkaku-hankaku") == []
    one_digit = "第１章では2022年と2023年を扱う。"  # one digit is a use, not a stray
    assert _rule(one_digit, "zenkaku-hankaku") == []


@pytest.mark.parametrize("text, rule", [
    ("「ヴ」を使わない。", "choon-vu"),
    ("「～のごとく」としない。", "bungo-gozaimasu"),
    ("「…のごとく…」としない。", "bungo-gozaimasu"),
    ("例）及び→および", "conj-kanji-four"),
    ("例）及び→ 　および", "conj-kanji-four"),
])
def test_a_form_talked_about_is_no_finding(text, rule):
    assert _rule(text, rule) == []


@pytest.mark.parametrize("text, rule, found", [
    ("「ヴ」を使わないヴァイオリン。", "choon-vu", 1),  # the quoted one alone passes
    ("ヴ」の字。", "choon-vu", 1),  # a closing bracket alone quotes nothing
    ("「ヴ の字。", "choon-vu", 1),
    ("及び→と書く。および", "conj-kanji-four", 1),
])
def test_a_form_used_is_a_finding_even_beside_a_quote_or_an_arrow(text, rule, found):
    assert len(_rule(text, rule)) == found


@pytest.mark.parametrize("text, found", [
    ("記録である。確認した。「簡単に申請できます。」と言う。", 0),  # quoted speech
    ("記録である。確認した。（問題点を話してください。）", 0),  # an example in brackets
    ("記録である。確認した。例）全壊 → 支援金が支払われます。", 0),  # a rewrite's answer
    ("記録である。確認した。申請できます。「引用」の後である。", 1),  # closed: its own
    ("記録である。確認した。（注）の後で申請できます。", 1),
])
def test_a_desu_sentence_quoted_is_not_the_documents_own_style(text, found):
    assert len(_rule(text, "buntai-mix")) == found


def test_kanji_numerals_set_one_to_a_line_are_vertical_writing():
    vertical = "例）\n令\n和\n二\n年\n"
    assert _rule(vertical, "arabic-num") == []
    assert len(_rule("例）令和二年である。\n", "arabic-num")) == 1
    two_lines = "例）令\n和二年\n"  # 二 shares its line with 和 and 年: not vertical
    assert len(_rule(two_lines, "arabic-num")) == 1
    first = "令\n和\n二\n年\n"  # the text starts one character to a line
    assert _rule(first, "arabic-num") == []


def test_both_minority_rules_are_fixed_by_lint_fix(tmp_path):
    """The comma used less, and a stray full-width number, are safe fixes."""
    from pipeline.check.lint import lint_report
    root = _report(tmp_path, "甲，乙、丙、丁。20件と30件と３０件。\n\n戊，己，庚、辛。\n")
    fixes = sorted((f.wrong, f.right) for f in lint_report(root).fixes)
    assert ("，", "、") in fixes and ("３０", "30") in fixes
    root2 = _report(tmp_path / "b", "甲，乙，丙、丁。\n")
    assert [(f.wrong, f.right) for f in lint_report(root2).fixes] == [("、", "，")]


@pytest.mark.parametrize("text, found", [
    ("例）全壊 → 被災。記録である。確認した。申請できます。", 1),  # an earlier sentence's arrow
    ("記録である。確認した。「引用」の後で申請できます。", 1),  # a quote closed before it
])
def test_only_the_sentence_itself_is_quoted_or_a_rewrites_answer(text, found):
    assert len(_rule(text, "buntai-mix")) == found


@pytest.mark.parametrize("text", ["「Xのごとく」としない。", "「のごとくX」としない。"])
def test_a_quote_around_more_than_the_form_is_a_use(text):
    assert len(_rule(text, "bungo-gozaimasu")) == 1


@pytest.mark.parametrize("text, found", [
    ("令和\n二\n年\n", 0),  # its neighbours each on a line of their own
    ("令\n和\n二\n年度\n", 0),  # what follows its neighbour does not matter
])
def test_vertical_writing_is_judged_by_the_characters_beside_the_number(text, found):
    assert len(_rule(text, "arabic-num")) == found
