"""Concept families: what an utterance says of health, mood, sleep, meals and medication.

Most of the module is word lists, each beside the reader that uses it, kept in one file so a
word is added where its meaning is decided (the readers are short).
"""

from __future__ import annotations

import re

from backend.domain.understanding.emergency import past_episode
from backend.domain.understanding.polarity import unit_polarities
from backend.domain.understanding.predicates import Reading, read
from backend.domain.understanding.text import compact

# --- concept families ---------------------------------------------------------------------------

_GOOD_HEALTH = (
    "元気",
    "大丈夫",
    "平気",
    "好調",
    "快調",
    "絶好調",
    "上々",
    "ばっちり",
    "ピンピン",
    "ぴんぴん",
    "健康",
    "達者",
    "丈夫",
    "順調",
    "快適",
    "良好",
)
# Negated, these say good (変わりない, 変わったことはない).
_NOT_BAD = ("変わり", "変わる", "何", "問題", "異常", "心配", "異状", "支障")
_SO_SO = (
    "まあまあ",
    "ぼちぼち",
    "普通",
    "そこそこ",
    "まずまず",
    "いまいち",
    "今一",
    "いまひとつ",
    "今一つ",
    "それなり",
    "ほどほど",
    "可",
    "並み",
    "まあ",
)
_BAD_HEALTH = (
    "悪い",
    "痛い",
    "痛む",
    "怠い",
    "だるい",
    "しんどい",
    "きつい",
    "辛い",
    "疲れる",
    "くたびれる",
    "熱",
    "風邪",
    "咳",
    "目眩",
    "めまい",
    "ふらふら",
    "ふらつく",
    "吐き気",
    "寒気",
    "下痢",
    "便秘",
    "頭痛",
    "腹痛",
    "腰痛",
    "膝痛",
    "鼻水",
    "鼻詰まり",
    "くしゃみ",
    "嚔",
    "痰",
    "苦しい",
    "崩す",
    "重い",
    "熱っぽい",
    "ぐったり",
    "へとへと",
    "くたくた",
    "こわい",
    "痺れる",
    "病気",
    "気持ち悪い",
    "具合悪い",
    "疲れ",
    "弱る",
    "バテる",
    "参る",
    "ダウン",
    "駄目",
    "ずきずき",
    "ズキズキ",
    "がんがん",
    "ガンガン",
    "ちくちく",
    "ひりひり",
    "むかむか",
    "ぞくぞく",
    "しくしく",
    "ふらつき",
)
_GOOD_NEGATED_BAD = (
    "優れる",
    "良い",
    "いい",
    "よい",
    "冴える",
    "すぐれる",
    "宜しい",
    "よろしい",
    "良く",
)
_NOT_BODILY_WORRIES = ("生活", "家計", "お金", "金", "暮らし", "経済", "懐", "年金")
_MOVE_VERBS = ("動く", "動ける", "歩く", "歩ける", "立つ", "立てる", "起き上がる")
_LOW_MOOD = (
    "落ち込む",
    "寂しい",
    "淋しい",
    "さみしい",
    "不安",
    "心細い",
    "悲しい",
    "憂鬱",
    "憂うつ",
    "滅入る",
    "沈む",
    "退屈",
    "つまらない",
    "塞ぐ",
    "孤独",
    "むなしい",
    "虚しい",
    "空しい",
    "がっかり",
    "拗ねる",
    "いじける",
    "しょんぼり",
    "落ち着く",
    "いらいら",
    "イライラ",
    "泣く",
    "暗い",
)
_LOW_IF_NEGATED = ("やる気", "楽しい", "元気", "張り合い", "気力", "落ち着く", "面白い", "詰まる")
_GOOD_MOOD = (
    "楽しい",
    "嬉しい",
    "うれしい",
    "機嫌",
    "爽やか",
    "さわやか",
    "明るい",
    "すっきり",
    "穏やか",
    "晴れやか",
    "上機嫌",
    "ご機嫌",
    "幸せ",
    "楽",
)
_SLEEP = (
    "眠る",
    "寝る",
    "休む",
    "休める",
    "熟睡",
    "寝付く",
    "寝つく",
    "眠れる",
    "寝れる",
    "安眠",
    "快眠",
)
_SLEPT_WELL = ("ぐっすり", "熟睡", "快眠", "安眠", "すやすや")
_SLEPT_POORLY = ("寝不足", "不眠", "一睡", "浅い", "寝苦しい", "眠い")
_WOKE = ("覚める", "起きる", "目覚める")
_WOKE_OFTEN = (
    "夜中",
    "何度",
    "何回",
    "途中",
    "早く",
    "トイレ",
    "おき",
    "置き",
    "時間",
    "毎",
    "度々",
    "たびたび",
    "しょっちゅう",
    "何べん",
    "二回",
    "三回",
    "2回",
    "3回",
    "夜",
)
_EAT = (
    "食べる",
    "食う",
    "頂く",
    "いただく",
    "済ませる",
    "済ます",
    "平らげる",
    "完食",
    "食事",
    "召し上がる",
)
_LITTLE = (
    "少し",
    "ちょっと",
    "半分",
    "軽い",
    "軽く",
    "少なめ",
    "少ない",
    "ちょこっと",
    "ちょっぴり",
    "ちょびっと",
    "少々",
    "ちょっとだけ",
    "わずか",
    "一口",
    "少量",
    "小",
)
_RARELY = ("余り", "あまり", "あんまり", "さほど", "それほど", "なかなか")
_SKIPPED_MEAL = ("抜く", "飛ばす", "食欲", "欠食")
_FOODS = (
    "パン",
    "ご飯",
    "御飯",
    "味噌汁",
    "卵",
    "玉子",
    "おにぎり",
    "お握り",
    "うどん",
    "蕎麦",
    "そば",
    "魚",
    "納豆",
    "粥",
    "お粥",
    "トースト",
    "サンドイッチ",
    "果物",
    "バナナ",
    "ヨーグルト",
    "牛乳",
    "弁当",
    "お弁当",
    "麺",
    "ラーメン",
    "煮物",
    "漬物",
    "豆腐",
    "肉",
    "野菜",
    "雑炊",
    "シリアル",
    "餅",
    "茶漬け",
    "お茶漬け",
    "目玉焼き",
    "ハム",
    "サラダ",
    "カレー",
    "寿司",
)
_TAKE = ("飲む", "服用", "服薬", "済む", "済ませる", "飲める", "のむ", "頂く", "いただく")
_COOK = ("作る", "拵える", "支度", "用意", "準備")
_LATER_WORDS = ("これから", "今から", "後", "あと", "後で", "のち", "食後", "今晩", "夜", "寝る前")


