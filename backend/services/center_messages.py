"""A message from the care center to one elder, read by the speaker at the next session.

It goes through the queue of family messages (``uow.family``): the speaker offers it when
the skill opens and reads it as 「○○センターからのお知らせです」. The sender is a
recipient of the elder that stands for the center; it is kept inactive, so alerts never
go to it. Staff who see the elder (their center, their municipality, or an operator) may
send; every send and every view of the page is audited.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from backend.domain.errors import NotFound
from backend.domain.family import FamilyMessage, MessageKind
from backend.domain.model import CareCenter, Elder, Recipient, StaffUser
from backend.domain.staff import AuditEntry
from backend.ports import AbstractUnitOfWork
from backend.services.access import actor_of, centers_of, elder_in_scope
from backend.services.audit import record_view
from backend.services.context import Services
from backend.services.retry import retry_when_busy

MESSAGE_MAX = 200  # read aloud: a few short sentences at most
CENTER_CHANNEL = "center"  # the sender stands for the center; nothing is ever sent to it
CENTER_RELATION = "センター"
_NAMESPACE = uuid.UUID("6f1d8f0e-2b8c-4b7a-9d59-63656e746572")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadMessage(ValueError):
    """The text cannot be read aloud as it is (empty, too long, control characters)."""


def check_text(text: str) -> str:
    """Return the text stripped and with line breaks as spaces; raise BadMessage."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise BadMessage("empty")
    if len(cleaned) > MESSAGE_MAX:
        raise BadMessage("too_long")
    if _CONTROL.search(cleaned):
        raise BadMessage("control")
    return cleaned


def sender_id(elder_id: str, center_id: str) -> str:
    """Return the id of the recipient that stands for the center as a sender to the elder."""
    return "center-" + uuid.uuid5(_NAMESPACE, f"{elder_id}/{center_id}").hex


def _sender(uow: AbstractUnitOfWork, elder: Elder, center: CareCenter) -> Recipient:
    recipient = Recipient(
        id=sender_id(elder.id, center.id),
        center_id=center.id,
        elder_id=elder.id,
        name=center.name,
        relation=CENTER_RELATION,
        channel=CENTER_CHANNEL,
        address=center.id,
        active=False,  # never a watcher: alerts skip inactive recipients
    )
    stored = uow.recipients.get(recipient.id)
    if stored is None:
        uow.recipients.add(recipient)
    elif stored != recipient:
        uow.recipients.update(recipient)
    return recipient


def _in_scope(uow: AbstractUnitOfWork, user: StaffUser, elder_id: str) -> tuple[Elder, CareCenter]:
    elder = elder_in_scope(uow, user, elder_id)
    center = uow.centers.get(elder.center_id)
    if center is None:
        raise NotFound(f"center {elder.center_id}")
    return elder, center


@dataclass(frozen=True)
class MessagePage:
    """The elder, their center, and the center's messages not heard yet."""

    elder: Elder
    center: CareCenter
    waiting: tuple[FamilyMessage, ...]


def page(svc: Services, user: StaffUser, elder_id: str) -> MessagePage:
    """Return what the message page shows (audited: it shows the elder's name)."""
    with svc.uow() as uow:
        elder, center = _in_scope(uow, user, elder_id)
        waiting = tuple(
            m for m in uow.family.unheard_for_elder(elder.id) if m.kind is MessageKind.CENTER_TEXT
        )
    record_view(svc, user, svc.now(), "view_messages", elder.id)
    return MessagePage(elder, center, waiting)


@retry_when_busy
def send(svc: Services, user: StaffUser, elder_id: str, text: str) -> FamilyMessage:
    """Queue a message from the elder's center; BadMessage on bad text, NotFound outside scope."""
    cleaned = check_text(text)
    now = svc.now()
    with svc.uow() as uow:
        elder, center = _in_scope(uow, user, elder_id)
        sender = _sender(uow, elder, center)
        message = FamilyMessage(
            id=f"center-{uuid.uuid4().hex}",
            elder_id=elder.id,
            sender_id=sender.id,
            sender_name=center.name,
            kind=MessageKind.CENTER_TEXT,
            received_at=now,
            text=cleaned,
        )
        uow.family.add_message_if_absent(message)
        uow.audit.add(
            AuditEntry(
                now,
                actor_of(user),
                "send_message",
                elder.id,
                {"message_id": message.id, "chars": len(cleaned)},
            )
        )
        uow.commit()
    return message


def elders(svc: Services, user: StaffUser) -> list[tuple[CareCenter, list[Elder]]]:
    """Return the elders the user may write to, by center (audited: names are shown)."""
    centers = centers_of(svc, user)
    found = []
    with svc.uow() as uow:
        for center in centers:
            found.append((center, [e for e in uow.elders.list_for_center(center.id)]))
    record_view(svc, user, svc.now(), "view_elder_list", centers=[c.id for c in centers])
    return found
