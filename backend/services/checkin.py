"""The daily check-in conversation: open, answer, skip, stop, emergency, pairing."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
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
from backend.domain.model import (
    Answer,
    AnswerSource,
    AwayKind,
    CheckIn,
    CheckInStatus,
    DeviceBinding,
    Elder,
    Event,
    EventKind,
)
from backend.domain.understanding import answer_for
from backend.ports import AbstractUnitOfWork
from backend.services import at_turn, away, life_signs
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from questions.instruments import instrument_item_ids, instrument_questions_due, month_start
from questions.loader import parse_overrides
from questions.model import QuestionSet
from questions.schema import Question

logger = logging.getLogger(__name__)

SKIP_UNKNOWN = "unknown"
_PENDING_KEYS = ("pending", "pending_raw", "attempt")
SKIP_LATER = "later"


@dataclass(frozen=True)
class Caller:
    """Who is speaking: the Alexa user and device of the request."""

    alexa_user_id: str
    device_id: str
    request_id: str
    screen: bool = False  # the device shows the answer buttons


@dataclass(frozen=True)
class Line:
    """One prompt of the catalog with its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """What the skill should say and show next, and the session state to keep."""

    lines: tuple[Line, ...]
    question: Question | None = None
    confirm: Line | None = None
    end: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    ask_question: bool = True
    reprompt: Line | None = None
    screen: dict[str, Any] | None = None  # what to show instead of the default (notices)
    stamps: dict[str, Any] | None = None  # the stamp card to show (skill/apl/stamps.json)


@dataclass
class _Session:
    """One open check-in: what is due and what is answered, loaded once per request."""

    elder: Elder
    qset: QuestionSet
    checkin: CheckIn
    state: dict[str, Any]
    due: list[Question]
    answered: set[str]

    def remaining(self, later: list[str] | tuple[str, ...] = ()) -> list[Question]:
        """Return the due questions not answered (nor postponed in ``later``), in order."""
        return [q for q in self.due if q.id not in self.answered and q.id not in later]


def _greeting_key(now: datetime) -> str:
    if 4 <= now.hour < 11:
        return "greeting_morning"
    if 11 <= now.hour < 17:
        return "greeting_day"
    return "greeting_evening"


def _elder_for(uow: AbstractUnitOfWork, caller: Caller) -> Elder | None:
    return uow.devices.elder_for(caller.alexa_user_id, caller.device_id)


def _load(
    uow: AbstractUnitOfWork,
    elder: Elder,
    qset: QuestionSet,
    checkin: CheckIn,
    answered: frozenset[str] | set[str],
    state: dict[str, Any],
) -> _Session:
    overrides = parse_overrides(elder.overrides, f"elder {elder.id} overrides")
    due = qset.due(checkin.date, checkin.slot, overrides)
    if qset.instruments:
        # Monthly instruments (基本チェックリスト) add a few items a day until all are answered.
        items = instrument_item_ids(qset)
        start = month_start(checkin.date)
        this_month = {
            a.question_id
            for a in uow.answers.list_for_elder(elder.id, start, checkin.date)
            if a.question_id in items
        }
        due += instrument_questions_due(
            qset,
            checkin.date,
            checkin.slot,
            this_month,
            overrides,
            answered_in_this_checkin=answered,
        )
    return _Session(elder, qset, checkin, state, due, set(answered))


def _ask(question: Question | None, state: dict[str, Any], lines: list[Line]) -> Turn:
    if question is None:
        return Turn(tuple(lines), end=True, state={})
    new_state = {
        "date": state["date"],
        "slot": state["slot"],
        "q": question.id,
        "later": state.get("later", []),
    }
    return Turn(tuple(lines), question=question, state=new_state)


def _unpaired() -> Turn:
    return Turn((Line("unpaired"),), state={"stage": "pair"}, reprompt=Line("unpaired_reprompt"))


def _inactive() -> Turn:
    return Turn((Line("not_watching"),), end=True)


def _open_session(
    svc: Services, uow: AbstractUnitOfWork, elder: Elder, now: datetime
) -> _Session | Turn:
    qset = svc.question_set(elder.municipality_code)
    window = qset.slot_at(now.time())
    if window is None:
        first = min(qset.slots, key=lambda s: s.start)
        return Turn(
            (
                Line(_greeting_key(now), {"name": elder.name}),
                Line("no_slot_yet", {"slot": first.label, "start": first.start}),
            ),
            end=True,
        )
    today = now.date()
    state = {"date": today.isoformat(), "slot": window.id}
    found = uow.checkins.get_with_answered(elder.id, today, window.id)
    if found is not None:
        return _load(uow, elder, qset, *found, state)
    checkin = CheckIn(
        id=uuid.uuid4().hex,
        elder_id=elder.id,
        date=today,
        slot=window.id,
        status=CheckInStatus.STARTED,
        started_at=now,
    )
    uow.checkins.add(checkin)
    return _load(uow, elder, qset, checkin, frozenset(), state)


