"""Date words as Alexa's AMAZON.DATE resolves them: 明日 -> 2026-12-01, 来週 -> 2026-W49."""

from __future__ import annotations

import re
from datetime import date, timedelta

from backend.domain.understanding.text import digits

WEEKDAYS = "月火水木金土日"
DATE_PATTERN = (
    r"(?:今日|きょう|明日|あした|あす|明後日|あさって|来週の[月火水木金土日]曜日?|来週|来月|月末|"
    r"[月火水木金土日]曜日?|"
    r"[0-9〇一二三四五六七八九十]+月[0-9〇一二三四五六七八九十]+日|[0-9〇一二三四五六七八九十]+日)"
)
_DATE = re.compile(DATE_PATTERN)


def _next_month_first(today: date) -> date:
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


def date_value(words: str, today: date) -> str:
    """Return the AMAZON.DATE value for ``words``: 2026-12-01, 2026-W49 or 2026-12."""
    relative = {"今日": 0, "きょう": 0, "明日": 1, "あした": 1, "あす": 1}
    relative |= {"明後日": 2, "あさって": 2}
    if words in relative:
        return (today + timedelta(days=relative[words])).isoformat()
    if words == "来週":
        year, week, _ = (today + timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"
    if words == "来月":
        first = _next_month_first(today)
        return f"{first.year}-{first.month:02d}"
    if words == "月末":
        return (_next_month_first(today) - timedelta(days=1)).isoformat()
    if words[0] in WEEKDAYS and words[1:2] == "曜":
        ahead = (WEEKDAYS.index(words[0]) - today.weekday()) % 7 or 7
        return (today + timedelta(days=ahead)).isoformat()
    if words.startswith("来週の"):
        weekday = WEEKDAYS.index(words[3])
        monday = today + timedelta(days=7 - today.weekday())
        return (monday + timedelta(days=weekday)).isoformat()
    month_text, _, day_text = digits(words).rstrip("日").rpartition("月")
    day = int(day_text)
    if month_text:
        month = int(month_text)
        candidate = date(today.year, month, day)
        return (candidate if candidate >= today else date(today.year + 1, month, day)).isoformat()
    if day >= today.day:
        return today.replace(day=day).isoformat()
    return _next_month_first(today).replace(day=day).isoformat()


def find_date(text: str, particle: str) -> str | None:
    """Return the date words right before ``particle`` (から or まで) in ``text``, or None."""
    match = re.search(f"({DATE_PATTERN}){particle}", text)
    return match.group(1) if match else None


def first_date(text: str) -> str | None:
    """Return the first date words in ``text``, or None."""
    match = _DATE.search(text)
    return match.group(0) if match else None
