"""The elder page: profile, away periods, open alerts, two weeks of answers, charts, checklist.

Scoped to the staff member (``access.elder_in_scope``); the view is audited once read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from backend.domain.consent import consent_flag
from backend.domain.errors import NotFound
from backend.domain.model import (
    Alert,
    AwayPeriod,
    CareCenter,
    Elder,
    Reading,
    ReadingKind,
    StaffUser,
)
from backend.services import answer_words, chart_lines, checklist_history
from backend.services.access import elder_in_scope
from backend.services.alerts import OPEN_STATUSES
from backend.services.audit import record_view
from backend.services.chart_lines import CHART_DAYS, Chart
from backend.services.context import Services
from questions.policy import Policy

HISTORY_DAYS = 14


@dataclass(frozen=True)
class HistoryRow:
    """One answer of the history table."""

    date: date
    slot: str
    question: str
    value: str
    answered_at: datetime


@dataclass(frozen=True)
class ElderPage:
    """Everything the elder page shows."""

    elder: Elder
    center: CareCenter
    away: tuple[AwayPeriod, ...]
    current_away: AwayPeriod | None
    alerts: tuple[Alert, ...]
    history: tuple[HistoryRow, ...]
    charts: tuple[Chart, ...]
    paired: bool
    consent_flag: str | None = None  # withdrawn / reconfirm (due within 30 days) / missing
    checklist: tuple[checklist_history.ChecklistMonth, ...] = ()  # newest month first


def elder_page(
    svc: Services, user: StaffUser, elder_id: str, policy_for: Callable[[str], Policy]
) -> ElderPage:
    """Return the elder page of an elder in scope; the view is written to the audit log."""
    now = svc.now()
    today = now.date()
    since = now - timedelta(days=CHART_DAYS)
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        center = uow.centers.get(elder.center_id)
        if center is None:
            raise NotFound(f"center {elder.center_id}")
        away = tuple(uow.away.list_for_elder(elder.id))
        # The weight line needs the rule's baseline window, about six months back.
        policy = policy_for(elder.municipality_code)
        first = min(since.date(), chart_lines.weight_baseline_window(today, policy)[0])
        answers = uow.answers.list_for_elder(elder.id, first, today)
        checkins = {c.id: c for c in uow.checkins.list_for_elder(elder.id, since.date(), today)}
        readings: list[Reading] = []
        for kind in (ReadingKind.WEIGHT, ReadingKind.BLOOD_PRESSURE, ReadingKind.STEPS):
            start = datetime.combine(first, time(0), tzinfo=svc.tz)
            readings += uow.readings.list_for_elders([elder.id], kind, start, now)[elder.id]
        alerts = tuple(
            a
            for a in uow.alerts.list_for_center(center.id, OPEN_STATUSES)
            if a.elder_id == elder.id
        )
        paired = elder.id in uow.devices.bound_since([elder.id])
    record_view(svc, user, now, "view_elder", elder.id, parts=["profile", "consent", "history"])
    qset = svc.question_set(elder.municipality_code)
    first_day = today - timedelta(days=HISTORY_DAYS - 1)
    history = []
    for a in reversed(answers):
        if a.date < first_day:
            continue
        question = qset.question(a.question_id)
        checkin = checkins.get(a.checkin_id)
        slot = qset.slot(checkin.slot) if checkin else None
        history.append(
            HistoryRow(
                date=a.date,
                slot=slot.label if slot else "",
                question=question.title if question else answer_words.UNKNOWN_QUESTION,
                value=answer_words.shown(question, a.value, a.skipped),
                answered_at=a.answered_at,
            )
        )
    return ElderPage(
        elder=elder,
        center=center,
        away=tuple(sorted(away, key=lambda p: p.start, reverse=True)),
        current_away=next((p for p in away if p.covers(now)), None),
        alerts=alerts,
        history=tuple(history),
        charts=chart_lines.charts(answers, readings, policy, since, svc.tz),
        paired=paired,
        consent_flag=consent_flag(elder, today),
        checklist=checklist_history.by_month(answers),
    )
