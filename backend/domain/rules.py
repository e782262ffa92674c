"""Alert rules: pure functions of one elder's history, the question set, the policy and ``now``.

``evaluate`` returns what should be alerted *now*; the caller stores each candidate under the
unique key (elder, rule, period), so running it again (a restart, a second scheduler, a catch-up
after an outage) adds nothing twice, and a candidate whose ``stage`` grew escalates its alert.

Rules and their keys:

- ``missed_checkin`` ``YYYY-MM-DD/<slot>``: a slot with due questions and no answer by its end
  plus grace. Stage 0 nudge the elder, 1 family, 2 care center, 3 priority (n days running).
- ``concern:<question>`` ``YYYY-MM-DD``: a concerning answer; ``concern:<question>:<n>d`` when
  the answers of the last n dates are all concerning.
- ``weight_drop`` ``YYYY-Www``: robust medians of weights 6 months apart differ by 2 kg or more.
- ``activity_drop:steps`` / ``activity_drop:activity_minutes`` ``YYYY-MM-DD``.
- ``bp_urgent`` / ``bp_high`` ``YYYY-MM-DD``: home blood pressure at the policy's limits.
- ``emergency`` ``<event id>``: emergency words recorded by the skill.
- ``kihon_checklist`` ``YYYY-MM``: the month's 基本チェックリスト answers meet an MHLW cut-off.

Every rule but ``emergency`` is silent for an elder who is not watchable (no consent, suspended)
and for anything inside an away period; ``emergency`` never is (life first; APPI art. 27 allows
sharing without consent when life may be at risk).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Any

from backend.domain import rhythm
from backend.domain.conversation import is_concerning
from backend.domain.kihon_scoring import score_kihon_checklist
from backend.domain.model import (
    Alert,
    Answer,
    AwayPeriod,
    CheckIn,
    Elder,
    Event,
    EventKind,
    Reading,
    ReadingKind,
    Severity,
)
from questions.kihon import ITEM_IDS as KIHON_ITEMS
from questions.kihon import KIHON_CHECKLIST, VOICE_ITEMS
from questions.loader import parse_overrides
from questions.model import QuestionSet
from questions.policy import BloodPressureLimit, Policy
from questions.schema import Concern, ElderOverrides, Question, SlotWindow, parse_hhmm

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

_STAGE_SEVERITY = {
    STAGE_NUDGE: Severity.INFO,
    STAGE_FAMILY: Severity.INFO,
    STAGE_CENTER: Severity.SAME_DAY,
    STAGE_PRIORITY: Severity.PRIORITY,
}
_RANK = {Severity.URGENT: 0, Severity.PRIORITY: 1, Severity.SAME_DAY: 2, Severity.INFO: 3}

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

        def dated(at: datetime, first: date = earliest) -> bool:
            return at <= now and at.astimezone(tz).date() >= first

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
                and a.answered_at <= now
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


def _iso(day: date) -> str:
    return day.isoformat()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# --- missed check-in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answered:
    """When the elder answered: the check-in slots with an answer, and the latest answer."""

    slots: frozenset[tuple[date, str]]
    latest: datetime | None

    @classmethod
    def of(cls, ctx: Context, first_day: date) -> _Answered:
        by_id = {c.id: (c.date, c.slot) for c in ctx.checkins if c.date >= first_day}
        slots = frozenset(by_id[a.checkin_id] for a in ctx.answers if a.checkin_id in by_id)
        return cls(slots, max((a.answered_at for a in ctx.answers), default=None))

    def since(self, start: datetime) -> bool:
        """Return True if the elder answered anything at or after ``start`` (up to now)."""
        return self.latest is not None and self.latest >= start


def _missed(
    ctx: Context, answered: _Answered, day: date, slot: SlotWindow, start: datetime
) -> bool:
    """Return True if the slot went unanswered: no answer in it, and none at all since its start.

    A later answer (in a later slot, or late in this one) shows the elder is well, so it also
    stops the escalation. Slots before the consent date or touching an away period never count.
    """
    consent = ctx.elder.consent
    if consent is None or day < consent.consented_on:
        return False
    if ctx.watching_since is None or start < ctx.watching_since:
        return False
    if (day, slot.id) in answered.slots or answered.since(start):
        return False
    return not ctx.away_during(start, ctx.now)


def _due_slots(
    ctx: Context, day: date, overrides: ElderOverrides
) -> list[tuple[SlotWindow, list[Question]]]:
    due = [(slot, ctx.qset.due(day, slot.id, overrides)) for slot in ctx.qset.slots]
    return [(slot, questions) for slot, questions in due if questions]


def missed_checkin(ctx: Context) -> list[AlertCandidate]:
    """Return the missed check-ins: by the elder's own rhythm, or by the fixed ladder."""
    if ctx.silent:
        return []
    if ctx.policy.per_elder_rhythm:
        return _silence(ctx)
    return _fixed_ladder(ctx)


