"""The medication reminder, offered by voice and set only with the elder's consent.

Where the municipality turned it on (``medication_reminder: true`` in its engagement file), the
skill asks once, after the elder answers the medication question, 「お薬の時間に、このスピーカーで
お知らせしましょうか。」: never again after any answer (a no included). The elder can always ask
for it (「薬の時間に教えて」). On はい, the Reminders permission is
asked for by voice when not yet granted, then a daily reminder is created at the medication time:
the start of the one slot in which this elder is asked the medication question, or, when there are
several slots (朝と晩), the time the elder says. 「お薬のお知らせはいらない」 deletes it. Every
step is kept as an event of kind ``reminder``; a failed call never breaks the turn (a gentle line,
nothing stored as set), and the check-in goes on where it was.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import time
from typing import Any

from backend import messages
from backend.channels.reminders import InSession, ReminderError, reminder_body
from backend.domain import reminders
from backend.domain.model import Elder, Event, EventKind
from backend.domain.understanding import EMPTY, MeaningKind, understand
from backend.ports import AbstractUnitOfWork
from backend.services import notice_delivery
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.turns import Caller, Line, Turn, current_question, elder_for
from questions.loader import parse_overrides

logger = logging.getLogger(__name__)

STAGE = "stage"
STAGE_OFFER = "reminder_offer"
STAGE_TIME = "reminder_time"
STAGE_PERMISSION = "reminder_permission"
STAGES = (STAGE_OFFER, STAGE_TIME, STAGE_PERMISSION)
TOKEN_PREFIX = "mimamori.reminder:"  # the AskFor token: the state to resume with
_CHECKIN_KEYS = ("date", "slot", "q", "later", "closing")
_CLOSINGS = ("done", "done_partial")
YES_NO_BUTTONS = [
    {"kind": "yes", "value": "yes", "label": "はい", "primary": True},
    {"kind": "no", "value": "no", "label": "いいえ", "primary": False},
]


@dataclass(frozen=True)
class Access:
    """What the request allows: the in-session API access, and whether reminders are granted."""

    session: InSession | None  # None: the request carried no endpoint or token
    granted: bool


def in_stage(state: dict[str, Any]) -> str | None:
    """Return the reminder stage the conversation is in, or None."""
    stage = state.get(STAGE)
    return stage if stage in STAGES else None


def permission_token(state: dict[str, Any]) -> str:
    """Return the AskFor token: the check-in position and the time, returned as is by Alexa."""
    kept = {k: v for k, v in state.items() if k in (*_CHECKIN_KEYS, "reminder_time")}
    return TOKEN_PREFIX + json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def state_of_token(token: str | None) -> dict[str, Any]:
    """Return the state kept in an AskFor token (empty when it is not ours)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return {}
    try:
        kept = json.loads(token.removeprefix(TOKEN_PREFIX))
    except ValueError:
        return {}
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if k in (*_CHECKIN_KEYS, "reminder_time")}


def _kept(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k in _CHECKIN_KEYS}


def _event_id(caller: Caller, action: str) -> str:
    name = f"alexa-request:{caller.request_id}:reminder:{action}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).hex


def _record(
    uow: AbstractUnitOfWork, elder: Elder, caller: Caller, now: Any, action: str, **detail: Any
) -> bool:
    """Add the event of this request and action; False when a replay already added it."""
    event_id = _event_id(caller, action)
    if uow.events.exists(event_id):
        return False
    uow.events.add(Event(event_id, elder.id, EventKind.REMINDER, now, {"action": action, **detail}))
    return True


@retry_when_busy
def _note(svc: Services, caller: Caller, action: str, **detail: Any) -> None:
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is not None:
            _record(uow, elder, caller, svc.now(), action, **detail)
            uow.commit()


def medication_time(svc: Services, elder: Elder) -> time | None:
    """Return the start of the one slot the elder is asked about medication in (None: not one)."""
    qset = svc.question_set(elder.municipality_code)
    overrides = parse_overrides(elder.overrides, f"elder {elder.id} overrides")
    question = qset.question(reminders.MEDICATION)
    if question is None:
        return None
    override = overrides.schedules.get(reminders.MEDICATION)
    slots = override.slots if override else question.schedule.slots
    if len(slots) != 1:
        return None
    slot = qset.slot(slots[0])
    return reminders.parse_hhmm(slot.start) if slot else None


def _answered_medication(turn: Turn) -> bool:
    return any(
        line.key == "care" and line.params.get("question") == reminders.MEDICATION
        for line in turn.lines
    )


