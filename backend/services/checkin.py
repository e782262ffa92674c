"""The daily check-in conversation: open, answer, skip, stop, emergency, pairing.

The open check-in itself is ``checkin_session``; repair (not caught, not understood, once
more) is ``checkin_repair``; away periods told by voice are ``away_dialogue``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backend.domain import rules
from backend.domain.conversation import (
    ReaskReason,
    Reply,
    ReplyKind,
    Step,
    StepKind,
    interpret,
    is_concerning,
)
from backend.domain.model import AnswerSource, DeviceBinding, Event, EventKind
from backend.domain.understanding import answer_for
from backend.ports import AbstractUnitOfWork
from backend.services import at_turn, away, life_signs
from backend.services.away_dialogue import away_reply, weekly_reply
from backend.services.checkin_repair import repair
from backend.services.checkin_session import (
    Session,
    ask,
    finish,
    greeting_key,
    open_session,
    resume,
    start_lines,
    store,
)
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.turns import (
    PENDING_KEYS,
    Caller,
    Line,
    Turn,
    current_question,
    elder_for,
    unpaired,
    with_question,
)
from questions.schema import Question

SKIP_UNKNOWN = "unknown"
SKIP_LATER = "later"


def _inactive() -> Turn:
    return Turn((Line("not_watching"),), end=True)


def greeting(svc: Services, caller: Caller) -> Line | None:
    """Return the greeting of the time of day with the elder's name (None: unpaired)."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    return Line(greeting_key(svc.now()), {"name": elder.name}) if elder else None


@retry_when_busy
def start(svc: Services, caller: Caller) -> Turn:
    """Open the skill: greet, and ask the first question still due in this slot."""
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is None:
            return unpaired()
        if not elder.is_watchable:
            return _inactive()
        period = away.active_period(uow, elder.id, now)
        if period is not None:
            lines = (Line(greeting_key(now), {"name": elder.name}), Line("away_active"))
            return Turn(lines, state={"stage": away.STAGE_ACTIVE}, reprompt=Line("away_active"))
        welcome = away.just_returned(uow, elder.id, now) is not None
        session = open_session(svc, uow, elder, now)
        if isinstance(session, Turn):
            # Outside every slot: no check-in, but the elder is up (a sign of life).
            life_signs.record(uow, elder.id, life_signs.OPENED, now)
            uow.commit()
            return session
        turn = start_lines(session, now, welcome=welcome)
        uow.commit()
    return turn


def _last_value(uow: AbstractUnitOfWork, session: Session, question: Question) -> Any:
    if getattr(question, "max_change", None) is None:
        return None  # only numbers compared with the last reading need it
    last = uow.answers.latest_value(session.elder.id, question.id, session.checkin.date)
    return last.value if last else None


