"""Notices in the conversation: announced at the start, heard now or after the check-in.

- At the start of a session (``start``), a 災害 notice comes before anything else: it is
  read, shown and marked heard, and the elder is asked for a 安否 answer
  (「無事です」/「助けが必要です」), recorded; 「助けが必要」 opens an urgent alert at once.
- Other new notices are counted (「新しいお知らせが2件あります。今お聞きになりますか」):
  「はい」 reads them now, then the check-in follows; 「あとで」 starts the check-in and
  the notices are read when it is done (``answer``).
- Every notice read is marked heard for that elder and occurrence, idempotently: a
  replayed request records nothing twice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from backend.domain import rules
from backend.domain.conversation import Reply, ReplyKind
from backend.domain.model import AnswerSource, Elder, Severity
from backend.services import at_turn, away, checkin
from backend.services import notices as notice_service
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.turns import Caller, Line, Turn
from notices.model import Due, NoticeKind, Priority, Safety

STAGE_OFFER = "notice_offer"
STAGE_SAFETY = "notice_safety"
STAGES = (STAGE_OFFER, STAGE_SAFETY)
SAFE_IDS = frozenset({"safe", "good"})  # 「無事です」, and 「大丈夫」 (an answer word)
NEED_HELP_IDS = frozenset({"need_help"})
_DONE_KEYS = frozenset({"done", "done_partial"})


def in_notice_stage(state: dict[str, Any]) -> bool:
    """Return True when the session waits for an answer about notices."""
    return state.get("stage") in STAGES


def _elder(svc: Services, caller: Caller) -> Elder | None:
    with svc.uow() as uow:
        return uow.devices.elder_for(caller.alexa_user_id, caller.device_id)


def _pending(svc: Services, elder: Elder, request_id: str = "") -> list[Due]:
    now = svc.now()
    with svc.uow() as uow:
        if away.active_period(uow, elder.id, now) is not None:
            return []
        dues = notice_service.due_for_elder(uow, elder, now, request_id)
    # A 体操 notice is an invitation of its own, after the check-in (exercise_dialogue).
    return [d for d in dues if d.notice.kind is NoticeKind.GENERAL]


def _without_greeting(turn: Turn) -> Turn:
    lines = tuple(line for line in turn.lines if not line.key.startswith("greeting_"))
    return Turn(
        lines,
        turn.question,
        turn.confirm,
        turn.end,
        turn.state,
        turn.ask_question,
        turn.reprompt,
        turn.screen,
    )


def _prefixed(lines: list[Line], turn: Turn) -> Turn:
    return Turn(
        (*lines, *turn.lines),
        turn.question,
        turn.confirm,
        turn.end,
        turn.state,
        turn.ask_question,
        turn.reprompt,
        turn.screen,
    )


def _greeting(svc: Services, elder: Elder) -> Line:
    hour = svc.now().hour
    key = (
        "greeting_morning"
        if 4 <= hour < 11
        else "greeting_day"
        if 11 <= hour < 17
        else "greeting_evening"
    )
    return Line(key, {"name": elder.name})


def _screen_of(dues: list[Due], buttons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    first = dues[0].notice
    screen: dict[str, Any] = {
        "title": first.title if len(dues) == 1 else "お知らせ",
        "text": "\n".join(d.notice.screen_text for d in dues),
        "buttons": buttons or [],
    }
    if len(dues) == 1 and first.image_url:
        screen["image"] = first.image_url
    return screen


def _button(kind: str, value: str, label: str, primary: bool = True) -> dict[str, Any]:
    return {"kind": kind, "value": value, "label": label, "primary": primary}


SAFETY_BUTTONS = [
    _button("choice", "safe", "無事です"),
    _button("choice", "need_help", "助けが必要です"),
]
OFFER_BUTTONS = [_button("yes", "yes", "今聞く"), _button("skip", "later", "あとで", False)]


@retry_when_busy
def _read(svc: Services, caller: Caller, elder: Elder, dues: list[Due]) -> list[Line]:
    """Mark the notices heard and return the lines that read them."""
    now = svc.now()
    with svc.uow() as uow:
        for due in dues:
            notice_service.mark_heard(uow, elder, due, now, caller.request_id)
        uow.commit()
    lines = [Line("notice_intro")]
    lines += [
        Line("notice_item", {"title": d.notice.title, "speech": d.notice.speech}) for d in dues
    ]
    lines.append(Line("notice_end"))
    return lines


@retry_when_busy
def _ask_safety(svc: Services, caller: Caller, elder: Elder, due: Due, lines: list[Line]) -> Turn:
    now = svc.now()
    with svc.uow() as uow:
        notice_service.mark_heard(uow, elder, due, now, caller.request_id)
        uow.commit()
    read = Line("notice_disaster", {"title": due.notice.title, "speech": due.notice.speech})
    state = {"stage": STAGE_SAFETY, "notice": due.notice.id, "occurrence": due.occurrence}
    return Turn(
        (*lines, read, Line("safety_question")),
        state=state,
        reprompt=Line("safety_reprompt"),
        screen=_screen_of([due], SAFETY_BUTTONS),
    )


OFFERED_AGAIN = "offered_again"  # the offer was made again after other words


def _offer(dues: list[Due], lines: list[Line]) -> Turn:
    return Turn(
        (*lines, Line("notice_offer", {"n": len(dues)})),
        state={"stage": STAGE_OFFER},
        reprompt=Line("notice_offer_reprompt"),
        screen={
            "title": "新しいお知らせ",
            "text": "\n".join(f"・{d.notice.title}" for d in dues),
            "buttons": OFFER_BUTTONS,
        },
    )


def _next(svc: Services, caller: Caller, elder: Elder, lines: list[Line]) -> Turn:
    """Go on after a greeting or a 安否 answer: the next 災害, the offer, or the check-in."""
    dues = _pending(svc, elder)
    disaster = [d for d in dues if d.needs_safety]
    if disaster:
        return _ask_safety(svc, caller, elder, disaster[0], lines)
    others = [d for d in dues if d.notice.priority is not Priority.DISASTER]
    if others:
        return _offer(others, lines)
    return _prefixed(lines, _without_greeting(checkin.start(svc, caller)))


def start(svc: Services, caller: Caller) -> Turn:
    """Open the skill: 災害 notices first, then the offer of new notices, then the check-in."""
    elder = _elder(svc, caller)
    if elder is None or not elder.is_watchable or not _pending(svc, elder):
        return checkin.start(svc, caller)
    return _next(svc, caller, elder, [_greeting(svc, elder)])


def _safety_of(reply: Reply) -> Safety | None:
    if reply.kind is ReplyKind.CHOICE and reply.value in SAFE_IDS:
        return Safety.SAFE
    if reply.kind is ReplyKind.CHOICE and reply.value in NEED_HELP_IDS:
        return Safety.NEED_HELP
    return None


@retry_when_busy
def _record(svc: Services, elder: Elder, state: dict[str, Any], safety: Safety) -> at_turn.Told:
    """Record the 安否 answer; 「助けが必要」 opens the urgent alert now. Return who was told."""
    now = svc.now()
    with svc.uow() as uow:
        notice = uow.notices.get(state.get("notice", ""))
        if notice is None:
            return at_turn.Told()
        occurrence = str(state.get("occurrence", ""))
        delivered = uow.notice_deliveries.list_for_elder(elder.id, [notice.id])
        if not any(d.occurrence == occurrence and d.safety is safety for d in delivered):
            # (else a replayed request: recorded already)
            notice_service.record_safety(uow, elder, notice, occurrence, safety, now)
            uow.commit()
        if safety is not Safety.NEED_HELP:
            return at_turn.Told()
        return at_turn.told(uow, elder, rules.DISASTER_HELP, Severity.URGENT)


def reply(svc: Services, caller: Caller, state: dict[str, Any], answer: Reply) -> Turn:
    """Take the elder's answer to the offer or to the 安否 question."""
    elder = _elder(svc, caller)
    if elder is None:
        return checkin.start(svc, caller)
    if state.get("stage") == STAGE_SAFETY:
        safety = _safety_of(answer)
        if safety is None:  # words heard are not said to be unheard
            return Turn(
                (Line("safety_reask_heard" if answer.raw else "safety_reask"),),
                state=state,
                reprompt=Line("safety_reprompt"),
                screen={"title": "ご無事ですか", "buttons": SAFETY_BUTTONS},
            )
        told = _record(svc, elder, state, safety)
        if safety is Safety.NEED_HELP:
            lines = [Line("safety_need_help")]
            if told:
                lines.append(Line("told", {"told": told}))
            return Turn((*lines, Line("safety_call_119")), end=True)
        return _next(svc, caller, elder, [Line("safety_safe")])
    pending = _pending(svc, elder, caller.request_id)
    dues = [d for d in pending if d.notice.priority is not Priority.DISASTER]
    if answer.kind is ReplyKind.YES:
        lines = _read(svc, caller, elder, dues) if dues else []
        turn = _without_greeting(checkin.start(svc, caller))
        return _prefixed(lines, turn)
    # Other words said twice (「元気です」: the elder is on to the check-in): the notices wait.
    later = answer.kind in (ReplyKind.NO, ReplyKind.SKIP) or bool(
        answer.raw and state.get(OFFERED_AGAIN)
    )
    if later:
        turn = _without_greeting(checkin.start(svc, caller))
        if turn.end and dues:
            # Nothing to ask now: "after the check-in" is now.
            return _before_closing(turn, _finale(svc, caller, elder, dues))
        return _prefixed([Line("notice_later")], turn)
    if not dues:
        return checkin.start(svc, caller)
    again = _offer(dues, [Line("notice_offer_heard" if answer.raw else "notice_offer_again")])
    return replace(again, state={**again.state, OFFERED_AGAIN: True})


