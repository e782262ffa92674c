"""What an utterance means for the question being asked (or for the conversation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from backend.domain.conversation import Reply, ReplyKind
from backend.domain.understanding import emergency as emergency_rules
from backend.domain.understanding.dates import find_date, first_date
from backend.domain.understanding.emergency import past_episode
from backend.domain.understanding.predicates import Reading, Unit, read
from backend.domain.understanding.text import compact, normalise, quantities
from questions.lexicon import EMPTY, Lexicon
from questions.schema import (
    BloodPressureQuestion,
    ChoiceQuestion,
    NumberQuestion,
    Question,
    ScaleQuestion,
    YesNoQuestion,
)


class MeaningKind(StrEnum):
    """What the elder meant."""

    EMERGENCY = "emergency"
    ANSWER = "answer"
    SKIP = "skip"
    YES = "yes"
    NO = "no"
    FAREWELL = "farewell"
    AWAY = "away"
    RETURN = "return"
    HELP = "help"
    REPEAT = "repeat"
    SAFE = "safe"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Meaning:
    """The meaning of one utterance; ``reply`` is the answer for the current question."""

    kind: MeaningKind
    raw: str
    reply: Reply | None = None
    rule: str = ""  # the emergency rule, for the event's detail
    away_kind: str | None = None
    start: str | None = None  # date words: 明日から
    until: str | None = None  # date words: 12月1日まで


# --- yes / no ---------------------------------------------------------------------------------

_YES = (
    "はい",
    "はいはい",
    "ええ",
    "うん",
    "うんうん",
    "そう",
    "そうそう",
    "そうです",
    "そうだよ",
    "その通り",
    "そのとおり",
    "もちろん",
    "はいな",
    "おう",
)
_NO = (
    "いいえ",
    "いえ",
    "いや",
    "いやいや",
    "ううん",
    "違う",
    "違います",
    "ちがう",
    "そうじゃない",
    "そうではない",
    "とんでもない",
    "そんなことない",
    "そんなことはない",
    "そんなことありません",
    "そんなことはありません",
)
_COPULA_TAIL = re.compile(
    r"(?:です|でした|だよ|だね|よ|ね|ねえ|な|なあ|わ|かな|だ|や|やで|やな|で|と思う|と思います)+$"
)


# 「いや、あんまり」「いいえ、それほど」: no, and not much (Alexa's words come without commas).
_NOT_MUCH = re.compile(
    r"(?:あんまり|あまり|全然|ぜんぜん|それほど|そんなに|さほど|ちっとも|全く|まったく)"
    r"(?:です|だ|ね|ねえ|な|なあ|よ|わ)*"
)


def _yes_no_word(text: str, lexicon: Lexicon) -> bool | None:
    """Return True/False when the utterance starts with a yes or no word, else None."""
    head = compact(text)
    for words, value in (((*lexicon.no, *_NO), False), ((*lexicon.yes, *_YES), True)):
        for word in sorted(words, key=len, reverse=True):
            tail = head[len(word) :] or "です"
            if head.startswith(word) and (head == word or _COPULA_TAIL.fullmatch(tail)):
                return value
            if not value and head.startswith(word) and _NOT_MUCH.fullmatch(tail):
                return False
    for words, value in (((*lexicon.no, *_NO), False), ((*lexicon.yes, *_YES), True)):
        first = text.split("、", 1)[0]
        if len(text.split("、")) > 1 and compact(first) in words:
            return value
    return None


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
_FREQUENT = (
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
        _health(first) == ["good"]
        and set(_health(then)) == {"bad"}
        and then.has(*_LITTLE, negated=False)
    )


_GETTING_BY = re.compile(r"(?:なんとか|何とか)(?:やっ|やれ|やる|なっ|なる|暮らし|過ごし)")


def _health(r: Reading) -> list[str]:
    if _good_but_a_little(r):
        return ["so_so"]
    found = ["so_so"] if _GETTING_BY.search(compact(r.text)) else []  # なんとかやってます
    content = [u for u in r.units if not u.is_(*_TIME_WORDS)]
    said = _polarities(r)
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
    health = _health(r)
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


def _medication(r: Reading) -> list[bool]:
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


# --- per question ------------------------------------------------------------------------------

_FAMILIES = {
    frozenset({"good", "so_so", "bad"}): _health,
    frozenset({"good", "so_so", "low"}): _mood,
    frozenset({"slept_well", "so_so", "slept_poorly"}): _sleep,
    frozenset({"ate", "ate_little", "not_ate"}): _meal,
}


def _worst(question: Question, values: list[Any], order: list[Any]) -> Any:
    """Return the most worrying of ``values`` (never discard a worrying answer)."""
    concerning = {v for c in question.concerning for v in c.values}
    for value in values:
        token = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        if token in concerning:
            return value
    return max(values, key=order.index)


_TAILS = re.compile(
    r"(?:です|でした|だよ|だね|だった|だわ|ですよ|ですね|でございます|よ|ね|ねえ|な|なあ|わ|かな|"
    r"かしら|だ|や|やで|やな|やわ|なの|なんです|なんだ|みたい|と思う|と思います|っす)+$"
)


_PHRASE_INDEX: dict[int, tuple[Lexicon, dict[str, list[str]]]] = {}


def _phrases(lexicon: Lexicon) -> dict[str, list[str]]:
    """Return compact phrase -> answer ids for a lexicon (built once per lexicon object)."""
    cached = _PHRASE_INDEX.get(id(lexicon))
    if cached is not None and cached[0] is lexicon:
        return cached[1]
    index: dict[str, list[str]] = {}
    for answer_id, phrases in lexicon.answers.items():
        for phrase in phrases:
            index.setdefault(compact(phrase), []).append(answer_id)
    _PHRASE_INDEX[id(lexicon)] = (lexicon, index)
    return index


def _phrase_matches(text: str, lexicon: Lexicon, ids: list[str]) -> list[str]:
    """Return the answer ids whose phrases are what was said (less a polite or plain ending)."""
    said = compact(text)
    bare = _TAILS.sub("", said) or said
    index = _phrases(lexicon)
    found = [*index.get(said, ()), *(index.get(bare, ()) if bare != said else ())]
    return [answer_id for answer_id in dict.fromkeys(found) if answer_id in ids]


@lru_cache(maxsize=512)
def _label_reading(label: str) -> Reading:
    return read(normalise(label))


def _label_matches(question: ChoiceQuestion, r: Reading) -> list[str]:
    found = []
    for option in question.options:
        label = _label_reading(option.label)
        if not label.units:
            continue
        head = label.units[-1]
        for u in r.units:
            if u.is_(head.lemma, head.base, head.surface) and u.negated is head.negated:
                found.append(option.id)
    return found


def _choice(question: ChoiceQuestion, r: Reading, text: str, lexicon: Lexicon) -> Reply | None:
    ids = [o.id for o in question.options]
    family = _FAMILIES.get(frozenset(ids))
    values = family(r) if family else []
    values += _phrase_matches(text, lexicon, ids)
    values = [question.aliases.get(v, v) for v in values]
    values = [v for v in values if v in ids] or _label_matches(question, r)
    if not values and "bad" not in ids and "low" in ids and "bad" in _health(r):
        values = ["low"]
    if values:
        return Reply(ReplyKind.CHOICE, _worst(question, values, ids), text)
    said = _yes_no_word(text, lexicon)
    if said is True and question.yes_means:
        return Reply(ReplyKind.YES, True, text)
    if said is False and question.no_means:
        return Reply(ReplyKind.NO, False, text)
    return None


def _question_lemmas(question: Question) -> frozenset[str]:
    return _speech_lemmas(question.wording.speech)


@lru_cache(maxsize=512)
def _speech_lemmas(speech: str) -> frozenset[str]:
    reading = read(normalise(speech))
    generic = {"今日", "昨日", "この", "間", "一", "月", "か月", "為る", "有る", "居る", "事", "何"}
    return frozenset(
        {u.lemma for u in reading.units if u.pos in ("動詞", "名詞", "形容詞")} - generic
    )


# Words that frame a thought (と思う, と感じる): not content; negated, they turn what they frame.
_FRAMES = ("思う", "思える", "感ずる", "感じる", "考える", "言う", "言える")
_HARD = ("難い", "辛い", "にくい", "づらい")  # 食べにくい: said like a negation
_NUMERAL = "数詞"
_GENERIC = frozenset({"成る", "比べる", "前", "週間", "此処", "伺う", "時", "以上", "回", "半年"})
# An answer's word for the question's own word (こけた to 「転びましたか」, 上がる to 昇る).
_SAME_AS = {
    "こける": ("転ぶ",),
    "転ける": ("転ぶ",),
    "転倒": ("転ぶ",),
    "上がる": ("上る",),
    "登る": ("上る",),
    "昇る": ("上る",),
    "行く": ("訪ねる", "出掛ける"),
    "出る": ("出掛ける",),
    "楽しい": ("楽しむ",),
    "怖い": ("不安",),
    "恐い": ("不安",),
    "心配": ("不安",),
    "張り合い": ("充実",),
    "遣り甲斐": ("充実",),
    "やりがい": ("充実",),
    "生き甲斐": ("充実",),
    "掴む": ("捕まる",),
    "握る": ("捕まる",),
    "持つ": ("捕まる",),
    "伝う": ("捕まる",),
    "伝わる": ("捕まる",),
    "頼る": ("捕まる",),
    "付く": ("捕まる",),
    "突く": ("捕まる",),
    "つく": ("捕まる",),
    "面倒": ("億劫",),
    "面倒臭い": ("億劫",),
}
_CHANGES = ("減る", "増える", "成る", "変わる")  # 「…が減っていますか」: 変わらない says no
_IMPOSSIBLE = ("無理", "駄目", "だめ", "ダメ")
_BY_ONESELF = ("自分", "一人", "独り")
_OTHERS_DO_IT = ("頼む", "任せる")  # 娘に頼んでる: not by oneself


def _boundary(r: Reading, start: int, end: int) -> bool:
    """Return True when a clause ends between tokens ``start`` and ``end`` (、 けど から ば)."""
    for tok in r.tokens[start:end]:
        if tok.pos2 == "読点" or (tok.pos2 == "接続助詞" and tok.lemma not in ("て", "で")):
            return True
    return False


def _quoted_frame(r: Reading, unit: Unit) -> bool:
    """Return True for 思う in 役に立つと思う: a frame around what was said before it."""
    return (
        unit.is_(*_FRAMES) and unit.index > 0 and r.tokens[unit.index - 1].lemma in ("と", "って")
    )


def _needs(r: Reading, position: int) -> bool:
    """手すりがないと無理, つかまらないと立てない: without it, not possible (so it is needed)."""
    unit = r.units[position]
    nxt = [t for t in r.tokens[unit.index + 1 :] if t.pos != "補助記号"]
    conditional = next((t for t in nxt if t.pos2 == "接続助詞"), None)
    after_not = next((i for i, t in enumerate(nxt) if t.pos == "助詞"), None)
    if after_not and nxt[after_not].lemma == "と" and nxt[after_not - 1].lemma in ("ず", "ない"):
        conditional = nxt[after_not]  # つかまらんと: the analyser reads this と as a case particle
    if conditional is None or conditional.lemma not in ("と", "ば", "ては", "なら"):
        return False
    later = [u for u in r.units[position + 1 :] if u.pos in ("動詞", "形容詞", "名詞", "形状詞")]
    return bool(later) and (later[0].is_(*_IMPOSSIBLE) or later[0].negated)


def _rhetorical(r: Reading, unit: Unit) -> bool:
    """転ぶのではないか, 転ぶんじゃないか: a negation that asks, not denies."""
    end = next((u.index for u in r.units if u.index > unit.index), len(r.tokens))
    toks = r.tokens[unit.index : end + 1]
    return any(
        t.lemma in ("無い", "ない") and i + 1 < len(toks) and toks[i + 1].lemma == "か"
        for i, t in enumerate(toks)
    )


def _polarities(r: Reading) -> list[bool | None]:
    """Return, for each unit, True when it is said affirmatively (None: a frame or a near miss).

    A noun or a word made a noun (固いもの) takes the polarity of the predicate after it in its
    clause (ひとりでは行かない, 手すりなしで: ひとり and 手すり are denied); difficulty
    (食べにくい) counts as a negation; a negated frame (役に立つと思えない) turns the words it
    frames; 転びそうになった is a near miss, not the thing itself.
    """
    own = []
    for position, u in enumerate(r.units):
        negated = u.negated and not _rhetorical(r, u) and not _needs(r, position)
        hard = u.pos == "動詞" and any(a in _HARD for a in u.auxes)
        own.append(negated == hard)  # 食べにくくない: eats
    result: list[bool | None] = list(own)
    units = r.units
    for i, u in enumerate(units):
        nominal = u.pos in ("名詞", "代名詞") or any(a in ("物", "事", "所", "の") for a in u.auxes)
        if not nominal or u.negated or u.pos2 == _NUMERAL:
            continue
        for j in range(i + 1, len(units)):
            v = units[j]
            if _boundary(r, units[j - 1].index + 1, v.index) or _quoted_frame(r, v):
                break
            if v.pos in ("動詞", "形容詞") or v.negated:
                result[i] = own[j]
                break
            if v.is_(*_IMPOSSIBLE, "無し", "なし"):
                result[i] = False  # ひとりでは無理, 手すりなしで
                break
    start = 0
    for i, u in enumerate(units):
        if _quoted_frame(r, u):
            if not own[i]:
                for j in range(start, i):
                    if result[j] is not None:
                        result[j] = not result[j]
            start = i + 1
        elif u.pos == "動詞" and "そう" in u.auxes:
            result[i] = None  # 転びそうになった: nearly, so not
    return result


@lru_cache(maxsize=512)
def _speech_polarity(speech: str) -> dict[str, bool | None]:
    """Return the question's content words and whether each is asked affirmatively (last wins)."""
    reading = read(normalise(speech))
    generic = {"今日", "昨日", "この", "間", "一", "月", "か月", "為る", "有る", "居る", "事", "何"}
    asked: dict[str, bool | None] = {}
    polarities = _polarities(reading)
    units = zip(reading.units, polarities, strict=True)
    frames = [p for u, p in units if _quoted_frame(reading, u)]
    for u, polarity in zip(reading.units, polarities, strict=True):
        if polarity is None or u.pos not in ("動詞", "名詞", "形容詞") or u.pos2 == _NUMERAL:
            continue
        if u.lemma in generic or u.lemma in _GENERIC:
            continue
        # 「…と思えない、と感じますか」: そうは思わない answers the outermost frame.
        asked[u.lemma] = frames[-1] if _quoted_frame(reading, u) else polarity
    return asked