def _reply_turn(
    svc: Services,
    uow: AbstractUnitOfWork,
    session: Session,
    question: Question,
    reply: Reply,
    source: AnswerSource,
    caller: Caller,
    now: datetime,
) -> Turn:
    state = session.state

    def step_for(said: Reply) -> Step:
        return interpret(
            question,
            said,
            pending=state.get("pending"),
            attempt=state.get("attempt"),
            last_value=_last_value(uow, session, question),
        )

    step = step_for(reply)
    if step.kind is StepKind.REASK and step.reason is ReaskReason.NOT_UNDERSTOOD and reply.raw:
        # Alexa resolved the words to a value this question does not take (「ふつう」 to a
        # 1-5 scale): read the words themselves before asking again.
        understood = answer_for(question, reply.raw, session.qset.lexicon)
        if understood is not None and understood != reply:
            reply = understood
            step = step_for(reply)
    if step.kind is StepKind.CONFIRM:
        confirm = Line("confirm", {"value": step.value, "unit": _unit(question)})
        new_state = {**state, "pending": step.value, "pending_raw": reply.raw}
        return Turn((), question=question, confirm=confirm, state=new_state)
    if step.kind is StepKind.REASK and step.reason is ReaskReason.NOT_UNDERSTOOD:
        return repair(uow, session, question, caller, now, reply.raw, heard=bool(reply.raw))
    if step.kind is StepKind.REASK:
        new_state = {k: v for k, v in state.items() if k not in PENDING_KEYS}
        if step.value is not None:
            new_state["attempt"] = step.value
        lines = [Line(f"reask_{step.reason}"), Line("hint", {"hint": question.wording.hint})]
        return Turn(tuple(lines), question=question, state=new_state, ask_question=False)
    later = list(state.get("later", []))
    if step.kind is StepKind.SKIP and step.value == SKIP_LATER:
        later.append(question.id)
        lines = [Line("skip_later")]
    elif step.kind is StepKind.SKIP:
        store(uow, session, question, None, reply.raw, source, caller, now, SKIP_UNKNOWN)
        lines = [Line("skip_unknown")]
    else:
        raw = state.get("pending_raw", reply.raw) if "pending" in state else reply.raw
        stored = store(uow, session, question, step.value, raw, source, caller, now)
        raised = at_turn.NOTHING
        if question.kind == "blood_pressure":
            raised = at_turn.raise_now(svc, uow, session.elder, now, answers=[stored])
        lines = care_lines(question, step.value, raised)
    finish(uow, session, now)
    remaining = session.remaining(later)
    if not remaining:
        # 「おしまいです。ありがとうございました」 thanks once: no thanks of the answer's own.
        lines = [_last_line(x) for x in lines]
        lines.append(Line("done_partial" if later else "done"))
        return Turn(tuple(lines), end=True)
    return ask(remaining[0], {**state, "later": later}, lines)


def _last_line(line: Line) -> Line:
    """Return the line said to the last answer: no thanks nor "next" before the closing."""
    if line.key == "care":
        return Line("care", {**line.params, "thanks": False})
    if line.key in ("skip_unknown", "skip_later"):
        return Line("skip_last")
    return line


def care_lines(question: Question, value: Any, raised: at_turn.Raised) -> list[Line]:
    """Return what a caring person says to an answer: thanks, a care phrase, or advice."""
    if raised.rule == rules.BP_URGENT:
        return [Line("bp_urgent"), Line("told", {"told": raised.told})]
    if raised.rule == rules.BP_HIGH:
        return [Line("bp_high")]
    token = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
    # The catalog has a care phrase for some answers (眠れなかった, まだ飲んでいない); else thanks.
    concern = is_concerning(question, value)
    params = {"question": question.id, "answer": str(token), "concern": concern}
    return [Line("care", params)]


@retry_when_busy
def answer(
    svc: Services,
    caller: Caller,
    state: dict[str, Any],
    reply: Reply,
    source: AnswerSource = AnswerSource.VOICE,
) -> Turn:
    """Take a reply to the current question: store it, read it back or ask again."""
    if state.get("stage") in (away.STAGE_UNTIL, away.STAGE_CONFIRM):
        return away_reply(svc, caller, state, reply)
    if state.get("stage") == away.STAGE_WEEKLY:
        return weekly_reply(svc, caller, state, reply)
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is not None:
            if not elder.is_watchable:
                return _inactive()
            session = resume(svc, uow, elder, state)
            question = session.qset.question(state.get("q", "")) if session else None
            if session is None or question is None:
                opened = open_session(svc, uow, elder, now)
                if isinstance(opened, Turn):
                    return opened
                turn = start_lines(opened, now)
            else:
                turn = _reply_turn(svc, uow, session, question, reply, source, caller, now)
            uow.commit()
            return turn
    # An unpaired speaker: a bare six-digit number is its pairing code.
    return _pair_from_reply(svc, caller, state, reply)


def _unit(question: Question) -> str:
    return getattr(question, "unit", "") or question.kind


@retry_when_busy
def stop(svc: Services, caller: Caller, state: dict[str, Any], *, speak: bool = True) -> Turn:
    """End the session kindly, keeping every answer given so far."""
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        session = resume(svc, uow, elder, state) if elder else None
        if session is not None:
            finish(uow, session, now)
            uow.commit()
    return Turn((Line("goodbye_partial" if session else "goodbye"),) if speak else (), end=True)