def _resume(
    svc: Services, uow: AbstractUnitOfWork, elder: Elder, state: dict[str, Any]
) -> _Session | None:
    """Return the session named by the state, or None if the state does not name one."""
    if "date" not in state or "slot" not in state:
        return None
    found = uow.checkins.get_with_answered(
        elder.id, date.fromisoformat(state["date"]), state["slot"]
    )
    if found is None:
        return None
    return _load(uow, elder, svc.question_set(elder.municipality_code), *found, state)


def _start_lines(session: _Session, now: datetime, *, welcome: bool = False) -> Turn:
    remaining = session.remaining()
    lines = [Line(_greeting_key(now), {"name": session.elder.name})]
    if welcome:
        lines.append(Line("welcome_back"))
    if not remaining:
        slot = session.qset.slot(session.checkin.slot)
        lines.append(Line("already_done", {"slot": slot.label if slot else ""}))
        return Turn(tuple(lines), end=True)
    lines.append(Line("resume" if session.answered else "intro", {"count": len(remaining)}))
    return _ask(remaining[0], session.state, lines)


def greeting(svc: Services, caller: Caller) -> Line | None:
    """Return the greeting of the time of day with the elder's name (None: unpaired)."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    return Line(_greeting_key(svc.now()), {"name": elder.name}) if elder else None


@retry_when_busy
def start(svc: Services, caller: Caller) -> Turn:
    """Open the skill: greet, and ask the first question still due in this slot."""
    now = svc.now()
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
        if elder is None:
            return _unpaired()
        if not elder.is_watchable:
            return _inactive()
        period = away.active_period(uow, elder.id, now)
        if period is not None:
            lines = (Line(_greeting_key(now), {"name": elder.name}), Line("away_active"))
            return Turn(lines, state={"stage": away.STAGE_ACTIVE}, reprompt=Line("away_active"))
        welcome = away.just_returned(uow, elder.id, now) is not None
        session = _open_session(svc, uow, elder, now)
        if isinstance(session, Turn):
            # Outside every slot: no check-in, but the elder is up (a sign of life).
            life_signs.record(uow, elder.id, life_signs.OPENED, now)
            uow.commit()
            return session
        turn = _start_lines(session, now, welcome=welcome)
        uow.commit()
    return turn


def _finish(uow: AbstractUnitOfWork, session: _Session, now: datetime) -> None:
    """Record the check-in's status: completed when nothing is left, partial when begun."""
    if not session.remaining():
        if session.checkin.status is not CheckInStatus.COMPLETED:
            uow.checkins.set_status(session.checkin.id, CheckInStatus.COMPLETED, now)
    elif session.answered and session.checkin.status is not CheckInStatus.PARTIAL:
        uow.checkins.set_status(session.checkin.id, CheckInStatus.PARTIAL, None)


def _store(
    uow: AbstractUnitOfWork,
    session: _Session,
    question: Question,
    value: Any,
    raw: str,
    source: AnswerSource,
    caller: Caller,
    now: datetime,
    skipped: str | None = None,
) -> Answer:
    answer = Answer(
        checkin_id=session.checkin.id,
        elder_id=session.elder.id,
        date=session.checkin.date,
        question_id=question.id,
        question_version=question.version,
        value=value,
        raw=raw,
        source=source,
        answered_at=now,
        skipped=skipped,
        request_id=caller.request_id,
    )
    if not uow.answers.add(answer):
        logger.info("Answer already stored; request %s is a replay", caller.request_id)
    session.answered.add(question.id)
    return answer


def _last_value(uow: AbstractUnitOfWork, session: _Session, question: Question) -> Any:
    if getattr(question, "max_change", None) is None:
        return None  # only numbers compared with the last reading need it
    last = uow.answers.latest_value(session.elder.id, question.id, session.checkin.date)
    return last.value if last else None


