"""How elders use the speaker beyond the check-in: sessions, quiz, streaks (dashboard figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backend.domain.engagement import streak
from backend.domain.model import CareCenter, CheckInStatus, EventKind, StaffUser
from backend.services.access import center_in_scope
from backend.services.audit import record_view
from backend.services.context import Services

WEEKS = 4
# Buckets of the current streak (days): label, lowest, highest.
STREAK_BUCKETS = (("0日", 0, 0), ("1〜2日", 1, 2), ("3〜6日", 3, 6), ("7〜13日", 7, 13),
                  ("14日以上", 14, 10_000))  # fmt: skip


@dataclass(frozen=True)
class EngagementFigures:
    """A center's engagement over the last four weeks (descriptive, not a cause)."""

    center: CareCenter
    since: dt.date
    until: dt.date
    enabled: bool  # the municipality has engagement on
    elders: int
    sessions_per_elder_week: float | None  # check-ins opened
    quiz_per_elder_week: float | None
    streaks: tuple[tuple[str, int], ...]
    # Share of days with a completed check-in, of elders who took a quiz in the period / not.
    answer_rate_quiz: float | None
    quiz_elders: int
    answer_rate_no_quiz: float | None
    no_quiz_elders: int


def _rate(days: list[int], span: int) -> float | None:
    return sum(days) / (len(days) * span) if days else None


def figures(svc: Services, user: StaffUser, center_id: str | None = None) -> EngagementFigures:
    """Return the engagement figures of a center in scope (audited as a view of its elders)."""
    center = center_in_scope(svc, user, center_id)
    today = svc.now().date()
    since = today - dt.timedelta(days=7 * WEEKS - 1)
    with svc.uow() as uow:
        elders = [e for e in uow.elders.list_for_center(center.id) if e.is_watchable]
        ids = [e.id for e in elders]
        by_elder = uow.checkins.list_for_elders(ids, since - dt.timedelta(days=60), today)
        start = dt.datetime.combine(since, dt.time(0), tzinfo=svc.tz)
        events = uow.events.list_for_elders(ids, start)
    record_view(svc, user, svc.now(), "view_engagement", None, center_id=center.id)
    opened: dict[str, int] = dict.fromkeys(ids, 0)
    completed: dict[str, set[dt.date]] = {i: set() for i in ids}
    for checkin in (c for found in by_elder.values() for c in found):
        if checkin.date >= since:
            opened[checkin.elder_id] = opened.get(checkin.elder_id, 0) + 1
        if checkin.status is CheckInStatus.COMPLETED:
            completed.setdefault(checkin.elder_id, set()).add(checkin.date)
    quizzes = {i: sum(1 for e in events.get(i, []) if e.kind is EventKind.QUIZ) for i in ids}
    runs = [streak(completed[i], today) for i in ids]
    span = 7 * WEEKS
    answered = {i: sum(1 for d in completed[i] if d >= since) for i in ids}
    n = len(ids)
    enabled = svc.engagement(center.municipality_code).enabled
    return EngagementFigures(
        center=center,
        since=since,
        until=today,
        enabled=enabled,
        elders=n,
        sessions_per_elder_week=sum(opened.values()) / (n * WEEKS) if n else None,
        quiz_per_elder_week=sum(quizzes.values()) / (n * WEEKS) if n else None,
        streaks=tuple(
            (label, sum(1 for r in runs if low <= r <= high)) for label, low, high in STREAK_BUCKETS
        ),
        answer_rate_quiz=_rate([answered[i] for i in ids if quizzes[i]], span),
        quiz_elders=sum(1 for i in ids if quizzes[i]),
        answer_rate_no_quiz=_rate([answered[i] for i in ids if not quizzes[i]], span),
        no_quiz_elders=sum(1 for i in ids if not quizzes[i]),
    )
