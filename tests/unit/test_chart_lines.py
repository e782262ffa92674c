"""Chart ticks at round numbers, and the alert lines drawn where the rules draw them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.dashboard.charts import nice_ticks, tick_label
from backend.services import chart_lines
from questions.policy import Policy

JST = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 11, 23)


def test_ticks_are_round_numbers_never_5100_point_5() -> None:
    ticks = nice_ticks(4870.3, 5330.8)
    assert ticks == [4800, 5000, 5200, 5400]
    assert [tick_label(t, 200) for t in ticks[:2]] == ["4,800", "5,000"]
    assert nice_ticks(50.05, 51.36) == [50.0, 50.5, 51.0, 51.5]
    assert tick_label(50.5, 0.5) == "50.5"
    pressure = nice_ticks(96, 184)  # the 180 urgent line must be inside the chart
    assert pressure[0] <= 96
    assert pressure[-1] >= 184


def test_the_weight_line_is_the_six_month_baseline_median_minus_the_threshold() -> None:
    policy = Policy()
    start, end = chart_lines.weight_baseline_window(TODAY, policy)
    assert end == TODAY - timedelta(days=182)
    at = datetime.combine(start, datetime.min.time(), tzinfo=JST)
    points = [(at + timedelta(days=7 * i), kg) for i, kg in enumerate((52.0, 53.0, 53.4))]
    points += [(datetime(2026, 11, 20, tzinfo=JST), 40.0)]  # recent: not in the baseline
    assert chart_lines.weight_line(points, TODAY, policy, JST) == (
        51.0,
        "6か月前の中央値 53.0kg −2kg",
    )
    assert chart_lines.weight_line(points[:2], TODAY, policy, JST) is None  # too few values
