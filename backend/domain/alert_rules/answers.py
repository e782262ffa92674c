"""Rules on what the elder said: concerning answers, emergency words, the 基本チェックリスト."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from backend.domain.alert_rules.context import (
    CONCERN,
    CONCERN_MAX_DAYS,
    EMERGENCY,
    AlertCandidate,
    Context,
    iso_day,
    number_of,
)
from backend.domain.conversation import is_concerning
from backend.domain.kihon_scoring import score_kihon_checklist
from backend.domain.model import (
    Answer,
    EventKind,
    Severity,
)
from questions.kihon import ITEM_IDS as KIHON_ITEMS
from questions.kihon import KIHON_CHECKLIST, VOICE_ITEMS
from questions.schema import Concern, Question

# --- concerning answers ------------------------------------------------------------------------

_IN_TIME_ORDER = attrgetter("answered_at", "checkin_id")  # the order the answers were given in


def _matches(concern: Concern, value: Any) -> bool:
    """Return True if ``value`` meets this one concern (its values, below or above)."""
    if value is None:
        return False
    token = ("yes" if value else "no") if isinstance(value, bool) else value
    if isinstance(token, str) and token in concern.values:
        return True
    number = number_of(value)
    if number is None:
        return False
    return (concern.below is not None and number < concern.below) or (
        concern.above is not None and number > concern.above
    )


def _answer_evidence(answer: Answer) -> dict[str, Any]:
    return {
        "date": iso_day(answer.date),
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
    given = [
        a for a in ctx.answers if a.date >= first and a.value is not None and a.skipped is None
    ]
    for a in sorted(given, key=_IN_TIME_ORDER):
        if not ctx.away(a.answered_at):
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
    by_day: dict[date, list[Answer]] = defaultdict(list)
    for a in answers:
        by_day[a.date].append(a)
    for day in ctx.recent:
        hits = [a for a in by_day.get(day, ()) if is_concerning(question, a.value)]
        if hits:
            yield AlertCandidate(
                rule=f"{CONCERN}:{question.id}",
                period=iso_day(day),
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
                    period=iso_day(day),
                    severity=Severity.INFO,
                    stage=0,
                    evidence={
                        "question_id": question.id,
                        "title": question.title,
                        "days_running": n,
                        "answers": [_answer_evidence(a) for a in run if a is not None],
                    },
                )


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


# Most months of most elders hold no checklist answer: their score is computed once.
_NOTHING_ANSWERED = score_kihon_checklist({})


def month_of(first: date) -> str:
    """Return the month ``YYYY-MM`` of a date (the checklist's and follow-ups' period)."""
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
    mine = [a for a in ctx.answers if a.question_id in items and a.date >= last_month]
    for a in sorted(mine, key=_IN_TIME_ORDER):
        if not ctx.away(a.answered_at):
            latest[a.date.replace(day=1)][a.question_id] = a
    found = []
    for first in (last_month, this_month):
        answers = latest.get(first, {})
        values = {
            item: a.value if a.skipped is None and isinstance(a.value, bool) else None
            for item, a in answers.items()
        }
        result = score_kihon_checklist(values) if values else _NOTHING_ANSWERED
        asked_all = all(item in answers for item in VOICE_ITEMS)
        month_over = first < this_month
        if not result.flagged or not (asked_all or month_over):
            continue
        found.append(
            AlertCandidate(
                rule=KIHON_CHECKLIST,
                period=month_of(first),
                severity=Severity.INFO,
                stage=0,
                evidence={
                    "instrument": KIHON_CHECKLIST,
                    "month": month_of(first),
                    "all_asked": asked_all,
                    "month_over": month_over,
                    **result.evidence(),
                    "answers": [
                        {
                            "item": item,
                            "value": answers[item].value,
                            "skipped": answers[item].skipped,
                            "point": result.points.get(item),
                            "date": iso_day(answers[item].date),
                            "answered_at": answers[item].answered_at.isoformat(),
                        }
                        for item in KIHON_ITEMS
                        if item in answers
                    ],
                },
            )
        )
    return found
