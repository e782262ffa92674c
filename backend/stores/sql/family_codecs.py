"""Row <-> domain mapping of the LINE tables: inbox, link codes, family messages, send counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MessageKind,
    MonthlySends,
    SummarySubscription,
)
from backend.stores.sql.column_types import optional_utc, to_utc


def inbox_event_to_row(event: InboxEvent) -> dict[str, Any]:
    """Return the ``line_inbox`` row of an inbox event."""
    return {
        "id": event.id,
        "kind": event.kind,
        "payload": dict(event.payload),
        "received_at": to_utc(event.received_at),
        "redelivery": bool(event.redelivery),
        "processed_at": optional_utc(event.processed_at),
        "attempts": event.attempts,
        "last_error": event.last_error,
    }


def inbox_event_from_row(row: Mapping[str, Any]) -> InboxEvent:
    """Return the inbox event of a ``line_inbox`` row."""
    return InboxEvent(
        id=row["id"],
        kind=row["kind"],
        payload=dict(row["payload"] or {}),
        received_at=row["received_at"],
        redelivery=bool(row["redelivery"]),
        processed_at=row["processed_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


def link_code_to_row(code: LinkCode) -> dict[str, Any]:
    """Return the ``family_link_codes`` row of a link code."""
    return {
        "code": code.code,
        "elder_id": code.elder_id,
        "name": code.name,
        "relation": code.relation,
        "expires_at": to_utc(code.expires_at),
        "used_at": optional_utc(code.used_at),
    }


def link_code_from_row(row: Mapping[str, Any]) -> LinkCode:
    """Return the link code of a ``family_link_codes`` row."""
    return LinkCode(
        code=row["code"],
        elder_id=row["elder_id"],
        name=row["name"],
        relation=row["relation"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def family_message_to_row(message: FamilyMessage) -> dict[str, Any]:
    """Return the ``family_messages`` row of a message."""
    return {
        "id": message.id,
        "elder_id": message.elder_id,
        "sender_id": message.sender_id,
        "sender_name": message.sender_name,
        "kind": MessageKind(message.kind).value,
        "received_at": to_utc(message.received_at),
        "text": message.text,
        "media_key": message.media_key,
        "media_type": message.media_type,
        "heard_at": optional_utc(message.heard_at),
    }


def family_message_from_row(row: Mapping[str, Any]) -> FamilyMessage:
    """Return the message of a ``family_messages`` row."""
    return FamilyMessage(
        id=row["id"],
        elder_id=row["elder_id"],
        sender_id=row["sender_id"],
        sender_name=row["sender_name"],
        kind=MessageKind(row["kind"]),
        received_at=row["received_at"],
        text=row["text"],
        media_key=row["media_key"],
        media_type=row["media_type"],
        heard_at=row["heard_at"],
    )


def monthly_sends_from_row(row: Mapping[str, Any]) -> MonthlySends:
    """Return the send count of a ``line_monthly_sends`` row."""
    return MonthlySends(month=row["month"], sent=row["sent"], warned_at=row["warned_at"])


def summary_to_row(subscription: SummarySubscription) -> dict[str, Any]:
    """Return the ``line_summaries`` row of a daily-summary opt-in."""
    return {
        "line_user_id": subscription.line_user_id,
        "send_at": subscription.send_at,
        "since": to_utc(subscription.since),
    }


def summary_from_row(row: Mapping[str, Any]) -> SummarySubscription:
    """Return the daily-summary opt-in of a ``line_summaries`` row."""
    return SummarySubscription(
        line_user_id=row["line_user_id"], send_at=row["send_at"], since=row["since"]
    )
