"""Notices that a municipality publishes on the speaker: who hears what, and when."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

ONCE = "once"
"""The occurrence key of a notice without recurrence: it is heard once."""

TITLE_MAX = 40
SPEECH_MAX = 600  # far below the 8,000 characters of one response, with room for prompts
SCREEN_MAX = 400
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WEEKDAY_NAMES = ("月", "火", "水", "木", "金", "土", "日")


class Priority(StrEnum):
    """How a notice is announced: 災害 first and with a 安否 question, 重要 with a nudge."""

    NORMAL = "通常"
    IMPORTANT = "重要"
    DISASTER = "災害"

    @property
    def rank(self) -> int:
        """Return 0 for 災害, 1 for 重要, 2 for 通常 (the order notices are read in)."""
        return _RANK[self]

    @property
    def nudges(self) -> bool:
        """Return True when publishing sends a notification to the speakers."""
        return self is not Priority.NORMAL


_RANK = {Priority.DISASTER: 0, Priority.IMPORTANT: 1, Priority.NORMAL: 2}


class NoticeKind(StrEnum):
    """What a notice is: an announcement, or a 体操 invitation read in its time window."""

    GENERAL = "お知らせ"
    EXERCISE = "体操"


class NoticeStatus(StrEnum):
    """Life cycle of a notice: draft → published → withdrawn."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Safety(StrEnum):
    """An elder's 安否 answer to a 災害 notice."""

    SAFE = "safe"  # 無事です
    NEED_HELP = "need_help"  # 助けが必要です


def check_text(value: str, limit: int, what: str) -> str:
    """Return plain text stripped, or raise ValueError (empty, too long, control characters)."""
    text = (value or "").strip()
    if not text:
        raise ValueError(f"{what}が空です")
    if len(text) > limit:
        raise ValueError(f"{what}は{limit}文字までです（{len(text)}文字）")
    if _CONTROL.search(text):
        raise ValueError(f"{what}に制御文字が含まれています")
    return text


@dataclass(frozen=True)
class Audience:
    """Who a notice is for: nothing listed means every elder of the municipality.

    Otherwise an elder is included when their district, their center or their id is
    listed (any of the three).
    """

    districts: tuple[str, ...] = ()
    centers: tuple[str, ...] = ()
    elders: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        """Return True for the whole municipality."""
        return not (self.districts or self.centers or self.elders)

    def includes(self, elder_id: str, center_id: str, district: str) -> bool:
        """Return True when the elder with this id, center and district is targeted."""
        return (
            self.everyone
            or elder_id in self.elders
            or center_id in self.centers
            or (bool(district) and district in self.districts)
        )


@dataclass(frozen=True)
class TimeWindow:
    """When on its days a 体操 notice is read: from ``start`` (inclusive) to ``end``.

    ``at`` is the time the exercise begins (shown on the screen); it lies in the window.
    """

    at: time
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("読み上げる時間帯の終わりは、始まりより後にしてください")
        if not self.start <= self.at < self.end:
            raise ValueError("体操の時刻は、読み上げる時間帯の中にしてください")

    def contains(self, moment: time) -> bool:
        """Return True when ``moment`` (local wall clock) is inside the window."""
        return self.start <= moment.replace(tzinfo=None) < self.end

    def describe(self) -> str:
        """Return the window in Japanese: 10:00から（10:00〜11:30に読み上げ）."""
        return f"{_hhmm(self.at)}から（{_hhmm(self.start)}〜{_hhmm(self.end)}に読み上げ）"


