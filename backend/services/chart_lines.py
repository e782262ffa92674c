"""The alert lines drawn on the elder page's charts: the same windows and medians as the rules.

A weight line is the 6-month-ago median (``weight_window_days`` back, over
``weight_median_days``, at least ``weight_min_values`` values) minus ``weight_drop_kg``, as
``rules.weight_drop`` computes it; a steps line is ``activity_drop_ratio`` of the median of
the ``activity_long_days`` before the last ``activity_short_days`` complete days, as
``rules.activity_drop`` does. No line when the rule would not have enough data either.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from questions.policy import Policy

WEIGHT_LABEL = "{months}か月前の中央値 {median:.1f}kg −{drop:g}kg"
STEPS_LABEL = "前の{days}日の中央値 {median:,.0f}歩の{percent}%"
MONTH_DAYS = 30.44


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
