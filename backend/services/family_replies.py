"""The elder's spoken replies to family on LINE (skill: 「返事をする」「娘に伝えて」).

Only members whose LINE link is active and whom the elder's consent record names may be
sent a reply; it goes through the outbox, checked again when queued.
"""

from __future__ import annotations

import logging
import uuid
from enum import StrEnum

from backend import messages as catalog
from backend.domain.family import LINE_CHANNEL, family_may_receive_messages, matches_member
from backend.domain.model import Elder, OutboxMessage, Recipient
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services
from backend.services.retry import retry_when_busy

logger = logging.getLogger(__name__)

_REPLY_NAMESPACE = uuid.UUID("3f0c8d2e-6b7a-4c19-8e5d-1a2b3c4d5e6f")
MAX_REPLY_CHARS = 200  # a short spoken reply


def _reply_members(uow: AbstractUnitOfWork, elder: Elder) -> list[Recipient]:
    if not elder.is_watchable:
        return []
    return [
        member
        for member in uow.recipients.list_for_elder(elder.id)
        if member.active
        and member.channel == LINE_CHANNEL
        and family_may_receive_messages(elder.consent, member)
    ]


def reply_members(svc: Services, alexa_user_id: str, device_id: str) -> list[Recipient]:
    """Return the family members this speaker's elder may send a reply to, by name.

    Only active LINE links that the elder's consent record names; none when the speaker
    is not paired or the elder is not watched.
    """
    with svc.uow() as uow:
        elder = uow.devices.elder_for(alexa_user_id, device_id)
        return [] if elder is None else _reply_members(uow, elder)


def find_members(members: list[Recipient], words: str, group: str | None = None) -> list[Recipient]:
    """Return the members that ``words`` (a name or a relation, e.g. 「娘」) names.

    An exact name or relation (「長女」) wins over a relation group (「娘」: 長女 and 次女).
    """
    exact = [member for member in members if matches_member(words, member, "")]
    return exact or [member for member in members if matches_member(words, member, group)]


class ReplyOutcome(StrEnum):
    """What became of an elder's reply."""

    QUEUED = "queued"
    NOT_ALLOWED = "not_allowed"  # unpaired, not watched, unlinked, or consent does not allow
    EMPTY = "empty"


@retry_when_busy
def send_reply(
    svc: Services, alexa_user_id: str, device_id: str, request_id: str, member_id: str, text: str
) -> ReplyOutcome:
    """Queue the elder's spoken reply as a LINE push to one family member (the outbox).

    Checked again at sending time: the member must still be an active LINE link of this
    speaker's elder that the consent record allows. The outbox id derives from the
    request and the member, so a replayed request pushes nothing twice.
    """
    words = " ".join(text.split())[:MAX_REPLY_CHARS]
    if not words:
        return ReplyOutcome.EMPTY
    now = svc.now()
    with svc.uow() as uow:
        elder = uow.devices.elder_for(alexa_user_id, device_id)
        if elder is None:
            return ReplyOutcome.NOT_ALLOWED
        member = next((m for m in _reply_members(uow, elder) if m.id == member_id), None)
        if member is None:
            return ReplyOutcome.NOT_ALLOWED
        uow.outbox.add_if_absent(
            OutboxMessage(
                id=uuid.uuid5(_REPLY_NAMESPACE, f"{request_id}/{member.id}").hex,
                recipient_id=member.id,
                channel=LINE_CHANNEL,
                subject=catalog.FAMILY_REPLY_SUBJECT.format(elder=elder.name),
                body=words,
                urgent=False,
                created_at=now,
                not_before=now,
            )
        )
        uow.commit()
    logger.info("reply from a speaker queued for LINE link %s", member.id)
    return ReplyOutcome.QUEUED
