"""A resolved question set and which questions are due when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from questions.lexicon import EMPTY, Lexicon
from questions.schema import ElderOverrides, InstrumentUse, Question, SlotWindow, parse_hhmm


@dataclass(frozen=True)
class QuestionSet:
    """A municipality's questions with catalog entries resolved."""

    municipality_code: str
    municipality_name: str
    version: int
    slots: tuple[SlotWindow, ...]
    questions: tuple[Question, ...]
    catalog: dict[str, Question] = field(repr=False, default_factory=dict)
    # Built-in instruments the set opts in to (their items are in ``catalog``, never in
    # ``questions``: ``due`` does not return them; see ``questions.instruments``).
    instruments: tuple[InstrumentUse, ...] = ()
    lexicon: Lexicon = field(repr=False, default=EMPTY)  # how its elders speak (dialect)

    def slot(self, slot_id: str) -> SlotWindow | None:
        """Return the slot with this id, or None."""
        return next((s for s in self.slots if s.id == slot_id), None)

    def slot_at(self, at: dt.time) -> SlotWindow | None:
        """Return the latest slot that has started by ``at`` (late answers still count)."""
        started = [s for s in self.slots if parse_hhmm(s.start) <= at]
        return max(started, key=lambda s: parse_hhmm(s.start)) if started else None

    def question(self, question_id: str) -> Question | None:
        """Return a question of this set (or the catalog) by id."""
        found = next((q for q in self.questions if q.id == question_id), None)
        return found or self.catalog.get(question_id)

    def due(
        self, day: dt.date, slot_id: str, overrides: ElderOverrides | None = None
    ) -> list[Question]:
        """Return the questions due for an elder on ``day`` in ``slot_id``, in set order."""
        overrides = overrides or ElderOverrides()
        candidates = [q for q in self.questions if q.id not in overrides.remove]
        for added in overrides.add:
            question = self.question(added)
            if question is not None and all(q.id != added for q in candidates):
                candidates.append(question)
        due = []
        for q in candidates:
            override = overrides.schedules.get(q.id)
            slots = override.slots if override else q.schedule.slots
            if slot_id in slots and q.schedule.is_due_on(day):
                due.append(q)
        return due
