"""Rules on measured values: weight and activity drops (with the cohort), blood pressure."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from backend.domain.alert_rules.context import (
    ACTIVITY_DROP,
    ACTIVITY_MEASURES,
    BLOOD_PRESSURE_QUESTION,
    BP_HIGH,
    BP_URGENT,
    WEIGHT_DROP,
    WEIGHT_QUESTION,
    AlertCandidate,
    Context,
    ElderHistory,
    iso_day,
    number_of,
)
from backend.domain.model import (
    ReadingKind,
    Severity,
)
from questions.policy import BloodPressureLimit, Policy

# --- weight drop -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    day: date
    at: datetime
    value: float
    source: str


def _values(ctx: Context, question_id: str, kind: ReadingKind) -> list[_Value]:
    """Return the numeric answers and readings of one measure, outside away periods."""
    values = []
    for a in ctx.answers:
        number = number_of(a.value) if a.question_id == question_id else None
        if number is not None and a.skipped is None:
            values.append(_Value(a.date, a.answered_at, number, "answer"))
    for r in ctx.readings:
        number = number_of(r.value) if r.kind is kind else None
        if number is not None:
            values.append(_Value(ctx.date_of(r.measured_at), r.measured_at, number, r.source))
    return sorted(
        (v for v in values if not ctx.away(v.at)), key=lambda v: (v.at, v.value, v.source)
    )


def _window(end: date, days: int) -> tuple[date, date]:
    return end - timedelta(days=days - 1), end


def _in(values: list[_Value], window: tuple[date, date]) -> list[_Value]:
    return [v for v in values if window[0] <= v.day <= window[1]]


def weight_drop(ctx: Context) -> list[AlertCandidate]:
    """Return a candidate when the recent median weight is ``weight_drop_kg`` below 6 months ago.

    Medians of ``weight_median_days`` windows, each needing ``weight_min_values`` values, so a
    single misheard weight never fires. The period is the ISO week of ``now``.
    """
    if ctx.silent:
        return []
    policy = ctx.policy
    values = _values(ctx, WEIGHT_QUESTION, ReadingKind.WEIGHT)
    recent_window = _window(ctx.today, policy.weight_median_days)
    baseline_window = _window(
        ctx.today - timedelta(days=policy.weight_window_days), policy.weight_median_days
    )
    recent, baseline = _in(values, recent_window), _in(values, baseline_window)
    if len(recent) < policy.weight_min_values or len(baseline) < policy.weight_min_values:
        return []
    recent_median = statistics.median(v.value for v in recent)
    baseline_median = statistics.median(v.value for v in baseline)
    # What the season (and winter clothes) did to everybody's weight is not this elder's loss.
    shift = ctx.cohort.get(WEIGHT_QUESTION, {}).get(ctx.today, 0.0)
    drop = round(baseline_median - recent_median + shift, 2)
    if drop < policy.weight_drop_kg:
        return []
    year, week, _ = ctx.today.isocalendar()
    return [
        AlertCandidate(
            rule=WEIGHT_DROP,
            period=f"{year}-W{week:02d}",
            severity=Severity.INFO,
            stage=0,
            evidence={
                "drop_kg": drop,
                "threshold_kg": policy.weight_drop_kg,
                "recent_median": recent_median,
                "baseline_median": baseline_median,
                "cohort_shift_kg": shift,
                "recent_count": len(recent),
                "baseline_count": len(baseline),
                "recent_window": [iso_day(d) for d in recent_window],
                "baseline_window": [iso_day(d) for d in baseline_window],
                "recent": [_value_evidence(v) for v in recent],
                "baseline": [_value_evidence(v) for v in baseline],
            },
        )
    ]


def _value_evidence(v: _Value) -> dict[str, Any]:
    return {"date": iso_day(v.day), "at": v.at.isoformat(), "value": v.value, "source": v.source}


# --- activity drop -----------------------------------------------------------------------------


def activity_drop(ctx: Context) -> list[AlertCandidate]:
    """Return candidates when the recent median of steps or activity minutes has fallen.

    Daily values (the largest of a date's answers and readings) of the last
    ``activity_short_days`` complete days (ending yesterday) against the
    ``activity_long_days`` before them; only with enough days of data in both.
    """
    if ctx.silent:
        return []
    policy = ctx.policy
    short_window = _window(ctx.today - timedelta(days=1), policy.activity_short_days)
    long_window = _window(
        short_window[0] - timedelta(days=1),
        policy.activity_long_days,
    )
    found = []
    for measure, kind in ACTIVITY_MEASURES:
        daily: dict[date, float] = {}
        for v in _values(ctx, measure, kind):
            daily[v.day] = max(v.value, daily.get(v.day, v.value))
        cohort = ctx.cohort.get(measure, {})
        if cohort:
            # What the weather or the season did to everybody is taken out of each day.
            daily = {d: x / cohort[d] if cohort.get(d, 0) > 0 else x for d, x in daily.items()}
        short = [x for d, x in sorted(daily.items()) if short_window[0] <= d <= short_window[1]]
        long = [x for d, x in sorted(daily.items()) if long_window[0] <= d <= long_window[1]]
        if len(short) < policy.activity_short_min_days or len(long) < policy.activity_long_min_days:
            continue
        short_median, long_median = statistics.median(short), statistics.median(long)
        if long_median <= 0 or short_median >= policy.activity_drop_ratio * long_median:
            continue
        found.append(
            AlertCandidate(
                rule=f"{ACTIVITY_DROP}:{measure}",
                period=iso_day(ctx.today),
                severity=Severity.INFO,
                stage=0,
                evidence={
                    "measure": measure,
                    "short_median": short_median,
                    "long_median": long_median,
                    "ratio": round(short_median / long_median, 3),
                    "threshold_ratio": policy.activity_drop_ratio,
                    "short_days": len(short),
                    "long_days": len(long),
                    "short_window": [iso_day(d) for d in short_window],
                    "long_window": [iso_day(d) for d in long_window],
                    "daily": {
                        iso_day(d): x
                        for d, x in sorted(daily.items())
                        if long_window[0] <= d <= short_window[1]
                    },
                },
            )
        )
    return found


# --- blood pressure ----------------------------------------------------------------------------


def _pressure(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, dict):
        return None
    systolic, diastolic = number_of(value.get("systolic")), number_of(value.get("diastolic"))
    if systolic is None or diastolic is None:
        return None
    return int(systolic), int(diastolic)


def _reaches(pressure: tuple[int, int], limit: BloodPressureLimit) -> bool:
    return pressure[0] >= limit.systolic or pressure[1] >= limit.diastolic


def blood_pressure(ctx: Context) -> list[AlertCandidate]:
    """Return per recent date the worst of ``bp_urgent`` (urgent) and ``bp_high`` (same day).

    Recent dates, not only today, so that a reading late in the evening is not lost when the
    next sweep runs after midnight.
    """
    if ctx.silent:
        return []
    first = ctx.recent[0]
    measured: list[tuple[date, datetime, tuple[int, int], str]] = []
    for a in ctx.answers:
        if a.question_id == BLOOD_PRESSURE_QUESTION and a.date >= first:
            pressure = _pressure(a.value)
            if pressure is not None:
                measured.append((a.date, a.answered_at, pressure, "answer"))
    for r in ctx.readings:
        if r.kind is ReadingKind.BLOOD_PRESSURE and ctx.date_of(r.measured_at) >= first:
            pressure = _pressure(r.value)
            if pressure is not None:
                measured.append((ctx.date_of(r.measured_at), r.measured_at, pressure, r.source))
    measured = sorted(m for m in measured if not ctx.away(m[1]))
    found = []
    for day in ctx.recent:
        for rule, severity, limit in (
            (BP_URGENT, Severity.URGENT, ctx.policy.bp_urgent),
            (BP_HIGH, Severity.SAME_DAY, ctx.policy.bp_follow_up),
        ):
            hits = [m for m in measured if m[0] == day and _reaches(m[2], limit)]
            if hits:
                found.append(
                    AlertCandidate(
                        rule=rule,
                        period=iso_day(day),
                        severity=severity,
                        stage=0,
                        evidence={
                            "limit": {"systolic": limit.systolic, "diastolic": limit.diastolic},
                            "readings": [
                                {
                                    "at": at.isoformat(),
                                    "systolic": p[0],
                                    "diastolic": p[1],
                                    "source": source,
                                }
                                for _, at, p, source in hits
                            ],
                        },
                    )
                )
                break
    return found


_COHORT_MEASURES = (*ACTIVITY_MEASURES, (WEIGHT_QUESTION, ReadingKind.WEIGHT))


def _daily_values(history: ElderHistory, tz: tzinfo) -> dict[str, dict[date, float]]:
    """Return per measure (steps, activity minutes, weight) the largest value of each date."""
    by_question: dict[str, dict[date, float]] = {q: {} for q, _ in _COHORT_MEASURES}
    by_kind = {kind: by_question[question] for question, kind in _COHORT_MEASURES}
    for a in history.answers:
        daily = by_question.get(a.question_id)
        number = number_of(a.value) if daily is not None and a.skipped is None else None
        if daily is not None and number is not None:
            daily[a.date] = max(number, daily.get(a.date, number))
    for r in history.readings:
        daily = by_kind.get(r.kind)
        number = number_of(r.value) if daily is not None else None
        if daily is not None and number is not None:
            day = r.measured_at.astimezone(tz).date()
            daily[day] = max(number, daily.get(day, number))
    return by_question


def activity_cohort(
    histories: Iterable[ElderHistory], policy: Policy, now: datetime
) -> dict[str, dict[date, float]]:
    """Return, per measure and date, the median of the elders' values as a share of their usual.

    An elder's usual is the median of their ``activity_long_days`` before the short window;
    a date is given only when at least ``activity_cohort_min_elders`` elders have a value.
    Pass it to each elder's history (``ElderHistory.cohort``) to take out of their steps what
    the weather did to everyone of the municipality the same days.
    """
    tz = now.tzinfo
    if tz is None:
        raise ValueError("now must be time-zone aware")
    today = now.date()
    first = today - timedelta(days=policy.activity_short_days + policy.activity_long_days)
    long_end = today - timedelta(days=policy.activity_short_days + 1)
    cohort: dict[str, dict[date, float]] = {}
    values = [_daily_values(history, tz) for history in histories]
    for measure, _ in ACTIVITY_MEASURES:
        shares: dict[date, list[float]] = defaultdict(list)
        for of_elder in values:
            daily = {d: x for d, x in of_elder[measure].items() if first <= d < today}
            long = [x for d, x in daily.items() if d <= long_end]
            if len(long) < policy.activity_long_min_days:
                continue
            usual = statistics.median(long)
            if usual <= 0:
                continue
            for d, x in daily.items():
                shares[d].append(x / usual)
        by_date = {
            d: statistics.median(xs)
            for d, xs in shares.items()
            if len(xs) >= policy.activity_cohort_min_elders
        }
        if by_date:
            cohort[measure] = dict(sorted(by_date.items()))
    shift = _weight_shift([v[WEIGHT_QUESTION] for v in values], policy, today)
    if shift is not None:
        cohort[WEIGHT_QUESTION] = {today: shift}
    return cohort


def _weight_shift(
    weights: Iterable[Mapping[date, float]], policy: Policy, today: date
) -> float | None:
    """Return the median change of the elders' weights over 6 months (season, clothes)."""
    recent_window = _window(today, policy.weight_median_days)
    baseline_window = _window(
        today - timedelta(days=policy.weight_window_days), policy.weight_median_days
    )
    changes = []
    for values in weights:
        recent = [x for d, x in values.items() if recent_window[0] <= d <= recent_window[1]]
        baseline = [x for d, x in values.items() if baseline_window[0] <= d <= baseline_window[1]]
        if len(recent) >= policy.weight_min_values and len(baseline) >= policy.weight_min_values:
            changes.append(statistics.median(recent) - statistics.median(baseline))
    if len(changes) < policy.activity_cohort_min_elders:
        return None
    return round(statistics.median(changes), 2)
