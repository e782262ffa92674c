"""DynamoDB repositories of the LINE inbox and of family messages, link codes and send counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MonthlySends,
    SummarySubscription,
)
from backend.ports import (
    FamilyRepository,
    LineInboxRepository,
)
from backend.stores.dynamodb.base import DynamoRepository, item
from backend.stores.dynamodb.codec import aware, iso

# --- LINE: inbox, link codes, family messages, monthly sends ---------------------------


def _inbox_item(event: InboxEvent) -> dict[str, Any]:
    pending = event.processed_at is None
    return item(
        "line-event",
        f"LINEEVENT#{event.id}",
        "#LINEEVENT",
        event,
        gsi1pk="LINEINBOX#pending" if pending else None,
        gsi1sk=f"{iso(event.received_at)}#{event.id}" if pending else None,
    )


class DynamoLineInboxRepository(DynamoRepository, LineInboxRepository):
    """LINE webhook events: LINEEVENT#<webhookEventId>; unprocessed on gsi1."""

    def add_if_absent(self, event: InboxEvent) -> bool:
        """Store the event unless its id exists; return True if stored."""
        aware(event.received_at)
        aware(event.processed_at)
        if self._exists(f"LINEEVENT#{event.id}", "#LINEEVENT"):
            return False
        self._s.put(_inbox_item(event))
        return True

    def get(self, event_id: str) -> InboxEvent | None:
        """Return the event, or None."""
        return self._get(InboxEvent, f"LINEEVENT#{event_id}", "#LINEEVENT")

    def pending(self, limit: int, max_attempts: int) -> list[InboxEvent]:
        """Return at most ``limit`` unprocessed events with fewer than ``max_attempts`` failures."""
        if limit < 1:
            return []
        found = self._query(InboxEvent, "LINEINBOX#pending", index="gsi1")
        waiting = [e for e in found if e.processed_at is None and e.attempts < max_attempts]
        return sorted(waiting, key=lambda e: (e.received_at, e.id))[:limit]

    def _stored(self, event_id: str) -> InboxEvent:
        event = self.get(event_id)
        if event is None:
            raise NotFound(f"LINE event {event_id} does not exist")
        return event

    def mark_processed(self, event_id: str, at: datetime) -> bool:
        """Record the event processed at ``at`` and empty its payload."""
        aware(at)
        event = self._stored(event_id)
        if event.processed_at is not None:
            return False
        self._s.put(_inbox_item(dataclasses.replace(event, processed_at=at, payload={})))
        return True

    def mark_failed(self, event_id: str, error: str) -> None:
        """Count a failed processing of the event (``attempts`` + 1, ``last_error``)."""
        event = self._stored(event_id)
        changed = dataclasses.replace(event, attempts=event.attempts + 1, last_error=error)
        self._s.put(_inbox_item(changed))

    def erase_given_up(self, max_attempts: int, received_before: datetime) -> int:
        """Empty the payload of unprocessed events that failed ``max_attempts`` times or more."""
        aware(received_before)
        found = self._query(InboxEvent, "LINEINBOX#pending", index="gsi1")
        given_up = [
            e
            for e in found
            if e.processed_at is None
            and e.attempts >= max_attempts
            and e.received_at < received_before
            and e.payload
        ]
        for event in given_up:
            self._s.put(_inbox_item(dataclasses.replace(event, payload={})))
        return len(given_up)


def link_code_item(code: LinkCode) -> dict[str, Any]:
    """Return the stored link code: LINKCODE#<code>, by elder and expiry on gsi1."""
    return item(
        "link-code",
        f"LINKCODE#{code.code}",
        "#LINKCODE",
        code,
        gsi1pk=f"ELDER#{code.elder_id}#LINKCODES",
        gsi1sk=f"{iso(code.expires_at)}#{code.code}",
    )


def message_item(message: FamilyMessage) -> dict[str, Any]:
    """Return the stored message: unheard ones on gsi1, every one by elder on gsi2."""
    unheard = message.heard_at is None
    order = f"{iso(message.received_at)}#{message.id}"
    return item(
        "family-message",
        f"FAMILYMSG#{message.id}",
        "#FAMILYMSG",
        message,
        gsi1pk=f"ELDER#{message.elder_id}#UNHEARD" if unheard else None,
        gsi1sk=order if unheard else None,
        gsi2pk=f"ELDER#{message.elder_id}#FAMILYMSGS",
        gsi2sk=order,
    )