def _asks_a_change(question: YesNoQuestion) -> bool:
    words = read(normalise(question.wording.speech)).units
    return bool(words) and words[-1].is_(*_CHANGES)


def _echoes(question: YesNoQuestion, r: Reading) -> list[bool]:
    """Return whether each word of the answer that echoes the question agrees with it."""
    asked = _speech_polarity(question.wording.speech)
    values = []
    for u, polarity in zip(r.units, _polarities(r), strict=True):
        if polarity is None or _quoted_frame(r, u):
            continue
        words = [w for w in (u.lemma, u.base) if w in asked]
        words = words or [w for w in _SAME_AS.get(u.lemma, ()) if w in asked]
        if words:
            values.append(polarity == asked[words[0]])
        elif u.is_(*_OTHERS_DO_IT) and polarity and any(w in asked for w in _BY_ONESELF):
            values.append(False)  # 娘に頼んでる to 「ご自分でしていますか」
        elif u.is_("変わる") and polarity is False and _asks_a_change(question):
            values.append(False)  # 変わらない to 「出かける回数は減っていますか」
        elif u.is_("有る", "ある", "居る", "いる") and len(r.units) <= 2:
            values.append(not u.negated)
        elif u.is_("無い", "ない") and len(r.units) <= 2:
            values.append(False)
    return values


