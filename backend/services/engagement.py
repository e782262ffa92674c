"""Engagement after the check-in: today's topic, the quiz, the stamp card, the elder's choices."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any

from backend import messages
from backend.domain.engagement import (
    MonthCard,
    Topic,
    Verdict,
    judge,
    month_card,
    quiz_for,
    streak,
    topic_for,
)
from backend.domain.errors import NotFound
from backend.domain.model import CheckInStatus, Elder, Event, EventKind
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from questions.engagement_files import Engagement, QuizQuestion

STAMP_HISTORY_DAYS = 62  # enough for this month's card and a long streak


@dataclass(frozen=True)
class Choices:
    """What the elder wants of engagement (all on unless they said otherwise)."""

    topics: bool = True
    quiz: bool = True


@dataclass(frozen=True)
class StampCard:
    """Today's stamp: the streak and this month's card."""

    stamped_today: bool
    streak: int
    card: MonthCard


@dataclass(frozen=True)
class Offer:
    """What follows today's check-in (nothing when the municipality has engagement off)."""

    topic: Topic | None
    quiz: tuple[QuizQuestion, ...]  # not yet asked today
    stamp: StampCard | None


NOTHING = Offer(None, (), None)


def choices_of(elder: Elder) -> Choices:
    """Return the elder's own choices, kept in their overrides (``engagement``)."""
    raw = elder.overrides.get("engagement") or {}
    return Choices(
        topics=raw.get("topics", True) is not False, quiz=raw.get("quiz", True) is not False
    )


def _elder(uow: AbstractUnitOfWork, elder_id: str) -> Elder:
    elder = uow.elders.get(elder_id)
    if elder is None:
        raise NotFound(f"elder {elder_id}")
    return elder


def _stamped_days(uow: AbstractUnitOfWork, elder_id: str, today: dt.date) -> set[dt.date]:
    start = today - dt.timedelta(days=STAMP_HISTORY_DAYS)
    checkins = uow.checkins.list_for_elder(elder_id, start, today)
    return {c.date for c in checkins if c.status is CheckInStatus.COMPLETED}


def _asked_today(uow: AbstractUnitOfWork, elder_id: str, today: dt.date, svc: Services) -> set[str]:
    return {
        e.detail.get("question", "")
        for e in uow.events.list_for_elder(elder_id)
        if e.kind is EventKind.QUIZ and e.at.astimezone(svc.tz).date() == today
    }


def streak_for(svc: Services, uow: AbstractUnitOfWork, elder: Elder) -> int | None:
    """Return the elder's stamp streak, or None when their municipality has stamps off."""
    engagement = svc.engagement(elder.municipality_code)
    if not (engagement.enabled and engagement.stamps):
        return None
    today = svc.now().date()
    return streak(_stamped_days(uow, elder.id, today), today)


def offer(svc: Services, elder_id: str) -> Offer:
    """Return what to offer after today's check-in: off unless the municipality turned it on."""
    today = svc.now().date()
    with svc.uow() as uow:
        elder = _elder(uow, elder_id)
        engagement: Engagement = svc.engagement(elder.municipality_code)
        if not engagement.enabled or not elder.is_watchable:
            return NOTHING
        wants = choices_of(elder)
        asked = _asked_today(uow, elder_id, today, svc) if engagement.quiz and wants.quiz else set()
        days = _stamped_days(uow, elder_id, today) if engagement.stamps else set()
    topic = topic_for(today, engagement) if engagement.topics and wants.topics else None
    quiz: tuple[QuizQuestion, ...] = ()
    if engagement.quiz and wants.quiz:
        quiz = tuple(q for q in quiz_for(elder_id, today, engagement) if q.id not in asked)
    stamp = (
        StampCard(today in days, streak(days, today), month_card(days, today))
        if engagement.stamps
        else None
    )
    return Offer(topic, quiz, stamp)


def question(svc: Services, elder_id: str, question_id: str) -> QuizQuestion:
    """Return one of the elder's municipality's quiz questions, or raise NotFound."""
    with svc.uow() as uow:
        code = _elder(uow, elder_id).municipality_code
    found = svc.engagement(code).question(question_id)
    if found is None:
        raise NotFound(f"quiz question {question_id}")
    return found


@retry_when_busy
def answer_quiz(
    svc: Services, elder_id: str, question_id: str, heard: str, request_id: str
) -> tuple[QuizQuestion, Verdict]:
    """Judge and keep a quiz answer (once per request: a replay records nothing twice)."""
    q = question(svc, elder_id, question_id)
    verdict = judge(q, heard)
    record_answer(svc, elder_id, q, verdict, request_id)
    return q, verdict


@retry_when_busy
def record_answer(
    svc: Services, elder_id: str, q: QuizQuestion, verdict: Verdict, request_id: str
) -> None:
    """Keep a judged quiz answer as an event (once per request)."""
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"alexa-request:{request_id}:quiz").hex
    with svc.uow() as uow:
        if not uow.events.exists(event_id):
            detail = {"question": q.id, "verdict": verdict.value}
            uow.events.add(Event(event_id, elder_id, EventKind.QUIZ, svc.now(), detail))
        uow.commit()


@retry_when_busy
def set_choices(
    svc: Services, elder_id: str, *, topics: bool | None = None, quiz: bool | None = None
) -> Choices:
    """Keep what the elder said they want (「クイズはいらない」); other overrides stay."""
    with svc.uow() as uow:
        elder = _elder(uow, elder_id)
        current = choices_of(elder)
        wanted = Choices(
            topics=current.topics if topics is None else topics,
            quiz=current.quiz if quiz is None else quiz,
        )
        overrides = dict(elder.overrides)
        if wanted == Choices():
            overrides.pop("engagement", None)
        else:
            overrides["engagement"] = {"topics": wanted.topics, "quiz": wanted.quiz}
        uow.elders.update(replace(elder, overrides=overrides))
        uow.commit()
    return wanted


def stamp_datasource(card: StampCard) -> dict[str, Any]:
    """Return the stamp card's screen: one cell a day of the month, today's and stamps marked."""
    stamped = set(card.card.stamped)
    today = card.card.days_so_far
    message = (
        messages.STAMP_STREAK.format(days=card.streak)
        if card.streak > 1
        else messages.STAMP_MESSAGE
    )
    return {
        "title": messages.STAMP_TITLE.format(month=card.card.month),
        "message": message,
        "days": [
            {
                "day": str(day),
                "stamped": day in stamped,
                "today": day == today,
                "mark": messages.STAMP_MARK,
            }
            for day in range(1, card.card.length + 1)
        ],
    }
