"""Missed check-ins: the rule, and the fixed ladder (slot end + grace, family, center)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backend.domain.alert_rules.context import (
    MISSED_CHECKIN,
    STAGE_CENTER,
    STAGE_FAMILY,
    STAGE_NUDGE,
    STAGE_PRIORITY,
    STAGE_SEVERITY,
    AlertCandidate,
    Context,
    iso_day,
    slots_due_on,
)
from backend.domain.alert_rules.silence import rhythm_silence
from questions.loader import parse_overrides
from questions.schema import ElderOverrides, SlotWindow, parse_hhmm

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


def missed_checkin(ctx: Context) -> list[AlertCandidate]:
    """Return the missed check-ins: by the elder's own rhythm, or by the fixed ladder."""
    if ctx.silent:
        return []
    if ctx.policy.per_elder_rhythm:
        return rhythm_silence(ctx)
    return _fixed_ladder(ctx)


def _fixed_ladder(ctx: Context) -> list[AlertCandidate]:
    """Return a candidate per recent slot that is due, over, and unanswered, at today's stage."""
    policy = ctx.policy
    overrides = parse_overrides(ctx.elder.overrides, f"elder {ctx.elder.id} overrides")
    first_day = ctx.recent[0] - timedelta(days=policy.priority_days_running - 1)
    answered = _Answered.of(ctx, first_day)
    found = []
    for day in ctx.recent:
        for slot, questions in slots_due_on(ctx, day, overrides):
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
                    period=f"{iso_day(day)}/{slot.id}",
                    severity=STAGE_SEVERITY[stage],
                    stage=stage,
                    evidence={
                        "date": iso_day(day),
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
            for s, _ in slots_due_on(ctx, current, overrides)
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
    for earlier, _ in slots_due_on(ctx, first_day, overrides):
        if parse_hhmm(earlier.start) > parse_hhmm(slot.start):
            continue
        start = ctx.at(first_day, earlier.start)
        if _missed(ctx, answered, first_day, earlier, start):
            return start.isoformat()
    return None
