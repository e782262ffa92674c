"""What every alert rule reads: one elder's history cut to the policy's windows at ``now``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Any

from backend.domain.model import (
    Answer,
    AwayPeriod,
    CheckIn,
    Elder,
    Event,
    Reading,
    ReadingKind,
    Severity,
)
from questions.kihon import ITEM_IDS as KIHON_ITEMS
from questions.model import QuestionSet
from questions.policy import Policy
from questions.schema import ElderOverrides, Question, SlotWindow, parse_hhmm

MISSED_CHECKIN = "missed_checkin"
CONCERN = "concern"
WEIGHT_DROP = "weight_drop"
ACTIVITY_DROP = "activity_drop"
BP_URGENT = "bp_urgent"
BP_HIGH = "bp_high"
EMERGENCY = "emergency"
SPEAKER_SILENT = "speaker_silent"
FOLLOW_UP = "follow_up"
DISASTER_HELP = "disaster_help"  # 「助けが必要です」 to a 災害 notice (opened at once, not swept)

STAGE_NUDGE = 0  # tell the elder (the speaker asks again)
STAGE_FAMILY = 1  # tell the family
STAGE_CENTER = 2  # tell the care center
STAGE_PRIORITY = 3  # n days running: the center should visit

STAGE_SEVERITY = {
    STAGE_NUDGE: Severity.INFO,
    STAGE_FAMILY: Severity.INFO,
    STAGE_CENTER: Severity.SAME_DAY,
    STAGE_PRIORITY: Severity.PRIORITY,
}
SEVERITY_RANK = {Severity.URGENT: 0, Severity.PRIORITY: 1, Severity.SAME_DAY: 2, Severity.INFO: 3}

# questions.schema.Concern allows days_running up to 14.
CONCERN_MAX_DAYS = 14
# The monthly checklist reads this month and the whole of last month.
KIHON_CHECKLIST_DAYS = 62
WEIGHT_QUESTION = "weight"
BLOOD_PRESSURE_QUESTION = "blood_pressure"
ACTIVITY_MEASURES = (
    ("steps", ReadingKind.STEPS),
    ("activity_minutes", ReadingKind.ACTIVITY_MINUTES),
)


@dataclass(frozen=True)
class ElderHistory:
    """The data of one elder that the caller loaded: at least ``history_windows(policy)`` back."""

    elder: Elder
    checkins: Sequence[CheckIn] = ()
    answers: Sequence[Answer] = ()
    readings: Sequence[Reading] = ()
    away_periods: Sequence[AwayPeriod] = ()
    events: Sequence[Event] = ()
    # When the elder's first speaker was bound: before that (or with no speaker at all) no
    # check-in can be missed.
    watching_since: datetime | None = None
    # Other signs of life the caller knows of (a notice or family message heard, ...).
    contacts: Sequence[datetime] = ()
    # The municipality's other elders the same days (``activity_cohort``): per measure, per
    # date, their median value as a share of their own usual; weather and season move it.
    cohort: Mapping[str, Mapping[date, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertCandidate:
    """What a rule finds: ``(elder id, rule, period)`` is the alert's unique key."""

    rule: str
    period: str
    severity: Severity
    stage: int
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryWindows:
    """How many dates before today the rules read: ``general`` for all data, longer for some.

    Check-ins, events and every answer are read ``general`` dates back; the answers to a few
    questions (``answers``) and the readings of some kinds (``readings``) further back.
    """

    general: int
    answers: Mapping[str, int]
    readings: Mapping[ReadingKind, int]

    def answer_days(self, question_id: str) -> int:
        """Return how many dates back the answers to ``question_id`` are read."""
        return self.answers.get(question_id, self.general)

    def reading_days(self, kind: ReadingKind) -> int:
        """Return how many dates back readings of ``kind`` are read."""
        return self.readings.get(kind, self.general)

    @property
    def longest(self) -> int:
        """Return the largest window."""
        return max((self.general, *self.answers.values(), *self.readings.values()))