def _fixed_ladder(ctx: Context) -> list[AlertCandidate]:
    """Return a candidate per recent slot that is due, over, and unanswered, at today's stage."""
    policy = ctx.policy
    overrides = parse_overrides(ctx.elder.overrides, f"elder {ctx.elder.id} overrides")
    first_day = ctx.recent[0] - timedelta(days=policy.priority_days_running - 1)
    answered = _Answered.of(ctx, first_day)
    found = []
    for day in ctx.recent:
        for slot, questions in _due_slots(ctx, day, overrides):
            start, end = ctx.at(day, slot.start), ctx.at(day, slot.end)
            nudge_at = end + timedelta(minutes=policy.grace_minutes)
            if ctx.now < nudge_at or not _missed(ctx, answered, day, slot, start):
                continue
            family_at = nudge_at + timedelta(minutes=policy.family_after_minutes)
            if policy.family_waits_for_next_slot:
                next_end = _next_slot_end(ctx, day, slot, overrides)
                if next_end is not None:
                    family_at = max(family_at, next_end + timedelta(minutes=policy.grace_minutes))
            center_at = start + timedelta(hours=policy.center_after_hours)
            stage = max(
                stage
                for at, stage in (
                    (nudge_at, STAGE_NUDGE),
                    (family_at, STAGE_FAMILY),
                    (center_at, STAGE_CENTER),
                )
                if at <= ctx.now
            )
            silent_since = _silent_since(ctx, answered, overrides, day, slot)
            if silent_since is not None:
                stage = STAGE_PRIORITY
            found.append(
                AlertCandidate(
                    rule=MISSED_CHECKIN,
                    period=f"{_iso(day)}/{slot.id}",
                    severity=_STAGE_SEVERITY[stage],
                    stage=stage,
                    evidence={
                        "date": _iso(day),
                        "slot": slot.id,
                        "slot_label": slot.label,
                        "slot_start": start.isoformat(),
                        "slot_end": end.isoformat(),
                        "questions": [q.id for q in questions],
                        "nudge_at": nudge_at.isoformat(),
                        "family_at": family_at.isoformat(),
                        "center_at": center_at.isoformat(),
                        "days_running": policy.priority_days_running if silent_since else 1,
                        "silent_since": silent_since,
                    },
                )
            )
    return found


def _next_slot_end(
    ctx: Context, day: date, slot: SlotWindow, overrides: ElderOverrides
) -> datetime | None:
    """Return the end of the first due slot starting after ``slot`` (within two days)."""
    after = ctx.at(day, slot.start)
    for offset in range(3):
        current = day + timedelta(days=offset)
        starts = sorted(
            (ctx.at(current, s.start), ctx.at(current, s.end))
            for s, _ in _due_slots(ctx, current, overrides)
        )
        for start, end in starts:
            if start > after:
                return end if end > start else end + timedelta(days=1)
    return None


def _silent_since(
    ctx: Context, answered: _Answered, overrides: ElderOverrides, day: date, slot: SlotWindow
) -> str | None:
    """Return the start of a missed slot ``priority_days_running - 1`` days before, if any.

    Only a slot starting no later in the day than ``slot`` counts, so "n days running" always
    means at least (n - 1) × 24 hours without an answer, never an evening and the next morning.
    """
    first_day = day - timedelta(days=ctx.policy.priority_days_running - 1)
    for earlier, _ in _due_slots(ctx, first_day, overrides):
        if parse_hhmm(earlier.start) > parse_hhmm(slot.start):
            continue
        start = ctx.at(first_day, earlier.start)
        if _missed(ctx, answered, first_day, earlier, start):
            return start.isoformat()
    return None


# --- missed check-in by the elder's own rhythm ---------------------------------------

DAILY_KINDS = frozenset({ReadingKind.STEPS, ReadingKind.ACTIVITY_MINUTES})


def _last_speaker_sign(ctx: Context) -> datetime | None:
    """Return when the speaker last showed the elder up (opened, answered, an event, a contact).

    A check-in opened, an answer, an event (an emergency word; a contact: a notice or a family
    message heard), a contact the caller knows of. The context holds only answers, events and
    contacts up to now (``Context.build``).
    """
    opened = (c.started_at for c in ctx.checkins if c.started_at <= ctx.now)
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
            if r.kind in DAILY_KINDS and (_number(r.value) or 0) > 0
        ),
        default=None,
    )
    day_start = None if daily is None else ctx.at(ctx.date_of(daily), "00:00")
    return max((s for s in (measured, day_start) if s is not None), default=None)


_ANSWERED_AT = attrgetter("answered_at")
_EVENT_AT = attrgetter("at")


@dataclass(frozen=True)
class _Open:
    """A due, watched slot not opened, that may have gone by since the last sign of life."""

    day: date
    slot: SlotWindow
    questions: tuple[str, ...]
    start: datetime
    end: datetime


@dataclass(frozen=True)
class _Miss(_Open):
    """An expected slot that went by without a sign of life."""

    rate: float
    expected_at: datetime  # the usual time + margin: the elder is nudged
    counts_at: datetime  # the slot's end + grace, at the earliest: it counts for the family


def _watched_slot(ctx: Context, day: date, start: datetime) -> bool:
    """Return True if a slot of ``day`` starting at ``start`` can be missed: consented, watched."""
    consent = ctx.elder.consent
    if consent is None or day < consent.consented_on:
        return False
    return ctx.watching_since is not None and start >= ctx.watching_since


@dataclass(frozen=True)
class Rhythms:
    """Each slot's rhythm on ordinary days, and on the days of a known weekly absence."""

    usual: Mapping[str, rhythm.SlotRhythm]
    absent: Mapping[str, rhythm.SlotRhythm]

    def of(self, slot_id: str, absent: bool) -> rhythm.SlotRhythm:
        """Return the rhythm that applies to the slot on a day it is (not) a known absence."""
        return self.absent[slot_id] if absent else self.usual[slot_id]


def _opened(ctx: Context) -> dict[tuple[date, str], datetime]:
    opened: dict[tuple[date, str], datetime] = {}
    for c in ctx.checkins:
        if c.started_at <= ctx.now:
            key = (c.date, c.slot)
            opened[key] = min(c.started_at, opened.get(key, c.started_at))
    return opened


