"""Emergency words in any politeness or dialect: 胸が痛いです, 助けてけろ, 動かれへん, 救急車を.

Missing an emergency is the worst failure of the product, so these rules are broad (any verb
form, any politeness, after any filler), and narrowed only where ordinary speech is clearly not an
emergency: a negation (胸は痛くない), help that was given (助けてもらってる, 助けてくれた), a
softened limit (あまり動けない) or hardship that is not bodily (生活が苦しい).

A *weak* emergency (転んだ) is one word that also answers some questions (「この1か月に転んだ
ことはありますか」): it is not raised when the question being asked uses the same word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.domain.understanding.predicates import Reading, Unit

_BODY_CHEST = ("胸", "心臓", "胸元")
_BREATH = ("息", "呼吸")
_SOFTENERS = (
    "余り",
    "あまり",
    "あんまり",
    "なかなか",
    "中々",
    "長い",
    "少し",
    "ちょっと",
    "もう少し",
)
_NOT_BODILY = ("生活", "家計", "お金", "金", "暮らし", "経済", "懐", "言い訳", "立場", "年金")
_TIME_AGO = ("先月", "去年", "昨年", "前", "昔", "先週", "以前", "この前", "この間", "一昨年")
# Numbness that may be a stroke: one side, the face, both hands and feet (not 正座して足が).
_LIMBS = (
    "手足",
    "顔",
    "口",
    "半身",
    "右",
    "左",
    "片方",
    "片側",
    "舌",
    "右手",
    "左手",
    "右足",
    "左足",
)
_RECOVERED = ("治る", "治まる", "良くなる", "楽になる", "収まる", "引く", "消える")
_EPISODE = ("時期", "頃", "ころ", "時", "とき", "昔", "以前", "前", "こと", "事")
_MOVE = ("動く", "動ける", "起き上がる", "起き上がれる", "立つ", "立てる", "立ち上がる", "起きる")
_MORNING = ("朝", "今朝", "寝坊", "早い", "早く", "遅い", "遅く", "時間", "目覚まし", "毎朝")
_BODY = (
    "体",
    "身体",
    "手足",
    "手",
    "足",
    "半身",
    "右",
    "左",
    "腕",
    "脚",
    "片足",
    "片手",
    "右手",
    "左手",
    "右足",
    "左足",
    "片腕",
    "右腕",
    "左腕",
)
_SEVERE = ("割れる", "酷い", "ひどい", "激しい", "すごい", "凄い", "急", "物凄い", "我慢")


@dataclass(frozen=True)
class Emergency:
    """An emergency heard: which rule, and whether it is weak (see the module docstring)."""

    rule: str
    weak: bool = False


def _near(reading: Reading, unit: Unit, lemmas: tuple[str, ...], window: int = 4) -> bool:
    return any(u.is_(*lemmas) for u in reading.before(unit, window))


# 助けていただけませんか, 来てもらえないでしょうか: a request asked as a question (not
# 助けていただいてない, which says no help came).
_ASKED_AS_QUESTION = re.compile(
    r"[てで](?:いただけ|頂け|もらえ|貰え|くれ|くださ)(?:ない|ません|ん)"
)


def _polite_request(unit: Unit, reading: Reading) -> bool:
    """Return True when ``unit`` is asked for politely, as a question."""
    return unit.negated and bool(_ASKED_AS_QUESTION.search(reading.text))


def _help_requested(reading: Reading) -> bool:
    for unit in reading.find("助ける"):
        if _polite_request(unit, reading) and not unit.past:
            return True
        given = any(a in ("貰う", "もらう", "頂く") for a in unit.auxes)
        if unit.request and not unit.negated and not given and not unit.past:
            return True
        if unit.volitional and not unit.past:  # 助けてほしい is caught as request; 助けたい is not
            continue
    # 助けが必要, 助けがほしい, 助けを呼んで
    for unit in reading.find("助け"):
        after = reading.after(unit, 2)
        if any(u.is_("必要", "欲しい", "呼ぶ", "要る", "来る") and not u.negated for u in after):
            return True
        if any(a in ("欲しい", "要る", "必要") for a in unit.auxes) and not unit.negated:
            return True
    return False


def _someone_come(reading: Reading) -> bool:
    for unit in reading.find("来る"):
        asked = (unit.request and not unit.negated) or (
            _polite_request(unit, reading) and not unit.past
        )
        if asked and _near(
            reading, unit, ("誰", "誰か", "何方", "どなた", "どなたか", "早く", "すぐ")
        ):
            return True
    return False


_BLOOD_FROM = ("吐血", "下血", "喀血", "血便", "血尿")
_TOO_MUCH = (
    "間違える",
    "大量",
    "沢山",
    "たくさん",
    "余計",
    "多め",
    "二重",
    "全部",
    "一度に",
    "いっぱい",
)
_CALL = ("呼ぶ", "願う", "来る", "頼む", "要る", "必要", "呼べる", "電話")


def _ambulance(reading: Reading) -> bool:
    """救急車 asked for (呼んで, お願い, 救急車! alone), not 救急車のサイレン."""
    if "救急車" not in reading.text and "119" not in reading.text:
        return False  # 救急の番組: the word, not a call for one
    for unit in reading.find("救急", "救急車", "一一九", "119"):
        following = reading.after(unit, 3)
        if any(u.negated and not u.request for u in [unit, *following]):
            return False
        if any(u.is_(*_CALL) for u in following) or any(a in _CALL for a in unit.auxes):
            return True
        if len(reading.units) <= 2:  # 「救急車」「救急車です」
            return True
    return False


# 息がしづらい, 呼吸がしにくい: breathing is hard (not 「しづらくない」).
_HARD_TO_BREATHE = re.compile(r"(?:息|呼吸)が?(?:しづら|しずら|しにく|すいにく|吸いにく)(?!くな)")


def _chest_or_breath(reading: Reading) -> bool:
    if reading.has("笑う", "笑い"):
        return False  # 笑いすぎて息ができなかった: a way of saying how funny
    for unit in reading.find(
        "痛い", "苦しい", "締め付ける", "締めつける", "苦しむ", "痛む", "切ない", "重い"
    ):
        if unit.negated or past_episode(reading, unit):
            continue
        if _near(reading, unit, _BODY_CHEST + _BREATH):
            return True
    if _HARD_TO_BREATHE.search(reading.text) and not any(
        _reported(reading, u) or past_episode(reading, u) for u in reading.find(*_BREATH)
    ):
        return True
    for unit in reading.find(*_BREATH):
        auxes = unit.auxes
        if unit.negated and any(a in ("出来る", "為る", "吸う") for a in auxes):
            return True
        if any(u.is_("出来る", "吸う", "為る") and u.negated for u in reading.after(unit, 2)):
            return True
    return False


def _suffocating(reading: Reading) -> bool:
    for unit in reading.find("苦しい", "苦しむ", "切ない", "胸苦しい", "息苦しい"):
        if unit.negated or _near(reading, unit, _NOT_BODILY) or past_episode(reading, unit):
            continue
        return True
    return False


def _cannot_move(reading: Reading) -> bool:
    for unit in reading.find(*_MOVE):
        able = unit.potential or unit.base.endswith("れる") or unit.is_("立てる", "動ける")
        if not (unit.negated and able):
            continue
        if _near(reading, unit, _SOFTENERS, 3) or past_episode(reading, unit):
            continue
        following = [t.lemma for t in reading.tokens[unit.index + 1 : unit.index + 4]]
        if any(t in ("くらい", "ぐらい", "ほど") for t in following):
            continue  # 動けないくらい忙しかった: a way of saying how busy
        if unit.is_("起きる") and _near(reading, unit, _MORNING, 4):
            continue  # 朝起きられない: oversleeping, not a fall
        before = "".join(t.surface for t in reading.tokens[: unit.index])
        if _UNLESS.search(before) and not any(w in before for w in _SOMEONE):
            continue  # つかまらないと立てない, 手すりがないと: how they stand up, with support
        return True
    return False


# A condition said just before "cannot": without it they can (つかまらんと立てへん).
_UNLESS = re.compile(
    r"(?:ないと|なければ|なけりゃ|なきゃ|なしで(?:は|じゃ)?|[かさたまらわがばぱ]んと|ずには)、?$"
)
# ...unless the support is a person: 助けがないと動けない may be a call for help now.
_SOMEONE = ("助け", "誰か", "だれか", "人が", "人に")


def _body_will_not_move(reading: Reading) -> bool:
    """体が動かない, 手足が動かない: not the can't of 動けない, but the body itself."""
    for unit in reading.find("動く"):
        if (
            unit.negated
            and _near(reading, unit, _BODY, 3)
            and not _near(reading, unit, _SOFTENERS, 3)
        ):
            return True
    return False


