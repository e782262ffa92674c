"""Line charts as inline SVG, drawn on the server (no JavaScript)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from backend.dashboard import texts
from backend.services.chart_lines import Chart

WIDTH, HEIGHT = 960, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 30, 16, 56
FONT = 14
TICKS = 5  # about this many value ticks, at round numbers
COLORS = ("#1f5fa8", "#b3261e", "#2e7d32")
THRESHOLD_COLOR = "#8a5a00"


def _fmt(value: float) -> str:
    return f"{value:g}"


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """Return round tick values (1, 2, 2.5 or 5 × 10ⁿ apart) covering ``low``…``high``."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 6)]
    while ticks[-1] < high:  # the last tick at or above ``high``: every value is inside
        ticks.append(round(first + step * len(ticks), 6))
    return ticks


def tick_label(value: float, step: float) -> str:
    """Return a tick's text: whole numbers with separators, else as few decimals as the step."""
    if step >= 1 and float(value).is_integer():
        return f"{value:,.0f}"
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 1
    return f"{value:.{decimals}f}"


def svg(chart: Chart, start: datetime, end: datetime) -> Markup:
    """Return the chart as an accessible ``<svg>`` element (a text summary in its title)."""
    points = [p for s in chart.series for p in s.points if start <= p.at <= end]
    counts = "、".join(f"{s.name} {len(s.points)}件" for s in chart.series)
    latest = [
        f"{s.name}の最新 {_fmt(s.points[-1].value)}{chart.unit}" for s in chart.series if s.points
    ]
    summary = f"{chart.title}のグラフ（{counts}）" + (f"。{'、'.join(latest)}" if latest else "")
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="chart-{chart.key}-title" data-chart={quoteattr(chart.key)} '
        f'data-points="{len(points)}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{chart.key}-title">{escape(summary)}</title>',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="#fff" stroke="#767676"/>',
    ]
    if not points:
        parts.append(
            f'<text x="{(WIDTH - RIGHT + LEFT) / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
            f'fill="#333">{escape(texts.CHART_EMPTY)}</text></svg>'
        )
        return Markup("".join(parts))
    values = [p.value for p in points] + [t.value for t in chart.thresholds]
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or max(abs(high) * 0.05, 1)
    ticks = nice_ticks(low - pad, high + pad)
    step = ticks[1] - ticks[0]
    low, high = ticks[0], ticks[-1]
    span = (end - start) or timedelta(days=1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return round(LEFT + plot_w * ((at - start) / span), 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - (value - low) / (high - low)), 1)

    for value in ticks:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value)}" '
            f'y2="{y(value)}" stroke="#e3e3e3"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(value) + 5}" text-anchor="end" '
            f'font-size="{FONT}" fill="#333">{tick_label(value, step)}</text>'
        )
    for i in range(7):
        at = start + span * i / 6
        parts.append(
            f'<text x="{x(at)}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" '
            f'font-size="{FONT}" fill="#333">{at.month}/{at.day}</text>'
        )
    legend_x = LEFT
    for threshold in chart.thresholds:
        ty = y(threshold.value)
        parts.append(
            f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty}" y2="{ty}" '
            f'stroke="{THRESHOLD_COLOR}" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT - 6}" y="{ty - 5}" text-anchor="end" font-size="{FONT - 1}" '
            f'fill="{THRESHOLD_COLOR}">{escape(threshold.label)}</text>'
        )
    for n, series in enumerate(chart.series):
        color = COLORS[n % len(COLORS)]
        shown = [p for p in series.points if start <= p.at <= end]
        if not shown:
            continue
        coords = " ".join(f"{x(p.at)},{y(p.value)}" for p in shown)
        parts.append(
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" '
            f'points="{coords}"/>'
        )
        parts += [f'<circle cx="{x(p.at)}" cy="{y(p.value)}" r="3" fill="{color}"/>' for p in shown]
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{HEIGHT - 10}" y2="{HEIGHT - 10}" '
            f'stroke="{color}" stroke-width="3"/>'
            f'<text x="{legend_x + 22}" y="{HEIGHT - 6}" font-size="{FONT}" '
            f'fill="{color}">{escape(series.name)}</text>'
        )
        legend_x += 44 + (FONT + 1) * len(series.name)
    parts.append("</svg>")
    return Markup("".join(parts))
