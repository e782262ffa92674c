"""Statistics shared by the benchmarks: quantiles and ratios with their per-block spread."""

from __future__ import annotations

import statistics


def q(values: list[float], p: float) -> float:
    """Return the p-quantile of values (linear interpolation)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ratio_line(
    label: str,
    num: list[float],
    den: list[float],
    blocks: int,
    target: float | None,
    width: int = 58,
) -> float:
    """Print median(num)/median(den) and the spread of that ratio over consecutive blocks."""
    ratio = statistics.median(num) / statistics.median(den)
    size = max(1, len(num) // blocks)
    per_block = [
        statistics.median(num[i : i + size]) / statistics.median(den[i : i + size])
        for i in range(0, size * blocks, size)
        if num[i : i + size]
    ]
    spread = f"blocks {min(per_block):.2f}-{max(per_block):.2f}" if len(per_block) > 1 else ""
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target:.1f}x: {'met' if ratio <= target else 'NOT met'}"
    print(f"  {label:{width}s} {ratio:6.2f}x  ({spread}){verdict}")
    return ratio