def _yes_no(question: YesNoQuestion, r: Reading, text: str, lexicon: Lexicon) -> Reply | None:
    values: list[bool] = []
    if {"took", "not_yet"} & set(question.yes_ids + question.no_ids):
        values = _medication(r)
    if not values:
        ids = [*question.yes_ids, *question.no_ids]
        values = [a in question.yes_ids for a in _phrase_matches(text, lexicon, ids)]
    if not values:
        values = _echoes(question, r)
    said = _yes_no_word(text, lexicon)
    if not values and said is not None:
        values = [said]
    if not values and any(u.is_(*_FREQUENT) and not u.negated for u in r.units):
        values = [True]  # 「たまに行くよ」 to 「…ことはありますか」
    if not values:
        return None
    value = _worst(question, values, [True, False])
    return Reply(ReplyKind.YES if value else ReplyKind.NO, value, text)


_UNIT_OF = {"kg": "kg", "steps": "steps", "minutes": "minutes"}


_NOT_AT_ALL = ("全然", "全く", "ちっとも", "少しも", "一歩", "一度")
_ACTIVE = ("動く", "歩く", "運動", "散歩", "体操")


def _none_done(r: Reading) -> bool:
    """今日は全然歩いてない: no steps, no minutes (only with 全然, 一歩も and the like)."""
    return r.has(*_NOT_AT_ALL) and any(u.is_(*_ACTIVE) and u.negated for u in r.units)