def _collapsed(reading: Reading) -> Emergency | None:
    for unit in reading.find("倒れる"):
        if unit.negated or past_episode(reading, unit):
            continue
        if unit.volitional or unit.past or unit.auxes:
            return Emergency("collapsed")
        return Emergency("collapsed")
    for unit in reading.find("転ぶ", "転倒", "こける", "転ける"):
        if unit.negated or _time_ago_near(reading, unit, 5) or past_episode(reading, unit):
            continue
        if any(u.is_("大丈夫", "平気") and not u.negated for u in reading.after(unit, 4)):
            continue
        if unit.past or unit.auxes:
            return Emergency("fell", weak=True)
    return None


def _head_injury(reading: Reading) -> bool:
    """頭を打った: a fall with a head strike is an emergency for an elder."""
    for unit in reading.find("打つ", "ぶつける", "打ち付ける"):
        if (
            not unit.negated
            and _near(reading, unit, ("頭",), 3)
            and not past_episode(reading, unit)
        ):
            return True
    return False


def _bleeding(reading: Reading) -> bool:
    if any(not u.negated and not past_episode(reading, u) for u in reading.find(*_BLOOD_FROM)):
        return True
    for unit in reading.find("血", "出血"):
        if past_episode(reading, unit):
            continue
        following = reading.after(unit, 3)  # 血がいっぱい出てる
        if any("出る" in u.auxes and not u.negated for u in following[:1]):
            return True
        if "出る" in unit.auxes and not unit.negated:
            return True
        if any(u.is_("吐く") and not u.negated for u in following):
            return True  # 血を吐いた
        if unit.is_("出血") and not unit.negated:
            return True
        if any(u.is_("出る") and not u.negated for u in following):
            return True
        if any(u.is_("止まる") and u.negated for u in following):
            return True
    return False


