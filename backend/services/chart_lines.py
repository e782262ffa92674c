"""The elder page's charts, with alert lines from the same windows and medians as the rules.

A weight line is the 6-month-ago median (``weight_window_days`` back, over
``weight_median_days``, at least ``weight_min_values`` values) minus ``weight_drop_kg``, as
``rules.weight_drop`` computes it; a steps line is ``activity_drop_ratio`` of the median of
the ``activity_long_days`` before the last ``activity_short_days`` complete days, as
``rules.activity_drop`` does. No line when the rule would not have enough data either.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from backend.domain.model import Answer, Reading, ReadingKind
from questions.policy import Policy

WEIGHT_LABEL = "{months}か月前の中央値 {median:.1f}kg −{drop:g}kg"
STEPS_LABEL = "前の{days}日の中央値 {median:,.0f}歩の{percent}%"
MONTH_DAYS = 30.44
CHART_DAYS = 90  # how far back the charts go


@dataclass(frozen=True)
class Point:
    """One value of a chart."""

    at: datetime
    value: float


@dataclass(frozen=True)
class Series:
    """A named line of a chart."""

    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Threshold:
    """A horizontal line drawn on a chart (an alert threshold)."""

    value: float
    label: str


@dataclass(frozen=True)
class Chart:
    """One chart of the elder page."""

    key: str
    title: str
    unit: str
    series: tuple[Series, ...]
    thresholds: tuple[Threshold, ...]


def weight_baseline_window(today: date, policy: Policy) -> tuple[date, date]:
    """Return the first and last day of the weight rule's baseline window."""
    end = today - timedelta(days=policy.weight_window_days)
    return end - timedelta(days=policy.weight_median_days - 1), end


def weight_line(
    points: Sequence[tuple[datetime, float]], today: date, policy: Policy, tz: tzinfo
) -> tuple[float, str] | None:
    """Return (value, label) of the weight alert line, or None without a baseline."""
    first, last = weight_baseline_window(today, policy)
    baseline = [v for at, v in points if first <= at.astimezone(tz).date() <= last]
    if len(baseline) < policy.weight_min_values:
        return None
    median = statistics.median(baseline)
    months = round(policy.weight_window_days / MONTH_DAYS)
    label = WEIGHT_LABEL.format(months=months, median=median, drop=policy.weight_drop_kg)
    return round(median - policy.weight_drop_kg, 2), label


def steps_line(
    points: Sequence[tuple[datetime, float]], today: date, policy: Policy, tz: tzinfo
) -> tuple[float, str] | None:
    """Return (value, label) of the activity alert line for steps, or None without data."""
    short_first = today - timedelta(days=policy.activity_short_days)
    long_last = short_first - timedelta(days=1)
    long_first = long_last - timedelta(days=policy.activity_long_days - 1)
    daily: dict[date, float] = {}
    for at, value in points:
        day = at.astimezone(tz).date()
        if long_first <= day <= long_last:
            daily[day] = max(value, daily.get(day, value))
    if len(daily) < policy.activity_long_min_days:
        return None
    median = statistics.median(daily.values())
    percent = round(policy.activity_drop_ratio * 100)
    label = STEPS_LABEL.format(days=policy.activity_long_days, median=median, percent=percent)
    return round(median * policy.activity_drop_ratio), label


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _pressure(value: Any) -> tuple[float, float] | None:
    if isinstance(value, dict):
        sys_, dia = _number(value.get("systolic")), _number(value.get("diastolic"))
        if sys_ is not None and dia is not None:
            return sys_, dia
    return None


def _measures(
    answers: Sequence[Answer], readings: Sequence[Reading], question_id: str, kind: ReadingKind
) -> list[tuple[datetime, Any]]:
    found = [
        (a.answered_at, a.value)
        for a in answers
        if a.question_id == question_id and a.skipped is None
    ]
    found += [(r.measured_at, r.value) for r in readings if r.kind is kind]
    return sorted(found, key=lambda x: x[0])


def charts(
    answers: Sequence[Answer],
    readings: Sequence[Reading],
    policy: Policy,
    since: datetime,
    tz: Any,
) -> tuple[Chart, ...]:
    """Return the charts from ``since``; their alert lines as the rules draw them."""
    today = since.astimezone(tz).date() + timedelta(days=CHART_DAYS)
    weight = [
        Point(at, n)
        for at, v in _measures(answers, readings, "weight", ReadingKind.WEIGHT)
        if (n := _number(v)) is not None
    ]
    line = weight_line([(p.at, p.value) for p in weight], today, policy, tz)
    weight_lines = (Threshold(*line),) if line else ()
    weight = [p for p in weight if p.at >= since]
    pressures = [
        (at, bp)
        for at, v in _measures(answers, readings, "blood_pressure", ReadingKind.BLOOD_PRESSURE)
        if (bp := _pressure(v)) is not None and at >= since
    ]
    steps = [
        Point(at, n)
        for at, v in _measures(answers, readings, "steps", ReadingKind.STEPS)
        if (n := _number(v)) is not None
    ]
    line = steps_line([(p.at, p.value) for p in steps], today, policy, tz)
    steps_lines = (Threshold(*line),) if line else ()
    steps = [p for p in steps if p.at >= since]
    return (
        Chart("weight", "体重", "kg", (Series("体重", tuple(weight)),), weight_lines),
        Chart(
            "blood_pressure",
            "血圧",
            "mmHg",
            (
                Series("上（収縮期）", tuple(Point(at, bp[0]) for at, bp in pressures)),
                Series("下（拡張期）", tuple(Point(at, bp[1]) for at, bp in pressures)),
            ),
            (
                Threshold(policy.bp_urgent.systolic, f"至急 {policy.bp_urgent.systolic}"),
                Threshold(policy.bp_follow_up.systolic, f"当日確認 {policy.bp_follow_up.systolic}"),
                Threshold(
                    policy.bp_follow_up.diastolic, f"当日確認（下） {policy.bp_follow_up.diastolic}"
                ),
            ),
        ),
        Chart("steps", "歩数", "歩", (Series("歩数", tuple(steps)),), steps_lines),
    )