class DynamoFamilyRepository(DynamoRepository, FamilyRepository):
    """Link codes, family messages (unheard on gsi1), monthly LINE sends, summary opt-ins."""

    def add_link_code(self, code: LinkCode) -> None:
        """Store a link code; raise Conflict if the code is taken."""
        aware(code.expires_at)
        if self._exists(f"LINKCODE#{code.code}", "#LINKCODE"):
            raise Conflict(f"link code for {code.elder_id} already exists")
        if not self._exists(f"ELDER#{code.elder_id}", "#ELDER"):
            raise NotFound("link code: a record it refers to does not exist")
        self._s.put(link_code_item(code))

    def get_link_code(self, code: str) -> LinkCode | None:
        """Return the link code, or None."""
        return self._get(LinkCode, f"LINKCODE#{code}", "#LINKCODE")

    def mark_link_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it."""
        aware(at)
        found = self.get_link_code(code)
        if found is None or found.used_at is not None:
            return False
        self._s.put(link_code_item(dataclasses.replace(found, used_at=at)))
        return True

    def add_message_if_absent(self, message: FamilyMessage) -> bool:
        """Store the message unless its id exists; return True if stored."""
        aware(message.received_at)
        aware(message.heard_at)
        if self._exists(f"FAMILYMSG#{message.id}", "#FAMILYMSG"):
            return False
        if not self._exists(f"ELDER#{message.elder_id}", "#ELDER") or not self._exists(
            f"RECIPIENT#{message.sender_id}", "#RECIPIENT"
        ):
            raise NotFound(f"family message {message.id}: a record it refers to does not exist")
        self._s.put(message_item(message))
        return True

    def get_message(self, message_id: str) -> FamilyMessage | None:
        """Return the message, or None."""
        return self._get(FamilyMessage, f"FAMILYMSG#{message_id}", "#FAMILYMSG")

    def unheard_for_elder(self, elder_id: str) -> list[FamilyMessage]:
        """Return the elder's messages not heard yet, oldest first (``received_at``, then id)."""
        found = self._query(FamilyMessage, f"ELDER#{elder_id}#UNHEARD", index="gsi1")
        waiting = [m for m in found if m.heard_at is None]
        return sorted(waiting, key=lambda m: (m.received_at, m.id))

    def mark_heard(self, message_ids: Sequence[str], at: datetime) -> int:
        """Mark the unheard messages among ``message_ids`` heard at ``at``; return how many."""
        aware(at)
        marked = 0
        for message_id in dict.fromkeys(message_ids):
            message = self.get_message(message_id)
            if message is not None and message.heard_at is None:
                self._s.put(message_item(dataclasses.replace(message, heard_at=at)))
                marked += 1
        return marked

    def _sends_item(self, sends: MonthlySends) -> dict[str, Any]:
        return item("line-sends", f"LINESENDS#{sends.month}", "#LINESENDS", sends)

    def count_sends(self, month: str, count: int) -> MonthlySends:
        """Add ``count`` to the sends of ``month`` (``YYYY-MM``) and return the new total.

        An atomic ADD on commit: sends counted at the same moment by other units all land.
        """
        initial = self._sends_item(MonthlySends(month))
        self._s.add(f"LINESENDS#{month}", "#LINESENDS", {"sent": count}, initial)
        return self.sends(month)

    def sends(self, month: str) -> MonthlySends:
        """Return the sends of ``month`` (zero when nothing was sent)."""
        found = self._get(MonthlySends, f"LINESENDS#{month}", "#LINESENDS")
        return found if found is not None else MonthlySends(month)

    def mark_quota_warned(self, month: str, at: datetime) -> bool:
        """Record the quota warning of ``month``; return False if it was recorded already.

        Set on commit only if still unset (else ConcurrentWrite: the unit runs again).
        """
        aware(at)
        if self.sends(month).warned_at is not None:
            return False
        initial = self._sends_item(MonthlySends(month))
        self._s.set_once(f"LINESENDS#{month}", "#LINESENDS", {"warned_at": iso(at)}, initial)
        return True

    def set_summary(self, subscription: SummarySubscription) -> None:
        """Store the member's daily-summary opt-in, replacing any earlier one."""
        aware(subscription.since)
        user = subscription.line_user_id
        self._s.put(
            item(
                "line-summary",
                f"SUMMARY#{user}",
                "#SUMMARY",
                subscription,
                gsi3pk="SUMMARIES",
                gsi3sk=user,
            )
        )

    def get_summary(self, line_user_id: str) -> SummarySubscription | None:
        """Return the member's daily-summary opt-in, or None."""
        return self._get(SummarySubscription, f"SUMMARY#{line_user_id}", "#SUMMARY")

    def remove_summary(self, line_user_id: str) -> bool:
        """Remove the member's opt-in; return False when there was none."""
        if not self._exists(f"SUMMARY#{line_user_id}", "#SUMMARY"):
            return False
        self._s.delete(f"SUMMARY#{line_user_id}", "#SUMMARY")
        return True

    def list_summaries(self) -> list[SummarySubscription]:
        """Return every daily-summary opt-in, by LINE user id (code point order)."""
        found = self._query(SummarySubscription, "SUMMARIES", index="gsi3")
        return sorted(found, key=lambda s: s.line_user_id)
