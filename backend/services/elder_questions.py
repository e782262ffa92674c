"""What one elder is asked beyond the municipality's set (overrides ``add``), in words."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.model import Elder
from questions.loader import QuestionSetError, parse_overrides
from questions.model import QuestionSet


@dataclass(frozen=True)
class AddedQuestion:
    """A question added for this elder, with the slots it is asked in."""

    title: str
    slots: tuple[str, ...]  # slot labels (朝, 晩)


def added(elder: Elder, qset: QuestionSet) -> tuple[AddedQuestion, ...]:
    """Return the questions added for the elder (unknown ids and broken overrides skipped)."""
    try:
        overrides = parse_overrides(elder.overrides, f"elder {elder.id} overrides")
    except QuestionSetError:
        return ()
    found = []
    for question_id in overrides.add:
        question = qset.question(question_id)
        if question is None:
            continue
        moved = overrides.schedules.get(question_id)
        slots = moved.slots if moved else question.schedule.slots
        labels = tuple(s.label for slot in slots if (s := qset.slot(slot)) is not None)
        found.append(AddedQuestion(question.title, labels))
    return tuple(found)