def _reply_turn(
    svc: Services,
    uow: AbstractUnitOfWork,
    session: _Session,
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
        return _repair(uow, session, question, caller, now, reply.raw, heard=bool(reply.raw))
    if step.kind is StepKind.REASK:
        new_state = {k: v for k, v in state.items() if k not in _PENDING_KEYS}
        if step.value is not None:
            new_state["attempt"] = step.value
        lines = [Line(f"reask_{step.reason}"), Line("hint", {"hint": question.wording.hint})]
        return Turn(tuple(lines), question=question, state=new_state, ask_question=False)
    later = list(state.get("later", []))
    if step.kind is StepKind.SKIP and step.value == SKIP_LATER:
        later.append(question.id)
        lines = [Line("skip_later")]
    elif step.kind is StepKind.SKIP:
        _store(uow, session, question, None, reply.raw, source, caller, now, SKIP_UNKNOWN)
        lines = [Line("skip_unknown")]
    else:
        raw = state.get("pending_raw", reply.raw) if "pending" in state else reply.raw
        stored = _store(uow, session, question, step.value, raw, source, caller, now)
        raised = at_turn.NOTHING
        if question.kind == "blood_pressure":
            raised = at_turn.raise_now(svc, uow, session.elder, now, answers=[stored])
        lines = care_lines(question, step.value, raised)
    _finish(uow, session, now)
    remaining = session.remaining(later)
    if not remaining:
        # 「おしまいです。ありがとうございました」 thanks once: no thanks of the answer's own.
        lines = [_last_line(x) for x in lines]
        lines.append(Line("done_partial" if later else "done"))
        return Turn(tuple(lines), end=True)
    return _ask(remaining[0], {**state, "later": later}, lines)


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
        return _away_reply(svc, caller, state, reply)
    if state.get("stage") == away.STAGE_WEEKLY:
        return _weekly_reply(svc, caller, state, reply)
    now = svc.now()
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
        if elder is not None:
            if not elder.is_watchable:
                return _inactive()
            session = _resume(svc, uow, elder, state)
            question = session.qset.question(state.get("q", "")) if session else None
            if session is None or question is None:
                opened = _open_session(svc, uow, elder, now)
                if isinstance(opened, Turn):
                    return opened
                turn = _start_lines(opened, now)
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
        elder = _elder_for(uow, caller)
        session = _resume(svc, uow, elder, state) if elder else None
        if session is not None:
            _finish(uow, session, now)
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
        elder = _elder_for(uow, caller)
        raised = at_turn.NOTHING
        if elder is not None:
            session = _resume(svc, uow, elder, state)
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
                _finish(uow, session, now)
            uow.commit()
    return emergency_turn(raised.told)


def emergency_turn(told: at_turn.Told) -> Turn:
    """Return the calm 119 advice, saying who was told (when anyone was)."""
    lines = [Line("emergency")]
    if told:
        lines.append(Line("told", {"told": told}))
    lines.append(Line("emergency_neighbour"))
    return Turn(tuple(lines), end=True)


def _current_question(svc: Services, elder: Elder, state: dict[str, Any]) -> Question | None:
    if "q" not in state:
        return None
    return svc.question_set(elder.municipality_code).question(state["q"])


def _with_question(lines: list[Line], question: Question | None, state: dict[str, Any]) -> Turn:
    # The question is asked afresh: a value awaiting はい/いいえ is dropped, not confirmed later.
    fresh = {k: v for k, v in state.items() if k not in _PENDING_KEYS}
    if question is None:
        return Turn(tuple(lines), state=fresh)
    return Turn(tuple(lines), question=question, state=fresh)


def who_is_watching(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Say who sees the elder's answers, from the consent record; then ask again."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    if elder.consent is None:
        return _with_question([Line("consent_missing")], None, state)
    consent = elder.consent
    lines = [
        Line("who_is_watching", {"shares": consent.shares}),
        Line(
            "consent_explained",
            {"date": consent.consented_on, "explained_by": consent.explained_by},
        ),
    ]
    return _with_question(lines, _current_question(svc, elder, state), state)


def help_turn(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Explain how to answer the current question (or what the skill does)."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    question = _current_question(svc, elder, state)
    if question is not None:
        lines = [Line("help_question", {"hint": question.wording.hint}), Line("help_general")]
    else:
        lines = [Line("help_idle")]
    return _with_question(lines, question, state)


def fallback(svc: Services, caller: Caller, state: dict[str, Any], *, heard: bool = False) -> Turn:
    """Say kindly that we did not catch it, give the hint and ask again."""
    if state.get("stage") == "pair":
        return Turn((Line("pair_not_understood"),), state=state)
    if not state.get("stage") and state.get("q"):
        repaired = _repair_nothing_heard(svc, caller, state, heard=heard)
        if repaired is not None:
            return repaired
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    question = _current_question(svc, elder, state)
    lines = [Line("repair_heard" if heard else "fallback")]
    if question is not None:
        lines.append(Line("hint", {"hint": question.wording.hint}))
    return _with_question(lines, question, state)


@retry_when_busy
def _repair_nothing_heard(
    svc: Services, caller: Caller, state: dict[str, Any], *, heard: bool
) -> Turn | None:
    now = svc.now()
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
        session = _resume(svc, uow, elder, state) if elder else None
        question = session.qset.question(state["q"]) if session else None
        if session is None or question is None:
            return None
        turn = _repair(uow, session, question, caller, now, "", heard=heard)
        uow.commit()
    return turn


def _pair_from_reply(svc: Services, caller: Caller, state: dict[str, Any], reply: Reply) -> Turn:
    if reply.kind is ReplyKind.NUMBER and reply.value is not None:
        return pair(svc, caller, str(int(reply.value)) if float(reply.value).is_integer() else "")
    return _unpaired()


@retry_when_busy
def pair(svc: Services, caller: Caller, code: str) -> Turn:
    """Bind this speaker to the elder whose pairing code was said, then start the check-in."""
    now = svc.now()
    code = code.strip().zfill(6) if code.strip().isdigit() else ""
    with svc.uow() as uow:
        if _elder_for(uow, caller) is not None:
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
        elder = _elder_for(uow, caller)
    paired = Line("paired", {"name": elder.name if elder else ""})
    return Turn((paired, *turn.lines), turn.question, turn.confirm, turn.end, turn.state)


_QUESTION_KEYS = ("date", "slot", "q", "later")


def _kept(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k in _QUESTION_KEYS}


def _away_confirm(
    state: dict[str, Any], kind: str, until: str | None, since: str | None = None
) -> Turn:
    key = "away_confirm" if until else "away_confirm_open"
    params: dict[str, Any] = {"kind": kind, "until": until}
    if since:
        key += "_from"
        params["since"] = since
    new_state = {**_kept(state), "stage": away.STAGE_CONFIRM, "away_kind": kind}
    new_state["away_until"] = until
    if since:
        new_state["away_since"] = since
    return Turn((Line(key, params),), state=new_state, reprompt=Line("yes_or_no"))


def away_said(
    svc: Services,
    caller: Caller,
    state: dict[str, Any],
    kind: str | None,
    until: str | None,
    since: str | None = None,
) -> Turn:
    """「しばらく入院します」: ask until when (unless said), then read it back."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    kind = kind or "other"
    if until is None:
        new_state = {**_kept(state), "stage": away.STAGE_UNTIL, "away_kind": kind}
        line = Line("away_ask_until", {"kind": kind})
        if since:
            new_state["away_since"] = since
            line = Line("away_ask_until_from", {"kind": kind, "since": since})
        return Turn((line,), state=new_state, reprompt=Line("away_until_reprompt"))
    return _away_confirm(state, kind, until, since)


def until_said(svc: Services, caller: Caller, state: dict[str, Any], until: str | None) -> Turn:
    """Take the answer to "until when?" (out of that context a date is not understood)."""
    if state.get("stage") != away.STAGE_UNTIL or not until:
        return fallback(svc, caller, state)
    return _away_confirm(state, state.get("away_kind", "other"), until, state.get("away_since"))


@retry_when_busy
def _away_reply(svc: Services, caller: Caller, state: dict[str, Any], reply: Reply) -> Turn:
    kind = state.get("away_kind", "other")
    if state.get("stage") == away.STAGE_UNTIL:
        if reply.kind is ReplyKind.SKIP:
            return _away_confirm(state, kind, None, state.get("away_since"))
        return Turn(
            (Line("away_ask_until", {"kind": kind}),),
            state=state,
            reprompt=Line("away_until_reprompt"),
        )
    if reply.kind is ReplyKind.NO:
        with svc.uow() as uow:
            elder = _elder_for(uow, caller)
        question = _current_question(svc, elder, state) if elder else None
        return _with_question([Line("away_cancelled")], question, _kept(state))
    if reply.kind is not ReplyKind.YES:
        return _away_confirm(state, kind, state.get("away_until"), state.get("away_since"))
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    now = svc.now()
    end = away.end_of(state.get("away_until"), svc.tz)
    start = away.start_of(state.get("away_since"), svc.tz, now)
    away.declare(svc, elder.id, AwayKind(kind), start=start, end=end, set_by="elder")
    return Turn((Line(f"away_set_{kind}"),), end=True)


def _weekly_confirm(state: dict[str, Any], kind: str, weekdays: list[str]) -> Turn:
    new_state = {**_kept(state), "stage": away.STAGE_WEEKLY}
    new_state |= {"weekly_kind": kind, "weekly_days": weekdays}
    line = Line("weekly_confirm", {"absence": kind, "weekdays": weekdays})
    return Turn((line,), state=new_state, reprompt=Line("yes_or_no"))


def weekly_said(
    svc: Services, caller: Caller, state: dict[str, Any], kind: str, weekdays: tuple[str, ...]
) -> Turn:
    """「水曜日はデイサービスです」: read it back; remembered only once the elder says はい."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    return _weekly_confirm(state, kind, list(weekdays))


def weekly_again(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Read the weekly absence back again: only はい or いいえ answers it."""
    return _weekly_confirm(
        state, state.get("weekly_kind", "other"), list(state.get("weekly_days", ()))
    )


def _weekly_reply(svc: Services, caller: Caller, state: dict[str, Any], reply: Reply) -> Turn:
    kind, weekdays = state.get("weekly_kind", "other"), list(state.get("weekly_days", ()))
    if reply.kind not in (ReplyKind.YES, ReplyKind.NO) or not weekdays:
        return _weekly_confirm(state, kind, weekdays)
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    question = _current_question(svc, elder, state)
    if reply.kind is ReplyKind.NO:
        return _with_question([Line("weekly_cancelled")], question, _kept(state))
    away.declare_weekly(svc, elder.id, kind, tuple(weekdays))
    return _with_question([Line("weekly_set")], question, _kept(state))


def returned(svc: Services, caller: Caller) -> Turn:
    """「ただいま」: end the current away period and welcome the elder back."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    away.end_now(svc, elder.id)
    return start(svc, caller)


# --- repair: like a person, not like a machine ------------------------------------------------

_REPAIR_KEYS = ("misses", "missed_words")
MAX_MISSES = 2


def _choices_line(question: Question) -> Line:
    options = getattr(question, "options", None)
    if options:
        return Line("repair_choices", {"choices": "、".join(f"「{o.label}」" for o in options)})
    if question.kind == "yes_no":
        yes = getattr(question, "yes_label", None) or "はい"
        no = getattr(question, "no_label", None) or "いいえ"
        return Line("repair_choices", {"choices": f"「{yes}」、「{no}」"})
    return Line("hint", {"hint": question.wording.hint})


def _repair(
    uow: AbstractUnitOfWork,
    session: _Session,
    question: Question,
    caller: Caller,
    now: datetime,
    words: str,
    *,
    heard: bool,
) -> Turn:
    """After a first miss offer the choices (and the buttons); after a second, go on kindly."""
    state = session.state
    misses = int(state.get("misses", 0)) + 1
    missed = [*state.get("missed_words", []), *([words] if words else [])]
    if misses < MAX_MISSES:
        lines = [Line("repair_heard" if heard else "fallback"), _choices_line(question)]
        if caller.screen:
            lines.append(Line("repair_buttons"))
        fresh = {k: v for k, v in state.items() if k not in _PENDING_KEYS}
        new_state = {**fresh, "misses": misses, "missed_words": missed}
        return Turn(tuple(lines), question=question, state=new_state, ask_question=False)
    if missed:
        # The words are kept for staff (not as an answer: nothing is stored that was not said).
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"alexa-request:{caller.request_id}:unheard").hex
        detail = {"question_id": question.id, "words": missed, "checkin_id": session.checkin.id}
        if not uow.events.exists(event_id):
            uow.events.add(Event(event_id, session.elder.id, EventKind.UNHEARD, now, detail))
    later = [*state.get("later", []), question.id]
    _finish(uow, session, now)
    remaining = session.remaining(later)
    lines = [Line("repair_skip")]
    if not remaining:
        lines.append(Line("done_partial"))
        return Turn(tuple(lines), end=True)
    kept = {k: v for k, v in state.items() if k not in _REPAIR_KEYS}
    return _ask(remaining[0], {**kept, "later": later}, lines)


@retry_when_busy
def not_understood(svc: Services, caller: Caller, state: dict[str, Any], words: str) -> Turn:
    """Words were heard but not understood: repair (see ``_repair``)."""
    if state.get("stage") == "pair":
        return Turn((Line("pair_not_understood"),), state=state)
    if state.get("stage"):
        return fallback(svc, caller, state, heard=True)
    now = svc.now()
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
        if elder is None:
            return _unpaired()
        session = _resume(svc, uow, elder, state)
        question = session.qset.question(state.get("q", "")) if session else None
        if session is None or question is None:
            return fallback(svc, caller, state, heard=True)
        turn = _repair(uow, session, question, caller, now, words, heard=True)
        uow.commit()
    return turn


def ask_again(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """「もう一回」 in words: ask the current question again."""
    with svc.uow() as uow:
        elder = _elder_for(uow, caller)
    if elder is None:
        return _unpaired()
    return _with_question([], _current_question(svc, elder, state), state)
