"""体操 notices in the conversation: an invitation in its window, and the elder's answer.

「いきいき百歳体操の時間です。ご一緒にいかがですか。」

- The invitation is read once a day, on the notice's days, when the skill is opened inside its
  time window: after the check-in and the notices read after it, just before the check-in's
  closing words (which follow the elder's answer); right after the greeting when nothing is to
  be asked now (the check-in done already, or no slot begun yet).
- The elder may answer 「やった」, 「これからやる」 (or 「はい」) or 「今日はやめとく」: the
  answer is kept as an event for staff (never an alert), thanked without a word of judgement.
  Anything else simply goes on: the closing words, and what follows a completed check-in.
- Emergency words said instead are an emergency first.
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum
from typing import Any

from backend import messages
from backend.domain.model import Elder, Event, EventKind
from backend.domain.understanding import EMPTY, MeaningKind, understand
from backend.services import away, notice_delivery
from backend.services import notices as notice_service
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.turns import Caller, Line, Turn
from notices.model import Due, Notice, NoticeKind

STAGE_INVITED = "exercise_invited"
BUTTON_KIND = "exercise"  # the kind of the answer buttons of the invitation
# Closing words of a completed or interrupted check-in: said after the elder's answer.
_MOVED_KEYS = frozenset({"done", "done_partial"})
# Words that only say there is nothing to ask now: the invitation takes their place.
_DROPPED_KEYS = frozenset({"already_done", "no_slot_yet"})
_CLOSING = Line("closing")  # 「またお話ししましょうね。」 when no closing words were kept


class ExerciseAnswer(StrEnum):
    """What the elder said to the invitation."""

    DONE = "done"  # 「やった」
    GOING = "going"  # 「これからやる」「はい」
    NOT_TODAY = "not_today"  # 「今日はやめとく」


# Read in this order: 「やってない」 is no 「やった」, and 「しない」 no 「する」.
_NOT_TODAY = re.compile(
    r"やめ|止め|休み|休む|やすみ|やすむ|しない|やらない|なかった|てない|ていない|できない|"
    r"無理|むり|いいえ|嫌|結構です|けっこうです|また今度|今度に|パス"
)
_DONE = re.compile(
    r"やった|やりました|した|済んだ|済ませ|すんだ|すませ|終わった|おわった|終わりました|"
    r"おわりました|やってきた|してきた|行ってきた|いってきた"
)
_GOING = re.compile(
    r"はい|やります|やる|します|する|行きます|いきます|行く|これから|今から|いまから|"
    r"参加|ぜひ|ご一緒|一緒に|そうしよう|いいですね|いいね"
)


def answer_of(words: str) -> ExerciseAnswer | None:
    """Return what the words answer to the invitation, or None (the elder goes on)."""
    text = re.sub(r"[\s、。！？!?,.]", "", words or "")
    if not text:
        return None
    if _NOT_TODAY.search(text):
        return ExerciseAnswer.NOT_TODAY
    if _DONE.search(text):
        return ExerciseAnswer.DONE
    if _GOING.search(text):
        return ExerciseAnswer.GOING
    return None


def invited(state: dict[str, Any]) -> bool:
    """Return True right after the invitation, while its answer may come."""
    return state.get("stage") == STAGE_INVITED


def _elder(svc: Services, caller: Caller) -> Elder | None:
    with svc.uow() as uow:
        elder = uow.devices.elder_for(caller.alexa_user_id, caller.device_id)
    return elder if elder is not None and elder.is_watchable else None


def _due(svc: Services, elder: Elder, request_id: str) -> Due | None:
    """Return today's 体操 notice due now and not read yet (none while the elder is away)."""
    now = svc.now()
    with svc.uow() as uow:
        if away.active_period(uow, elder.id, now) is not None:
            return None
        dues = notice_service.due_for_elder(uow, elder, now, request_id)
    return next((d for d in dues if d.notice.kind is NoticeKind.EXERCISE), None)


@retry_when_busy
def _mark_heard(svc: Services, caller: Caller, elder: Elder, due: Due) -> None:
    with svc.uow() as uow:
        notice_service.mark_heard(uow, elder, due, svc.now(), caller.request_id)
        uow.commit()


def _buttons() -> list[dict[str, Any]]:
    return [
        {"kind": BUTTON_KIND, "value": answer.value, "label": label, "primary": True}
        for answer, label in (
            (ExerciseAnswer.DONE, messages.EXERCISE_DONE),
            (ExerciseAnswer.NOT_TODAY, messages.EXERCISE_NOT_TODAY),
        )
    ]


