"""The medication reminder of one elder: what is set now, when it rings, and times said aloud.

Its history is kept as events of kind ``reminder`` (``detail["action"]``: offered, declined,
set, removed, failed); the reminder in force is the last one set whose alert token no removal
names (events of one instant may be listed in any order).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from backend.domain.model import Event, EventKind

MEDICATION = "medication"  # the question whose answer brings the offer
OFFERED = "offered"
DECLINED = "declined"
SET = "set"
REMOVED = "removed"
FAILED = "failed"


@dataclass(frozen=True)
class Reminder:
    """A daily reminder set on the elder's speaker."""

    alert_token: str
    time: str  # HH:MM, Japan time
    set_by: str  # "elder": the elder said はい (the only way one is set)
    set_at: datetime


def _reminder_events(events: Iterable[Event]) -> list[Event]:
    found = [e for e in events if e.kind is EventKind.REMINDER]
    return sorted(found, key=lambda e: (e.at, e.id))


def current(events: Iterable[Event]) -> Reminder | None:
    """Return the reminder in force: the last one set whose alert token was not removed since."""
    found = _reminder_events(events)
    removed = {e.detail.get("alert_token") for e in found if e.detail.get("action") == REMOVED}
    live = [
        e
        for e in found
        if e.detail.get("action") == SET
        and e.detail.get("alert_token")
        and e.detail["alert_token"] not in removed
    ]
    if not live:
        return None
    last = live[-1]
    return Reminder(
        str(last.detail["alert_token"]),
        str(last.detail.get("time", "")),
        str(last.detail.get("set_by", "elder")),
        last.at,
    )


def ever_offered(events: Iterable[Event]) -> bool:
    """Return True once the reminder was offered, asked for, refused or set (it is offered once)."""
    return bool(_reminder_events(events))


def hhmm(at: time) -> str:
    """Return ``at`` as HH:MM."""
    return f"{at.hour:02d}:{at.minute:02d}"


def parse_hhmm(text: str) -> time | None:
    """Return the time of an HH:MM string (AMAZON.TIME's clock values), or None."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    return time(int(match[1]), int(match[2])) if match else None


_KANJI = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AFTERNOON = ("午後", "夕方", "夜", "晩", "夕")
_SAID = re.compile(
    r"(?P<part>午前|午後|朝|昼|お昼|夕方|夕|夜|晩)?(?:の)?"
    r"(?P<hour>[0-9]{1,2})時(?:(?P<half>半)|(?P<minute>[0-9]{1,2})分)?"
)
_NUMERAL = "[0-9〇一二三四五六七八九十]{1,3}"
# A clock time as said (for a local stand-in of AMAZON.TIME): 8時, 朝の8時, 夜7時半, 7時30分.
TIME_PATTERN = f"(?:(?:午前|午後|朝|昼|お昼|夕方|夕|夜|晩)の?)?{_NUMERAL}時(?:半|{_NUMERAL}分)?"


def _digits(text: str) -> str:
    """Return ``text`` with kanji numbers up to 59 written in digits (八時 → 8時, 十二時 → 12時)."""

    def number(match: re.Match[str]) -> str:
        word = match.group(0)
        if "十" not in word:
            return "".join(str(_KANJI[c]) for c in word)
        tens, _, ones = word.partition("十")
        return str((_KANJI.get(tens, 1) if tens else 1) * 10 + (_KANJI[ones] if ones else 0))

    return re.sub(r"[〇一二三四五六七八九十]+", number, text)


def said_time(words: str) -> time | None:
    """Return the clock time in words (「8時」「朝8時」「夜7時半」「午後7時30分」), or None."""
    text = _digits(unicodedata.normalize("NFKC", words).replace(" ", ""))
    match = _SAID.search(text)
    if match is None:
        return None
    hour = int(match["hour"])
    minute = 30 if match["half"] else int(match["minute"] or 0)
    part = match["part"] or ""
    if part in _AFTERNOON and hour < 12:
        hour += 12
    if part in ("昼", "お昼") and hour < 6:  # 「お昼の1時」
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