_BODY_PARTS = (
    "腰",
    "膝",
    "ひざ",
    "足",
    "頭",
    "背中",
    "肩",
    "首",
    "お腹",
    "腹",
    "胃",
    "目",
    "歯",
    "手",
)
_TRAILING = ("ね", "な", "が", "けど", "よ", "ねえ", "の", "わ")
FREQUENT = (
    "偶に",
    "たまに",
    "時々",
    "ときどき",
    "時折",
    "毎日",
    "毎週",
    "毎朝",
    "よく",
    "しょっちゅう",
)
_TIME_WORDS = ("今日", "今朝", "朝", "昨日", "今", "本日", "最近", "この頃")


_BUT = ("けれど", "けど", "けれども", "けども", "が", "ものの")


def _good_but_a_little(r: Reading) -> bool:
    """元気だけど腰が少し痛い: well, with a small complaint after けど (so so, not bad)."""
    at = next((i for i, t in enumerate(r.tokens) if t.pos2 == "接続助詞" and t.lemma in _BUT), None)
    if at is None:
        return False
    first = read("".join(t.surface for t in r.tokens[:at]))
    then = read("".join(t.surface for t in r.tokens[at + 1 :]).lstrip("、"))
    return (
        health_values(first) == ["good"]
        and set(health_values(then)) == {"bad"}
        and then.has(*_LITTLE, negated=False)
    )


_GETTING_BY = re.compile(r"(?:なんとか|何とか)(?:やっ|やれ|やる|なっ|なる|暮らし|過ごし)")