def _stroke_signs(reading: Reading) -> bool:
    for unit in reading.find("痺れる", "しびれる", "麻痺"):
        if (
            not unit.negated
            and not past_episode(reading, unit)
            and (
                _near(reading, unit, (*_LIMBS, "急", "急に", "片方", "片側"))
                or any(u.is_(*_MOVE, "動く") and u.negated for u in reading.after(unit, 2))
            )
        ):
            return True
    for unit in reading.find("回る"):
        if unit.negated and _near(reading, unit, ("口", "舌"), 2):
            return True  # 口が回らない
    for unit in reading.find("呂律", "ろれつ"):
        if any(u.is_("回る") and u.negated for u in reading.after(unit, 2)) or unit.negated:
            return True
    for unit in reading.find("喋る", "しゃべる", "話す", "喋れる", "話せる"):
        if (
            unit.negated
            and unit.potential
            and _near(reading, unit, ("うまい", "上手い", "上手", "急"))
        ):
            return True
    for unit in reading.find("歪む", "ゆがむ", "曲がる", "垂れる"):
        if not unit.negated and _near(reading, unit, ("顔", "口", "口元", "唇"), 3):
            return True  # 顔がゆがんでいる: a stroke sign
    for unit in reading.find("入る"):
        if (
            unit.negated
            and _near(reading, unit, ("力",), 2)
            and _near(reading, unit, _LIMBS + _BODY, 4)
        ):
            return True  # 右手に力が入らない
    for unit in reading.find("動く"):
        if unit.negated and _near(reading, unit, ("顔", "口", "舌", "半分", "片側", "半身"), 4):
            return True  # 顔の半分が動かない, 口がうまく動かない
    for unit in reading.find("言葉"):
        if unit.negated and "出る" in unit.auxes:
            return True
        for u in reading.after(unit, 2):
            if u.negated and (u.is_("出る") or "出る" in u.auxes):
                return True
    return False


