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
from backend.domain.understanding.families import (
    FAMILIES,
    FREQUENT,
    health_values,
    medication_values,
)
from backend.domain.understanding.polarity import (
    BY_ONESELF,
    CHANGES,
    OTHERS_DO_IT,
    SAME_AS,
    quoted_frame,
    speech_polarity,
    unit_polarities,
    yes_no_word,
)
from backend.domain.understanding.predicates import Reading, read
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


# --- per question ------------------------------------------------------------------------------


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
    family = FAMILIES.get(frozenset(ids))
    values = family(r) if family else []
    values += _phrase_matches(text, lexicon, ids)
    values = [question.aliases.get(v, v) for v in values]
    values = [v for v in values if v in ids] or _label_matches(question, r)
    if not values and "bad" not in ids and "low" in ids and "bad" in health_values(r):
        values = ["low"]
    if values:
        return Reply(ReplyKind.CHOICE, _worst(question, values, ids), text)
    said = yes_no_word(text, lexicon)
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
def _asks_a_change(question: YesNoQuestion) -> bool:
    words = read(normalise(question.wording.speech)).units
    return bool(words) and words[-1].is_(*CHANGES)


def _echoes(question: YesNoQuestion, r: Reading) -> list[bool]:
    """Return whether each word of the answer that echoes the question agrees with it."""
    asked = speech_polarity(question.wording.speech)
    values = []
    for u, polarity in zip(r.units, unit_polarities(r), strict=True):
        if polarity is None or quoted_frame(r, u):
            continue
        words = [w for w in (u.lemma, u.base) if w in asked]
        words = words or [w for w in SAME_AS.get(u.lemma, ()) if w in asked]
        if words:
            values.append(polarity == asked[words[0]])
        elif u.is_(*OTHERS_DO_IT) and polarity and any(w in asked for w in BY_ONESELF):
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
        values = medication_values(r)
    if not values:
        ids = [*question.yes_ids, *question.no_ids]
        values = [a in question.yes_ids for a in _phrase_matches(text, lexicon, ids)]
    if not values:
        values = _echoes(question, r)
    said = yes_no_word(text, lexicon)
    if not values and said is not None:
        values = [said]
    if not values and any(u.is_(*FREQUENT) and not u.negated for u in r.units):
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
    said = yes_no_word(norm, lexicon)
    if said is not None:
        return Meaning(MeaningKind.YES if said else MeaningKind.NO, text)
    if question is None and health_values(r) and set(health_values(r)) <= {"good"}:
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
    return any(u.lemma in lemmas or lemmas & set(SAME_AS.get(u.lemma, ())) for u in r.units)


def away_date(meaning: Meaning) -> str | None:
    """Return the date words of an away meaning (until first, else start), or None."""
    return meaning.until or meaning.start or first_date(meaning.raw)