CLOSING_KEYS = frozenset({*_DONE_KEYS, "already_done"})


def _before_closing(turn: Turn, finale: Turn) -> Turn:
    """Return the check-in's last turn with the notices read before its closing words."""
    closing = [line for line in turn.lines if line.key in CLOSING_KEYS]
    before = [line for line in turn.lines if line.key not in CLOSING_KEYS]
    return replace(finale, lines=(*before, *finale.lines, *closing))


def _finale(svc: Services, caller: Caller, elder: Elder, dues: list[Due]) -> Turn:
    return Turn(tuple(_read(svc, caller, elder, dues)), end=True, screen=_screen_of(dues))


def answer(
    svc: Services,
    caller: Caller,
    state: dict[str, Any],
    reply_: Reply,
    source: AnswerSource = AnswerSource.VOICE,
) -> Turn:
    """Answer the check-in; when it is done, read the notices kept for afterwards."""
    if in_notice_stage(state):
        return reply(svc, caller, state, reply_)
    turn = checkin.answer(svc, caller, state, reply_, source)
    if not (turn.end and any(line.key in _DONE_KEYS for line in turn.lines)):
        return turn
    elder = _elder(svc, caller)
    if elder is None:
        return turn
    dues = [d for d in _pending(svc, elder, caller.request_id) if not d.needs_safety]
    if not dues:
        return turn
    return _before_closing(turn, _finale(svc, caller, elder, dues))


def emergency(
    svc: Services, caller: Caller, state: dict[str, Any], intent: str, words: str = ""
) -> Turn:
    """「助けて」: while a 安否 answer is awaited it is 「助けが必要」 too; then the 119 advice."""
    if state.get("stage") == STAGE_SAFETY:
        elder = _elder(svc, caller)
        if elder is not None:
            # One alert for one call for help: the 災害 one, opened now, told as such.
            return checkin.emergency_turn(_record(svc, elder, state, Safety.NEED_HELP))
    return checkin.emergency(svc, caller, state, intent, words)
