"""Away periods (入院・旅行・ショートステイ): declared by voice, by family or by staff.

Staff set and end them on the elder page, for an elder in their scope, with an audit entry
in the same unit of work (``add_away``, ``end_away``).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from backend.domain.errors import NotFound
from backend.domain.model import AwayKind, AwayPeriod, StaffUser
from backend.ports import AbstractUnitOfWork
from backend.services.access import actor_of, audit, elder_in_scope
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from questions.loader import parse_overrides
from questions.schema import WEEKDAYS, WeeklyAbsence

STAGE_UNTIL = "away_until"
STAGE_CONFIRM = "away_confirm"
STAGE_ACTIVE = "away_active"
STAGE_WEEKLY = "weekly_confirm"  # 「水曜日はデイサービスです」 read back, はい/いいえ awaited


def end_of(until: str | None, tz: Any) -> datetime | None:
    """Return when an away period said "until" ends: after that day, week or month."""
    if not until:
        return None
    if "-W" in until:
        week_year, week = until.split("-W")
        last = date.fromisocalendar(int(week_year), int(week), 7)
    elif len(until) == 7:
        year, month = (int(x) for x in until.split("-"))
        first_next = date(year + month // 12, month % 12 + 1, 1)
        last = first_next - timedelta(days=1)
    else:
        last = date.fromisoformat(until)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)


def start_of(since: str | None, tz: Any, now: datetime) -> datetime:
    """Return when an away period said "from" starts: that day's midnight, or now."""
    if not since or "-W" in since or len(since) != 10:
        return now
    day = date.fromisoformat(since)
    if day <= now.astimezone(tz).date():
        return now
    return datetime.combine(day, datetime.min.time(), tzinfo=tz)


def active_period(uow: AbstractUnitOfWork, elder_id: str, at: datetime) -> AwayPeriod | None:
    """Return the elder's away period covering ``at``, or None."""
    return next((p for p in uow.away.list_for_elder(elder_id) if p.covers(at)), None)


def just_returned(uow: AbstractUnitOfWork, elder_id: str, at: datetime) -> AwayPeriod | None:
    """Return the period that ended before ``at`` if no check-in has been opened since."""
    ended = [
        (p.end, p) for p in uow.away.list_for_elder(elder_id) if p.end is not None and p.end <= at
    ]
    if not ended:
        return None
    last_end, last = max(ended, key=lambda pair: pair[0])
    recent = uow.checkins.list_for_elder(elder_id, last_end.date(), at.date())
    return None if any(c.started_at >= last_end for c in recent) else last


def declare_in(
    uow: AbstractUnitOfWork,
    elder_id: str,
    kind: AwayKind,
    *,
    start: datetime,
    end: datetime | None,
    set_by: str,
    now: datetime,
) -> AwayPeriod:
    """Record an away period in the caller's unit of work (not committed)."""
    if end is not None and end <= start:
        raise ValueError("お休みの終わりは始まりより後にしてください")
    if uow.elders.get(elder_id) is None:
        raise NotFound(f"elder {elder_id}")
    period = AwayPeriod(uuid.uuid4().hex, elder_id, AwayKind(kind), start, end, set_by, now)
    uow.away.add(period)
    return period


@retry_when_busy
def declare(
    svc: Services,
    elder_id: str,
    kind: AwayKind,
    *,
    start: datetime,
    end: datetime | None,
    set_by: str,
) -> AwayPeriod:
    """Record an away period (staff, family or the elder's voice)."""
    with svc.uow() as uow:
        period = declare_in(uow, elder_id, kind, start=start, end=end, set_by=set_by, now=svc.now())
        uow.commit()
    return period


def end_in(uow: AbstractUnitOfWork, elder_id: str, now: datetime) -> AwayPeriod | None:
    """End the current away period in the caller's unit of work (not committed), if any."""
    period = active_period(uow, elder_id, now)
    if period is not None:
        uow.away.end_period(period.id, now)
    return period


@retry_when_busy
def end_now(svc: Services, elder_id: str) -> AwayPeriod | None:
    """End the elder's current away period now; return it, or None if there was none."""
    with svc.uow() as uow:
        period = end_in(uow, elder_id, svc.now())
        uow.commit()
    return period


@retry_when_busy
def declare_weekly(svc: Services, elder_id: str, kind: str, weekdays: tuple[str, ...]) -> None:
    """Add the weekly absence the elder told of (every slot of those weekdays), keeping the rest.

    A weekday already set is replaced; the missed check-in rule then learns from those dates
    whether the elder answers some slots all the same (``rhythm.learn_absent``).
    """
    with svc.uow() as uow:
        elder = uow.elders.get(elder_id)
        if elder is None:
            raise NotFound(f"elder {elder_id}")
        current = parse_overrides(elder.overrides, f"elder {elder.id} overrides").absences
        kept = [a for a in current if a.weekday not in weekdays]
        said = [
            WeeklyAbsence.model_validate({"kind": kind, "weekday": w, "set_by": "elder"})
            for w in weekdays
        ]
        rows = sorted([*kept, *said], key=lambda a: WEEKDAYS.index(a.weekday))
        overrides = {**elder.overrides, "absences": [a.model_dump(mode="json") for a in rows]}
        parse_overrides(overrides, f"elder {elder.id} overrides")
        uow.elders.update(replace(elder, overrides=overrides))
        uow.commit()


@retry_when_busy
def add_away(
    svc: Services,
    user: StaffUser,
    elder_id: str,
    kind: AwayKind,
    start: datetime,
    end: datetime | None,
) -> AwayPeriod:
    """Record an away period for an elder in scope (set by this staff member)."""
    kind = AwayKind(kind)
    now = svc.now()
    with svc.uow() as uow:
        elder_in_scope(uow, user, elder_id)
        period = declare_in(
            uow, elder_id, kind, start=start, end=end, set_by=actor_of(user), now=now
        )
        audit(uow, user, now, "add_away", elder_id, kind=kind.value)
        uow.commit()
    return period


@retry_when_busy
def end_away(svc: Services, user: StaffUser, elder_id: str) -> AwayPeriod | None:
    """End the current away period of an elder in scope now."""
    now = svc.now()
    with svc.uow() as uow:
        elder_in_scope(uow, user, elder_id)
        period = end_in(uow, elder_id, now)
        audit(uow, user, now, "end_away", elder_id)
        uow.commit()
    return period