def _severe_pain(reading: Reading) -> bool:
    for unit in reading.find("痛い", "痛む"):
        if unit.negated:
            continue
        if _near(reading, unit, _SEVERE, 4) and _near(
            reading, unit, ("頭", "胸", "お腹", "腹", "背中")
        ):
            return True
    return False


def _consciousness(reading: Reading) -> bool:
    for unit in reading.find("意識"):
        following = reading.after(unit, 2)
        if unit.negated or any(u.is_("遠のく", "無くなる", "なくなる", "朦朧") for u in following):
            return True
    for unit in reading.find("失う"):
        if not unit.negated and _near(reading, unit, ("気", "意識"), 2):
            return True
    for unit in reading.find("気"):
        if any(u.is_("遠い", "遠く", "遠のく") for u in reading.after(unit, 2)):
            return True
    return False


def _dying(reading: Reading) -> bool:
    for unit in reading.find("死ぬ"):
        if not unit.negated and (unit.volitional or "そう" in unit.auxes or "たい" in unit.auxes):
            return True
    return False


def _overdose(reading: Reading) -> bool:
    """薬を間違えてたくさん飲んでしまった: too much medicine taken."""
    if not reading.has("薬", "お薬", "錠剤"):
        return False
    for unit in reading.find("飲む"):
        done = unit.past or any(a in ("仕舞う", "しまう", "ちゃう", "じゃう") for a in unit.auxes)
        if done and not unit.negated and _near(reading, unit, _TOO_MUCH, 4):
            return True
    return False


def _sudden(reading: Reading) -> bool:
    for unit in reading.find("急", "急に", "突然"):
        following = reading.after(unit, 4)
        if any(u.is_("悪い", "苦しい", "痛い", "倒れる") and not u.negated for u in following):
            return True
        if any(
            u.is_("真っ暗", "暗い", "真っ白", "見える") and (u.negated or not u.is_("見える"))
            for u in following
        ):
            return True  # 急に目の前が真っ暗に
        if any(u.is_("悪くなる") for u in following):
            return True
    return False


_MEDIA = ("テレビ", "ドラマ", "ニュース", "番組", "映画", "ラジオ", "新聞", "夢")
_SEEN_AS = ("場面", "ニュース", "番組", "映画", "ドラマ", "シーン", "夢")
# Said right after the event word: it was reported, not lived (倒れたんだって, こけたらしい,
# 痛いって言ってた). Only right after it: 「娘が言ってたけど、私、今胸が痛いの」 is an emergency.
_HEARSAY_AFTER = re.compile(r"^(?:た|だ)?(?:(?:ん|の)?(?:だ|や)?って|らしい|そうだ|そうです)")


def _reported(reading: Reading, unit: Unit) -> bool:
    """Return True when ``unit`` is heard of or seen on a screen, not happening to the speaker.

    Media only frame the event when they are its place (テレビで…, ドラマで…) or it is what was
    seen (倒れる場面, 火事のニュース): 「テレビを見ていたら胸が苦しくなった」 is an emergency.
    """
    following = "".join(t.surface for t in reading.tokens[unit.index + 1 : unit.index + 8])
    if _HEARSAY_AFTER.search(following):
        return True
    if any(u.is_(*_SEEN_AS) for u in reading.after(unit, 2)):
        return True
    for media in reading.before(unit, 5):
        place = reading.tokens[media.index + 1 : media.index + 2]
        if media.is_(*_MEDIA) and place and place[0].surface == "で":
            return True
    return False