def _number(question: NumberQuestion, text: str) -> Reply | None:
    wanted = _UNIT_OF.get(question.unit or "")
    for quantity in quantities(text):
        if quantity.unit in ("clock", "number", "times", "degrees") and wanted != quantity.unit:
            continue
        if quantity.unit is not None and wanted is not None and quantity.unit != wanted:
            continue
        return Reply(ReplyKind.NUMBER, quantity.value, text)
    return None


def _scale(question: ScaleQuestion, r: Reading, text: str) -> Reply | None:
    for quantity in quantities(text):
        if quantity.unit in (None, "number"):
            return Reply(ReplyKind.NUMBER, quantity.value, text)
    for value, label in (question.labels or {}).items():
        head = read(normalise(label)).units
        if head and any(u.is_(head[-1].lemma) and u.negated is head[-1].negated for u in r.units):
            return Reply(ReplyKind.NUMBER, float(value), text)
    return None


def _blood_pressure(text: str) -> Reply | None:
    flat = compact(text)
    numbers = [q for q in quantities(text) if q.unit is None]
    if len(numbers) < 2:
        return None
    first, second = numbers[0], numbers[1]
    upper = re.search(r"(?:上|最高|高い方)", flat)
    lower = re.search(r"(?:下|最低|低い方)", flat)
    if upper and lower and lower.start() < upper.start():
        first, second = second, first
    value = {"systolic": int(first.value), "diastolic": int(second.value)}
    return Reply(ReplyKind.BLOOD_PRESSURE, value, text)


