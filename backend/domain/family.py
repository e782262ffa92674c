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
    CENTER_TEXT = "center_text"  # from the care center (dashboard), read as 「…からのお知らせ」


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
class SummarySubscription:
    """A family member's opt-in to a daily summary on LINE at ``send_at`` (``HH:MM``, local).

    ``since``: when it was chosen; a time already past that day starts the next day.
    """

    line_user_id: str
    send_at: str
    since: datetime


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


# How an elder names a family member by relation (「娘に伝えて」), by group: the words an
# elder says and the relations staff record (長女, 次男…) that belong to each group.
RELATION_GROUPS: dict[str, tuple[str, ...]] = {
    "daughter": ("娘", "長女", "次女", "三女", "四女", "娘さん"),
    "son": ("息子", "長男", "次男", "三男", "四男", "息子さん"),
    "grandchild": ("孫", "お孫さん", "孫娘", "孫息子"),
    "spouse": ("妻", "夫", "家内", "主人", "配偶者"),
    "sister": ("姉", "妹", "お姉さん"),
    "brother": ("兄", "弟", "お兄さん"),
    "niece": ("姪", "姪っ子"),
    "nephew": ("甥", "甥っ子"),
    "daughter_in_law": ("嫁", "お嫁さん", "息子の妻"),
    "son_in_law": ("婿", "お婿さん", "娘の夫"),
}
_HONORIFICS = ("さん", "ちゃん", "くん", "君", "様")


def relation_group(words: str) -> str | None:
    """Return the relation group of a relation word (長女 → daughter), or None."""
    words = words.strip()
    for group, members in RELATION_GROUPS.items():
        if words == group or words in members:
            return group
    return None


def _bare(words: str) -> str:
    words = "".join(words.split())
    for suffix in _HONORIFICS:
        if words.endswith(suffix) and len(words) > len(suffix):
            return words[: -len(suffix)]
    return words


def matches_member(words: str, member: Recipient, group: str | None = None) -> bool:
    """Return True when what the elder said names this member (name, relation or its group).

    ``group`` is the relation group the speech recogniser resolved, if any; an empty
    string compares names and relations exactly, without groups.
    """
    said = _bare(words)
    if not said:
        return False
    name = "".join(member.name.split())
    if said == name or (len(said) >= 2 and (said in name or name.endswith(said))):
        return True
    if said == member.relation.strip():
        return True
    if group == "":
        return False
    member_group = relation_group(member.relation)
    said_group = group or relation_group(said) or relation_group(words)
    return member_group is not None and member_group == said_group


def family_may_receive_messages(consent: Consent | None, member: Recipient) -> bool:
    """Return True when the elder's consent names the family (or this member) as a recipient.

    The elder's own spoken replies go only to family members their consent record names.
    """
    if consent is None:
        return False
    names = (*_FAMILY_WORDS, member.relation, member.name)
    return any(_mentions(share.recipient, names) for share in consent.shares)
