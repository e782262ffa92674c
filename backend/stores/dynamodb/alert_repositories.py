"""DynamoDB repositories of alerts, their recipients and the notification outbox."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    OutboxMessage,
    Recipient,
)
from backend.ports import (
    ALERT_SEVERITY_ORDER,
    AlertRepository,
    OutboxRepository,
    RecipientRepository,
)
from backend.stores.dynamodb.base import DynamoRepository, item
from backend.stores.dynamodb.codec import aware, iso
from backend.stores.dynamodb.table import HIGH, PK, SK, next_seq

_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(ALERT_SEVERITY_ORDER)}
_ALERT_MUTABLE = (
    "severity",
    "evidence",
    "status",
    "stage",
    "claimed_by",
    "claimed_at",
    "outcome",
    "note",
    "resolved_at",
)


# --- alerts ----------------------------------------------------------------------------


def _alert_key(elder_id: str, rule: str, period: str) -> str:
    return f"ALERTKEY#{elder_id}#{rule}#{period}"


def _alert_item(alert: Alert) -> dict[str, Any]:
    open_ = AlertStatus(alert.status) == AlertStatus.OPEN
    return item(
        "alert",
        f"ALERT#{alert.id}",
        "#ALERT",
        alert,
        gsi1pk=f"ELDER#{alert.elder_id}#ALERTS",
        gsi1sk=f"{alert.period}#{alert.rule}",
        gsi2pk="ALERTS#open" if open_ else None,
        gsi2sk=f"{iso(alert.created_at)}#{alert.id}" if open_ else None,
    )


class DynamoAlertRepository(DynamoRepository, AlertRepository):
    """Alerts ALERT#<id> with their history, an ALERTKEY pointer; gsi1 by elder, gsi2 open."""

    def add_if_absent(self, alert: Alert) -> bool:
        """Store the alert unless one with its key (elder, rule, period) exists."""
        for when in (alert.created_at, alert.claimed_at, alert.resolved_at):
            aware(when)
        key = _alert_key(alert.elder_id, alert.rule, alert.period)
        if self._exists(key, "#KEY"):
            return False
        stored = self.get(alert.id)
        if stored is not None:
            if (stored.elder_id, stored.rule, stored.period) == (
                alert.elder_id,
                alert.rule,
                alert.period,
            ):
                # Another unit stored this very alert between our two reads: it exists.
                return False
            raise Conflict(f"alert {alert.id} already exists")
        self._s.put(_alert_item(alert))
        self._s.put({PK: key, SK: "#KEY", "t": "alert-key", "alert_id": alert.id})
        return True

    def get(self, alert_id: str) -> Alert | None:
        """Return the alert, or None."""
        return self._get(Alert, f"ALERT#{alert_id}", "#ALERT")

    def get_by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        """Return the alert with this key, or None."""
        pointer = self._s.get(_alert_key(elder_id, rule, period), "#KEY")
        return self.get(pointer["alert_id"]) if pointer else None

    def update(self, alert: Alert) -> None:
        """Replace the stored alert's mutable fields with this one's; raise NotFound if absent."""
        for when in (alert.created_at, alert.claimed_at, alert.resolved_at):
            aware(when)
        stored = self.get(alert.id)
        if stored is None:
            raise NotFound(f"alert {alert.id} does not exist")
        changes = {name: getattr(alert, name) for name in _ALERT_MUTABLE}
        self._s.put(_alert_item(dataclasses.replace(stored, **changes)))

    def _of_elder(self, elder_id: str, period_prefix: str = "") -> list[Alert]:
        sort = ("begins", period_prefix) if period_prefix else None
        return self._query(Alert, f"ELDER#{elder_id}#ALERTS", sort, index="gsi1")

    def list_for_center(self, center_id: str, statuses: Collection[AlertStatus]) -> list[Alert]:
        """Return the alerts with one of ``statuses`` of the center's elders."""
        wanted = {AlertStatus(status) for status in statuses}
        if not wanted:
            return []
        elders = self._s.query(f"CENTER#{center_id}#ELDERS", index="gsi1")
        found = [
            a for e in elders for a in self._of_elder(e["id"]) if AlertStatus(a.status) in wanted
        ]
        return sorted(found, key=lambda a: (_SEVERITY_RANK[a.severity], a.created_at, a.id))

    def list_unresolved_older_than(self, at: datetime) -> list[Alert]:
        """Return every open (unclaimed) alert with ``created_at <= at``, of every center."""
        found = self._query(Alert, "ALERTS#open", ("le", f"{iso(at)}#{HIGH}"), index="gsi2")
        return sorted(found, key=lambda a: (a.created_at, a.id))

    def existing_keys(
        self, elder_ids: Sequence[str], period_prefix: str
    ) -> set[tuple[str, str, str]]:
        """Return the (elder_id, rule, period) keys of the asked elders' alerts by period prefix."""
        return {
            (a.elder_id, a.rule, a.period)
            for elder_id in dict.fromkeys(elder_ids)
            for a in self._of_elder(elder_id, period_prefix)
            if a.period.startswith(period_prefix)
        }

    def latest_opened(
        self, elder_ids: Sequence[str], rules: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        """Return the latest ``created_at`` per (elder id, rule) of these elders and rules."""
        wanted = set(rules)
        found: dict[tuple[str, str], datetime] = {}
        for elder_id in dict.fromkeys(elder_ids):
            for a in self._of_elder(elder_id):
                key = (a.elder_id, a.rule)
                if a.rule in wanted and (key not in found or a.created_at > found[key]):
                    found[key] = a.created_at
        return found

    def add_change(self, change: AlertChange) -> None:
        """Append an entry to the alert's history."""
        aware(change.at)
        sk = f"CHANGE#{iso(change.at)}#{next_seq()}"
        self._s.put(item("alert-change", f"ALERT#{change.alert_id}", sk, change))

    def history(self, alert_id: str) -> list[AlertChange]:
        """Return the alert's history oldest first (by ``at``, then the order added)."""
        return self._query(AlertChange, f"ALERT#{alert_id}", ("begins", "CHANGE#"))


# --- recipients and the outbox ---------------------------------------------------------


def recipient_item(recipient: Recipient) -> dict[str, Any]:
    """Return the stored recipient: RECIPIENT#<id>, by owner on gsi1, by address on gsi2."""
    owner = (
        f"CENTER#{recipient.center_id}#RECIPIENTS"
        if recipient.elder_id is None
        else f"ELDER#{recipient.elder_id}#RECIPIENTS"
    )
    return item(
        "recipient",
        f"RECIPIENT#{recipient.id}",
        "#RECIPIENT",
        recipient,
        gsi1pk=owner,
        gsi1sk=recipient.id,
        gsi2pk=f"ADDRESS#{recipient.channel}#{recipient.address}",
        gsi2sk=recipient.id,
    )


class DynamoRecipientRepository(DynamoRepository, RecipientRepository):
    """Recipients: RECIPIENT#<id>; by owner on gsi1, by address on gsi2."""

    def add(self, recipient: Recipient) -> None:
        """Add a recipient; raise Conflict if the id exists."""
        if self._exists(f"RECIPIENT#{recipient.id}", "#RECIPIENT"):
            raise Conflict(f"recipient {recipient.id} already exists")
        self._s.put(recipient_item(recipient))

    def get(self, recipient_id: str) -> Recipient | None:
        """Return the recipient (active or not), or None."""
        return self._get(Recipient, f"RECIPIENT#{recipient_id}", "#RECIPIENT")

    def update(self, recipient: Recipient) -> None:
        """Replace the stored recipient with this one; raise NotFound if absent."""
        if not self._exists(f"RECIPIENT#{recipient.id}", "#RECIPIENT"):
            raise NotFound(f"recipient {recipient.id} does not exist")
        self._s.put(recipient_item(recipient))

    def _listed(self, partition: str, index: str) -> list[Recipient]:
        return self._query(Recipient, partition, index=index)

    def list_for_center(self, center_id: str) -> list[Recipient]:
        """Return the center's own recipients (``elder_id`` None), active or not."""
        found = self._listed(f"CENTER#{center_id}#RECIPIENTS", "gsi1")
        return sorted(found, key=lambda r: (r.name, r.id))

    def list_for_elder(self, elder_id: str) -> list[Recipient]:
        """Return the elder's recipients (family and others), active or not, by name, then id."""
        found = self._listed(f"ELDER#{elder_id}#RECIPIENTS", "gsi1")
        return sorted(found, key=lambda r: (r.name, r.id))

    def list_for_address(self, channel: str, address: str) -> list[Recipient]:
        """Return the recipients with this channel and address, active or not, by id."""
        found = self._listed(f"ADDRESS#{channel}#{address}", "gsi2")
        return sorted(found, key=lambda r: r.id)


def outbox_item(message: OutboxMessage) -> dict[str, Any]:
    """Return the stored message: pending on gsi1, by alert on gsi2, by recipient on gsi3."""
    pending = message.sent_at is None and not message.given_up
    order = f"{iso(message.created_at)}#{message.id}"
    return item(
        "outbox",
        f"OUTBOX#{message.id}",
        "#OUTBOX",
        message,
        gsi1pk="OUTBOX#pending" if pending else None,
        gsi1sk=order if pending else None,
        gsi2pk=f"ALERT#{message.alert_id}#OUTBOX" if message.alert_id else None,
        gsi2sk=order if message.alert_id else None,
        gsi3pk=f"RECIPIENT#{message.recipient_id}#OUTBOX",
        gsi3sk=order,
    )


class DynamoOutboxRepository(DynamoRepository, OutboxRepository):
    """The outbox: OUTBOX#<id>; pending ones on gsi1, by alert on gsi2, recipient on gsi3."""

    def add_if_absent(self, message: OutboxMessage) -> bool:
        """Queue the message unless one with its id exists; return True if stored."""
        for when in (
            message.created_at,
            message.not_before,
            message.next_attempt_at,
            message.sent_at,
            message.last_attempt_at,
        ):
            aware(when)
        if self._exists(f"OUTBOX#{message.id}", "#OUTBOX"):
            return False
        self._s.put(outbox_item(message))
        return True

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return the message, or None."""
        return self._get(OutboxMessage, f"OUTBOX#{message_id}", "#OUTBOX")

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Return at most ``limit`` messages due at ``now``, oldest first."""
        aware(now)
        if limit < 1:
            return []
        found = self._query(OutboxMessage, "OUTBOX#pending", index="gsi1")
        due = sorted((m for m in found if m.is_due(now)), key=lambda m: (m.created_at, m.id))
        return due[:limit]

    def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        """Take a due message for sending: set its ``next_attempt_at`` to ``until``."""
        aware(now)
        aware(until)
        stored = self.get(message_id)
        if stored is None or not stored.is_due(now):
            return False
        self._s.put(outbox_item(dataclasses.replace(stored, next_attempt_at=until)))
        return True

    def _stored(self, message_id: str) -> OutboxMessage:
        stored = self.get(message_id)
        if stored is None:
            raise NotFound(f"outbox message {message_id} does not exist")
        return stored

    def defer(self, message_id: str, until: datetime) -> None:
        """Set a pending message's ``not_before`` to ``until`` (counting no attempt)."""
        aware(until)
        stored = self._stored(message_id)
        if stored.sent_at is None and not stored.given_up:
            self._s.put(outbox_item(dataclasses.replace(stored, not_before=until)))

    def mark_sent(self, message_id: str, at: datetime) -> None:
        """Record a successful send at ``at``: ``sent_at`` and ``last_attempt_at`` are ``at``."""
        aware(at)
        stored = self._stored(message_id)
        if stored.sent_at is None:
            sent = dataclasses.replace(
                stored,
                sent_at=at,
                last_attempt_at=at,
                attempts=stored.attempts + 1,
                next_attempt_at=None,
            )
            self._s.put(outbox_item(sent))

    def mark_failed(
        self, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Record a failed attempt at ``at``: attempts grow by one, ``last_error`` is ``error``."""
        aware(at)
        aware(next_attempt_at)
        stored = self._stored(message_id)
        if stored.sent_at is None and not stored.given_up:
            failed = dataclasses.replace(
                stored,
                last_attempt_at=at,
                attempts=stored.attempts + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
            )
            self._s.put(outbox_item(failed))

    def list_for_alert(self, alert_id: str) -> list[OutboxMessage]:
        """Return the messages queued for an alert, by ``created_at``, then id."""
        found = self._query(OutboxMessage, f"ALERT#{alert_id}#OUTBOX", index="gsi2")
        return sorted(found, key=lambda m: (m.created_at, m.id))