# 「いいような悪いような」「寝たような寝てないような」「よかったり悪かったり」: both at once.
_EITHER = r"(?:ような|みたいな|ようで|んだか|のだか|のか|たり|だり)"
_EITHER_WAY = re.compile(
    rf"^(.+?{_EITHER})、?(.+?{_EITHER})(?:感じ|気がする|気もする|気がします)?"
    r"(?P<unknown>、?(?:よく)?(?:わからない|分からない|わかんない|わからん|わからへん))?"
    r"(?:です|でした|だ|で|ね|ねえ|な|なあ|よ|わ|や|かな|だね|ですね)*$"
)


def _either_way(question: Question, text: str, lexicon: Lexicon) -> tuple[bool, Reply | None]:
    """Return (True, reply) for a hedge between two answers: the same answer, so so, or None."""
    match = _EITHER_WAY.match(compact(text))
    if match is None:
        return False, None
    first, second = (_answer(question, part, lexicon) for part in match.groups()[:2])
    if first is None or second is None:
        return False, None
    if first.value == second.value:
        return True, Reply(first.kind, first.value, text)
    if match.group("unknown"):
        return True, None  # いいのか悪いのかわからない: not known
    if isinstance(question, ChoiceQuestion) and "so_so" in [o.id for o in question.options]:
        return True, Reply(ReplyKind.CHOICE, "so_so", text)
    return True, None  # 行ったような行かないような: ask again rather than guess


