"""Each elder's own rhythm: per slot, how often and when they usually answer (pure functions).

The missed check-in rule (``rules.missed_checkin``) asks two things of an elder's recent
history, slot by slot:

- the **answer rate**: the share of the recent days, with the slot due and the elder not away
  or out on a known weekly absence, on which they opened the check-in. A Beta prior
  (``rhythm_prior_rate`` weighing ``rhythm_prior_days``) keeps a new elder, or a slot with
  little history, counted as reliable (the cold start loses nothing);
- the **usual time**: the median of the opening times (robust to a late morning), and the
  latest recent time.

A slot the elder answers on fewer than ``rhythm_expected_rate`` of days is not expected: its
silence is their habit. The dates of a known weekly absence are learned apart (``learn_absent``).
The **chance of a silence** is the product over the expected slots missed of (1 - rate): how
likely it is that the elder skipped all of them by habit.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A rate is never taken as certain either way: one slot missed by a "perfect" answerer is
# never proof, and a slot never answered may still be answered one day.
RATE_FLOOR = 0.02
RATE_CEILING = 0.98
# Fewer opening times than this: the usual time is unknown (the slot's end is used).
MIN_TIMES = 3


@dataclass(frozen=True)
class SlotRhythm:
    """One slot of one elder: the days it counted, the days answered, and when."""

    slot: str
    due_days: int
    answered_days: int
    rate: float
    usual_minute: int | None  # minutes after midnight (may pass 24 h for a late slot)
    latest_minute: int | None

    def expected(self, threshold: float) -> bool:
        """Return True if the elder usually answers this slot (``rate`` reaches ``threshold``)."""
        return self.rate >= threshold


def answer_rate(answered: int, due: int, prior_rate: float, prior_days: float) -> float:
    """Return the posterior mean answer rate, kept within [RATE_FLOOR, RATE_CEILING].

    ``answered`` of ``due`` days, with a Beta prior of mean ``prior_rate`` weighing
    ``prior_days`` days. Raise ValueError for impossible counts.
    """
    if due < 0 or answered < 0 or answered > due:
        raise ValueError(f"answered {answered} of {due} days")
    rate = (answered + prior_rate * prior_days) / (due + prior_days)
    return min(max(rate, RATE_FLOOR), RATE_CEILING)


def learn(
    slot: str,
    due_days: int,
    opened_minutes: Sequence[int],
    prior_rate: float,
    prior_days: float,
) -> SlotRhythm:
    """Return the rhythm of one slot from the opening minutes of the days it was answered."""
    answered = len(opened_minutes)
    rate = answer_rate(answered, max(due_days, answered), prior_rate, prior_days)
    times = sorted(opened_minutes)
    if len(times) < MIN_TIMES:
        return SlotRhythm(slot, due_days, answered, rate, None, None)
    usual = round(statistics.median(times))
    # The latest time but one: a single very late day does not move the expectation.
    latest = times[-2] if len(times) > MIN_TIMES else times[-1]
    return SlotRhythm(slot, due_days, answered, rate, usual, latest)


def learn_absent(
    slot: str,
    due_days: int,
    opened_minutes: Sequence[int],
    usual_rate: float,
    prior_days: float,
) -> SlotRhythm:
    """Return the rhythm of a slot on the dates a known weekly absence covers (デイサービス).

    Until the elder has answered the slot on one of those dates, it is their habit to be out
    (the floor rate: never expected). Once they have (before the pick-up, after coming home),
    the declared absence no longer explains a silence: the slot is learned from those dates
    with the elder's rate on ordinary days as the prior (weighing ``prior_days``).
    """
    if not opened_minutes:
        return SlotRhythm(slot, due_days, 0, RATE_FLOOR, None, None)
    return learn(slot, due_days, opened_minutes, usual_rate, prior_days)


def expected_minute(rhythm: SlotRhythm, start: int, end: int, margin: int, grace: int) -> int:
    """Return the minute by which the elder has usually opened the slot, start < it <= end + grace.

    The usual time plus ``margin``, never before their latest recent time; with no usual
    time (too little history) the slot's end plus ``grace`` (the fixed ladder's nudge).
    """
    latest_allowed = end + grace
    if rhythm.usual_minute is None or rhythm.latest_minute is None:
        return latest_allowed
    by = max(rhythm.usual_minute + margin, rhythm.latest_minute)
    return min(max(by, start + 1), latest_allowed)


def silence_chance(rates: Iterable[float]) -> float:
    """Return the chance that slots of these answer rates were all skipped by habit."""
    return math.prod(1.0 - rate for rate in rates)