def health_values(r: Reading) -> list[str]:
    """Return the health answers (good, so_so, bad) the reading says."""
    if _good_but_a_little(r):
        return ["so_so"]
    found = ["so_so"] if _GETTING_BY.search(compact(r.text)) else []  # なんとかやってます
    content = [u for u in r.units if not u.is_(*_TIME_WORDS)]
    said = unit_polarities(r)
    for position, u in enumerate(r.units):
        if u.is_("変わる") and said[position] is False:
            found.append("good")  # 特に変わったことはありません
            continue
        if u.is_(*_BAD_HEALTH) and past_episode(r, u):
            continue  # 苦しい時期もあったけど今は元気
        if u.is_(*_GOOD_HEALTH):
            found.append("bad" if u.negated else "good")
        elif u.is_(*_NOT_BAD) and u.negated:
            found.append("good")
        elif u.is_(*_SO_SO):
            found.append("so_so")
        elif u.is_("悪い") and u.negated and any(a in ("所", "ところ") for a in u.auxes):
            found.append("good")  # 悪いところはありません
        elif u.is_("悪い") and u.negated:
            # 悪くない: not bad, not good either; どこも悪くない: fine.
            found.append("good" if r.has("何処", "どこ") else "so_so")
        elif u.is_("痛い", "痛む", "辛い", "苦しい", "怠い", "しんどい") and u.negated:
            found.append("good")  # どこも痛くない
        elif u.is_("苦しい") and any(v.is_(*_NOT_BODILY_WORRIES) for v in r.before(u, 3)):
            continue  # 生活が苦しい: a worry, but not the body's
        elif u.is_(*_MOVE_VERBS) and u.negated:
            found.append("bad")  # あまり動けない, 歩けない
        elif u.is_(*_BODY_PARTS) and u is r.units[-1] and r.tokens[-1].lemma in _TRAILING:
            found.append("bad")  # 「腰がね」: a complaint left unsaid
        elif u.is_(*_GOOD_NEGATED_BAD):
            if u.negated:
                found.append("bad")
            elif (
                any(v.is_("調子", "体調", "具合", "気分", "元気") for v in r.before(u, 3))
                or any(v.is_("調子", "体調", "具合") for v in r.after(u, 1))  # いい調子だ
                or len(content) == 1
            ):
                found.append("good")
        elif u.is_(*_BAD_HEALTH) and not u.negated:
            found.append("bad")
        elif u.is_(*_BAD_HEALTH) and u.negated:
            found.append("good")  # 熱はないです, 咳も出ません
    return found


def _mood(r: Reading) -> list[str]:
    found = []
    for u in r.units:
        if (u.is_(*_LOW_IF_NEGATED) and u.negated) or (
            u.is_(*_LOW_MOOD) and not u.negated and not u.is_("落ち着く")
        ):
            found.append("low")
        elif (u.is_("落ち着く") and not u.negated) or (u.is_(*_GOOD_MOOD) and not u.negated):
            found.append("good")
        elif u.is_("気", "気分", "気持ち") and any(v.is_("重い", "塞ぐ") for v in r.after(u, 2)):
            found.append("low")
        elif u.is_("気分", "気持ち") and any(
            v.is_("乗る", "晴れる", "優れる", "すぐれる") and v.negated for v in r.after(u, 2)
        ):
            found.append("low")  # 気分が乗らない
        elif u.is_("気分", "気持ち") and any(v.is_("良い", "いい") for v in r.before(u, 1)):
            denied = u.negated or r.before(u, 1)[0].negated
            found.append("low" if denied else "good")  # いい気分, いい気分じゃない
    health = health_values(r)
    for value in health:
        if value == "bad":
            found.append("low")  # 具合が悪い to 気分: worrying, never thrown away
        elif value in ("good", "so_so"):
            found.append(value)
    return found


def _sleep(r: Reading) -> list[str]:
    found = []
    rarely = r.has(*_RARELY)
    for u in r.units:
        if u.is_(*_SLEPT_WELL):
            found.append("slept_poorly" if u.negated else "slept_well")  # ぐっすりとはいかない
        elif u.is_(*_SLEPT_POORLY):
            found.append("slept_poorly")
        elif u.is_(*_SLEEP) and u.hedged:
            found.append("so_so")
        elif u.is_("睡眠", "眠り") and any(v.is_("取る", "とる", "取れる") for v in r.after(u, 2)):
            took = next(v for v in r.after(u, 2) if v.is_("取る", "とる", "取れる"))
            found.append("slept_poorly" if took.negated else "slept_well")  # 睡眠がとれた
        elif u.is_(*_SLEEP):
            if u.negated:
                found.append("slept_poorly")
            elif r.has(*_LITTLE) and not r.has("よく", "良い"):
                found.append("so_so")
            else:
                found.append("slept_well")
        elif u.is_(*_WOKE) and not u.negated:
            before = r.before(u, 4)
            if any(v.is_(*_WOKE_OFTEN) for v in before):
                found.append("slept_poorly")
            elif any(v.te for v in before):
                found.append("slept_poorly")  # 足がつって起きた, 咳が出て目が覚めた: woken
        elif u.is_(*_WOKE) and any(v.is_("一", "一度", "一回", "一遍") for v in r.before(u, 3)):
            found.append("slept_well")  # 一度も起きなかった
        elif u.is_("寝付き", "寝つき", "眠り") and any(
            v.is_("悪い", "浅い") and not v.negated for v in r.after(u, 2)
        ):
            found.append("slept_poorly")
        elif u.is_(*_SO_SO):
            found.append("so_so")
    if rarely and "slept_well" in found and not r.any_negated:
        found.remove("slept_well")
    return found


