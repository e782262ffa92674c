"""One check-in of a slot in the conversation: opened or resumed, answers stored, finished."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.domain.model import Answer, AnswerSource, CheckIn, CheckInStatus, Elder
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services
from backend.services.turns import Caller, Line, Turn
from questions.instruments import instrument_item_ids, instrument_questions_due, month_start
from questions.loader import parse_overrides
from questions.model import QuestionSet
from questions.schema import Question

logger = logging.getLogger(__name__)


@dataclass
class Session:
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


def greeting_key(now: datetime) -> str:
    """Return the prompt key of the greeting of the time of day."""
    if 4 <= now.hour < 11:
        return "greeting_morning"
    if 11 <= now.hour < 17:
        return "greeting_day"
    return "greeting_evening"


def _load(
    uow: AbstractUnitOfWork,
    elder: Elder,
    qset: QuestionSet,
    checkin: CheckIn,
    answered: frozenset[str] | set[str],
    state: dict[str, Any],
) -> Session:
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
    return Session(elder, qset, checkin, state, due, set(answered))


def ask(question: Question | None, state: dict[str, Any], lines: list[Line]) -> Turn:
    """Return the turn that says the lines and asks the question (none left: the end)."""
    if question is None:
        return Turn(tuple(lines), end=True, state={})
    new_state = {
        "date": state["date"],
        "slot": state["slot"],
        "q": question.id,
        "later": state.get("later", []),
    }
    return Turn(tuple(lines), question=question, state=new_state)


def open_session(
    svc: Services, uow: AbstractUnitOfWork, elder: Elder, now: datetime
) -> Session | Turn:
    """Open (or load) the check-in of the slot now; outside every slot, the turn that says so."""
    qset = svc.question_set(elder.municipality_code)
    window = qset.slot_at(now.time())
    if window is None:
        first = min(qset.slots, key=lambda s: s.start)
        return Turn(
            (
                Line(greeting_key(now), {"name": elder.name}),
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


def resume(
    svc: Services, uow: AbstractUnitOfWork, elder: Elder, state: dict[str, Any]
) -> Session | None:
    """Return the session named by the state, or None if the state does not name one."""
    if "date" not in state or "slot" not in state:
        return None
    found = uow.checkins.get_with_answered(
        elder.id, date.fromisoformat(state["date"]), state["slot"]
    )
    if found is None:
        return None
    return _load(uow, elder, svc.question_set(elder.municipality_code), *found, state)


def start_lines(session: Session, now: datetime, *, welcome: bool = False) -> Turn:
    """Return the greeting and the first question still due (or that all is done)."""
    remaining = session.remaining()
    lines = [Line(greeting_key(now), {"name": session.elder.name})]
    if welcome:
        lines.append(Line("welcome_back"))
    if not remaining:
        slot = session.qset.slot(session.checkin.slot)
        lines.append(Line("already_done", {"slot": slot.label if slot else ""}))
        return Turn(tuple(lines), end=True)
    lines.append(Line("resume" if session.answered else "intro", {"count": len(remaining)}))
    return ask(remaining[0], session.state, lines)


def finish(uow: AbstractUnitOfWork, session: Session, now: datetime) -> None:
    """Record the check-in's status: completed when nothing is left, partial when begun."""
    if not session.remaining():
        if session.checkin.status is not CheckInStatus.COMPLETED:
            uow.checkins.set_status(session.checkin.id, CheckInStatus.COMPLETED, now)
    elif session.answered and session.checkin.status is not CheckInStatus.PARTIAL:
        uow.checkins.set_status(session.checkin.id, CheckInStatus.PARTIAL, None)


def store(
    uow: AbstractUnitOfWork,
    session: Session,
    question: Question,
    value: Any,
    raw: str,
    source: AnswerSource,
    caller: Caller,
    now: datetime,
    skipped: str | None = None,
) -> Answer:
    """Store an answer of the session (a replayed request stores nothing twice)."""
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