def answer_for(
    question: Question, text: str, lexicon: Lexicon = EMPTY, *, normalised: str | None = None
) -> Reply | None:
    """Return the reply ``text`` gives to ``question``, or None when it does not answer it."""
    norm = normalised if normalised is not None else normalise(text, lexicon)
    hedge, reply = _either_way(question, norm, lexicon)
    return reply if hedge else _answer(question, norm, lexicon)


def _answer(question: Question, norm: str, lexicon: Lexicon) -> Reply | None:
    r = read(norm)
    match question:
        case ChoiceQuestion():
            return _choice(question, r, norm, lexicon)
        case YesNoQuestion():
            return _yes_no(question, r, norm, lexicon)
        case NumberQuestion():
            reply = _number(question, norm)
            if reply is None and question.unit in ("steps", "minutes") and _none_done(r):
                return Reply(ReplyKind.NUMBER, 0.0, norm)
            return reply
        case ScaleQuestion():
            return _scale(question, r, norm)
        case BloodPressureQuestion():
            return _blood_pressure(norm)
    return None


# --- the conversation's own meanings -----------------------------------------------------------

_FAREWELL_OPENER = (
    r"(?:それじゃあ?|そんじゃあ?|ほんじゃあ?|じゃあ?|ほんなら|ほな|では|ほんだら|んだら|したら|"
    r"へば|そいじゃ|んだば|そんだば|だば)"
)
_FAREWELL_CLOSING = (
    r"(?:また(?:ね|な|明日|あした|今度|後で|あとで|来週|お願いします|話そう|話しましょう|よろしく)*|"
    r"さようなら|さよなら|さいなら|バイバイ|ばいばい|おやすみなさい|おやすみ|お休みなさい|"
    r"失礼します|失礼しました|ごきげんよう|したっけ|おしずかに|"
    # 今日はこれでおしまい, もう終わりにします, このへんにしといて, 切ってください, もうええわ
    r"(?:今日は|きょうは|もう)*(?:これで|このへんで|この辺で)?(?:おしまい|終わり|おわり)"
    r"(?:にします|にしましょう|にしよう|にする|にして|です|だ)?|"
    r"(?:今日は|きょうは)?(?:この(?:へん|辺)に(?:しといて|しておいて|して|しとく|しましょう)|"
    r"この(?:へん|辺)で)|(?:電話を?)?(?:切って(?:ください|ちょうだい)?|切るね|切ります)|"
    r"もう(?:いい|ええ)(?:です|よ)?|これで)"
)
# 「じゃあね、またね」「ありがとう、また明日」「ほな、さいなら」: one or more leave-takings.
_THANKS = re.compile(r"ありがと(?:う)?(?:ございました|ございます|ね|な)?|どうも")
_FAREWELL = re.compile(
    r"^(?:(?:はい|うん|ええ)、?)*"
    rf"(?:(?:{_FAREWELL_OPENER}(?:(?:ね|な|ー)+|、?{_FAREWELL_CLOSING})|{_FAREWELL_CLOSING})"
    r"(?:ー|ね|な|です|や|わ|ねー)*、?)+$"
)
_AWAY_KINDS = (
    ("hospital", ("入院", "検査入院", "手術", "病院")),
    ("short_stay", ("ショートステイ", "ショート", "施設")),
    ("travel", ("旅行", "旅", "温泉", "観光", "ツアー")),
    ("other", ("留守", "出かける", "出掛ける", "帰省", "泊まる", "泊まり", "空ける", "家")),
)
_FUTURE_MARKERS = ("予定", "決まる", "なる", "行く", "来る", "為る", "する", "参る")


