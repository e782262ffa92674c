"""Write ``questions/engagement/solar_terms.yaml``: the JST date of each 二十四節気, 2024–2050.

Run ``pip install ephem && python -m questions.solar_terms`` to regenerate it. A term begins
when the Sun's apparent ecliptic longitude reaches a multiple of 15°; the date is that moment's
date in Japan (UTC+9), as the National Astronomical Observatory of Japan publishes them. The
product only reads the table, so ephem is not one of its dependencies.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

# Starting at 0° (春分), every 15°.
TERMS = (
    "春分", "清明", "穀雨", "立夏", "小満", "芒種", "夏至", "小暑", "大暑", "立秋", "処暑", "白露",
    "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至", "小寒", "大寒", "立春", "雨水", "啓蟄",
)  # fmt: skip
FIRST_YEAR, LAST_YEAR = 2024, 2050
OUT = Path(__file__).parent / "engagement" / "solar_terms.yaml"
_JST = dt.timezone(dt.timedelta(hours=9))


def _longitude(ephem, when: float) -> float:
    sun = ephem.Sun(when)  # apparent geocentric place, of the date's equinox
    place = ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when)
    return math.degrees(float(ephem.Ecliptic(place, epoch=when).lon)) % 360.0


def _crossing(ephem, start: float, target: float) -> float:
    """Return the ephem date after ``start`` when the Sun's longitude reaches ``target``."""
    step = 1.0
    t = start
    while True:
        a = (_longitude(ephem, t) - target + 180.0) % 360.0 - 180.0
        b = (_longitude(ephem, t + step) - target + 180.0) % 360.0 - 180.0
        if a < 0 <= b:
            lo, hi = t, t + step
            for _ in range(40):
                mid = (lo + hi) / 2
                m = (_longitude(ephem, mid) - target + 180.0) % 360.0 - 180.0
                lo, hi = (mid, hi) if m < 0 else (lo, mid)
            return hi
        t += step


def main() -> None:
    """Compute the table and write it."""
    import ephem

    lines = [
        "# 二十四節気の日付（日本時間）。python -m questions.solar_terms で作り直します。",
        "# 太陽の視黄経が15度の倍数になる瞬間の日付です（ephem による計算）。",
    ]
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        t = ephem.Date(f"{year}/1/1") - 1
        found = []
        for offset in range(24):
            index = (19 + offset) % 24  # 小寒 (285°) comes first in a calendar year
            t = _crossing(ephem, t, index * 15.0)
            when = ephem.Date(t).datetime().replace(tzinfo=dt.UTC).astimezone(_JST)
            found.append(f"{TERMS[index]}: {when:%m-%d}")
            t += 10
        lines.append(f'"{year}": {{{", ".join(found)}}}')
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