def _fire_or_alarm(reading: Reading) -> bool:
    if any(not u.negated and not _reported(reading, u) for u in reading.find("火事", "火災")):
        return True  # not テレビで火事のニュースを見た
    if any(not u.negated for u in reading.find("緊急")):
        return True
    for unit in reading.find("煙"):
        following = [unit, *reading.after(unit, 2)]
        if any((u.is_("出る") or "出る" in u.auxes) and not u.negated for u in following):
            return True  # 台所から煙が出てる
    return False


def _choking(reading: Reading) -> bool:
    """お餅が喉に詰まった: choking."""
    for unit in reading.find("詰まる", "詰まらせる"):
        now = not unit.negated and not past_episode(reading, unit)
        if now and _near(reading, unit, ("喉", "のど", "餅", "お餅", "食べ物"), 4):
            return True
    return False


def _fracture(reading: Reading) -> bool:
    """足が折れたかもしれん, 骨折した: a broken bone."""
    for unit in reading.find("折れる", "骨折"):
        if unit.negated or past_episode(reading, unit):
            continue
        if unit.is_("骨折") or _near(reading, unit, ("足", "脚", "腕", "骨", "手", "腰"), 3):
            return True
    return False


_RULES = (
    ("help", _help_requested),
    ("someone_come", _someone_come),
    ("ambulance", _ambulance),
    ("chest_or_breath", _chest_or_breath),
    ("cannot_move", _cannot_move),
    ("body_will_not_move", _body_will_not_move),
    ("bleeding", _bleeding),
    ("overdose", _overdose),
    ("head_injury", _head_injury),
    ("stroke", _stroke_signs),
    ("severe_pain", _severe_pain),
    ("consciousness", _consciousness),
    ("dying", _dying),
    ("sudden", _sudden),
    ("fire", _fire_or_alarm),
    ("choking", _choking),
    ("fracture", _fracture),
    ("suffocating", _suffocating),
)


def _time_ago_near(reading: Reading, unit: Unit, window: int = 4) -> bool:
    """Return True when a word of time past stands before ``unit`` (前に倒れた, 去年).

    「テレビの前で倒れた」 is a place: 前 between の and で (or に) is not time.
    """
    for word in reading.before(unit, window):
        if not word.is_(*_TIME_AGO):
            continue
        before = reading.tokens[word.index - 1].surface if word.index else ""
        after = reading.tokens[word.index + 1 : word.index + 2]
        if word.is_("前") and before == "の" and after and after[0].surface in ("で", "に"):
            continue
        return True
    return False


def past_episode(reading: Reading, unit: Unit) -> bool:
    """倒れたことがある, 苦しい時期もあった, 前に倒れた, 倒れたって聞いた: not happening now."""
    after = reading.after(unit, 3)
    if any(u.is_("聞く", "聞こえる", "噂", "ニュース", "話") for u in after):
        return True  # hearsay: 友達が倒れたって聞いて
    if _reported(reading, unit):
        return True  # 隣の人が倒れたんだって, ドラマで人が倒れる場面
    if "様" in unit.auxes and after and after[0].pos == "名詞":
        return True  # 胸が痛むようなニュース: a figure of speech
    if unit.hedged:
        return True  # 動けないほどではない
    if any(u.is_(*_EPISODE) for u in after) or any(a in ("事", "こと") for a in unit.auxes):
        return True
    return _time_ago_near(reading, unit)


_NOTHING_CAME_OF_IT = re.compile(
    r"[たっだ](?:けど|けれど|が)、?.*(?:何とも|なんとも)(?:なかった|無かった)"
)


def _recovered(reading: Reading) -> bool:
    """足がしびれたけど、もう治った; 打ったけど何ともなかった: the symptom is over."""
    if _NOTHING_CAME_OF_IT.search(reading.text):
        return True
    return any(u.past and not u.negated for u in reading.find(*_RECOVERED))


def detect(reading: Reading) -> Emergency | None:
    """Return the emergency that ``reading`` says, or None."""
    if _recovered(reading):
        return None
    for name, rule in _RULES:
        if rule(reading):
            return Emergency(name)
    return _collapsed(reading)
