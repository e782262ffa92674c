"""The real false-alert rate, from what staff recorded: figures per rule.

For each rule (without its ``:detail``): the alerts opened, per 100 elder-months (an
elder-month is 30 days of one watched elder), how many were resolved, the share of those
resolved 「対応不要」 (nothing was wrong: the field's false alerts), and the median minutes
from opening to the first claim. Shown on the dashboard's statistics page and exported per
municipality as CSV (``admin_exports``, kind ``alert_figures``). ``monthly_stats`` is that
page: one center's alerts of a month, scoped to the staff member and audited once read.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from backend.domain.model import Alert, AlertStatus, CareCenter, Elder, Outcome, StaffUser
from backend.services.access import center_in_scope
from backend.services.audit import record_view
from backend.services.context import Services

MONTH_DAYS = 30
TOTAL = "*"  # the row of every rule together
COLUMNS = (
    "municipality_code",
    "month",
    "rule",
    "alerts",
    "per_100_elder_months",
    "resolved",
    "no_action",
    "no_action_share",
    "median_minutes_to_claim",
    "elder_months",
)


@dataclass(frozen=True)
class RuleFigures:
    """One rule's alerts of a period, as staff resolved them."""

    rule: str
    alerts: int
    per_100_elder_months: float | None
    resolved: int
    no_action: int
    median_minutes_to_claim: float | None

    @property
    def no_action_share(self) -> float | None:
        """Return the share of the resolved alerts that needed no action (None if none)."""
        return self.no_action / self.resolved if self.resolved else None


def elder_months(elders: Iterable[Elder], days: int) -> float:
    """Return the elder-months of the watchable elders over ``days`` days."""
    return sum(1 for e in elders if e.is_watchable) * days / MONTH_DAYS


def figures(alerts: Sequence[Alert], months: float) -> tuple[RuleFigures, ...]:
    """Return the figures of every rule (most alerts first) and, last, of all of them."""
    by_rule: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_rule[alert.rule.partition(":")[0]].append(alert)
    rows = [_figures(rule, group, months) for rule, group in by_rule.items()]
    rows.sort(key=lambda r: (-r.alerts, r.rule))
    return (*rows, _figures(TOTAL, list(alerts), months))


def _figures(rule: str, alerts: Sequence[Alert], months: float) -> RuleFigures:
    resolved = [a for a in alerts if a.status is AlertStatus.RESOLVED and a.outcome]
    waits = [(a.claimed_at - a.created_at).total_seconds() / 60 for a in alerts if a.claimed_at]
    return RuleFigures(
        rule=rule,
        alerts=len(alerts),
        per_100_elder_months=round(len(alerts) / months * 100, 1) if months else None,
        resolved=len(resolved),
        no_action=sum(1 for a in resolved if a.outcome is Outcome.NO_ACTION),
        median_minutes_to_claim=statistics.median(waits) if waits else None,
    )


def days_watched(first: date, following: date, today: date) -> int:
    """Return the days of ``[first, following)`` up to today (a running month: so far)."""
    return max(0, (min(following, today + timedelta(days=1)) - first).days)


def rows(
    svc: Services,
    *,
    since: date | None = None,
    until: date | None = None,
    municipality_code: str | None = None,
) -> Iterator[list[str]]:
    """Return the header and one row per rule (and the total) of a municipality's period."""
    if since is None or until is None or municipality_code is None:
        raise ValueError("since, until and municipality_code are needed")
    start = datetime.combine(since, time(0), tzinfo=svc.tz)
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=svc.tz)
    with svc.uow() as uow:
        elders = uow.elders.list_for_municipality(municipality_code)
        found = [
            a
            for center_id in sorted({e.center_id for e in elders})
            for a in uow.alerts.list_for_center(center_id, tuple(AlertStatus))
            if start <= a.created_at < end
        ]
    wanted = {e.id for e in elders}
    found = [a for a in found if a.elder_id in wanted]
    months = elder_months(elders, days_watched(since, until + timedelta(days=1), svc.now().date()))
    yield list(COLUMNS)
    for row in figures(found, months):
        share = row.no_action_share
        yield [
            municipality_code,
            since.strftime("%Y-%m"),
            row.rule,
            str(row.alerts),
            "" if row.per_100_elder_months is None else f"{row.per_100_elder_months:.1f}",
            str(row.resolved),
            str(row.no_action),
            "" if share is None else f"{share:.3f}",
            "" if row.median_minutes_to_claim is None else f"{row.median_minutes_to_claim:.0f}",
            f"{months:.1f}",
        ]


@dataclass(frozen=True)
class MonthlyStats:
    """A center's alerts of one month: by rule, by outcome, no-action share, time to claim."""

    center: CareCenter
    month: date  # the first day
    total: int
    by_rule: tuple[tuple[str, int], ...]  # rule (without its ":detail"), count; most first
    by_outcome: tuple[tuple[Outcome, int], ...]  # in the order of Outcome
    resolved: int
    still_open: int
    no_action_share: float | None  # of the resolved, the share that needed no action
    median_minutes_to_claim: float | None
    # Per rule, then all together: per 100 elder-months, share 対応不要, time to claim.
    figures: tuple[RuleFigures, ...] = ()
    elder_months: float = 0.0


def month_of(text: str | None, today: date) -> date:
    """Return the first day of ``YYYY-MM`` (this month when empty); raise ValueError."""
    if not text:
        return today.replace(day=1)
    year, _, month = text.partition("-")
    return date(int(year), int(month), 1)


def monthly_stats(
    svc: Services, user: StaffUser, month: date, center_id: str | None = None
) -> MonthlyStats:
    """Return the statistics of the alerts opened in the month at a center in scope (audited)."""
    center = center_in_scope(svc, user, center_id)
    first = datetime.combine(month.replace(day=1), time(0), tzinfo=svc.tz)
    following = (first + timedelta(days=32)).replace(day=1)
    with svc.uow() as uow:
        found = [
            a
            for a in uow.alerts.list_for_center(center.id, tuple(AlertStatus))
            if first <= a.created_at < following
        ]
        elders = uow.elders.list_for_center(center.id)
    record_view(svc, user, svc.now(), "view_stats", None, center_id=center.id)
    days = days_watched(first.date(), following.date(), svc.now().date())
    months = elder_months(elders, days)
    rows = figures(found, months)
    total = rows[-1]  # every rule together
    resolved = [a for a in found if a.status is AlertStatus.RESOLVED and a.outcome]
    return MonthlyStats(
        center=center,
        month=first.date(),
        total=total.alerts,
        by_rule=tuple((row.rule, row.alerts) for row in rows[:-1]),
        by_outcome=tuple((o, sum(1 for a in resolved if a.outcome is o)) for o in Outcome),
        resolved=total.resolved,
        still_open=sum(1 for a in found if a.status is not AlertStatus.RESOLVED),
        no_action_share=total.no_action_share,
        median_minutes_to_claim=total.median_minutes_to_claim,
        figures=rows,
        elder_months=months,
    )