@retry_when_busy
def emergency(
    svc: Services, caller: Caller, state: dict[str, Any], intent: str = "", words: str = ""
) -> Turn:
    """Tell the elder to call 119 and record the emergency (with the words said); end."""
    now = svc.now()
    # One event per Alexa request: a replayed request records nothing twice.
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"alexa-request:{caller.request_id}").hex
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        raised = at_turn.NOTHING
        if elder is not None:
            session = resume(svc, uow, elder, state)
            known = next((e for e in uow.events.list_for_elder(elder.id) if e.id == event_id), None)
            detail: dict[str, Any] = {
                "source": "voice",
                "intent": intent,
                "checkin_id": session.checkin.id if session else None,
            }
            if words:  # what was said, for the staff who call back (200 characters at most)
                detail["words"] = words[:200]
            event = known or Event(event_id, elder.id, EventKind.EMERGENCY, now, detail)
            if known is None:
                uow.events.add(event)
            # The urgent alert and its messages go in with the event: nothing waits for a sweep.
            raised = at_turn.raise_now(svc, uow, elder, now, events=[event])
            if session is not None:
                finish(uow, session, now)
            uow.commit()
    return emergency_turn(raised.told)


def emergency_turn(told: at_turn.Told) -> Turn:
    """Return the calm 119 advice, saying who was told (when anyone was)."""
    lines = [Line("emergency")]
    if told:
        lines.append(Line("told", {"told": told}))
    lines.append(Line("emergency_neighbour"))
    return Turn(tuple(lines), end=True)


def who_is_watching(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Say who sees the elder's answers, from the consent record; then ask again."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    if elder.consent is None:
        return with_question([Line("consent_missing")], None, state)
    consent = elder.consent
    lines = [
        Line("who_is_watching", {"shares": consent.shares}),
        Line(
            "consent_explained",
            {"date": consent.consented_on, "explained_by": consent.explained_by},
        ),
    ]
    return with_question(lines, current_question(svc, elder, state), state)


def help_turn(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Explain how to answer the current question (or what the skill does)."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    question = current_question(svc, elder, state)
    if question is not None:
        lines = [Line("help_question", {"hint": question.wording.hint}), Line("help_general")]
    else:
        lines = [Line("help_idle")]
    return with_question(lines, question, state)


def _pair_from_reply(svc: Services, caller: Caller, state: dict[str, Any], reply: Reply) -> Turn:
    if reply.kind is ReplyKind.NUMBER and reply.value is not None:
        return pair(svc, caller, str(int(reply.value)) if float(reply.value).is_integer() else "")
    return unpaired()


@retry_when_busy
def pair(svc: Services, caller: Caller, code: str) -> Turn:
    """Bind this speaker to the elder whose pairing code was said, then start the check-in."""
    now = svc.now()
    code = code.strip().zfill(6) if code.strip().isdigit() else ""
    with svc.uow() as uow:
        if elder_for(uow, caller) is not None:
            already = True
        else:
            already = False
            pairing = uow.devices.get_pairing_code(code) if len(code) == 6 else None
            if pairing is None or pairing.used_at is not None:
                return Turn((Line("pair_unknown"),), state={"stage": "pair"})
            if not pairing.usable(now):
                return Turn((Line("pair_expired"),), end=True)
            if not uow.devices.mark_pairing_code_used(code, now):
                return Turn((Line("pair_unknown"),), state={"stage": "pair"})
            uow.devices.bind(
                DeviceBinding(caller.alexa_user_id, caller.device_id, pairing.elder_id, now)
            )
            uow.commit()
    turn = start(svc, caller)
    if already:
        return turn
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    paired = Line("paired", {"name": elder.name if elder else ""})
    return Turn((paired, *turn.lines), turn.question, turn.confirm, turn.end, turn.state)


def returned(svc: Services, caller: Caller) -> Turn:
    """「ただいま」: end the current away period and welcome the elder back."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    away.end_now(svc, elder.id)
    return start(svc, caller)