def _away(r: Reading, text: str) -> Meaning | None:
    flat = compact(text)
    start = find_date(flat, "から")
    until = find_date(flat, "まで")
    for kind, words in _AWAY_KINDS:
        for unit in r.find(*words):
            if unit.negated:
                continue
            if unit.past and not (start or until) and "こと" not in flat:
                continue  # 入院した: past, not a plan
            planned = start or until or "しばらく" in flat or "ことになる" in flat
            planned = planned or any(a in _FUTURE_MARKERS for a in unit.auxes) or r.has("行く")
            planned = planned or "します" in flat or "になり" in flat or "ことにな" in flat
            planned = planned or (first_date(flat) is not None and not unit.past)  # 来週の月曜に
            stay = r.has("留守", "空ける", "帰省", "泊まる", "泊まり") or "しばらく" in flat
            if kind == "other" and not (start or until or stay):
                continue
            if kind == "hospital" and unit.is_("病院") and not r.has("入院", "泊まる", "入る"):
                continue
            if planned:
                return Meaning(MeaningKind.AWAY, text, away_kind=kind, start=start, until=until)
    # 来週から娘のところに行ってきます: someone's place, from a date
    visit = next((u for u in r.units if "所" in u.auxes and not u.negated), None)
    if visit is not None and (start or until) and r.has("行く", "泊まる", negated=False):
        return Meaning(MeaningKind.AWAY, text, away_kind="other", start=start, until=until)
    return None


def _returned(r: Reading, flat: str) -> bool:
    if flat.startswith("ただいま"):
        return True
    return any(u.past and not u.negated for u in r.find("帰る", "戻る", "退院", "帰宅"))


def _skip(r: Reading, flat: str, question: Question | None) -> Meaning | None:
    for unit in r.find(
        "分かる", "わかる", "覚える", "知る", "測る", "計る", "量る", "はかる", "数える", "見る"
    ):
        if unit.negated and not (unit.is_("見る") and question is None):
            return Meaning(MeaningKind.SKIP, flat, Reply(ReplyKind.SKIP, "unknown", flat))
    forgot = r.has("忘れる") or any("忘れる" in u.auxes for u in r.units)
    # 体重計に乗ってない, 血圧計の電池が切れてて: nothing was measured
    device = any(u.lemma.endswith("計") or "計" in u.auxes for u in r.units)
    broken = r.any_negated or r.has("切れる", "壊れる", "故障", "無い", negated=False)
    forgot = forgot or (device and broken)
    if forgot and isinstance(question, NumberQuestion | BloodPressureQuestion):
        return Meaning(MeaningKind.SKIP, flat, Reply(ReplyKind.SKIP, "unknown", flat))
    if re.search(
        r"(?:あとで|後で|後に|あとに|後回し|今度|またにして|今はいい|今は無理|今はちょっと|手が離せな|"
        r"忙しい|また後|今はやめ|次にして)",
        flat,
    ):
        return Meaning(MeaningKind.SKIP, flat, Reply(ReplyKind.SKIP, "later", flat))
    if re.fullmatch(
        r"(?:さあ|どうだろう|どうかな|どうやろ|なんとも言えない|何とも言えない)(?:ね|な|ねえ)?",
        flat,
    ):
        return Meaning(MeaningKind.SKIP, flat, Reply(ReplyKind.SKIP, "unknown", flat))
    return None


_UNKNOWING = ("分かる", "わかる", "知る", "存ずる")


def _worrying(question: Question, reply: Reply) -> bool:
    """Return True for a worrying choice (どこが悪いのかわからない: 悪い is kept, not skipped)."""
    concerning = {v for c in question.concerning for v in c.values}
    return isinstance(question, ChoiceQuestion) and reply.value in concerning


def _ends_unknown(r: Reading, question: Question) -> bool:
    """「BMIってなに、わからない」: the last word says the elder does not know the answer."""
    last = r.units[-1] if r.units else None
    if last is None or not last.negated or not last.is_(*_UNKNOWING):
        return False
    return not (_question_lemmas(question) & {last.lemma, last.base})


