"""The rules of official Japanese, as patterns: what is wrong, the right form,
and where the rule is written.

Sources (quoted in every message): 公用文作成の考え方 (文化審議会建議, 2022;
考え方), 公用文における漢字使用等について (平成22年内閣訓令第1号; 訓令),
送り仮名の付け方 (昭和48年内閣告示第2号; 送り仮名), 常用漢字表 (2010).
Each rule matches the written form itself and its surroundings, so that
text already right is left alone: 「とき」 in kana is never a finding, and
法律に従って is a verb, not the conjunction したがって.

A rule is a list of Patterns: a regular expression whose match is the
offending text, the right form (a replacement, or a function of the match),
and whether --fix may apply it unattended.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .kunrei_nouns import NOUNS, fuller_forms

KANJI = "\u4e00-\u9fff\u3005"
KANA = "\u3041-\u309f\u30a0-\u30ff"
JP = KANJI + KANA
# Characters a word may continue with: after a match they mean it is a longer word.
_AFTER_KANJI = f"(?![{KANJI}])"


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    right: object  # str (with \\1 groups) or a function of the match; "" for a hint only
    safe: bool = False  # --fix may apply it


@dataclass(frozen=True)
class KobunRule:
    id: str
    message: str  # {right} is filled in; the wrong form is put before it
    patterns: tuple[Pattern, ...]
    relaxed: bool = False  # † : relaxed for 解説・広報等
    kinds: tuple[str, ...] = ()  # the document kinds it applies to (empty: all)
    document: object = None  # a function over the whole report's text, for rules of consistency
    morph: object = None  # a function over a paragraph's morphemes (SudachiPy)


def _words(pairs: dict[str, str], before: str = "", after: str = "", safe: bool = True
           ) -> tuple[Pattern, ...]:
    return tuple(Pattern(re.compile(before + re.escape(wrong) + after), right, safe)
                 for wrong, right in pairs.items())


def _pattern(regex: str, right, safe: bool = False) -> Pattern:
    return Pattern(re.compile(regex, re.M), right, safe)


def _half_width(found: re.Match) -> str:
    return unicodedata.normalize("NFKC", found.group())


KUNREI = "公用文における漢字使用等について"
KANGAEKATA = "公用文作成の考え方"

RULES: dict[str, KobunRule] = {}


def _rule(rule_id: str, message: str, patterns, **options) -> None:
    RULES[rule_id] = KobunRule(rule_id, message, tuple(patterns), **options)


# ---- 漢字と仮名 (訓令 1) -------------------------------------------------------

_rule("conj-kanji-four", f"接続詞「{{right}}」は漢字で書く（{KUNREI} 1(2)オ）",
      _words({"または": "又は", "もしくは": "若しくは", "ならびに": "並びに"})
      + (_pattern(r"および(?![まそ])", "及び", True),), relaxed=True)
_rule("conj-kana", f"接続詞は仮名で書く：「{{right}}」（{KUNREI} 1(2)オ）",
      (_pattern(r"(?:^|(?<=[。\n]))従って(?=[、，])", "したがって", True),
       _pattern(r"但し(?!書)", "ただし", True),
       _pattern(r"(?:^|(?<=[。\n]))尚(?=[、，])", "なお", True),
       _pattern(r"(?:^|(?<=[。\n]))又(?=[、，])", "また", True),
       _pattern(r"即ち", "すなわち", True), _pattern(r"且つ", "かつ", True),
       _pattern(r"(?:^|(?<=[。\n]))故に", "ゆえに", True),
       _pattern(r"(?:^|(?<=[。\n]))然し", "しかし", True)))
_rule("sarani-conj-adv", f"接続詞の「さらに」は仮名で書く（{KANGAEKATA} 解説 p.11）",
      (_pattern(r"(?:^|(?<=[。\n]))更に(?=[、，])", "さらに", True),))
_rule("adverb-kanji", f"副詞・連体詞は漢字で書く：「{{right}}」（{KUNREI} 1(2)イ）",
      _words({"すでに": "既に", "ただちに": "直ちに", "ふたたび": "再び", "もっぱら": "専ら",
              "はなはだ": "甚だ", "かならず": "必ず", "おおいに": "大いに", "わが国": "我が国",
              "まったく": "全く"}), relaxed=True)
_rule("adverb-kana", f"この副詞は仮名で書く：「{{right}}」（{KUNREI} 1(2)イ ただし書）",
      _words({"余程": "よほど", "概ね": "おおむね", "殆ど": "ほとんど", "矢張り": "やはり",
              "中々": "なかなか", "暫く": "しばらく", "色々": "いろいろ", "所謂": "いわゆる",
              "敢えて": "あえて", "兎に角": "とにかく", "頗る": "すこぶる", "勿論": "もちろん",
              "一旦": "いったん", "寧ろ": "むしろ", "屡々": "しばしば", "予め": "あらかじめ"}))
_rule("pronoun-kanji", f"代名詞は漢字で書く：「{{right}}」（{KUNREI} 1(2)ア）",
      _words({"わたし": "私", "われわれ": "我々"}, before="(?<![ぁ-ん手])")
      + (_pattern(r"(?<![ぁ-ん])だれ(?=[がもにをのか])", "誰", True),))
_rule("hojo-doushi-kana", f"補助動詞は仮名で書く：「{{right}}」（{KUNREI} 1(2)キ）",
      (_pattern(r"(?<=て)頂(?=[くきけい])|(?<=んで)頂(?=[くきけい])", "いただ", True),
       _pattern(r"(?<=て)下さ(?=[いるっ])|(?<=んで)下さ(?=[いるっ])", "くださ", True),
       _pattern(r"(?<=て)見(?=[るたてよま])|(?<=んで)見(?=[るたてよま])", "み", True),
       _pattern(r"(?<=て)置(?=[くきいけ])|(?<=んで)置(?=[くきいけ])", "お", True),
       _pattern(r"(?<=て)行(?=[くきっけ])|(?<=んで)行(?=[くきっけ])", "い", True),
       _pattern(r"(?<=て)欲し(?=[いく])", "ほし", True),
       _pattern(r"(?<=て)居(?=[るたま])", "い", True)))
_rule("keishiki-meishi", f"形式名詞は仮名で書く（「こと」「とき」「ところ」）。具体的な時・所を指すなら"
      f"漢字のままでよい。確認されたい（{KUNREI} 1(2)キ）",
      (_pattern(r"(?<=[るたいなの])事(?=[がはをもに、。]|で(?!業))", "こと"),
       _pattern(r"(?<=[るたな])時(?=[はに、])", "とき"),
       _pattern(r"(?<=[るた])所(?=[でにはが、])", "ところ")))
_rule("joshi-jodoushi-kana", f"助詞・助動詞は仮名で書く：「{{right}}」（{KUNREI} 1(2)カ）",
      (_pattern(r"(?<=[歳人円日年分件回])位(?![置])", "くらい", True),
       _pattern(r"の様(?=[にだなで])", "のよう", True),
       _pattern(r"(?<=[それこあど])れ程", "れほど", True),
       _pattern(r"迄", "まで", True)))
_rule("nado-tou", f"「等」は「とう」と読む場合に使い、多用しない。例示には「など」を使う。確認されたい"
      f"（{KANGAEKATA} Ⅱ-5イ(ウ)）",
      (_pattern(rf"(?<=[{JP}])(?<![平均上下中高初同劣対彼])等(?![しく級価分質号])", ""),))
_rule("kana-verbs-law", f"この語は仮名で書く：「{{right}}」（{KUNREI} 1(2)キ）",
      (_pattern(r"出来(?=る|ない|ます|た|れば|ず|なく)", "でき", True),
       _pattern(r"虞", "おそれ", True), _pattern(r"(?<=に)因(?=[るりっ])", "よ", True),
       _pattern(r"(?<=[がはもて])無(?=[いくかけ])", "な", True),
       _pattern(r"(?<=[のた])為(?=[にの、。]|$)", "ため", True),
       # 「歩が金に成る」「本表と付表から成る」「財産が有る」 are right (考え方 Ⅰ-1(3)):
       # only と成る and the auxiliary て有る are always kana.
       _pattern(r"(?<=と)成(?=[るりっ])", "な", True),
       _pattern(r"(?<=て)有(?=[るりっ])", "あ", True)))
_rule("prefix-go", f"「御（ご）」は漢字、「お」は仮名で書く：「{{right}}」（{KUNREI} 1(2)ウ）",
      _words({"御願い": "お願い", "御知らせ": "お知らせ"})
      + (_pattern(rf"(?<![{KANA}])ご(?=(?:理解|協力|意見|案内|提出|確認|連絡|参加|利用|相談|"
                  rf"報告|検討|指導|質問|回答|説明|注意|承知|存じ))", "御", True),),
      relaxed=True)
_rule("suffix-kana", f"接尾語は仮名で書く：「{{right}}」（{KUNREI} 1(2)エ）",
      (_pattern(r"(?<=私|僕|彼|我|者|供|員|民|人)達(?![成しすせ])", "たち", True),
       _pattern(r"(?<=私|我)共(?![にに同通])", "ども", True)))
_rule("kodomo", "「子供」と書く（常用漢字表「供」。固有名詞は除く）",
      _words({"子ども": "子供"}))
_rule("hyougai", f"常用漢字表にない字・読みは仮名で書く：「{{right}}」（{KUNREI} 1(1)）",
      _words({"流石": "さすが", "嘗て": "かつて", "凡そ": "およそ", "何故": "なぜ",
              "貴方": "あなた", "沢山": "たくさん", "尤も": "もっとも", "此の": "この",
              "其の": "その", "只今": "ただいま", "如何に": "いかに"})
      + (_pattern("如何", "いかが（いかん）"),))  # two readings: no fix unattended

# ---- 送り仮名 (訓令 2, 送り仮名の付け方) ------------------------------------------

_NOUN_END = r"(?=[をがのはもで。）」]|に(?![来行])|$)"
_rule("okuri-186", f"この名詞は{KUNREI} 2(1)の表のとおり送り仮名を省いて書く："
      f"「{{right}}」（送り仮名の付け方 通則6 許容）",
      tuple(Pattern(re.compile(r"(?<![おご])" + re.escape(form) + _NOUN_END), listed, True)
            for listed in sorted(NOUNS, key=len, reverse=True)
            for form in fuller_forms(listed)), relaxed=True)
_rule("okuri-tsusoku7", "慣用が固定した名詞は送り仮名を付けない：「{right}」"
      "（送り仮名の付け方 通則7）",
      _words({"取り組み": "取組", "仕組み": "仕組", "受付け": "受付", "受取り": "受取",
              "割引き": "割引"}, after=r"(?=[をがのは。）」]|$)"),
      relaxed=True)
_rule("okuri-honsoku", f"送り仮名は本則に従う：「{{right}}」（送り仮名の付け方 通則1; {KUNREI} 2(1)）",
      (_pattern(r"行な(?=[うわいっえお])", "行", True), _pattern(r"表わ(?=[すしさせそ])", "表", True),
       _pattern(r"現わ(?=[すしさせそれ])", "現", True), _pattern(r"断わ(?=[るりらっれ])", "断", True),
       _pattern(r"著わ(?=[すしさせそ])", "著", True)))

# ---- 表記 (考え方 Ⅰ) ------------------------------------------------------------

_CHOON = {"コンピュータ": "コンピューター", "サーバ": "サーバー", "ユーザ": "ユーザー",
          "プリンタ": "プリンター", "メモリ": "メモリー", "カテゴリ": "カテゴリー",
          "セキュリティ": "セキュリティー", "コミュニティ": "コミュニティー",
          "ブラウザ": "ブラウザー", "フォルダ": "フォルダー", "パラメータ": "パラメーター",
          "マネージャ": "マネージャー", "エレベータ": "エレベーター", "ルータ": "ルーター",
          "スキャナ": "スキャナー", "センサ": "センサー", "プロバイダ": "プロバイダー"}
_rule("choon-vu", f"語末の長音は「ー」を書く。「ヴ」は使わない：「{{right}}」（{KANGAEKATA} 解説 p.14）",
      _words(_CHOON, before=r"(?<![ァ-ヶー])", after=r"(?![ァ-ヶー])")
      + _words({"ヴァ": "バ", "ヴィ": "ビ", "ヴェ": "ベ", "ヴォ": "ボ"})
      + (_pattern("ヴ(?![ァィェォ])", "ブ", True),))
_rule("touten", f"読点は文書内で「、」か「，」の一方に統一する：「{{right}}」（{KANGAEKATA} Ⅰ-5(1)ア）",
      (_pattern(rf"(?<=[{JP}]),(?=[{JP}「（])", "、", True),),
      document=lambda texts: _touten_minority("".join(texts)))


def _touten_minority(text: str) -> Pattern | None:
    """Returns the pattern of the comma fewer of the document's sentences use, when
    it uses both: Ⅰ-5(1)ア allows 「，」 in horizontal writing, one kind per document."""
    ten, comma = text.count("、"), text.count("，")
    if not (ten and comma):
        return None
    return _pattern("，", "、", True) if comma <= ten else _pattern("、", "，", True)



_rule("kuten-period", f"句点は「。」を使う（{KANGAEKATA} 解説 p.17）",
      (_pattern(rf"(?<=[{JP}）」])[．.](?=\s|$|[{JP}「（])", "。", True),))
_rule("bang-question", f"「？」「！」は解説・広報等に限って使う（{KANGAEKATA} Ⅰ-5(2)ア）",
      (_pattern(rf"(?<=[{JP}])[？！?!]", ""),), kinds=("告示・通知等", "記録・公開資料等"))
_rule("brackets", f"『』は解説・広報等に限り、括弧の中の括弧も「」（）とする（{KANGAEKATA} Ⅰ-5(1)ウ）",
      (_pattern(r"『([^』\n]+)』", r"「\1」"),), kinds=("告示・通知等", "記録・公開資料等"))
_rule("kakko-kuten", f"文として終わる括弧の中には「。」を打つ：「{{right}}」（{KANGAEKATA} Ⅰ-5(1)エ）",
      (_pattern(r"(（以下「[^」]+」という)）", r"\1。）", True),))
# A year or month in kanji numerals, as 元号 dates are written: 一 to 九十九.
_DIGITS = "一二三四五六七八九"
_KANSUJI = f"(?:[{_DIGITS[1:]}]?十[{_DIGITS}]?|[{_DIGITS}])"
_rule("repeat-mark", f"繰り返し符号は「々」だけを使う（{KANGAEKATA} Ⅰ-6イ）",
      (_pattern(r"[〃ゝゞヽヾ]", ""),))
_rule("arabic-num", f"横書きの数字は算用数字を使う：「{{right}}」（{KANGAEKATA} Ⅰ-4ア）",
      (_pattern(rf"(?<=令和|平成|昭和)({_KANSUJI})(?=年)",
                lambda m: str(_kansuji_value(m.group(1))), True),
       _pattern(rf"(?<=年)({_KANSUJI})(?=月)",
                lambda m: str(_kansuji_value(m.group(1))), True)))
_rule("num-comma", f"4桁以上の数は3桁ごとに「,」で区切る：「{{right}}」（{KANGAEKATA} 解説 p.15）",
      # 1億2644万3000人: beside the unit kanji the comma may go (考え方 Ⅰ-4ウ).
      (_pattern(r"(?<![\d,.\-/:#A-Za-z万億兆])(\d{4,})(?=(?:円|人|件|社|団体|世帯|名|台|個|"
                r"回|か所|戸|km|kg|トン|時間|日間))",
                lambda m: f"{int(m.group(1)):,}", True),))
_rule("num-unit", f"数の単位に「千」「百」は使わない（「兆」「億」「万」は使う）：「{{right}}」"
      f"（{KANGAEKATA} Ⅰ-4ウ）",
      (_pattern(r"(?<![\d,])(\d+)千(?=[人円件万億兆台個回名社])",
                lambda m: f"{int(m.group(1)) * 1000:,}", True),
       _pattern(r"(?<![\d,])(\d+)百(?=[人円件万億兆台個回名社])",
                lambda m: f"{int(m.group(1)) * 100:,}", True)))
# Ⅰ-4エ and Ⅰ-6エ leave the width to the document (特に定めはない): full-width
# digits throughout, or full-width for one digit and half-width for more, as
# typesetters do, are both right. What is wrong is a mix inside one date or
# number, a number written in both widths within one document, a data value
# in full width, and a word (not an acronym such as ＱＲ or Ｑ＆Ａ) of
# full-width letters.
_DIGIT = "[0-9０-９]"
_JOINER = "[年月日時分秒.．:：/／,，]"
_rule("zenkaku-hankaku", "全角・半角は文書内で使い分けを統一し、年月日などの一まとまりの中で混ぜない。"
      f"データや金額、欧文は半角：「{{right}}」（{KANGAEKATA} Ⅰ-4エ、Ⅰ-6エ）",
      (_pattern(rf"(?<!{_DIGIT})(?:{_DIGIT}{_JOINER}?)*?(?:[0-9]{_JOINER}?[０-９]|"
                rf"[０-９]{_JOINER}?[0-9]){_DIGIT}*(?:{_JOINER}{_DIGIT}+)*", _half_width, True),
       _pattern(r"(?<![０-９])[０-９]{1,3}(?:[，,][０-９]{3})+(?![０-９])|"
                r"(?<![０-９])[０-９]{2,}(?=[万億兆]?(?:円|％|%))", _half_width, True),
       _pattern(r"[Ａ-Ｚａ-ｚ]*[ａ-ｚ]{2,}[Ａ-Ｚａ-ｚ]*|[A-Za-z]+[Ａ-Ｚａ-ｚ]+[A-Za-zＡ-Ｚａ-ｚ]*|"
                r"[Ａ-Ｚａ-ｚ]+[A-Za-z]+", _half_width, True)),
      document=lambda texts: _minority_width(texts))
_rule("kasho-kagetsu", f"算用数字には「か月」「か所」、漢数字には「箇月」「箇所」：「{{right}}」"
      f"（{KANGAEKATA} Ⅰ-4ケ）",
      (_pattern(r"(?<=[0-9０-９])[ヶケヵカ箇](?=[月所国年条])", "か", True),
       _pattern(r"(?<=[一二三四五六七八九十百千数])[ヶケヵカか](?=[月所国年条])|"
                r"(?<=何)[ヶケヵカ](?=[月所国年条])", "箇", True)))
_rule("kansuji", f"「一つ」など和語の数や概数は漢数字で書く：「{{right}}」（{KANGAEKATA} Ⅰ-4オ・カ）",
      (_pattern(r"(?<![\d０-９,.])([1-9])つ(?![ぁ-ん]{0,1}[しさす])",
                lambda m: "一二三四五六七八九"[int(m.group(1)) - 1] + "つ", True),
       _pattern(r"(?<![\d,.])([1-9])、([1-9])(?=[日人回年か件])",
                lambda m: "一二三四五六七八九"[int(m.group(1)) - 1] + "、"
                + "一二三四五六七八九"[int(m.group(2)) - 1], True)))

# ---- 用語と文体 (考え方 Ⅱ・Ⅲ) --------------------------------------------------------

_rule("redundant", f"重複した表現や回りくどい表現は避ける：「{{right}}」（{KANGAEKATA} Ⅱ-5ウ）",
      (_pattern(r"することができる", "できる"),
       _pattern(r"約(\d[\d,.]*[^\d、。]{0,3})(?:くらい|ぐらい|ほど|程度)", r"約\1"),
       _pattern(r"従来から", "従来"), _pattern(r"過半数を超え", "過半数を占め"),
       _pattern(r"まず(?:初め|始め)に", "初めに")))
_rule("yori-kara", f"起点を示すには「から」を使い、「より」は比較に使う：「{{right}}」"
      f"（{KANGAEKATA} Ⅱ-5イ(ア)）",
      (_pattern(r"(?<=本日|明日|今後|\d時|\d日|\d月|\d年)より(?=[、開実受施始]|\d)", "から", True),))
_rule("bungo-gozaimasu", f"文語の名残や「ございます」は使わない：「{{right}}」（{KANGAEKATA} Ⅲ-1エ、Ⅱ-6ウ）",
      (_pattern(r"のごとく", "のように"), _pattern(r"のごとき", "のような"),
       _pattern(r"でございます", "です"), _pattern(r"ございます", "あります"),
       _pattern(r"べからず", "してはならない"), _pattern(r"せしめ(?=[るた])", "させ")))
_rule("dearu-beki", f"である体では文末を「である」とし、「するべき」でなく「すべき」と書く：「{{right}}」"
      f"（{KANGAEKATA} Ⅲ-1ウ・オ）",
      (_pattern(r"するべき", "すべき", True),
       _pattern(r"(?<=[" + KANJI + r"な])だ(?=。)", "である"),
       _pattern(r"すべき(?=。)", "すべきである")), kinds=("告示・通知等", "記録・公開資料等"))
_rule("double-negative", f"二重否定は避ける（{KANGAEKATA} Ⅲ-3コ）",
      (_pattern(r"ない(?:わけ|訳)ではない|なくはない|ないことはない|なくもない|ないとは(?:言|い)えない",
                ""),))
_rule("ranuki", "「ら抜き言葉」は使わない：「{right}」（国語審議会 第20期報告、1995）", (),
      morph=lambda tokens, conjugation: ranuki(tokens, conjugation))
_rule("same-joshi", f"同じ助詞を続けない（「の」の連続）。確認されたい（{KANGAEKATA} Ⅲ-3キ）",
      (_pattern(r"[^、。\n]{1,6}の[^、。の\n]{1,6}の[^、。の\n]{1,6}の[^、。の\n]{1,6}", ""),))
_rule("sentence-length", f"一文が長い（60字を超える）。読みにくくなっていないか確認されたい"
      f"（{KANGAEKATA} 解説 p.32）",
      (_pattern(r"[^。\n！？]{61,}。", ""),))


def _kansuji_value(text: str) -> int:
    """Returns the value of a number _KANSUJI matches: 五 → 5, 十 → 10, 二十三 → 23."""
    tens, ten, ones = text.rpartition("十")
    value = _DIGITS.index(ones) + 1 if ones else 0
    if ten:
        value += 10 * (_DIGITS.index(tens) + 1 if tens else 1)
    return value


_NUMBER = re.compile(r"(?<![0-9０-９.．,，])(?:[0-9]{2,}|[０-９]{2,})(?![0-9０-９])")


def _minority_width(texts: list[str]) -> Pattern | None:
    """Returns the pattern of full-width numbers of two digits or more when a document
    writes most such numbers in half width: the stray ones. One-digit numbers are
    left out (第１章 beside 2022年 is a use, not a mix), and so is a document mostly
    in full width, whose half-width numbers may be data, which Ⅰ-4エ wants so."""
    numbers = [m.group() for text in texts for m in _NUMBER.finditer(text)]
    full = sum(1 for n in numbers if n[0] in "０１２３４５６７８９")
    if not full or 2 * full > len(numbers):
        return None
    return Pattern(re.compile(r"(?<![0-9０-９.．,，])[０-９]{2,}(?![0-9０-９])"), _half_width, True)


# ---- rules over the whole document ---------------------------------------------

_DESU = re.compile(r"(?:です|ます|ました|ません|でした|でしょう|ください|ましょう)(?=。)")
_DEARU = re.compile(r"(?:である|であった|ではない|だった|した|する|ない|いる|ある|なる|れる|られる|"
                    r"できる|みる|おく|あった|いた|なった|できた)(?=。)")


def buntai_findings(texts: list[str]) -> list[re.Match] | None:
    """Returns the sentence ends of the minority style when a document mixes です・ます
    and である (or None when it is of one style)."""
    desu = [(i, m) for i, t in enumerate(texts) for m in _DESU.finditer(t)
            if not quoted(t, m.start())]
    dearu = sum(len(_DEARU.findall(t)) for t in texts)
    return desu if desu and len(desu) <= dearu else None


def quoted(text: str, at: int) -> bool:
    """Says whether the sentence ending at text[at] is quoted, not the document's own:
    inside 「」 (「簡単に申請できます。」という言い方) or （） (話してください。）), or
    the answer of a rewrite (→ …支援金が支払われます。)."""
    before = text[:at]
    sentence = re.split(r"[。！？]", before)[-1]
    return before.count("「") > before.count("」") or before.count("（") > before.count("）") \
        or "→" in sentence


def mentioned(text: str, start: int, end: int) -> bool:
    """Says whether text[start:end] is talked about rather than used: a form quoted
    alone (「ヴ」, 「ございます」は用いない, 「～のごとく」) or the form a rewrite
    gives (及び→および, where the arrow's right side is the example's answer)."""
    before, after = text[:start].rstrip("～〜…　 "), text[end:].lstrip("…")
    return (before.endswith("「") and after.startswith("」")) or before.endswith("→")


# ---- rules over morphemes (SudachiPy) ----------------------------------------------

def ranuki(tokens, conjugation) -> list[tuple[int, int, str]]:
    """Returns (start, end, right form) of each ら抜き verb: Sudachi reads 見れる as
    a 下一段-ラ行 verb whose normalized form is 見る, an 一段 verb, so 見られる is
    meant. Verbs that are 下一段 in their own right (入れる, 離れる) normalize to
    themselves, and the potential of a 五段 verb (通れる of 通る) is right.
    conjugation(word) returns the conjugation type of a verb's dictionary form."""
    found = []
    for token in tokens:
        pos = token.part_of_speech()
        base, normal = token.dictionary_form(), token.normalized_form()
        if pos[0] == "動詞" and pos[4] == "下一段-ラ行" and base.endswith("れる") \
                and normal != base and normal == base[:-2] + "る" \
                and conjugation(normal).startswith(("上一段", "下一段", "カ行変格")):
            stem = base[:-2]  # 見 of 見れる; the surface is stem + れ + its ending
            right = stem + "られ" + token.surface()[len(stem) + 1:]
            found.append((token.begin(), token.end(), right))
    return found