@lru_cache(maxsize=64)
def history_windows(policy: Policy) -> HistoryWindows:
    """Return the dates before today each rule reads (data older than that is ignored).

    Missed check-ins read ``lookback_days + priority_days_running - 2`` dates back, concerns
    ``lookback_days + 13`` (the longest "n days running"), blood pressure and emergencies
    ``lookback_days - 1``: that is ``general`` (14 with the defaults). Further back: weights
    209 dates (the 28 days ending 182 days ago), steps and activity minutes 35 (7 + 28 complete
    days before today), the 基本チェックリスト items 62 (this month and the whole of last).
    """
    recent = policy.lookback_days - 1
    general = max(recent + policy.priority_days_running - 1, recent + CONCERN_MAX_DAYS - 1)
    weight = max(general, policy.weight_window_days + policy.weight_median_days - 1)
    activity = max(general, policy.activity_short_days + policy.activity_long_days)
    checklist = max(general, KIHON_CHECKLIST_DAYS)
    answers = {WEIGHT_QUESTION: weight}
    answers.update({measure: activity for measure, _ in ACTIVITY_MEASURES})
    answers.update({item: checklist for item in KIHON_ITEMS})
    readings = {ReadingKind.WEIGHT: weight}
    readings.update({kind: activity for _, kind in ACTIVITY_MEASURES})
    return HistoryWindows(general, answers, readings)


def days_needed(policy: Policy) -> int:
    """Return the longest of ``history_windows(policy)``: 209 dates with the defaults."""
    return history_windows(policy).longest


@dataclass(frozen=True)
class Context:
    """One evaluation's inputs, with the history cut to the dates the rules read and to ``now``."""

    elder: Elder
    qset: QuestionSet
    policy: Policy
    now: datetime
    tz: tzinfo
    today: date
    recent: tuple[date, ...]  # the dates of lookback_days, oldest first, ending today
    checkins: tuple[CheckIn, ...]
    answers: tuple[Answer, ...]  # answered by now, skipped ones included
    readings: tuple[Reading, ...]
    events: tuple[Event, ...]
    away_periods: tuple[AwayPeriod, ...]
    watching_since: datetime | None = None
    contacts: tuple[datetime, ...] = ()
    cohort: Mapping[str, Mapping[date, float]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, history: ElderHistory, qset: QuestionSet, policy: Policy, now: datetime
    ) -> Context:
        """Return the context of one evaluation; ``now`` must be time-zone aware."""
        tz = now.tzinfo
        if tz is None or now.utcoffset() is None:
            raise ValueError("now must be time-zone aware")
        today = now.date()
        windows = history_windows(policy)
        earliest = today - timedelta(days=windows.general)
        answers_from = {q: today - timedelta(days=d) for q, d in windows.answers.items()}
        readings_from = {k: today - timedelta(days=d) for k, d in windows.readings.items()}
        elder_id = history.elder.id
        by_now = at_or_before(now)

        def dated(at: datetime, first: date = earliest) -> bool:
            return by_now(at) and at.astimezone(tz).date() >= first

        return cls(
            elder=history.elder,
            qset=qset,
            policy=policy,
            now=now,
            tz=tz,
            today=today,
            recent=tuple(today - timedelta(days=i) for i in reversed(range(policy.lookback_days))),
            checkins=tuple(
                c for c in history.checkins if c.elder_id == elder_id and c.date >= earliest
            ),
            answers=tuple(
                a
                for a in history.answers
                if a.elder_id == elder_id
                and answers_from.get(a.question_id, earliest) <= a.date <= today
                and by_now(a.answered_at)
            ),
            readings=tuple(
                r
                for r in history.readings
                if r.elder_id == elder_id
                and dated(r.measured_at, readings_from.get(r.kind, earliest))
            ),
            events=tuple(e for e in history.events if e.elder_id == elder_id and dated(e.at)),
            away_periods=tuple(p for p in history.away_periods if p.elder_id == elder_id),
            watching_since=history.watching_since,
            contacts=tuple(sorted(c for c in history.contacts if dated(c))),
            cohort=history.cohort,
        )

    def date_of(self, at: datetime) -> date:
        """Return the date of ``at`` in the time zone of ``now``."""
        return at.astimezone(self.tz).date()

    def at(self, day: date, hhmm: str) -> datetime:
        """Return the instant of ``HH:MM`` on ``day`` in the time zone of ``now``."""
        return datetime.combine(day, parse_hhmm(hhmm), tzinfo=self.tz)

    def away(self, at: datetime) -> bool:
        """Return True if ``at`` falls inside an away period."""
        return bool(self.away_periods) and any(p.covers(at) for p in self.away_periods)

    def away_during(self, start: datetime, end: datetime) -> bool:
        """Return True if an away period overlaps ``[start, end]``."""
        return any(p.start <= end and (p.end is None or p.end > start) for p in self.away_periods)

    @cached_property
    def last_speaker_sign(self) -> datetime | None:
        """Return the latest sign of life through the speaker (``_last_speaker_sign``), if any."""
        return _last_speaker_sign(self)

    @cached_property
    def last_device_sign(self) -> datetime | None:
        """Return the latest sign of life from a device up to now (``_last_device_sign``)."""
        return _last_device_sign(self)

    @property
    def silent(self) -> bool:
        """Return True when every rule but emergency stays silent (not watchable, or away now)."""
        return not self.elder.is_watchable or self.away(self.now)


