"""Missed check-ins by the elder's own rhythm: silences, their end, and the speaker's outage."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backend.domain import rhythm
from backend.domain.alert_rules.context import (
    MISSED_CHECKIN,
    SPEAKER_SILENT,
    STAGE_CENTER,
    STAGE_FAMILY,
    STAGE_NUDGE,
    STAGE_PRIORITY,
    STAGE_SEVERITY,
    AlertCandidate,
    Context,
    ElderHistory,
    history_windows,
    iso_day,
    slots_due_on,
)
from backend.domain.model import (
    Alert,
    Severity,
)
from questions.loader import parse_overrides
from questions.model import QuestionSet
from questions.policy import Policy
from questions.schema import ElderOverrides, Question, SlotWindow, parse_hhmm

# --- missed check-in by the elder's own rhythm ---------------------------------------


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
    late_at: datetime  # the usual time + grace: it counts toward the care center's deadline


def watched_slot(ctx: Context, day: date, start: datetime) -> bool:
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
            found = self._days[day] = slots_due_on(self._ctx, day, self._overrides)
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

    A date counts for a slot when the slot was due, watched (``watched_slot``) and not
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
            if not watched_slot(ctx, day, start) or ctx.away_during(start, end):
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
            if start >= ctx.now or not watched_slot(ctx, day, start):
                continue
            latest = max(start + timedelta(minutes=1), end + grace)
            if last_sign is not None and latest <= last_sign:
                continue
            found.append(_Open(day, slot, tuple(q.id for q in questions), start, end))
    return found


def _late_at(
    ctx: Context, o: _Open, slot_rhythm: rhythm.SlotRhythm, expected_at: datetime
) -> datetime:
    """Return the elder's usual time of the slot + grace (never after ``expected_at``)."""
    if slot_rhythm.usual_minute is None:
        return expected_at
    usual = ctx.at(o.day, "00:00") + timedelta(minutes=slot_rhythm.usual_minute)
    late = max(o.start + timedelta(minutes=1), usual + timedelta(minutes=ctx.policy.grace_minutes))
    return min(late, expected_at)


def _misses(
    ctx: Context,
    overrides: ElderOverrides,
    rhythms: Rhythms,
    last_sign: datetime | None,
    unopened: Sequence[_Open],
) -> tuple[list[_Miss], list[_Miss], list[str]]:
    """Return the expected slots gone by since ``last_sign``, and the habitual ones skipped.

    Also the expected slots whose usual time + grace has gone by but not yet their usual time
    + margin (``late_at``): not misses for the nudge or family, but they count toward the
    care center's deadline (a morning-only elder's next morning, an hour past their time).
    """
    policy = ctx.policy
    missed: list[_Miss] = []
    late: list[_Miss] = []
    habitual: list[str] = []
    for o in unopened:
        day, slot = o.day, o.slot
        slot_rhythm = rhythms.of(slot.id, overrides.absent(day, slot.id))
        expected_at = _expected_at(ctx, day, slot, slot_rhythm)
        if last_sign is not None and expected_at <= last_sign:
            continue
        if expected_at > ctx.now:
            late_at = _late_at(ctx, o, slot_rhythm, expected_at)
            if (
                late_at <= ctx.now
                and (last_sign is None or late_at > last_sign)
                and slot_rhythm.expected(policy.rhythm_expected_rate)
                and not ctx.away_during(o.start, ctx.now)
            ):
                late.append(
                    _Miss(
                        day,
                        slot,
                        o.questions,
                        o.start,
                        o.end,
                        slot_rhythm.rate,
                        expected_at,
                        expected_at,
                        late_at,
                    )
                )
            continue
        if ctx.away_during(o.start, ctx.now):
            continue
        if not slot_rhythm.expected(policy.rhythm_expected_rate):
            habitual.append(f"{iso_day(day)}/{slot.id}")
            continue
        counts_at = max(expected_at, o.end + timedelta(minutes=policy.grace_minutes))
        late_at = _late_at(ctx, o, slot_rhythm, expected_at)
        missed.append(
            _Miss(
                day,
                slot,
                o.questions,
                o.start,
                o.end,
                slot_rhythm.rate,
                expected_at,
                counts_at,
                late_at,
            )
        )
    return missed, late, habitual