def _offer(lines: list[Line], state: dict[str, Any], tries: int = 0) -> Turn:
    return Turn(
        (*lines, Line("reminder_offer")),
        state={**_kept(state), STAGE: STAGE_OFFER, "tries": tries},
        reprompt=Line("reminder_offer_reprompt"),
        screen={"title": "お薬のお知らせ", "buttons": YES_NO_BUTTONS},
    )


@retry_when_busy
def offer_after(svc: Services, caller: Caller, turn: Turn) -> Turn:
    """After the medication answer, offer the reminder once; the check-in waits one turn."""
    if svc.reminders is None or not _answered_medication(turn):
        return turn
    closing = None
    if turn.end:
        if not turn.lines or turn.lines[-1].key not in _CLOSINGS:
            return turn  # the closing is followed by something else (notices): not now
        closing = turn.lines[-1].key
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is None or not elder.is_watchable:
            return turn
        if not svc.engagement(elder.municipality_code).medication_reminder:
            return turn  # the municipality has not turned the offer on
        if reminders.ever_offered(uow.events.list_for_elder(elder.id)):
            return turn
        _record(uow, elder, caller, svc.now(), reminders.OFFERED)
        uow.commit()
    state = dict(turn.state)
    if turn.question is not None:
        state["q"] = turn.question.id
    lines = [line for line in turn.lines if line.key not in _CLOSINGS]
    if closing:
        state["closing"] = closing
    return _offer(lines, state)


def go_on(svc: Services, caller: Caller, state: dict[str, Any], lines: list[Line]) -> Turn:
    """Go on with the check-in where it was (its question, or its closing), after ``lines``."""
    kept = _kept(state)
    if kept.get("closing") in _CLOSINGS:
        return Turn((*lines, Line(kept["closing"])), end=True)
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    question = current_question(svc, elder, kept) if elder is not None and kept.get("q") else None
    if question is None:
        return Turn((*lines, Line("closing")), end=True)
    return Turn(tuple(lines), question=question, state=kept)


def _meaning(svc: Services, caller: Caller, words: str) -> Any:
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    qset = svc.question_sets().get(elder.municipality_code) if elder else None
    return understand(words, None, qset.lexicon if qset else EMPTY)


def offer_reply(
    svc: Services, caller: Caller, state: dict[str, Any], words: str, access: Access
) -> Turn:
    """Take what was said to the offer: an emergency first; はい goes on to set it; else not."""
    meaning = _meaning(svc, caller, words)
    if meaning.kind is MeaningKind.EMERGENCY:
        return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}", words)
    if meaning.kind is MeaningKind.YES:
        return wanted(svc, caller, state, access)
    if meaning.kind is MeaningKind.NO or state.get("tries"):
        _note(svc, caller, reminders.DECLINED)
        return go_on(svc, caller, state, [Line("reminder_declined")])
    return _offer([Line("fallback")], state, tries=1)


def help_turn(state: dict[str, Any]) -> Turn:
    """Say how to answer the offer or the time question, and ask it again."""
    if in_stage(state) == STAGE_TIME:
        return _ask_time(state, [Line("reminder_time_reprompt")], tries=int(state.get("tries", 0)))
    return _offer([Line("reminder_offer_reprompt")], state, tries=int(state.get("tries", 0)))


def wanted(svc: Services, caller: Caller, state: dict[str, Any], access: Access) -> Turn:
    """Go on to set the reminder the elder wants (はい, 「薬の時間に教えて」): its time first."""
    if svc.reminders is None:
        return go_on(svc, caller, state, [Line("reminder_unavailable")])
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        events = uow.events.list_for_elder(elder.id) if elder else []
    if elder is None:
        return go_on(svc, caller, state, [Line("reminder_unavailable")])
    found = reminders.current(events)
    if found is not None:
        # A replayed request hears what the first one did; another one, that it is set.
        replay = any(e.id == _event_id(caller, reminders.SET) for e in events)
        key = "reminder_set" if replay else "reminder_already"
        return go_on(svc, caller, state, [Line(key, {"at": found.time})])
    at = medication_time(svc, elder)
    if at is None:
        return _ask_time(state, [Line("reminder_ask_time")])
    return with_time(svc, caller, {**state, "reminder_time": reminders.hhmm(at)}, access)


def _ask_time(state: dict[str, Any], lines: list[Line], tries: int = 0) -> Turn:
    new_state = {**_kept(state), STAGE: STAGE_TIME, "tries": tries}
    return Turn(tuple(lines), state=new_state, reprompt=Line("reminder_time_reprompt"))