def _help(r: Reading, flat: str) -> bool:
    return bool(
        re.search(
            r"(?:どうすれば|どうしたら|どう答え|何て言えば|なんて言えば|何を言えば|使い方|"
            r"なんて答え|何て答え|何と答え|なんて言ったら|何て言ったら|何を答え|"
            r"答え方|どうやって答え|どう言えば|何言うたら|どない言うたら|どない言ったら|何言ったら|どうすんの)",
            flat,
        )
    )


def _repeat(flat: str) -> bool:
    return bool(
        re.search(
            r"(?:もう一度|もう一回|もう1回|もう1度|もういっぺん|もっぺん|もう一遍|"
            r"聞こえな|聞こえません|なんて言った|何て言った|なんて言うた|繰り返して)",
            flat,
        )
    )


def understand(text: str, question: Question | None = None, lexicon: Lexicon = EMPTY) -> Meaning:
    """Return what ``text`` means, while ``question`` (or nothing) is being asked.

    Emergencies come first, on every turn; then the answer to the question; then what the
    conversation itself understands (skip, farewell, away, return, help, repeat, yes/no).
    """
    norm = normalise(text, lexicon)
    flat = compact(norm)
    if not flat:
        return Meaning(MeaningKind.NOTHING, text)
    r = read(norm)
    rule = emergency_in(text, question, lexicon)
    if rule is not None:
        return Meaning(MeaningKind.EMERGENCY, text, rule=rule)
    away = _away(r, norm)
    if away is not None and question is None:
        return away
    unknown = question is not None and _ends_unknown(r, question) and not _help(r, flat)
    if question is not None:
        reply = answer_for(question, text, lexicon, normalised=norm)
        if reply is not None and (not unknown or _worrying(question, reply)):
            return Meaning(MeaningKind.ANSWER, text, reply)
    if unknown:
        return Meaning(MeaningKind.SKIP, text, Reply(ReplyKind.SKIP, "unknown", flat))
    if _help(r, flat):
        return Meaning(MeaningKind.HELP, text)
    skip = _skip(r, flat, question)
    if skip is not None:
        return skip
    if away is not None:
        return away
    if _THANKS.sub("", flat) and _FAREWELL.match(_THANKS.sub("", flat)):
        return Meaning(MeaningKind.FAREWELL, text)
    if _returned(r, flat):
        return Meaning(MeaningKind.RETURN, text)
    if _help(r, flat):
        return Meaning(MeaningKind.HELP, text)
    if _repeat(flat):
        return Meaning(MeaningKind.REPEAT, text)
    if r.has("無事") or (r.has("怪我", "けが", "ケガ") and r.any_negated):
        return Meaning(MeaningKind.SAFE, text)
    said = _yes_no_word(norm, lexicon)
    if said is not None:
        return Meaning(MeaningKind.YES if said else MeaningKind.NO, text)
    if question is None and _health(r) and set(_health(r)) <= {"good"}:
        return Meaning(MeaningKind.SAFE, text)  # 大丈夫です, to 「ご無事ですか」
    return Meaning(MeaningKind.NOTHING, text)


def emergency_in(
    text: str, question: Question | None = None, lexicon: Lexicon = EMPTY
) -> str | None:
    """Return the emergency rule that ``text`` says, or None (the first step of ``understand``)."""
    norm = normalise(text, lexicon)
    if not compact(norm):
        return None
    r = read(norm)
    found = emergency_rules.detect(r)
    if found is None or (found.weak and question is not None and _asks_about(question, r)):
        return None
    return found.rule


def _asks_about(question: Question, r: Reading) -> bool:
    """Return True when a word of ``r`` is the question's own word (こけた to 「転びましたか」)."""
    lemmas = _question_lemmas(question)
    return any(u.lemma in lemmas or lemmas & set(_SAME_AS.get(u.lemma, ())) for u in r.units)


def away_date(meaning: Meaning) -> str | None:
    """Return the date words of an away meaning (until first, else start), or None."""
    return meaning.until or meaning.start or first_date(meaning.raw)
