"""Activity-drop windows against day-to-day step noise: false alerts and recall, per setting.

A model study for choosing a municipality's ``activity_*`` policy, faster than bench/simulate.py
(seconds, not minutes). Steps follow the simulation's model (per-elder base 1,500-8,000 a day,
lognormal day-to-day noise sd 0.25, weekends x 0.85, a lasting drop to x 0.6); each setting runs
on the same seeded series. The test mirrors ``rules.activity_drop`` (median of the last ``short``
complete days below ``ratio`` x the median of the ``long`` days before them), evaluated each day
with ``repeat_days`` between alerts; ``persist`` > 1 asks for that many days running.

    python bench/activity_windows.py [--elders 300] [--drops 150]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One choice of windows and ratio (the policy's ``activity_*`` fields)."""

    ratio: float
    short_days: int
    long_days: int = 28
    repeat_days: int = 14
    persist: int = 1


SETTINGS = (
    Setting(0.7, 7),  # ARCHITECTURE §6 default
    Setting(0.7, 7, persist=2),
    Setting(0.65, 7),
    Setting(0.7, 10),
    Setting(0.7, 14),
)

DAYS = 150
START = 60  # days of history before the first evaluation


def series(rng: random.Random, drop_day: int | None = None) -> list[float]:
    """Return one elder's daily steps."""
    base = math.exp(rng.uniform(math.log(1500), math.log(8000)))
    out = []
    for d in range(DAYS):
        weekend = 0.85 if d % 7 >= 5 else 1.0
        factor = 0.6 if drop_day is not None and d >= drop_day else 1.0
        out.append(base * factor * weekend * math.exp(rng.gauss(0, 0.25)))
    return out


def alerts(steps: Sequence[float], s: Setting) -> list[int]:
    """Return the days an alert opens: short median below ratio x long median, ``persist`` days running."""
    last, run, found = -(10**6), 0, []
    for today in range(START, len(steps)):
        short = steps[today - s.short_days : today]
        long = steps[today - s.short_days - s.long_days : today - s.short_days]
        below = statistics.median(short) < s.ratio * statistics.median(long)
        run = run + 1 if below else 0
        if run >= s.persist and today - last >= s.repeat_days:
            found.append(today)
            last = today
    return found


def main(argv: list[str] | None = None) -> int:
    """Print false alerts per 100 elder-months and recall within 14 days for each setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=300)
    parser.add_argument("--drops", type=int, default=150)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    months = args.elders * (DAYS - START) / 30
    print(f"{args.elders} elders x {DAYS - START} days without a drop; {args.drops} drops to x0.6")
    print("ratio short persist | false/100 elder-months | recall (14 d) | median delay d")
    for s in SETTINGS:
        rng = random.Random(args.seed)
        false = sum(len(alerts(series(rng), s)) for _ in range(args.elders))
        delays = []
        for _ in range(args.drops):
            drop = START + rng.randint(14, 75)
            after = [d - drop for d in alerts(series(rng, drop), s) if d >= drop]
            if after and after[0] <= 14:
                delays.append(after[0])
        print(
            f"{s.ratio:5} {s.short_days:5} {s.persist:7} | {100 * false / months:22.1f} | "
            f"{len(delays) / args.drops:13.1%} | {statistics.median(delays) if delays else '-':>14}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