def longest_silence(
    ctx: Context,
    overrides: ElderOverrides,
    rhythms: Rhythms,
    last_sign: datetime | None,
    due_slots: _DueSlots | None = None,
    opened: Mapping[tuple[date, str], datetime] | None = None,
) -> timedelta:
    """Return the longest silence the elder ended by opening a check-in, in the loaded dates.

    A silence runs from the start of a slot they usually answer, not opened, to the next
    check-in they opened (before ``last_sign``); an unwatched slot or an away period ends
    it unmeasured. Zero when there was none.
    """
    due_slots = due_slots or _DueSlots(ctx, overrides)
    opened = _opened(ctx) if opened is None else opened
    first = ctx.today - timedelta(days=history_windows(ctx.policy).general)
    until = ctx.now if last_sign is None else min(last_sign, ctx.now)
    threshold = ctx.policy.rhythm_expected_rate
    longest = timedelta(0)
    began: datetime | None = None
    for offset in range((ctx.date_of(until) - first).days + 1):
        day = first + timedelta(days=offset)
        for slot in sorted(due_slots.slots_due(day), key=lambda s: parse_hhmm(s.start)):
            start, end = ctx.at(day, slot.start), ctx.at(day, slot.end)
            if start >= until:
                return longest
            at = opened.get((day, slot.id))
            if at is not None and at <= until:
                if began is not None:
                    longest = max(longest, at - began)
                began = None
            elif not watched_slot(ctx, day, start) or ctx.away_during(start, end):
                began = None
            elif began is None and rhythms.of(slot.id, overrides.absent(day, slot.id)).expected(
                threshold
            ):
                began = start
    return longest


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


def rhythm_silence(ctx: Context) -> list[AlertCandidate]:
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
    missed, late, habitual = _misses(ctx, overrides, rhythms, last_sign, unopened)
    if not missed:
        return []
    first = missed[0]
    deadline = _center_deadline(ctx, first, rhythms)
    latest = max(deadline, first.start + timedelta(hours=policy.center_max_hours))
    family_at = center_at = latest
    chance = 1.0
    for miss in sorted(missed, key=lambda m: m.counts_at):
        chance *= 1.0 - miss.rate
        if chance <= policy.family_chance:
            family_at = miss.counts_at
            break
    # The center counts each slot from the elder's usual time + grace: by the deadline, a
    # morning-only elder's next morning an hour past their time counts too.
    chance = 1.0
    for miss in sorted([*missed, *late], key=lambda m: m.late_at):
        chance *= 1.0 - miss.rate
        if chance <= policy.center_chance:
            center_at = min(center_at, max(deadline, miss.late_at))
            break
    if policy.wait_beyond_own_silences:
        own = longest_silence(ctx, overrides, rhythms, last_sign, due_slots, opened)
        if own:
            beyond = first.start + own + timedelta(minutes=policy.grace_minutes)
            center_at = max(center_at, min(beyond, latest))
            family_at = max(family_at, beyond)
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
            period=f"{iso_day(first.day)}/{first.slot.id}",
            severity=STAGE_SEVERITY[stage],
            stage=stage,
            evidence={
                "date": iso_day(first.day),
                "slot": first.slot.id,
                "slot_label": first.slot.label,
                "slot_start": first.start.isoformat(),
                "slot_end": first.end.isoformat(),
                "questions": list(first.questions),
                "last_sign": last_sign.isoformat() if last_sign else None,
                "missed": [
                    {"date": iso_day(m.day), "slot": m.slot.id, "rate": round(m.rate, 3)}
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


@dataclass(frozen=True)
class SilenceEnd:
    """The sign of life that ended a silence: when, and whether the speaker or a device."""

    at: datetime
    by_speaker: bool


def end_of_silence(
    history: ElderHistory, qset: QuestionSet, policy: Policy, now: datetime, alert: Alert
) -> SilenceEnd | None:
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
    speaker, device = ctx.last_speaker_sign, ctx.last_device_sign
    if speaker is not None and speaker > began and (device is None or speaker >= device):
        return SilenceEnd(speaker, by_speaker=True)
    if device is not None and device > began:
        return SilenceEnd(device, by_speaker=False)
    return None


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
            period=iso_day(ctx.date_of(speaker)),
            severity=Severity.INFO,
            stage=STAGE_NUDGE,
            evidence={"last_contact": speaker.isoformat(), "device_sign": device.isoformat()},
        )
    ]
