"""The nouns of 訓令 2(1): the list of 公用文における漢字使用等について (平成22年内閣訓令
第1号) whose words take the 許容 of 送り仮名の付け方 通則6 and drop kana, each as
the list prints it, then its 本則 form (listed:本則, in the list's order).

Transcribed from the 訓令's text, never derived: most words keep their last kana
(取扱い, 申込み, 見積り), a few drop it (手続, 届出, 売場), and no rule of thumb
gives which. A test reads the list again from the 訓令 itself
(tests/check/official/).
"""

from __future__ import annotations

_PAIRS = """
明渡し:明け渡し 預り金:預かり金 言渡し:言い渡し 入替え:入れ替え 植付け:植え付け 魚釣用具:魚釣り用具 受入れ:受け入れ 受皿:受け皿 受持ち:受け持ち 受渡し:受け渡し
渦巻:渦巻き 打合せ:打ち合わせ 打合せ会:打ち合わせ会 打切り:打ち切り 内払:内払い 移替え:移し替え 埋立て:埋め立て 売上げ:売り上げ 売惜しみ:売り惜しみ
売出し:売り出し 売場:売り場 売払い:売り払い 売渡し:売り渡し 売行き:売れ行き 縁組:縁組み 追越し:追い越し 置場:置き場 贈物:贈り物 帯留:帯留め 折詰:折り詰め
買上げ:買い上げ 買入れ:買い入れ 買受け:買い受け 買換え:買い換え 買占め:買い占め 買取り:買い取り 買戻し:買い戻し 買物:買い物 書換え:書き換え 格付:格付け
掛金:掛け金 貸切り:貸し切り 貸金:貸し金 貸越し:貸し越し 貸倒れ:貸し倒れ 貸出し:貸し出し 貸付け:貸し付け 借入れ:借り入れ 借受け:借り受け 借換え:借り換え
刈取り:刈り取り 缶切:缶切り 期限付:期限付き 切上げ:切り上げ 切替え:切り替え 切下げ:切り下げ 切捨て:切り捨て 切土:切り土 切取り:切り取り 切離し:切り離し
靴下留:靴下留め 組合せ:組み合わせ 組入れ:組み入れ 組替え:組み替え 組立て:組み立て くみ取便所:くみ取り便所 繰上げ:繰り上げ 繰入れ:繰り入れ 繰替え:繰り替え
繰越し:繰り越し 繰下げ:繰り下げ 繰延べ:繰り延べ 繰戻し:繰り戻し 差押え:差し押さえ 差止め:差し止め 差引き:差し引き 差戻し:差し戻し 砂糖漬:砂糖漬け
下請:下請け 締切り:締め切り 条件付:条件付き 仕分:仕分け 据置き:据え置き 据付け:据え付け 捨場:捨て場 座込み:座り込み 栓抜:栓抜き 備置き:備え置き
備付け:備え付け 染物:染め物 田植:田植え 立会い:立ち会い 立入り:立ち入り 立替え:立て替え 立札:立て札 月掛:月掛け 付添い:付き添い 月払:月払い 積卸し:積み卸し
積替え:積み替え 積込み:積み込み 積出し:積み出し 積立て:積み立て 積付け:積み付け 釣合い:釣り合い 釣鐘:釣り鐘 釣銭:釣り銭 釣針:釣り針 手続:手続き
問合せ:問い合わせ 届出:届け出 取上げ:取り上げ 取扱い:取り扱い 取卸し:取り卸し 取替え:取り替え 取決め:取り決め 取崩し:取り崩し 取消し:取り消し 取壊し:取り壊し
取下げ:取り下げ 取締り:取り締まり 取調べ:取り調べ 取立て:取り立て 取次ぎ:取り次ぎ 取付け:取り付け 取戻し:取り戻し 投売り:投げ売り 抜取り:抜き取り
飲物:飲み物 乗換え:乗り換え 乗組み:乗り組み 話合い:話し合い 払込み:払い込み 払下げ:払い下げ 払出し:払い出し 払戻し:払い戻し 払渡し:払い渡し 払渡済み:払い渡し済み
貼付け:貼り付け 引上げ:引き上げ 引揚げ:引き揚げ 引受け:引き受け 引起し:引き起こし 引換え:引き換え 引込み:引き込み 引下げ:引き下げ 引締め:引き締め
引継ぎ:引き継ぎ 引取り:引き取り 引渡し:引き渡し 日雇:日雇い 歩留り:歩留まり 船着場:船着き場 不払:不払い 賦払:賦払い 振出し:振り出し 前払:前払い
巻付け:巻き付け 巻取り:巻き取り 見合せ:見合わせ 見積り:見積もり 見習:見習い 未払:未払い 申合せ:申し合わせ 申合せ事項:申し合わせ事項 申入れ:申し入れ
申込み:申し込み 申立て:申し立て 申出:申し出 持家:持ち家 持込み:持ち込み 持分:持ち分 元請:元請け 戻入れ:戻し入れ 催物:催し物 盛土:盛り土 焼付け:焼き付け
雇入れ:雇い入れ 雇主:雇い主 譲受け:譲り受け 譲渡し:譲り渡し 呼出し:呼び出し 読替え:読み替え 割当て:割り当て 割増し:割り増し 割戻し:割り戻し
"""

# listed form → its 本則 form, with every kana the 許容 leaves out
NOUNS: dict[str, str] = dict(pair.split(":") for pair in _PAIRS.split())


def fuller_forms(listed: str) -> list[str]:
    """Returns every form of a listed noun that keeps some of the kana the list
    leaves out: 打合せ → 打ち合せ, 打合わせ, 打ち合わせ."""
    full = NOUNS[listed]
    kept, inserted, at = [], [], 0
    for char in full:  # the listed form is the 本則 form less some kana
        if at < len(listed) and listed[at] == char:
            at += 1
        else:
            inserted.append(len(kept))
        kept.append(char)
    forms = []
    for subset in range(1, 2 ** len(inserted)):
        dropped = {index for bit, index in enumerate(inserted) if not subset >> bit & 1}
        forms.append("".join(c for i, c in enumerate(kept) if i not in dropped))
    return forms