def _hhmm(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


# A recurring notice (garbage days) says 「今日は…」: it is announced on its day in the morning
# only, until this time (local). A late open that day hears the check-in without it.
RECURRING_UNTIL = time(11, 0)


@dataclass(frozen=True)
class Recurrence:
    """On which days a notice is announced: weekdays (optionally only the n-th), or dates.

    ``weekdays`` are 0 (Monday) to 6 (Sunday); ``nth`` (1 to 5) restricts them to the
    n-th such weekday of the month (第1・第3水曜); a 5th weekday that a month does not
    have simply does not occur. ``dates`` are extra single days. No holidays are
    assumed: a garbage day on a national holiday is announced unless the municipality
    lists its days as dates.
    """

    weekdays: tuple[int, ...] = ()
    nth: tuple[int, ...] = ()
    dates: tuple[date, ...] = ()

    def __post_init__(self) -> None:
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("曜日は 0（月）〜6（日）です")
        if any(not 1 <= n <= 5 for n in self.nth):
            raise ValueError("第n曜日の n は 1〜5 です")
        if self.nth and not self.weekdays:
            raise ValueError("第n曜日には曜日が必要です")
        if not (self.weekdays or self.dates):
            raise ValueError("曜日か日付を指定してください")

    def occurs_on(self, day: date) -> bool:
        """Return True when the notice is announced on ``day``."""
        if day in self.dates:
            return True
        if day.weekday() not in self.weekdays:
            return False
        return not self.nth or week_of_month(day) in self.nth

    def describe(self) -> str:
        """Return the recurrence in Japanese: 毎週月曜・木曜, 第1・第3水曜, 12月1日・12月15日."""
        parts = []
        if self.weekdays:
            days = "・".join(f"{WEEKDAY_NAMES[d]}曜" for d in self.weekdays)
            if self.nth:
                parts.append("・".join(f"第{n}" for n in self.nth) + days)
            else:
                parts.append(f"毎週{days}")
        if self.dates:
            parts.append("・".join(f"{d.month}月{d.day}日" for d in self.dates))
        return "、".join(parts)


def week_of_month(day: date) -> int:
    """Return n when ``day`` is the n-th of its weekday in its month (1 to 5)."""
    return (day.day - 1) // 7 + 1


@dataclass(frozen=True)
class Notice:
    """One municipal notice.

    ``speech`` is plain text (never SSML: the skill escapes it); ``screen_text`` and the
    optional HTTPS ``image_url`` are shown. The notice is announced from ``starts_at``
    (inclusive) to ``ends_at`` (exclusive; None: until withdrawn), on the days of its
    ``recurrence`` if it has one, once otherwise.

    A 体操 notice (``kind``) is an invitation on the days of its recurrence, read only
    inside its ``window``; it is 通常 (never nudged), and its ``speech`` is optional
    words said after the invitation.
    """

    id: str
    municipality_code: str
    title: str
    speech: str
    screen_text: str
    priority: Priority
    audience: Audience
    starts_at: datetime
    ends_at: datetime | None
    created_at: datetime
    updated_at: datetime
    recurrence: Recurrence | None = None
    image_url: str | None = None
    status: NoticeStatus = NoticeStatus.DRAFT
    published_at: datetime | None = None
    kind: NoticeKind = NoticeKind.GENERAL
    window: TimeWindow | None = None

    def __post_init__(self) -> None:
        check_text(self.title, TITLE_MAX, "題名")
        if self.kind is NoticeKind.EXERCISE:
            _check_exercise(self)
        else:
            check_text(self.speech, SPEECH_MAX, "読み上げる文")
            if self.window is not None:
                raise ValueError("読み上げる時間帯は、体操のお知らせだけに決められます")
        check_text(self.screen_text, SCREEN_MAX, "画面の文")
        if self.starts_at.tzinfo is None or (self.ends_at and self.ends_at.tzinfo is None):
            raise ValueError("期間の日時にはタイムゾーンが必要です")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("期間の終わりは始まりより後にしてください")
        if self.image_url is not None and not self.image_url.startswith("https://"):
            raise ValueError("画像は https:// の URL にしてください")

    def in_period(self, at: datetime) -> bool:
        """Return True when ``at`` is inside the notice's period."""
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)

    def occurrence(self, at: datetime) -> str | None:
        """Return the key of the announcement due at ``at`` (local time), or None.

        A published notice in its period gives ``ONCE`` without recurrence, and the
        ISO date of ``at`` on a day of its recurrence. Heard marks are kept per key, so
        a weekly notice is announced again the next week, a one-off notice only once.
        """
        if self.status is not NoticeStatus.PUBLISHED or not self.in_period(at):
            return None
        if self.recurrence is None:
            return ONCE
        day = at.date()
        if self.window is not None:
            # 「体操の時間です」 is read in its window only: not at 15:00 for a 10:00 exercise.
            in_window = self.window.contains(at.time())
            return day.isoformat() if in_window and self.recurrence.occurs_on(day) else None
        if at.time() >= RECURRING_UNTIL:
            return None  # 「今日は、資源ごみの日です」 is a morning notice, not heard at 19:01
        return day.isoformat() if self.recurrence.occurs_on(day) else None


def _check_exercise(notice: Notice) -> None:
    """Raise ValueError when a 体操 notice lacks its days or window, or is not 通常."""
    if notice.speech:
        check_text(notice.speech, SPEECH_MAX, "読み上げる文")
    if notice.recurrence is None:
        raise ValueError("体操のお知らせには、曜日（繰り返し）が必要です")
    if notice.window is None:
        raise ValueError("体操のお知らせには、時刻と読み上げる時間帯が必要です")
    if notice.priority is not Priority.NORMAL:
        raise ValueError("体操のお知らせは「通常」にしてください（お知らせの通知は送りません）")


@dataclass(frozen=True)
class NoticeDelivery:
    """That one elder heard one occurrence of a notice, and their 安否 answer if asked."""

    notice_id: str
    elder_id: str
    occurrence: str
    heard_at: datetime
    safety: Safety | None = None
    safety_at: datetime | None = None
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Due:
    """A notice due for an elder now, with its occurrence and what is still to do."""

    notice: Notice
    occurrence: str
    heard: bool
    needs_safety: bool


def due_for(
    notices: Iterable[Notice],
    elder_id: str,
    center_id: str,
    district: str,
    at: datetime,
    deliveries: Iterable[NoticeDelivery],
) -> list[Due]:
    """Return the elder's notices still to announce at ``at``, 災害 first.

    A notice is still to announce when its occurrence at ``at`` is not heard yet; a 災害
    notice also while its 安否 answer is missing. Ordered by priority (災害, 重要,
    通常), then ``starts_at``, then id.
    """
    done = {(d.notice_id, d.occurrence): d for d in deliveries}
    found: list[Due] = []
    for notice in notices:
        if not notice.audience.includes(elder_id, center_id, district):
            continue
        occurrence = notice.occurrence(at)
        if occurrence is None:
            continue
        delivery = done.get((notice.id, occurrence))
        needs_safety = notice.priority is Priority.DISASTER and (
            delivery is None or delivery.safety is None
        )
        if delivery is not None and not needs_safety:
            continue
        found.append(Due(notice, occurrence, delivery is not None, needs_safety))
    return sorted(found, key=lambda d: (d.notice.priority.rank, d.notice.starts_at, d.notice.id))
