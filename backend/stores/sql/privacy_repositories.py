"""SQL repository of one elder's codes and records for the elder page, disclosure and erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update

from backend.domain.family import FamilyMessage, LinkCode
from backend.domain.model import Alert, PairingCode
from backend.ports import PrivacyRepository
from backend.stores.sql import tables as t
from backend.stores.sql.base import SqlRepository, by_code_point, mapping
from backend.stores.sql.codecs import alert_from_row, pairing_code_from_row
from backend.stores.sql.column_types import to_utc
from backend.stores.sql.family_codecs import family_message_from_row, link_code_from_row


class SqlPrivacyRepository(SqlRepository, PrivacyRepository):
    """Reads and erasures over every table that holds something of one elder."""

    def pairing_codes_for(self, elder_id: str) -> list[PairingCode]:
        """Return the elder's pairing codes by ``expires_at``, then code."""
        c = t.pairing_codes.c
        stmt = (
            select(t.pairing_codes)
            .where(c.elder_id == elder_id)
            .order_by(c.expires_at, by_code_point(self._connection, c.code))
        )
        rows = self._connection.execute(stmt)
        return [pairing_code_from_row(mapping(row)) for row in rows]

    def revoke_pairing_codes(self, elder_id: str, at: datetime) -> int:
        """Mark the elder's unused pairing codes used at ``at``; return how many."""
        c = t.pairing_codes.c
        stmt = (
            update(t.pairing_codes)
            .where(c.elder_id == elder_id, c.used_at.is_(None))
            .values(used_at=to_utc(at))
        )
        return self._connection.execute(stmt).rowcount

    def link_codes_for(self, elder_id: str) -> list[LinkCode]:
        """Return the elder's family link codes by ``expires_at``, then code."""
        c = t.family_link_codes.c
        stmt = (
            select(t.family_link_codes)
            .where(c.elder_id == elder_id)
            .order_by(c.expires_at, by_code_point(self._connection, c.code))
        )
        rows = self._connection.execute(stmt)
        return [link_code_from_row(mapping(row)) for row in rows]

    def revoke_link_codes(self, elder_id: str, at: datetime) -> int:
        """Mark the elder's unused family link codes used at ``at``; return how many."""
        c = t.family_link_codes.c
        stmt = (
            update(t.family_link_codes)
            .where(c.elder_id == elder_id, c.used_at.is_(None))
            .values(used_at=to_utc(at))
        )
        return self._connection.execute(stmt).rowcount

    def alerts_for(self, elder_id: str) -> list[Alert]:
        """Return every alert of the elder by ``created_at``, then id."""
        c = t.alerts.c
        stmt = (
            select(t.alerts)
            .where(c.elder_id == elder_id)
            .order_by(c.created_at, by_code_point(self._connection, c.id))
        )
        return [alert_from_row(mapping(row)) for row in self._connection.execute(stmt)]

    def family_messages_for(self, elder_id: str) -> list[FamilyMessage]:
        """Return every family message to the elder by ``received_at``, then id."""
        c = t.family_messages.c
        stmt = (
            select(t.family_messages)
            .where(c.elder_id == elder_id)
            .order_by(c.received_at, by_code_point(self._connection, c.id))
        )
        rows = self._connection.execute(stmt)
        return [family_message_from_row(mapping(row)) for row in rows]

    def erase_elder_records(self, elder_id: str) -> dict[str, int]:
        """Blank or delete the elder's personal data outside the elder row and alerts."""
        run = self._connection.execute
        counts: dict[str, int] = {}
        a, e = t.answers.c, t.events.c
        counts["answers"] = run(
            update(t.answers).where(a.elder_id == elder_id).values(raw="", request_id=None)
        ).rowcount
        counts["events"] = run(
            update(t.events).where(e.elder_id == elder_id).values(detail={})
        ).rowcount
        rc, ob = t.recipients.c, t.outbox_messages.c
        members = select(rc.id).where(rc.elder_id == elder_id).scalar_subquery()
        alerts = select(t.alerts.c.id).where(t.alerts.c.elder_id == elder_id).scalar_subquery()
        counts["outbox"] = run(
            update(t.outbox_messages)
            .where(or_(ob.recipient_id.in_(members), ob.alert_id.in_(alerts)))
            .values(subject="", body="", last_error=None)
        ).rowcount
        # Messages first: they refer to the recipients (their senders).
        for name, table in (
            ("family_messages", t.family_messages),
            ("bindings", t.device_bindings),
            ("pairing_codes", t.pairing_codes),
            ("link_codes", t.family_link_codes),
        ):
            counts[name] = run(delete(table).where(table.c.elder_id == elder_id)).rowcount
        counts["recipients"] = run(
            update(t.recipients)
            .where(rc.elder_id == elder_id)
            .values(name="", address="", active=False)
        ).rowcount
        return counts