_LATER = re.compile(r"これから|今から|いまから")
_NOT_YET = re.compile(r"(?:これから|今から|いまから)(?:です|だ|だよ|よ|ね|なの|や)?")


def _meal(r: Reading) -> list[str]:
    if _NOT_YET.fullmatch(compact(r.text)):
        return ["not_ate"]  # 「これから」: not eaten yet
    found = []
    for u in r.units:
        if u.is_(*_EAT):
            forgot = any(a in ("忘れる",) for a in u.auxes) or r.has("忘れる")
            if u.negated or forgot:
                # 全部は食べられなかった: some, not all
                little = r.has(*_RARELY, "全部") or any(v.is_("しか") for v in r.units)
                found.append("ate_little" if little or r.has(*_LITTLE) else "not_ate")
            elif r.has(*_LITTLE) and not r.has("全部", "しっかり", "たくさん", "沢山"):
                found.append("ate_little")
            elif not u.past and (r.has(*_LATER_WORDS) or _LATER.search(compact(r.text))):
                found.append("not_ate")  # これから食べる
            else:
                found.append("ate")
        elif u.is_("食欲") and u.negated and r.has(*_LITTLE):
            found.append("ate_little")  # 食欲がなくて少しだけ
        elif u.is_("口") and any(v.is_("為る", "する") for v in r.after(u, 1)):
            ate = r.after(u, 1)[0]
            found.append("not_ate" if ate.negated else "ate")  # 何も口にしていません
        elif u.is_(*_SKIPPED_MEAL):
            found.append("not_ate" if u.is_("食欲") is u.negated or not u.is_("食欲") else "ate")
        elif u.is_("残す"):
            found.append("ate" if u.negated else "ate_little")  # 残さず食べた: all of it
        elif u.is_(*_FOODS) and not u.negated and not r.has(*_EAT) and not r.any_negated:
            found.append("ate")  # 今朝はパンとコーヒーでした
        elif u.is_("まだ", "未だ") and not r.has(*_EAT):
            found.append("not_ate")
        elif u.is_(*_COOK) and not u.past and not r.has(*_EAT):
            found.append("not_ate")  # これから作るところ
        elif u.is_(*_LITTLE) and not r.has(*_EAT) and len(r.units) <= 3:
            found.append("ate_little")
    return found


def medication_values(r: Reading) -> list[bool]:
    """Return whether the reading says the medicine was taken (True) or not (False)."""
    found = []
    for u in r.units:
        if u.is_(*_TAKE):
            forgot = "忘れる" in u.auxes and "not:忘れる" not in u.auxes
            progressive = any(
                a in ("てる", "でる", "居る", "いる", "おる", "とる") for a in u.auxes
            )
            if u.negated or forgot:
                found.append(False)
            elif u.past or progressive or u.is_("済む", "済ませる") or "済み" in u.auxes:
                found.append(True)
            elif r.has(*_LATER_WORDS) or u.volitional:
                found.append(False)
            else:
                found.append(False)  # 飲みます: will take, not taken yet
        elif (u.is_("忘れる") and not u.negated) or u.is_("まだ", "未だ"):
            found.append(False)
    return found


FAMILIES = {
    frozenset({"good", "so_so", "bad"}): health_values,
    frozenset({"good", "so_so", "low"}): _mood,
    frozenset({"slept_well", "so_so", "slept_poorly"}): _sleep,
    frozenset({"ate", "ate_little", "not_ate"}): _meal,
}
