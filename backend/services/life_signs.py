"""Signs of life that are no answer, recorded for the missed check-in rule.

Opening the skill outside a slot, hearing a notice or a family message: each shows the elder
is up, so the rule (``rules.missed_checkin``) counts it like an answer. Recorded as
``EventKind.CONTACT`` events.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from backend.domain.model import Event, EventKind
from backend.ports import AbstractUnitOfWork

OPENED = "opened"
NOTICE_HEARD = "notice_heard"
FAMILY_MESSAGE_HEARD = "family_message_heard"


def record(uow: AbstractUnitOfWork, elder_id: str, what: str, now: datetime) -> None:
    """Add a contact event of the elder in the caller's unit of work (the caller commits)."""
    uow.events.add(Event(uuid.uuid4().hex, elder_id, EventKind.CONTACT, now, {"what": what}))
