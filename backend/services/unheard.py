"""Words the skill could not understand (events of kind ``unheard``), for the elder's staff.

What an elder said in their own words is personal data: shown only to staff who see the
elder, and every view is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.domain.model import EventKind, StaffUser
from backend.services.access import elder_in_scope
from backend.services.answer_words import UNKNOWN_QUESTION
from backend.services.audit import record_view
from backend.services.context import Services

DAYS = 30  # how far back the elder page lists them


@dataclass(frozen=True)
class Unheard:
    """One question the elder answered in words the skill could not understand."""

    at: datetime
    question: str
    words: tuple[str, ...]


def recent(svc: Services, user: StaffUser, elder_id: str) -> tuple[Unheard, ...]:
    """Return the elder's unheard answers of the last ``DAYS`` days, newest first (audited)."""
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        events = [
            e
            for e in uow.events.list_for_elder(elder.id)
            if e.kind is EventKind.UNHEARD and e.at >= now - timedelta(days=DAYS)
        ]
    qset = svc.question_set(elder.municipality_code)
    found = []
    for e in sorted(events, key=lambda e: e.at, reverse=True):
        question = qset.question(str(e.detail.get("question_id", "")))
        words = e.detail.get("words") or ()
        found.append(
            Unheard(
                e.at,
                question.title if question else UNKNOWN_QUESTION,
                tuple(str(w) for w in (words if isinstance(words, list) else [words])),
            )
        )
    if found:
        record_view(svc, user, now, "view_unheard", elder.id, events=len(found))
    return tuple(found)