def _minute(ctx: Context, day: date, at: datetime) -> int:
    return int((at - ctx.at(day, "00:00")).total_seconds() // 60)


class _DueSlots:
    """The due slots of each date, computed once per evaluation (the rhythm reads 14 dates)."""

    def __init__(self, ctx: Context, overrides: ElderOverrides) -> None:
        self._ctx, self._overrides = ctx, overrides
        self._days: dict[date, list[tuple[SlotWindow, list[Question]]]] = {}
        # A slot with a daily question is due every day: no need to ask the set each date.
        self._daily = {
            slot.id
            for slot, questions in self(ctx.today)
            if any(q.schedule.every == "day" for q in questions)
        }

    def __call__(self, day: date) -> list[tuple[SlotWindow, list[Question]]]:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = _due_slots(self._ctx, day, self._overrides)
        return found

    def slots_due(self, day: date) -> list[SlotWindow]:
        """Return the slots due on ``day`` (without their questions)."""
        slots = self._ctx.qset.slots
        if all(slot.id in self._daily for slot in slots):
            return list(slots)
        return [slot for slot, _ in self(day)]


def learn_rhythms(
    ctx: Context,
    overrides: ElderOverrides,
    until: date,
    due_slots: _DueSlots | None = None,
    opened: Mapping[tuple[date, str], datetime] | None = None,
) -> Rhythms:
    """Return each slot's rhythm from the loaded dates before ``until`` (none after today).

    A date counts for a slot when the slot was due, watched (``_watched_slot``) and not
    touched by an away period; it is answered when the elder opened that slot's check-in.
    The dates a known weekly absence covers (デイサービス, 通院) are learned apart
    (``rhythm.learn_absent``): such a slot is not expected until the elder is seen answering
    it on those dates too (before the pick-up, after coming home).
    """
    policy = ctx.policy
    due_slots = due_slots or _DueSlots(ctx, overrides)
    opened = _opened(ctx) if opened is None else opened
    first = ctx.today - timedelta(days=history_windows(policy).general)
    due: Counter[tuple[str, bool]] = Counter()
    times: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for offset in range(max(0, (min(until, ctx.today) - first).days)):
        day = first + timedelta(days=offset)
        for slot in due_slots.slots_due(day):
            start, end = ctx.at(day, slot.start), ctx.at(day, slot.end)
            if not _watched_slot(ctx, day, start) or ctx.away_during(start, end):
                continue
            key = (slot.id, overrides.absent(day, slot.id))
            due[key] += 1
            at = opened.get((day, slot.id))
            if at is not None:
                times[key].append(_minute(ctx, day, at))

    prior_rate, prior_days = policy.rhythm_prior_rate, policy.rhythm_prior_days
    usual = {
        s.id: rhythm.learn(s.id, due[s.id, False], times[s.id, False], prior_rate, prior_days)
        for s in ctx.qset.slots
    }
    absent = {
        s.id: rhythm.learn_absent(
            s.id, due[s.id, True], times[s.id, True], usual[s.id].rate, prior_days
        )
        for s in ctx.qset.slots
    }
    return Rhythms(usual, absent)


def _expected_at(
    ctx: Context, day: date, slot: SlotWindow, slot_rhythm: rhythm.SlotRhythm
) -> datetime:
    start = _minute(ctx, day, ctx.at(day, slot.start))
    end = _minute(ctx, day, ctx.at(day, slot.end))
    minute = rhythm.expected_minute(
        slot_rhythm, start, end, ctx.policy.rhythm_margin_minutes, ctx.policy.grace_minutes
    )
    return ctx.at(day, "00:00") + timedelta(minutes=minute)


def _unopened(
    ctx: Context,
    last_sign: datetime | None,
    from_day: date,
    due_slots: _DueSlots,
    opened: Mapping[tuple[date, str], datetime],
) -> list[_Open]:
    """Return the slots that may be misses (before the rhythm is learned: most sweeps have none).

    A slot's expected time lies after its start and by its end + grace (``_expected_at``), so
    one that has not started by now, or whose end + grace is not after the last sign of
    life, is no miss whatever the elder's rhythm.
    """
    grace = timedelta(minutes=ctx.policy.grace_minutes)
    found = []
    for offset in range((ctx.today - from_day).days + 1):
        day = from_day + timedelta(days=offset)
        for slot, questions in due_slots(day):
            if (day, slot.id) in opened:
                continue
            start, end = ctx.at(day, slot.start), ctx.at(day, slot.end)
            if start >= ctx.now or not _watched_slot(ctx, day, start):
                continue
            latest = max(start + timedelta(minutes=1), end + grace)
            if last_sign is not None and latest <= last_sign:
                continue
            found.append(_Open(day, slot, tuple(q.id for q in questions), start, end))
    return found


def _misses(
    ctx: Context,
    overrides: ElderOverrides,
    rhythms: Rhythms,
    last_sign: datetime | None,
    unopened: Sequence[_Open],
) -> tuple[list[_Miss], list[str]]:
    """Return the expected slots gone by since ``last_sign``, and the habitual ones skipped."""
    policy = ctx.policy
    missed: list[_Miss] = []
    habitual: list[str] = []
    for o in unopened:
        day, slot = o.day, o.slot
        slot_rhythm = rhythms.of(slot.id, overrides.absent(day, slot.id))
        expected_at = _expected_at(ctx, day, slot, slot_rhythm)
        if expected_at > ctx.now or (last_sign is not None and expected_at <= last_sign):
            continue
        if ctx.away_during(o.start, ctx.now):
            continue
        if not slot_rhythm.expected(policy.rhythm_expected_rate):
            habitual.append(f"{_iso(day)}/{slot.id}")
            continue
        counts_at = max(expected_at, o.end + timedelta(minutes=policy.grace_minutes))
        missed.append(
            _Miss(day, slot, o.questions, o.start, o.end, slot_rhythm.rate, expected_at, counts_at)
        )
    return missed, habitual


def _center_deadline(ctx: Context, first: _Miss, rhythms: Rhythms) -> datetime:
    """Return when the care center is told: ``center_after_hours`` after the first miss began.

    Moved later, by at most ``center_margin_minutes``, to the elder's usual time (+ margin) of
    the same slot the next day, so that the center is not called just before it.
    """
    policy = ctx.policy
    deadline = first.start + timedelta(hours=policy.center_after_hours)
    next_day = first.day + timedelta(days=1)
    usual_next = _expected_at(ctx, next_day, first.slot, rhythms.usual[first.slot.id])
    latest = deadline + timedelta(minutes=policy.center_margin_minutes)
    return min(max(deadline, usual_next), latest)


def _after_the_night(
    ctx: Context,
    at: datetime,
    center_at: datetime,
    due_slots: _DueSlots,
    rhythms: Rhythms,
    overrides: ElderOverrides,
) -> datetime:
    """Return when family is told of a silence unusual at ``at``: ``at``, or after the night.

    After the last due slot of its date has started, family waits for the elder's usual
    time (+ margin) of the next day's first slot they usually answer, and for the
    care-center deadline at the latest.
    """
    day = ctx.date_of(at)
    if any(ctx.at(day, slot.start) > at for slot, _ in due_slots(day)):
        return at
    next_day = day + timedelta(days=1)
    for slot, _ in sorted(due_slots(next_day), key=lambda d: parse_hhmm(d[0].start)):
        slot_rhythm = rhythms.of(slot.id, overrides.absent(next_day, slot.id))
        if slot_rhythm.expected(ctx.policy.rhythm_expected_rate):
            return max(at, min(center_at, _expected_at(ctx, next_day, slot, slot_rhythm)))
    return center_at


def _silence(ctx: Context) -> list[AlertCandidate]:
    """Return one candidate per silence: expected slots gone by with no sign of life.

    A sign of life is anything the elder did (a check-in opened, an answer, an emergency word,
    a notice or family message heard) or a device measured (a weight, a blood pressure; a
    day's steps count from that day's first minute). Since the latest one, the slots the elder
    usually answers (their rhythm, ``learn_rhythms``) that went by past their usual time plus
    margin are the misses; the first one names the alert (``YYYY-MM-DD/<slot>``), so a silence
    is one alert that climbs. Stage 0 (nudge) at the first miss; 1 (family) once the silence
    is unusual for the elder (the chance of the misses being habit falls to
    ``family_chance``, each counting from its slot's end + grace; after the day's last slot,
    the next morning's usual time: ``_after_the_night``); 2 (center) at the deadline
    (``_center_deadline``) once that chance is ``center_chance`` or less (a reliable elder: at
    the deadline), and ``center_max_hours`` after the first miss began at the latest (an
    irregular answerer), family then at the latest too; 3 (priority)
    once the first miss's slot has also gone by (end + grace) ``priority_days_running - 1``
    days later.
    """
    policy = ctx.policy
    overrides = parse_overrides(ctx.elder.overrides, f"elder {ctx.elder.id} overrides")
    signs = [s for s in (ctx.last_speaker_sign, ctx.last_device_sign) if s is not None]
    last_sign = max(signs, default=None)
    earliest = ctx.today - timedelta(days=history_windows(policy).general)
    from_day = earliest if last_sign is None else max(earliest, ctx.date_of(last_sign))
    due_slots = _DueSlots(ctx, overrides)
    opened = _opened(ctx)
    unopened = _unopened(ctx, last_sign, from_day, due_slots, opened)
    if not unopened:
        return []
    rhythms = learn_rhythms(ctx, overrides, from_day, due_slots, opened)
    missed, habitual = _misses(ctx, overrides, rhythms, last_sign, unopened)
    if not missed:
        return []
    first = missed[0]
    deadline = _center_deadline(ctx, first, rhythms)
    latest = max(deadline, first.start + timedelta(hours=policy.center_max_hours))
    family_at = center_at = latest
    chance = 1.0
    for miss in sorted(missed, key=lambda m: m.counts_at):
        chance *= 1.0 - miss.rate
        if chance <= policy.center_chance:
            center_at = min(center_at, max(deadline, miss.counts_at))
        if chance <= policy.family_chance:
            family_at = min(miss.counts_at, center_at)
            break
    family_at = min(family_at, center_at)
    if policy.family_waits_overnight and family_at < center_at:
        family_at = _after_the_night(ctx, family_at, center_at, due_slots, rhythms, overrides)
    # n days running: the first miss's slot has gone by n - 1 days later too (its end + grace).
    running = timedelta(days=policy.priority_days_running - 1)
    priority_at = max(center_at, first.end + timedelta(minutes=policy.grace_minutes) + running)
    stage = STAGE_NUDGE
    for at, later in (
        (family_at, STAGE_FAMILY),
        (center_at, STAGE_CENTER),
        (priority_at, STAGE_PRIORITY),
    ):
        if at <= ctx.now:
            stage = later
    counted = [m for m in missed if m.counts_at <= ctx.now]
    return [
        AlertCandidate(
            rule=MISSED_CHECKIN,
            period=f"{_iso(first.day)}/{first.slot.id}",
            severity=_STAGE_SEVERITY[stage],
            stage=stage,
            evidence={
                "date": _iso(first.day),
                "slot": first.slot.id,
                "slot_label": first.slot.label,
                "slot_start": first.start.isoformat(),
                "slot_end": first.end.isoformat(),
                "questions": list(first.questions),
                "last_sign": last_sign.isoformat() if last_sign else None,
                "missed": [
                    {"date": _iso(m.day), "slot": m.slot.id, "rate": round(m.rate, 3)}
                    for m in missed
                ],
                "habitual": habitual,
                "chance": round(rhythm.silence_chance(m.rate for m in counted), 6),
                "nudge_at": first.expected_at.isoformat(),
                "family_at": family_at.isoformat(),
                "center_at": center_at.isoformat(),
                "days_running": policy.priority_days_running if stage == STAGE_PRIORITY else 1,
                "silent_since": (last_sign or first.start).isoformat()
                if stage == STAGE_PRIORITY
                else None,
            },
        )
    ]


SILENCE_ENDED_AT = "ended_at"  # evidence of a missed check-in: the elder showed up again


def silence_ended(alert: Alert) -> bool:
    """Return True for a missed check-in whose silence the elder has ended since."""
    return alert.rule == MISSED_CHECKIN and bool(alert.evidence.get(SILENCE_ENDED_AT))


def end_of_silence(
    history: ElderHistory, qset: QuestionSet, policy: Policy, now: datetime, alert: Alert
) -> datetime | None:
    """Return the sign of life that ended the missed check-in ``alert``'s silence, if any.

    Any sign after the start of the first slot missed ends it: the speaker (a check-in
    opened, an answer, a word, a notice or family message heard) or a device measured (a
    day's steps count from that day's first minute, so only a later day's steps do).
    None for another rule, a silence already marked ended, or one still going on.
    """
    if alert.rule != MISSED_CHECKIN or silence_ended(alert):
        return None
    began = datetime.fromisoformat(alert.evidence["slot_start"])
    ctx = Context.build(history, qset, policy, now)
    signs = [s for s in (ctx.last_speaker_sign, ctx.last_device_sign) if s is not None]
    latest = max(signs, default=None)
    return latest if latest is not None and latest > began else None


def speaker_silent(ctx: Context) -> list[AlertCandidate]:
    """Return the speaker-outage state: no speaker contact for hours while a device shows life.

    Not an emergency and no message: staff see 「スピーカーと連絡が取れません」 and phone.
    One per silence of the speaker, named by the date of its last contact.
    """
    if ctx.silent or not ctx.policy.per_elder_rhythm:
        return []
    speaker = ctx.last_speaker_sign
    if speaker is None or ctx.now - speaker < timedelta(hours=ctx.policy.speaker_silent_hours):
        return []
    device = ctx.last_device_sign
    if device is None or device <= speaker or ctx.away_during(speaker, ctx.now):
        return []
    return [
        AlertCandidate(
            rule=SPEAKER_SILENT,
            period=_iso(ctx.date_of(speaker)),
            severity=Severity.INFO,
            stage=STAGE_NUDGE,
            evidence={"last_contact": speaker.isoformat(), "device_sign": device.isoformat()},
        )
    ]


# --- concerning answers ------------------------------------------------------------------------


def _matches(concern: Concern, value: Any) -> bool:
    """Return True if ``value`` meets this one concern (its values, below or above)."""
    if value is None:
        return False
    token = ("yes" if value else "no") if isinstance(value, bool) else value
    if isinstance(token, str) and token in concern.values:
        return True
    number = _number(value)
    if number is None:
        return False
    return (concern.below is not None and number < concern.below) or (
        concern.above is not None and number > concern.above
    )


def _answer_evidence(answer: Answer) -> dict[str, Any]:
    return {
        "date": _iso(answer.date),
        "value": answer.value,
        "raw": answer.raw,
        "answered_at": answer.answered_at.isoformat(),
        "checkin_id": answer.checkin_id,
    }


def concerning_answers(ctx: Context) -> list[AlertCandidate]:
    """Return candidates for concerning answers, single (same day) and "n days running" (info).

    A date's answer for "n days running" is its latest one; a date without an answer (or with
    only skipped ones, or inside an away period) breaks the run.
    """
    if ctx.silent:
        return []
    first = ctx.recent[0] - timedelta(days=CONCERN_MAX_DAYS - 1)
    by_question: dict[str, list[Answer]] = defaultdict(list)
    for a in sorted(
        (a for a in ctx.answers if a.date >= first), key=lambda a: (a.answered_at, a.checkin_id)
    ):
        if a.value is not None and a.skipped is None and not ctx.away(a.answered_at):
            by_question[a.question_id].append(a)
    found: list[AlertCandidate] = []
    for question_id in sorted(by_question):
        question = ctx.qset.question(question_id)
        if question is None or not question.concerning:
            continue
        answers = by_question[question_id]
        found.extend(_single_concerns(ctx, question, answers))
        found.extend(_running_concerns(ctx, question, answers))
    return found


def _single_concerns(
    ctx: Context, question: Question, answers: list[Answer]
) -> Iterable[AlertCandidate]:
    for day in ctx.recent:
        hits = [a for a in answers if a.date == day and is_concerning(question, a.value)]
        if hits:
            yield AlertCandidate(
                rule=f"{CONCERN}:{question.id}",
                period=_iso(day),
                severity=Severity.SAME_DAY,
                stage=0,
                evidence={
                    "question_id": question.id,
                    "title": question.title,
                    "days_running": 1,
                    "answers": [_answer_evidence(a) for a in hits],
                },
            )


def _running_concerns(
    ctx: Context, question: Question, answers: list[Answer]
) -> Iterable[AlertCandidate]:
    latest = {a.date: a for a in answers}  # answers are in time order: the day's last wins
    for n in sorted({c.days_running for c in question.concerning if c.days_running > 1}):
        concerns = [c for c in question.concerning if c.days_running == n]
        for day in ctx.recent:
            run = [latest.get(day - timedelta(days=i)) for i in reversed(range(n))]
            if all(a is not None and any(_matches(c, a.value) for c in concerns) for a in run):
                yield AlertCandidate(
                    rule=f"{CONCERN}:{question.id}:{n}d",
                    period=_iso(day),
                    severity=Severity.INFO,
                    stage=0,
                    evidence={
                        "question_id": question.id,
                        "title": question.title,
                        "days_running": n,
                        "answers": [_answer_evidence(a) for a in run if a is not None],
                    },
                )


# --- weight drop -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    day: date
    at: datetime
    value: float
    source: str


def _values(ctx: Context, question_id: str, kind: ReadingKind) -> list[_Value]:
    """Return the numeric answers and readings of one measure, outside away periods."""
    values = []
    for a in ctx.answers:
        number = _number(a.value) if a.question_id == question_id else None
        if number is not None and a.skipped is None:
            values.append(_Value(a.date, a.answered_at, number, "answer"))
    for r in ctx.readings:
        number = _number(r.value) if r.kind is kind else None
        if number is not None:
            values.append(_Value(ctx.date_of(r.measured_at), r.measured_at, number, r.source))
    return sorted(
        (v for v in values if not ctx.away(v.at)), key=lambda v: (v.at, v.value, v.source)
    )


def _window(end: date, days: int) -> tuple[date, date]:
    return end - timedelta(days=days - 1), end


def _in(values: list[_Value], window: tuple[date, date]) -> list[_Value]:
    return [v for v in values if window[0] <= v.day <= window[1]]


def weight_drop(ctx: Context) -> list[AlertCandidate]:
    """Return a candidate when the recent median weight is ``weight_drop_kg`` below 6 months ago.

    Medians of ``weight_median_days`` windows, each needing ``weight_min_values`` values, so a
    single misheard weight never fires. The period is the ISO week of ``now``.
    """
    if ctx.silent:
        return []
    policy = ctx.policy
    values = _values(ctx, WEIGHT_QUESTION, ReadingKind.WEIGHT)
    recent_window = _window(ctx.today, policy.weight_median_days)
    baseline_window = _window(
        ctx.today - timedelta(days=policy.weight_window_days), policy.weight_median_days
    )
    recent, baseline = _in(values, recent_window), _in(values, baseline_window)
    if len(recent) < policy.weight_min_values or len(baseline) < policy.weight_min_values:
        return []
    recent_median = statistics.median(v.value for v in recent)
    baseline_median = statistics.median(v.value for v in baseline)
    # What the season (and winter clothes) did to everybody's weight is not this elder's loss.
    shift = ctx.cohort.get(WEIGHT_QUESTION, {}).get(ctx.today, 0.0)
    drop = round(baseline_median - recent_median + shift, 2)
    if drop < policy.weight_drop_kg:
        return []
    year, week, _ = ctx.today.isocalendar()
    return [
        AlertCandidate(
            rule=WEIGHT_DROP,
            period=f"{year}-W{week:02d}",
            severity=Severity.INFO,
            stage=0,
            evidence={
                "drop_kg": drop,
                "threshold_kg": policy.weight_drop_kg,
                "recent_median": recent_median,
                "baseline_median": baseline_median,
                "cohort_shift_kg": shift,
                "recent_count": len(recent),
                "baseline_count": len(baseline),
                "recent_window": [_iso(d) for d in recent_window],
                "baseline_window": [_iso(d) for d in baseline_window],
                "recent": [_value_evidence(v) for v in recent],
                "baseline": [_value_evidence(v) for v in baseline],
            },
        )
    ]


def _value_evidence(v: _Value) -> dict[str, Any]:
    return {"date": _iso(v.day), "at": v.at.isoformat(), "value": v.value, "source": v.source}


# --- activity drop -----------------------------------------------------------------------------


def activity_drop(ctx: Context) -> list[AlertCandidate]:
    """Return candidates when the recent median of steps or activity minutes has fallen.

    Daily values (the largest of a date's answers and readings) of the last
    ``activity_short_days`` complete days (ending yesterday) against the
    ``activity_long_days`` before them; only with enough days of data in both.
    """
    if ctx.silent:
        return []
    policy = ctx.policy
    short_window = _window(ctx.today - timedelta(days=1), policy.activity_short_days)
    long_window = _window(
        short_window[0] - timedelta(days=1),
        policy.activity_long_days,
    )
    found = []
    for measure, kind in ACTIVITY_MEASURES:
        daily: dict[date, float] = {}
        for v in _values(ctx, measure, kind):
            daily[v.day] = max(v.value, daily.get(v.day, v.value))
        cohort = ctx.cohort.get(measure, {})
        if cohort:
            # What the weather or the season did to everybody is taken out of each day.
            daily = {d: x / cohort[d] if cohort.get(d, 0) > 0 else x for d, x in daily.items()}
        short = [x for d, x in sorted(daily.items()) if short_window[0] <= d <= short_window[1]]
        long = [x for d, x in sorted(daily.items()) if long_window[0] <= d <= long_window[1]]
        if len(short) < policy.activity_short_min_days or len(long) < policy.activity_long_min_days:
            continue
        short_median, long_median = statistics.median(short), statistics.median(long)
        if long_median <= 0 or short_median >= policy.activity_drop_ratio * long_median:
            continue
        found.append(
            AlertCandidate(
                rule=f"{ACTIVITY_DROP}:{measure}",
                period=_iso(ctx.today),
                severity=Severity.INFO,
                stage=0,
                evidence={
                    "measure": measure,
                    "short_median": short_median,
                    "long_median": long_median,
                    "ratio": round(short_median / long_median, 3),
                    "threshold_ratio": policy.activity_drop_ratio,
                    "short_days": len(short),
                    "long_days": len(long),
                    "short_window": [_iso(d) for d in short_window],
                    "long_window": [_iso(d) for d in long_window],
                    "daily": {
                        _iso(d): x
                        for d, x in sorted(daily.items())
                        if long_window[0] <= d <= short_window[1]
                    },
                },
            )
        )
    return found


# --- blood pressure ----------------------------------------------------------------------------


def _pressure(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, dict):
        return None
    systolic, diastolic = _number(value.get("systolic")), _number(value.get("diastolic"))
    if systolic is None or diastolic is None:
        return None
    return int(systolic), int(diastolic)


def _reaches(pressure: tuple[int, int], limit: BloodPressureLimit) -> bool:
    return pressure[0] >= limit.systolic or pressure[1] >= limit.diastolic


def blood_pressure(ctx: Context) -> list[AlertCandidate]:
    """Return per recent date the worst of ``bp_urgent`` (urgent) and ``bp_high`` (same day).

    Recent dates, not only today, so that a reading late in the evening is not lost when the
    next sweep runs after midnight.
    """
    if ctx.silent:
        return []
    first = ctx.recent[0]
    measured: list[tuple[date, datetime, tuple[int, int], str]] = []
    for a in ctx.answers:
        if a.question_id == BLOOD_PRESSURE_QUESTION and a.date >= first:
            pressure = _pressure(a.value)
            if pressure is not None:
                measured.append((a.date, a.answered_at, pressure, "answer"))
    for r in ctx.readings:
        if r.kind is ReadingKind.BLOOD_PRESSURE and ctx.date_of(r.measured_at) >= first:
            pressure = _pressure(r.value)
            if pressure is not None:
                measured.append((ctx.date_of(r.measured_at), r.measured_at, pressure, r.source))
    measured = sorted(m for m in measured if not ctx.away(m[1]))
    found = []
    for day in ctx.recent:
        for rule, severity, limit in (
            (BP_URGENT, Severity.URGENT, ctx.policy.bp_urgent),
            (BP_HIGH, Severity.SAME_DAY, ctx.policy.bp_follow_up),
        ):
            hits = [m for m in measured if m[0] == day and _reaches(m[2], limit)]
            if hits:
                found.append(
                    AlertCandidate(
                        rule=rule,
                        period=_iso(day),
                        severity=severity,
                        stage=0,
                        evidence={
                            "limit": {"systolic": limit.systolic, "diastolic": limit.diastolic},
                            "readings": [
                                {
                                    "at": at.isoformat(),
                                    "systolic": p[0],
                                    "diastolic": p[1],
                                    "source": source,
                                }
                                for _, at, p, source in hits
                            ],
                        },
                    )
                )
                break
    return found


# --- emergency ---------------------------------------------------------------------------------


def emergency(ctx: Context) -> list[AlertCandidate]:
    """Return an urgent candidate per emergency event of the recent dates, even when away."""
    first = ctx.recent[0]
    return [
        AlertCandidate(
            rule=EMERGENCY,
            period=e.id,
            severity=Severity.URGENT,
            stage=0,
            evidence={"at": e.at.isoformat(), "detail": dict(e.detail)},
        )
        for e in sorted(ctx.events, key=lambda e: (e.at, e.id))
        if e.kind is EventKind.EMERGENCY and ctx.date_of(e.at) >= first
    ]


# --- 基本チェックリスト (monthly instrument) ---------------------------------------------------


def _month(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def kihon_checklist(ctx: Context) -> list[AlertCandidate]:
    """Return an info candidate per month whose 基本チェックリスト answers meet a cut-off.

    The items ``kc01``…``kc25`` are asked a few per check-in over several days of a month
    (``questions.instruments``); the month's answers (an item's latest, a check-in date's
    month, none given inside an away period) are scored by ``score_kihon_checklist`` with the
    MHLW cut-offs. This month's result is final, and alerted, once every voice item has an
    answer (a skipped one counts); last month's is alerted as it stands, whatever is
    missing, so a month the elder did not finish still reaches the center. A non-urgent
    follow-up (INFO): at most one per month by its key; nothing when no cut-off is met.
    Last month needs up to 62 dates of these items' answers (``history_windows``).
    """
    if ctx.silent:
        return []
    this_month = ctx.today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    items = frozenset(KIHON_ITEMS)
    latest: dict[date, dict[str, Answer]] = defaultdict(dict)
    for a in sorted(ctx.answers, key=lambda a: (a.answered_at, a.checkin_id)):
        if a.question_id in items and a.date >= last_month and not ctx.away(a.answered_at):
            latest[a.date.replace(day=1)][a.question_id] = a
    found = []
    for first in (last_month, this_month):
        answers = latest.get(first, {})
        values = {
            item: a.value if a.skipped is None and isinstance(a.value, bool) else None
            for item, a in answers.items()
        }
        result = score_kihon_checklist(values)
        asked_all = all(item in answers for item in VOICE_ITEMS)
        month_over = first < this_month
        if not result.flagged or not (asked_all or month_over):
            continue
        found.append(
            AlertCandidate(
                rule=KIHON_CHECKLIST,
                period=_month(first),
                severity=Severity.INFO,
                stage=0,
                evidence={
                    "instrument": KIHON_CHECKLIST,
                    "month": _month(first),
                    "all_asked": asked_all,
                    "month_over": month_over,
                    **result.evidence(),
                    "answers": [
                        {
                            "item": item,
                            "value": answers[item].value,
                            "skipped": answers[item].skipped,
                            "point": result.points.get(item),
                            "date": _iso(answers[item].date),
                            "answered_at": answers[item].answered_at.isoformat(),
                        }
                        for item in KIHON_ITEMS
                        if item in answers
                    ],
                },
            )
        )
    return found


_COHORT_MEASURES = (*ACTIVITY_MEASURES, (WEIGHT_QUESTION, ReadingKind.WEIGHT))


def _daily_values(history: ElderHistory, tz: tzinfo) -> dict[str, dict[date, float]]:
    """Return per measure (steps, activity minutes, weight) the largest value of each date."""
    by_question: dict[str, dict[date, float]] = {q: {} for q, _ in _COHORT_MEASURES}
    by_kind = {kind: by_question[question] for question, kind in _COHORT_MEASURES}
    for a in history.answers:
        daily = by_question.get(a.question_id)
        number = _number(a.value) if daily is not None and a.skipped is None else None
        if daily is not None and number is not None:
            daily[a.date] = max(number, daily.get(a.date, number))
    for r in history.readings:
        daily = by_kind.get(r.kind)
        number = _number(r.value) if daily is not None else None
        if daily is not None and number is not None:
            day = r.measured_at.astimezone(tz).date()
            daily[day] = max(number, daily.get(day, number))
    return by_question


def activity_cohort(
    histories: Iterable[ElderHistory], policy: Policy, now: datetime
) -> dict[str, dict[date, float]]:
    """Return, per measure and date, the median of the elders' values as a share of their usual.

    An elder's usual is the median of their ``activity_long_days`` before the short window;
    a date is given only when at least ``activity_cohort_min_elders`` elders have a value.
    Pass it to each elder's history (``ElderHistory.cohort``) to take out of their steps what
    the weather did to everyone of the municipality the same days.
    """
    tz = now.tzinfo
    if tz is None:
        raise ValueError("now must be time-zone aware")
    today = now.date()
    first = today - timedelta(days=policy.activity_short_days + policy.activity_long_days)
    long_end = today - timedelta(days=policy.activity_short_days + 1)
    cohort: dict[str, dict[date, float]] = {}
    values = [_daily_values(history, tz) for history in histories]
    for measure, _ in ACTIVITY_MEASURES:
        shares: dict[date, list[float]] = defaultdict(list)
        for of_elder in values:
            daily = {d: x for d, x in of_elder[measure].items() if first <= d < today}
            long = [x for d, x in daily.items() if d <= long_end]
            if len(long) < policy.activity_long_min_days:
                continue
            usual = statistics.median(long)
            if usual <= 0:
                continue
            for d, x in daily.items():
                shares[d].append(x / usual)
        by_date = {
            d: statistics.median(xs)
            for d, xs in shares.items()
            if len(xs) >= policy.activity_cohort_min_elders
        }
        if by_date:
            cohort[measure] = dict(sorted(by_date.items()))
    shift = _weight_shift([v[WEIGHT_QUESTION] for v in values], policy, today)
    if shift is not None:
        cohort[WEIGHT_QUESTION] = {today: shift}
    return cohort


def _weight_shift(
    weights: Iterable[Mapping[date, float]], policy: Policy, today: date
) -> float | None:
    """Return the median change of the elders' weights over 6 months (season, clothes)."""
    recent_window = _window(today, policy.weight_median_days)
    baseline_window = _window(
        today - timedelta(days=policy.weight_window_days), policy.weight_median_days
    )
    changes = []
    for values in weights:
        recent = [x for d, x in values.items() if recent_window[0] <= d <= recent_window[1]]
        baseline = [x for d, x in values.items() if baseline_window[0] <= d <= baseline_window[1]]
        if len(recent) >= policy.weight_min_values and len(baseline) >= policy.weight_min_values:
            changes.append(statistics.median(recent) - statistics.median(baseline))
    if len(changes) < policy.activity_cohort_min_elders:
        return None
    return round(statistics.median(changes), 2)


LASTING_RULES = (WEIGHT_DROP, *(f"{ACTIVITY_DROP}:{m}" for m, _ in ACTIVITY_MEASURES))


def repeat_after_days(rule: str, policy: Policy) -> int | None:
    """Return the days after an alert of a lasting condition during which none reopens."""
    if rule == WEIGHT_DROP:
        return policy.weight_repeat_days
    if rule.startswith(f"{ACTIVITY_DROP}:"):
        return policy.activity_repeat_days
    return None


RULES: tuple[Rule, ...] = (
    emergency,
    missed_checkin,
    speaker_silent,
    concerning_answers,
    weight_drop,
    activity_drop,
    blood_pressure,
    kihon_checklist,
)


def evaluate(
    history: ElderHistory, qset: QuestionSet, policy: Policy, now: datetime
) -> list[AlertCandidate]:
    """Return the alert candidates of one elder at ``now``: most severe first, one per key.

    ``now`` must be in the municipality's time zone (Asia/Tokyo): slot times and dates are read
    in it. ``history`` must hold the elder's data of the dates ``history_windows(policy)`` names
    (at most ``days_needed(policy)`` back); older data and anything after ``now`` are ignored,
    so the result depends on nothing else.
    """
    ctx = Context.build(history, qset, policy, now)
    found: dict[tuple[str, str], AlertCandidate] = {}
    for rule in RULES:
        for candidate in rule(ctx):
            key = (candidate.rule, candidate.period)
            kept = found.get(key)
            if kept is None or candidate.stage > kept.stage:
                found[key] = candidate
    candidates = list(found.values())
    if policy.group_follow_ups:
        candidates = group_follow_ups(candidates, ctx.today)
    return sorted(candidates, key=lambda c: (_RANK[c.severity], c.rule, c.period))


# --- one follow-up item per elder and month -----------------------------------------


def is_follow_up(candidate: AlertCandidate) -> bool:
    """Return True for a follow-up-level finding: never urgent, never a missed check-in."""
    if candidate.severity is Severity.URGENT:
        return False
    base = candidate.rule.partition(":")[0]
    return base in (BP_HIGH, CONCERN, KIHON_CHECKLIST, WEIGHT_DROP, ACTIVITY_DROP)


def _finding_month(candidate: AlertCandidate, today: date) -> str:
    """Return the month a finding belongs to: its date's (or its month's), else today's."""
    period = candidate.period
    try:
        return _month(date.fromisoformat(period[:10]))
    except ValueError:
        pass
    if len(period) == 7 and period[4] == "-" and period[:4].isdigit() and period[5:].isdigit():
        return period
    return _month(today)


def _finding(candidate: AlertCandidate) -> dict[str, Any]:
    return {
        "rule": candidate.rule,
        "period": candidate.period,
        "severity": candidate.severity.value,
        "evidence": candidate.evidence,
    }


def group_follow_ups(candidates: Iterable[AlertCandidate], today: date) -> list[AlertCandidate]:
    """Return the candidates with every follow-up finding grouped into one per month.

    The grouped candidate (``follow_up``, period ``YYYY-MM``) lists its findings, sorted by
    rule and period, and has the severity of the most severe; the others pass unchanged.
    """
    kept: list[AlertCandidate] = []
    months: dict[str, list[AlertCandidate]] = defaultdict(list)
    for candidate in candidates:
        if is_follow_up(candidate):
            months[_finding_month(candidate, today)].append(candidate)
        else:
            kept.append(candidate)
    for month, findings in sorted(months.items()):
        findings.sort(key=lambda c: (c.rule, c.period))
        kept.append(
            AlertCandidate(
                rule=FOLLOW_UP,
                period=month,
                severity=min((c.severity for c in findings), key=_RANK.__getitem__),
                stage=STAGE_NUDGE,
                evidence={"month": month, "findings": [_finding(c) for c in findings]},
            )
        )
    return kept


def merge_findings(stored: Mapping[str, Any], found: Mapping[str, Any]) -> dict[str, Any]:
    """Return a follow-up's evidence with the findings of both, one per (rule, period).

    A finding found again replaces the stored one; one no longer found (its dates left the
    rules' window) stays, so the month's item keeps everything it ever listed.
    """
    merged = {(f["rule"], f["period"]): f for f in stored.get("findings", ())}
    merged.update({(f["rule"], f["period"]): f for f in found.get("findings", ())})
    return {**stored, **found, "findings": [merged[k] for k in sorted(merged)]}


def follow_up_severity(evidence: Mapping[str, Any]) -> Severity:
    """Return the severity of the most severe finding of a follow-up's evidence."""
    return min(
        (Severity(f["severity"]) for f in evidence.get("findings", ())),
        key=_RANK.__getitem__,
        default=Severity.INFO,
    )