Rule = Callable[[Context], list[AlertCandidate]]


def at_or_before(now: datetime) -> Callable[[datetime], bool]:
    """Return ``lambda at: at <= now``, quicker for the UTC times the stores return.

    Comparing aware datetimes of two time zones asks the zoneinfo of ``now`` for its offset
    (~0.6 us); a UTC ``at`` is compared with ``now`` in UTC instead, which is the same
    comparison of instants. Any other ``at`` is compared as given.
    """
    now_utc = now.astimezone(UTC)

    def by_now(at: datetime) -> bool:
        return at <= now_utc if at.tzinfo is UTC else at <= now

    return by_now


def iso_day(day: date) -> str:
    """Return the date as ``YYYY-MM-DD`` (the period of most rules)."""
    return day.isoformat()


def number_of(value: Any) -> float | None:
    """Return a numeric answer or reading as a float, else None (booleans are no numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


DAILY_KINDS = frozenset({ReadingKind.STEPS, ReadingKind.ACTIVITY_MINUTES})


def _last_speaker_sign(ctx: Context) -> datetime | None:
    """Return when the speaker last showed the elder up (opened, answered, an event, a contact).

    A check-in opened, an answer, an event (an emergency word; a contact: a notice or a family
    message heard), a contact the caller knows of. The context holds only answers, events and
    contacts up to now (``Context.build``).
    """
    by_now = at_or_before(ctx.now)
    opened = (c.started_at for c in ctx.checkins if by_now(c.started_at))
    latest = (
        max(opened, default=None),
        max(map(_ANSWERED_AT, ctx.answers), default=None),
        max(map(_EVENT_AT, ctx.events), default=None),
        ctx.contacts[-1] if ctx.contacts else None,  # sorted
    )
    return max((s for s in latest if s is not None), default=None)


def _last_device_sign(ctx: Context) -> datetime | None:
    """Return the latest sign of life from a device: a weight or a blood pressure when measured.

    A day's step count or activity minutes only shows the elder was up at some time that day:
    it counts from the day's first minute, so it never hides a silence that began that day.
    The context holds only readings up to now (``Context.build``).
    """
    measured = max((r.measured_at for r in ctx.readings if r.kind not in DAILY_KINDS), default=None)
    daily = max(
        (
            r.measured_at
            for r in ctx.readings
            if r.kind in DAILY_KINDS and (number_of(r.value) or 0) > 0
        ),
        default=None,
    )
    day_start = None if daily is None else ctx.at(ctx.date_of(daily), "00:00")
    return max((s for s in (measured, day_start) if s is not None), default=None)


_ANSWERED_AT = attrgetter("answered_at")
_EVENT_AT = attrgetter("at")


def slots_due_on(
    ctx: Context, day: date, overrides: ElderOverrides
) -> list[tuple[SlotWindow, list[Question]]]:
    """Return the slots of ``day`` with questions due, and those questions."""
    due = [(slot, ctx.qset.due(day, slot.id, overrides)) for slot in ctx.qset.slots]
    return [(slot, questions) for slot, questions in due if questions]
