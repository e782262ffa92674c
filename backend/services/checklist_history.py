"""The 基本チェックリスト by month and domain, for staff: the same scoring the alert uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from backend.domain.kihon_scoring import Status, score_kihon_checklist
from backend.domain.model import Answer
from questions.kihon import ITEM_IDS


@dataclass(frozen=True)
class DomainCell:
    """One domain's points in one month (of the items answered)."""

    label: str
    points: int
    answered: int
    of: int


@dataclass(frozen=True)
class ChecklistMonth:
    """One month's scores by domain and the cut-offs met."""

    month: date  # the first day
    domains: tuple[DomainCell, ...]
    answered: int
    met: tuple[str, ...]  # labels of the criteria met


def by_month(answers: Sequence[Answer]) -> tuple[ChecklistMonth, ...]:
    """Return the months with checklist answers, newest first (an item's latest answer counts)."""
    items = frozenset(ITEM_IDS)
    latest: dict[date, dict[str, Answer]] = {}
    for a in sorted(answers, key=lambda a: (a.answered_at, a.checkin_id)):
        if a.question_id in items:
            latest.setdefault(a.date.replace(day=1), {})[a.question_id] = a
    months = []
    for first in sorted(latest, reverse=True):
        values = {
            item: a.value if a.skipped is None and isinstance(a.value, bool) else None
            for item, a in latest[first].items()
        }
        result = score_kihon_checklist(values)
        months.append(
            ChecklistMonth(
                first,
                tuple(DomainCell(d.label, d.points, d.answered, d.of) for d in result.domains),
                result.answered,
                tuple(c.label for c in result.criteria if c.status is Status.MET),
            )
        )
    return tuple(months)
