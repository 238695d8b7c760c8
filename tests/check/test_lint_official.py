"""lint on official prose: the 訓令's own list of nouns, transcribed and kept, and the
official texts themselves (tests/check/official/), which give no false finding."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT

from pipeline.check.lint import lint_text
from pipeline.check.lint.kunrei_nouns import NOUNS, fuller_forms

OFFICIAL = ROOT / "tests" / "check" / "official"


def _kunrei_list() -> list[str]:
    """Returns the words of 訓令 2(1)'s list, read from the 訓令 as published: the
    lines between 次のとおりとする。 and (2)."""
    text = (OFFICIAL / "kunrei_2010.txt").read_text(encoding="utf-8")
    block = text.split("りとする。", 1)[1].split("(2)", 1)[0]
    return block.split()


def test_the_list_is_the_kunreis_own_word_for_word():
    assert list(NOUNS) == _kunrei_list()
    assert len(NOUNS) == 186 and NOUNS["手続"] == "手続き" and NOUNS["取扱い"] == "取り扱い"


@pytest.mark.parametrize("listed", list(NOUNS))
def test_a_listed_noun_passes_and_each_fuller_form_gives_it_back(listed):
    """取扱い and 申込み are the list's forms: never flagged, never "fixed"; what is
    flagged is the 本則 form, 取り扱い, and the right form offered is the list's."""
    sentence = f"{listed}を確認する。"
    assert [d for d in lint_text(sentence) if d.code == "okuri-186"] == []
    for form in fuller_forms(listed):
        found = [d for d in lint_text(f"{form}を確認する。") if d.code == "okuri-186"]
        assert len(found) == 1 and f"「{form}」→" in found[0].message \
            and f"：「{listed}」" in found[0].message, (form, found)


def test_every_form_between_the_list_and_honsoku_is_made_once():
    assert fuller_forms("打合せ") == ["打ち合せ", "打合わせ", "打ち合わせ"]
    assert fuller_forms("手続") == ["手続き"]
    assert all(len(set(fuller_forms(n))) == len(fuller_forms(n)) for n in NOUNS)


def test_verbs_and_honorifics_keep_the_honsoku_form():
    for sentence in ("窓口で申し込み、書類を受け取る。", "資料を取り扱う。", "お申し込みください。",
                     "担当者に問い合わせる。", "打ち合わせた。"):
        assert [d.code for d in lint_text(sentence) if d.code == "okuri-186"] == [], sentence


def test_the_official_texts_give_their_right_findings_and_no_false_one():
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    from lint_accuracy import official, official_failures
    texts = official()
    assert official_failures(texts) == []
    assert {name: len(t["false"]) for name, t in texts.items()} == dict.fromkeys(texts, 0)
    # The 解説's own deliberate wrong examples are found, rule by rule.
    right = texts["kangaekata_kaisetsu.txt"]["right"]
    assert {entry.split()[0] for entry in right} >= {
        "adverb-kana", "hojo-doushi-kana", "hyougai", "kasho-kagetsu", "redundant"}


def test_full_width_digits_throughout_and_acronyms_pass_a_mixed_date_does_not():
    text = "第１章 概要\n\n令和２年１２月に２０件を公表した。ＱＲコードとＱ＆Ａを掲げる。\n"
    assert [d.code for d in lint_text(text) if d.code == "zenkaku-hankaku"] == []
    mixed = [d for d in lint_text("2021年１月12日に開始した。") if d.code == "zenkaku-hankaku"]
    assert len(mixed) == 1 and "「2021年1月12」" in mixed[0].message
    # In a document of half-width numbers, a full-width one of two digits or more strays.
    stray = lint_text("2022年度に20件、2023年度に３０件を処理した。")
    assert [re.search(r"「(.*?)」→", d.message).group(1) for d in stray
            if d.code == "zenkaku-hankaku"] == ["３０"]


def test_kanji_numerals_take_ka_of_kanji_and_arabic_ones_the_kana():
    codes = {s: [d.message for d in lint_text(s) if d.code == "kasho-kagetsu"]
             for s in ("三箇所に置く。", "七箇月かかる。", "数箇所に置く。", "3か所に置く。",
                       "三ヶ所に置く。", "3箇所に置く。")}
    assert codes["三箇所に置く。"] == codes["七箇月かかる。"] == codes["数箇所に置く。"] == []
    assert codes["3か所に置く。"] == []
    assert "：「箇」" in codes["三ヶ所に置く。"][0] and "：「か」" in codes["3箇所に置く。"][0]
