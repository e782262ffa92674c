"""Words the elder said, understood by the backend: emergencies first, on every turn.

Alexa delivers words that match no slot value as the raw value of the catch-all slot
(ER_SUCCESS_NO_MATCH). The skill passes them here as ``ReplyKind.WORDS``; resolved replies come
here too, so that an emergency said in any form is caught whatever Alexa resolved it to
(「胸が痛いです」 resolved to the answer 痛い is still an emergency). Those words are read in the
elder's dialect too (「胸いでえ」 resolved to 悪い); the store is opened for the elder's lexicon
only when some municipality's lexicon reads the words differently from standard Japanese.
"""

from __future__ import annotations

from typing import Any

from backend.domain.conversation import Reply, ReplyKind
from backend.domain.errors import NotFound
from backend.domain.model import AnswerSource
from backend.domain.understanding import Meaning, MeaningKind, emergency_in, understand
from backend.domain.understanding.dates import date_value
from backend.domain.understanding.text import normalise
from backend.domain.understanding.weekly import weekly_absence
from backend.services import away, away_dialogue, checkin, checkin_repair, notice_delivery
from backend.services.context import Services
from backend.services.turns import Caller, Turn
from questions.lexicon import EMPTY, Lexicon
from questions.schema import Question

# Replies whose words are worth reading for an emergency (はい/いいえ are fixed words).
_READ_KINDS = (ReplyKind.WORDS, ReplyKind.CHOICE, ReplyKind.SKIP)


def _context(
    svc: Services, caller: Caller, state: dict[str, Any]
) -> tuple[Question | None, Lexicon]:
    with svc.uow() as uow:
        elder = uow.devices.elder_for(caller.alexa_user_id, caller.device_id)
    if elder is None:
        return None, EMPTY
    try:
        qset = svc.question_set(elder.municipality_code)
    except NotFound:  # a missing set is reported by the check-in itself
        return None, EMPTY
    question = qset.question(state["q"]) if "q" in state and not state.get("stage") else None
    return question, qset.lexicon


def answer(
    svc: Services,
    caller: Caller,
    state: dict[str, Any],
    reply: Reply,
    source: AnswerSource = AnswerSource.VOICE,
) -> Turn:
    """Take what the elder said (or touched) in any state of the conversation."""
    if source is not AnswerSource.VOICE or reply.kind not in _READ_KINDS or not reply.raw:
        return notice_delivery.answer(svc, caller, state, reply, source)
    if notice_delivery.in_notice_stage(state) and reply.value in notice_delivery.NEED_HELP_IDS:
        return notice_delivery.answer(svc, caller, state, reply, source)  # the 安否 answer itself
    if reply.kind is not ReplyKind.WORDS:
        # Resolved by Alexa: only read for an emergency (「胸が痛い」 resolved to 痛い, 「胸いでえ」
        # to 悪い), opening the store only for words a dialect reads differently.
        rule = _emergency_rule(svc, caller, reply.raw)
        if rule is not None:
            return notice_delivery.emergency(svc, caller, state, f"words:{rule}", reply.raw)
        return notice_delivery.answer(svc, caller, state, reply, source)
    question, lexicon = _context(svc, caller, state)
    meaning = understand(reply.raw, question, lexicon)
    if meaning.kind is MeaningKind.EMERGENCY:
        return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}", reply.raw)
    return _understood(svc, caller, state, meaning, lexicon)


def nothing_heard(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Nothing was caught (AMAZON.FallbackIntent): say so and ask again what was being asked."""
    if notice_delivery.in_notice_stage(state):  # the notice offer or the 安否 question again
        return notice_delivery.reply(svc, caller, state, Reply(ReplyKind.WORDS, None, ""))
    return checkin_repair.fallback(svc, caller, state)


def says_emergency(svc: Services, caller: Caller, words: str) -> bool:
    """Return True when ``words`` say an emergency (in standard Japanese or the elder's dialect)."""
    return bool(words) and _emergency_rule(svc, caller, words) is not None


def _emergency_rule(svc: Services, caller: Caller, words: str) -> str | None:
    """Return the emergency rule ``words`` say, read in the elder's dialect when it matters."""
    rule = emergency_in(words)
    if rule is not None or not _a_dialect_reads(svc, words):
        return rule
    return emergency_in(words, None, _lexicon(svc, caller))


def _a_dialect_reads(svc: Services, words: str) -> bool:
    """Return True when some municipality's lexicon rewrites ``words`` (むね, いでえ, へん)."""
    plain = normalise(words)
    # One reading per dialect, not per municipality: many share a lexicon.
    lexicons = {qset.lexicon.region: qset.lexicon for qset in svc.question_sets().values()}
    return any(normalise(words, lexicon) != plain for lexicon in lexicons.values())


def _lexicon(svc: Services, caller: Caller) -> Lexicon:
    with svc.uow() as uow:
        elder = uow.devices.elder_for(caller.alexa_user_id, caller.device_id)
    if elder is None:
        return EMPTY
    try:
        return svc.question_set(elder.municipality_code).lexicon
    except NotFound:
        return EMPTY


def _understood(
    svc: Services, caller: Caller, state: dict[str, Any], meaning: Meaning, lexicon: Lexicon
) -> Turn:
    kind = meaning.kind
    stage = state.get("stage")
    awaited = (MeaningKind.YES, MeaningKind.NO, MeaningKind.FAREWELL)
    if stage == away.STAGE_WEEKLY and kind not in awaited:
        return away_dialogue.weekly_again(svc, caller, state)  # はい/いいえ (or goodbye) awaited
    if stage == away.STAGE_UNTIL:
        words = meaning.until or meaning.start or _date_words(meaning)
        if words:
            return away_dialogue.until_said(svc, caller, state, date_value(words, svc.now().date()))
    if kind is MeaningKind.ANSWER and meaning.reply is not None:
        return notice_delivery.answer(svc, caller, state, meaning.reply)
    if kind is MeaningKind.SKIP and meaning.reply is not None:
        return notice_delivery.answer(svc, caller, state, meaning.reply)
    if kind in (MeaningKind.YES, MeaningKind.NO):
        yes = kind is MeaningKind.YES
        said = Reply(ReplyKind.YES if yes else ReplyKind.NO, yes, meaning.raw)
        return notice_delivery.answer(svc, caller, state, said)
    if kind is MeaningKind.SAFE and notice_delivery.in_notice_stage(state):
        safe = Reply(ReplyKind.CHOICE, "safe", meaning.raw)
        return notice_delivery.answer(svc, caller, state, safe)
    if kind is MeaningKind.FAREWELL:
        return checkin.stop(svc, caller, state)
    if kind is MeaningKind.AWAY:
        today = svc.now().date()
        until = date_value(meaning.until, today) if meaning.until else None
        start = date_value(meaning.start, today) if meaning.start else None
        return away_dialogue.away_said(svc, caller, state, meaning.away_kind, until, start)
    if kind is MeaningKind.RETURN:
        return checkin.returned(svc, caller)
    if kind is MeaningKind.HELP:
        return checkin.help_turn(svc, caller, state)
    if kind is MeaningKind.REPEAT:
        return checkin_repair.ask_again(svc, caller, state)
    weekly = weekly_absence(meaning.raw, lexicon)
    if weekly is not None:
        return away_dialogue.weekly_said(svc, caller, state, weekly.kind, weekly.weekdays)
    return checkin_repair.not_understood(svc, caller, state, meaning.raw)


def _date_words(meaning: Meaning) -> str | None:
    from backend.domain.understanding.dates import first_date

    return first_date(meaning.raw)