def time_said(
    svc: Services,
    caller: Caller,
    state: dict[str, Any],
    value: str | None,
    words: str,
    access: Access,
) -> Turn:
    """Take the time the elder said (「8時」): set it, ask once again, or leave it kindly."""
    at = reminders.parse_hhmm(value or "") or reminders.said_time(words or value or "")
    if at is not None:
        return with_time(svc, caller, {**state, "reminder_time": reminders.hhmm(at)}, access)
    meaning = _meaning(svc, caller, words) if words else None
    if meaning is not None and meaning.kind is MeaningKind.EMERGENCY:
        return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}", words)
    if meaning is not None and meaning.kind in (MeaningKind.NO, MeaningKind.SKIP):
        _note(svc, caller, reminders.DECLINED)
        return go_on(svc, caller, state, [Line("reminder_declined")])
    if not state.get("tries"):
        return _ask_time(state, [Line("reminder_time_again")], tries=1)
    return go_on(svc, caller, state, [Line("reminder_time_given_up")])


def with_time(svc: Services, caller: Caller, state: dict[str, Any], access: Access) -> Turn:
    """Set the reminder at ``state["reminder_time"]``; ask for the permission first if needed."""
    if not access.granted:
        new_state = {**_kept(state), STAGE: STAGE_PERMISSION}
        new_state["reminder_time"] = state["reminder_time"]
        return Turn((Line("reminder_permission"),), state=new_state)
    return _create(svc, caller, state, access)


_FAILED_LINES = {"unauthorized": "reminder_no_permission", "forbidden": "reminder_no_permission"}


@retry_when_busy
def _create(svc: Services, caller: Caller, state: dict[str, Any], access: Access) -> Turn:
    at = reminders.parse_hhmm(str(state.get("reminder_time", "")))
    if svc.reminders is None or access.session is None or at is None:
        return go_on(svc, caller, state, [Line("reminder_failed")])
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is None:
            return go_on(svc, caller, state, [Line("reminder_unavailable")])
        done = _event_id(caller, reminders.SET)
        if uow.events.exists(done):
            # A replayed request: the reminder was created the first time.
            return go_on(svc, caller, state, [Line("reminder_set", {"at": reminders.hhmm(at)})])
    try:
        token = svc.reminders.create(
            access.session, reminder_body(at, now, messages.MEDICATION_REMINDER_TEXT)
        )
    except ReminderError as err:
        logger.warning("medication reminder not set: %s", err.reason)
        _note(svc, caller, reminders.FAILED, reason=err.reason, time=reminders.hhmm(at))
        line = _FAILED_LINES.get(err.reason, "reminder_failed")
        return go_on(svc, caller, state, [Line(line)])
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is not None:
            detail = {"alert_token": token, "time": reminders.hhmm(at), "set_by": "elder"}
            _record(uow, elder, caller, now, reminders.SET, **detail)
            uow.commit()
    return go_on(svc, caller, state, [Line("reminder_set", {"at": reminders.hhmm(at)})])


def permission_answered(
    svc: Services, caller: Caller, state: dict[str, Any], status: str, access: Access
) -> Turn:
    """Take the answer to Alexa's permission question: ACCEPTED sets it, else it is left."""
    if status == "ACCEPTED" and state.get("reminder_time"):
        return _create(svc, caller, state, Access(access.session, granted=True))
    if status == "DENIED":
        _note(svc, caller, reminders.DECLINED, reason="permission_denied")
        return go_on(svc, caller, state, [Line("reminder_permission_denied")])
    return go_on(svc, caller, state, [Line("reminder_permission_unanswered")])


@retry_when_busy
def remove(svc: Services, caller: Caller, state: dict[str, Any], access: Access) -> Turn:
    """「お薬のお知らせはいらない」: delete the reminder in force (and offer it no more)."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        found = reminders.current(uow.events.list_for_elder(elder.id)) if elder else None
    if elder is None:
        return go_on(svc, caller, state, [Line("reminder_unavailable")])
    if found is None:
        _note(svc, caller, reminders.DECLINED)
        return go_on(svc, caller, state, [Line("reminder_none")])
    if svc.reminders is None or access.session is None:
        return go_on(svc, caller, state, [Line("reminder_remove_failed")])
    try:
        svc.reminders.delete(access.session, found.alert_token)
    except ReminderError as err:
        if err.reason != "gone":  # removed already (in the Alexa app): only the record is left
            logger.warning("medication reminder not removed: %s", err.reason)
            return go_on(svc, caller, state, [Line("reminder_remove_failed")])
    _note(svc, caller, reminders.REMOVED, alert_token=found.alert_token, time=found.time)
    return go_on(svc, caller, state, [Line("reminder_removed")])


def for_staff(svc: Services, elder_id: str) -> reminders.Reminder | None:
    """Return the elder's reminder in force, for the elder page (the caller checked the scope)."""
    with svc.uow() as uow:
        return reminders.current(uow.events.list_for_elder(elder_id))
