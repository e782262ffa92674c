"""Family on LINE: the inbox of webhook events, link codes, relayed messages, send counts.

A family member is linked to an elder as a ``Recipient`` with channel ``"line"`` and
the LINE user id as address (one recipient per elder and member): several members per
elder and one member for several elders come for free, and alerts reach them through
the outbox like any other recipient. Pure: no framework, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.domain.model import Consent, Recipient

LINE_CHANNEL = "line"
FREE_PLAN_QUOTA = 200  # messages a month on LINE's free コミュニケーションプラン
QUOTA_WARNING_SHARE = 0.8  # staff are warned when this share of the quota is used

# Words in a consent line's recipient that mean "the family", and in its ``what`` that
# mean "the daily status" (consent records are written in free Japanese by staff).
_FAMILY_WORDS = ("family", "家族", "ご家族")
_STATUS_WORDS = ("status", "answers", "様子", "お答え", "状況", "体調")
# Words in a consent line's ``what`` that mean "alerts" (応答がないときの連絡, 異変の知らせ...).
_ALERT_WORDS = ("alert", "アラート", "異変", "緊急", "知らせ", "連絡", "通知")


@dataclass(frozen=True)
class InboxEvent:
    """One LINE webhook event kept durably until processed; the id is ``webhookEventId``.

    ``payload`` is the event object as received (emptied once processed: the inbox
    keeps no message text longer than needed). ``attempts`` counts failed processings.
    """

    id: str
    kind: str
    payload: dict[str, Any]
    received_at: datetime
    redelivery: bool = False
    processed_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class LinkCode:
    """A one-time code with which a family member links their LINE to an elder."""

    code: str
    elder_id: str
    name: str
    relation: str
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        """Return True when the code is unused and not expired at ``now``."""
        return self.used_at is None and now < self.expires_at


class MessageKind(StrEnum):
    """What a family member sent to the speaker."""

    TEXT = "text"
    STICKER = "sticker"
    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class FamilyMessage:
    """A message from a linked family member waiting to be heard by the elder."""

    id: str
    elder_id: str
    sender_id: str  # the Recipient (link) it came from
    sender_name: str
    kind: MessageKind
    received_at: datetime
    text: str = ""
    media_key: str | None = None
    media_type: str | None = None
    heard_at: datetime | None = None


@dataclass(frozen=True)
class MonthlySends:
    """Pushes sent to LINE in one month (``YYYY-MM``) and when staff were warned."""

    month: str
    sent: int = 0
    warned_at: datetime | None = None


def is_line_member(recipient: Recipient) -> bool:
    """Return True for a family member linked through LINE."""
    return recipient.channel == LINE_CHANNEL and recipient.elder_id is not None


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    return any(word and word in text for word in words)


def family_may_see_status(consent: Consent | None, member: Recipient) -> bool:
    """Return True when the elder's consent shares the daily status with this member.

    A consent line counts when its recipient names the family (家族, family) or this
    member (by relation or name), and what it shares is the daily status (様子,
    お答え, answers...). No consent: nothing is shared.
    """
    if consent is None or consent.withdrawal is not None:
        return False
    names = (*_FAMILY_WORDS, member.relation, member.name)
    return any(
        _mentions(share.recipient, names) and _mentions(share.what, _STATUS_WORDS)
        for share in consent.shares
    )


def family_may_be_alerted(consent: Consent | None, member: Recipient) -> bool:
    """Return True when the elder's consent shares alerts with this family member or contact.

    A consent line counts when its recipient names the family (家族, family) or this member
    (by relation or name) and what it shares names alerts (アラート, 異変, 連絡...). No
    consent, or a withdrawn one: nothing is shared.
    """
    if consent is None or consent.withdrawal is not None:
        return False
    names = (*_FAMILY_WORDS, member.relation, member.name)
    return any(
        _mentions(share.recipient, names) and _mentions(share.what, _ALERT_WORDS)
        for share in consent.shares
    )


def quota_warning_due(sends: MonthlySends, quota: int = FREE_PLAN_QUOTA) -> bool:
    """Return True when this month's sends reached the warning share and none was recorded."""
    return sends.warned_at is None and sends.sent >= quota * QUOTA_WARNING_SHARE
