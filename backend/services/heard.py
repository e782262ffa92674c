"""Words the elder said, understood by the backend: emergencies first, on every turn.

Alexa delivers words that match no slot value as the raw value of the catch-all slot
(ER_SUCCESS_NO_MATCH). The skill passes them here as ``ReplyKind.WORDS``; resolved replies come
here too, so that an emergency said in any form is caught whatever Alexa resolved it to
(「胸が痛いです」 resolved to the answer 痛い is still an emergency).
"""

from __future__ import annotations

from typing import Any

from backend.domain.conversation import Reply, ReplyKind
from backend.domain.errors import NotFound
from backend.domain.model import AnswerSource
from backend.domain.understanding import Meaning, MeaningKind, emergency_in, understand
from backend.domain.understanding.dates import date_value
from backend.domain.understanding.lexicon import EMPTY, Lexicon
from backend.domain.understanding.weekly import weekly_absence
from backend.services import away, checkin, notice_delivery
from backend.services.checkin import Caller, Turn
from backend.services.context import Services
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
        # Resolved by Alexa: only read for an emergency (「胸が痛い」 resolved to 痛い), in
        # standard Japanese and without opening the store (this is the common, fast turn).
        rule = emergency_in(reply.raw)
        if rule is not None:
            return notice_delivery.emergency(svc, caller, state, f"words:{rule}", reply.raw)
        return notice_delivery.answer(svc, caller, state, reply, source)
    question, lexicon = _context(svc, caller, state)
    meaning = understand(reply.raw, question, lexicon)
    if meaning.kind is MeaningKind.EMERGENCY:
        return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}", reply.raw)
    return _understood(svc, caller, state, meaning, lexicon)


def says_emergency(words: str) -> bool:
    """Return True when ``words`` say an emergency (in standard Japanese)."""
    return bool(words) and emergency_in(words) is not None


def _understood(
    svc: Services, caller: Caller, state: dict[str, Any], meaning: Meaning, lexicon: Lexicon
) -> Turn:
    kind = meaning.kind
    stage = state.get("stage")
    awaited = (MeaningKind.YES, MeaningKind.NO, MeaningKind.FAREWELL)
    if stage == away.STAGE_WEEKLY and kind not in awaited:
        return checkin.weekly_again(svc, caller, state)  # はい/いいえ (or goodbye) awaited
    if stage == away.STAGE_UNTIL:
        words = meaning.until or meaning.start or _date_words(meaning)
        if words:
            return checkin.until_said(svc, caller, state, date_value(words, svc.now().date()))
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
        return checkin.away_said(svc, caller, state, meaning.away_kind, until, start)
    if kind is MeaningKind.RETURN:
        return checkin.returned(svc, caller)
    if kind is MeaningKind.HELP:
        return checkin.help_turn(svc, caller, state)
    if kind is MeaningKind.REPEAT:
        return checkin.ask_again(svc, caller, state)
    weekly = weekly_absence(meaning.raw, lexicon)
    if weekly is not None:
        return checkin.weekly_said(svc, caller, state, weekly.kind, weekly.weekdays)
    return checkin.not_understood(svc, caller, state, meaning.raw)


def _date_words(meaning: Meaning) -> str | None:
    from backend.domain.understanding.dates import first_date

    return first_date(meaning.raw)
