"""Repair like a person, not like a machine: a reply not caught, not understood, 「もう一回」."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backend.domain.model import Event, EventKind
from backend.ports import AbstractUnitOfWork
from backend.services.checkin_session import Session, ask, finish, resume
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


def repair(
    uow: AbstractUnitOfWork,
    session: Session,
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
        fresh = {k: v for k, v in state.items() if k not in PENDING_KEYS}
        new_state = {**fresh, "misses": misses, "missed_words": missed}
        return Turn(tuple(lines), question=question, state=new_state, ask_question=False)
    if missed:
        # The words are kept for staff (not as an answer: nothing is stored that was not said).
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"alexa-request:{caller.request_id}:unheard").hex
        detail = {"question_id": question.id, "words": missed, "checkin_id": session.checkin.id}
        if not uow.events.exists(event_id):
            uow.events.add(Event(event_id, session.elder.id, EventKind.UNHEARD, now, detail))
    later = [*state.get("later", []), question.id]
    finish(uow, session, now)
    remaining = session.remaining(later)
    lines = [Line("repair_skip")]
    if not remaining:
        lines.append(Line("done_partial"))
        return Turn(tuple(lines), end=True)
    kept = {k: v for k, v in state.items() if k not in _REPAIR_KEYS}
    return ask(remaining[0], {**kept, "later": later}, lines)


def fallback(svc: Services, caller: Caller, state: dict[str, Any], *, heard: bool = False) -> Turn:
    """Say kindly that we did not catch it, give the hint and ask again."""
    if state.get("stage") == "pair":
        return Turn((Line("pair_not_understood"),), state=state)
    if not state.get("stage") and state.get("q"):
        repaired = _repair_nothing_heard(svc, caller, state, heard=heard)
        if repaired is not None:
            return repaired
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    question = current_question(svc, elder, state)
    lines = [Line("repair_heard" if heard else "fallback")]
    if question is not None:
        lines.append(Line("hint", {"hint": question.wording.hint}))
    return with_question(lines, question, state)


@retry_when_busy
def _repair_nothing_heard(
    svc: Services, caller: Caller, state: dict[str, Any], *, heard: bool
) -> Turn | None:
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        session = resume(svc, uow, elder, state) if elder else None
        question = session.qset.question(state["q"]) if session else None
        if session is None or question is None:
            return None
        turn = repair(uow, session, question, caller, now, "", heard=heard)
        uow.commit()
    return turn


@retry_when_busy
def not_understood(svc: Services, caller: Caller, state: dict[str, Any], words: str) -> Turn:
    """Words were heard but not understood: repair (see ``repair``)."""
    if state.get("stage") == "pair":
        return Turn((Line("pair_not_understood"),), state=state)
    if state.get("stage"):
        return fallback(svc, caller, state, heard=True)
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
        if elder is None:
            return unpaired()
        session = resume(svc, uow, elder, state)
        question = session.qset.question(state.get("q", "")) if session else None
        if session is None or question is None:
            return fallback(svc, caller, state, heard=True)
        turn = repair(uow, session, question, caller, now, words, heard=True)
        uow.commit()
    return turn


def ask_again(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """「もう一回」 in words: ask the current question again."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    return with_question([], current_question(svc, elder, state), state)