def invitation_screen(notice: Notice) -> dict[str, Any]:
    """Return the screen of the invitation: its title, its text and the two answer buttons."""
    invite = messages.EXERCISE_INVITE.format(title=notice.title)
    text = notice.screen_text if notice.screen_text != notice.title else invite
    screen: dict[str, Any] = {"title": notice.title, "text": text, "buttons": _buttons()}
    if notice.image_url:
        screen["image"] = notice.image_url
    return screen


def _with_thanks(line: Line) -> Line:
    """Return the last answer's care line with its thanks (the closing words come later)."""
    if line.key == "care" and line.params.get("thanks") is False:
        return Line("care", {**line.params, "thanks": True})
    return line


def follow(svc: Services, caller: Caller, turn: Turn) -> Turn:
    """Invite the elder to today's 体操 when a turn closes the check-in inside its window."""
    if not turn.end or not any(line.key in _MOVED_KEYS | _DROPPED_KEYS for line in turn.lines):
        return turn
    elder = _elder(svc, caller)
    due = _due(svc, elder, caller.request_id) if elder is not None else None
    if elder is None or due is None:
        return turn
    _mark_heard(svc, caller, elder, due)
    kept = [line for line in turn.lines if line.key not in _MOVED_KEYS | _DROPPED_KEYS]
    closing = [line for line in turn.lines if line.key in _MOVED_KEYS]
    lines = [_with_thanks(line) for line in kept]
    lines.append(Line("exercise_invite", {"title": due.notice.title}))
    if due.notice.speech:
        lines.append(Line("exercise_words", {"text": due.notice.speech}))
    state = {
        "stage": STAGE_INVITED,
        "notice": due.notice.id,
        "occurrence": due.occurrence,
        "closing": [{"key": line.key, "params": line.params} for line in closing],
    }
    return Turn(
        tuple(lines),
        state=state,
        reprompt=Line("exercise_reprompt"),
        screen=invitation_screen(due.notice),
    )


def _closing(state: dict[str, Any]) -> list[Line]:
    kept = [Line(str(c["key"]), dict(c.get("params") or {})) for c in state.get("closing") or ()]
    return kept or [_CLOSING]


@retry_when_busy
def _record(
    svc: Services, caller: Caller, elder: Elder, state: dict[str, Any], answer: ExerciseAnswer
) -> None:
    """Keep the answer as an event (once per request: a replay records nothing twice)."""
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"alexa-request:{caller.request_id}:exercise").hex
    with svc.uow() as uow:
        notice = uow.notices.get(str(state.get("notice", "")))
        if notice is None or uow.events.exists(event_id):
            return
        detail = {
            "notice_id": notice.id,
            "title": notice.title,
            "occurrence": str(state.get("occurrence", "")),
            "answer": answer.value,
        }
        uow.events.add(Event(event_id, elder.id, EventKind.EXERCISE, svc.now(), detail))
        uow.commit()


def reply(
    svc: Services, caller: Caller, state: dict[str, Any], words: str, *, touched: bool = False
) -> Turn:
    """Take what was said (or touched) after the invitation, then say the closing words."""
    elder = _elder(svc, caller)
    if not touched:
        qset = svc.question_sets().get(elder.municipality_code) if elder else None
        meaning = understand(words, None, qset.lexicon if qset else EMPTY)
        if meaning.kind is MeaningKind.EMERGENCY:
            return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}", words)
        if meaning.kind is MeaningKind.HELP and elder is not None:
            return hint(svc, state)
    answer = answer_of(words) if not touched else _touched(words)
    lines: list[Line] = []
    if elder is not None and answer is not None:
        _record(svc, caller, elder, state, answer)
        lines.append(Line(f"exercise_{answer.value}"))
    return Turn((*lines, *_closing(state)), end=True)


def hint(svc: Services, state: dict[str, Any]) -> Turn:
    """Say how to answer, with the invitation's buttons again."""
    with svc.uow() as uow:
        notice = uow.notices.get(str(state.get("notice", "")))
    how = Line("exercise_reprompt")
    screen = invitation_screen(notice) if notice is not None else None
    return Turn((how,), state=state, reprompt=how, screen=screen)


def _touched(value: str) -> ExerciseAnswer | None:
    try:
        return ExerciseAnswer(value)
    except ValueError:
        return None
