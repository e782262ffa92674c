"""SQL repositories of the LINE inbox and of family messages, link codes and send counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, bindparam, delete, insert, select, update

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MonthlySends,
    SummarySubscription,
)
from backend.ports import FamilyRepository, LineInboxRepository
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    PerDialect,
    SqlRepository,
    code_point,
    driver_insert,
    mapping,
    on_conflict_insert,
    translated,
)
from backend.stores.sql.column_types import to_utc
from backend.stores.sql.family_codecs import (
    family_message_from_row,
    family_message_to_row,
    inbox_event_from_row,
    inbox_event_to_row,
    link_code_from_row,
    link_code_to_row,
    monthly_sends_from_row,
    summary_from_row,
    summary_to_row,
)

_ib, _lc, _fm, _ms = (
    t.line_inbox.c,
    t.family_link_codes.c,
    t.family_messages.c,
    t.line_monthly_sends.c,
)
_ADD_INBOX = PerDialect(lambda d: on_conflict_insert(d, t.line_inbox, ("id",), _ib.id))
_GET_INBOX = select(t.line_inbox).where(_ib.id == bindparam("event_id"))
_PENDING_INBOX = PerDialect(
    lambda d: (
        select(t.line_inbox)
        .where(_ib.processed_at.is_(None), _ib.attempts < bindparam("max_attempts"))
        .order_by(_ib.received_at, code_point(d, _ib.id))
        .limit(bindparam("limit", type_=Integer))
    )
)
_MARK_PROCESSED = (
    update(t.line_inbox)
    .where(_ib.id == bindparam("event_id"), _ib.processed_at.is_(None))
    .values(processed_at=bindparam("at"), payload={})
)
_MARK_INBOX_FAILED = (
    update(t.line_inbox)
    .where(_ib.id == bindparam("event_id"))
    .values(attempts=_ib.attempts + 1, last_error=bindparam("error"))
)
_GIVEN_UP_INBOX = select(_ib.id, _ib.payload).where(
    _ib.processed_at.is_(None),
    _ib.attempts >= bindparam("max_attempts"),
    _ib.received_at < bindparam("before"),
)
_ERASE_INBOX = (
    update(t.line_inbox).where(_ib.id.in_(bindparam("ids", expanding=True))).values(payload={})
)
_GET_CODE = select(t.family_link_codes).where(_lc.code == bindparam("b_code"))
_USE_CODE = (
    update(t.family_link_codes)
    .where(_lc.code == bindparam("b_code"), _lc.used_at.is_(None))
    .values(used_at=bindparam("at"))
)
_ADD_MESSAGE = PerDialect(lambda d: on_conflict_insert(d, t.family_messages, ("id",), _fm.id))
_GET_MESSAGE = select(t.family_messages).where(_fm.id == bindparam("message_id"))
_UNHEARD = PerDialect(
    lambda d: (
        select(t.family_messages)
        .where(_fm.elder_id == bindparam("elder_id"), _fm.heard_at.is_(None))
        .order_by(_fm.received_at, code_point(d, _fm.id))
    )
)
_MARK_HEARD = (
    update(t.family_messages)
    .where(_fm.id.in_(bindparam("ids", expanding=True)), _fm.heard_at.is_(None))
    .values(heard_at=bindparam("at"))
)
_GET_SENDS = select(t.line_monthly_sends).where(_ms.month == bindparam("month"))
_ADD_SENDS = (
    update(t.line_monthly_sends)
    .where(_ms.month == bindparam("b_month"))
    .values(sent=_ms.sent + bindparam("count", type_=Integer))
)
_su = t.line_summaries.c
_GET_SUMMARY = select(t.line_summaries).where(_su.line_user_id == bindparam("user"))
_SET_SUMMARY = (
    update(t.line_summaries)
    .where(_su.line_user_id == bindparam("b_user"))
    .values(send_at=bindparam("b_send_at"), since=bindparam("b_since"))
)
_REMOVE_SUMMARY = delete(t.line_summaries).where(_su.line_user_id == bindparam("user"))
_LIST_SUMMARIES = PerDialect(
    lambda d: select(t.line_summaries).order_by(code_point(d, _su.line_user_id))
)
_WARN = (
    update(t.line_monthly_sends)
    .where(_ms.month == bindparam("b_month"), _ms.warned_at.is_(None))
    .values(warned_at=bindparam("at"))
)


class SqlLineInboxRepository(SqlRepository, LineInboxRepository):
    """LINE webhook events in ``line_inbox``, keyed by ``webhookEventId``."""

    def add_if_absent(self, event: InboxEvent) -> bool:
        """Store the event unless its id exists; return whether it was stored."""
        values = inbox_event_to_row(event)
        what = f"LINE event {event.id}"
        if self._connection.dialect.name == "sqlite":  # the webhook's hot path: see driver_insert
            sql, bind = driver_insert(self._connection.dialect, t.line_inbox, ("id",))
            with translated(self._connection, what):
                return self._connection.exec_driver_sql(sql, bind(values)).rowcount == 1
        stmt = _ADD_INBOX.get(self._connection)
        with translated(self._connection, what):
            return self._connection.execute(stmt, values).first() is not None

    def get(self, event_id: str) -> InboxEvent | None:
        """Return the event, or None."""
        row = self._connection.execute(_GET_INBOX, {"event_id": event_id}).first()
        return None if row is None else inbox_event_from_row(mapping(row))

    def pending(self, limit: int, max_attempts: int) -> list[InboxEvent]:
        """Return unprocessed events with fewer than ``max_attempts`` failures, oldest first."""
        if limit < 1:
            return []
        rows = self._connection.execute(
            _PENDING_INBOX.get(self._connection),
            {"limit": int(limit), "max_attempts": int(max_attempts)},
        )
        return [inbox_event_from_row(mapping(row)) for row in rows]

    def mark_processed(self, event_id: str, at: datetime) -> bool:
        """Record the event processed and empty its payload; False if processed already."""
        result = self._connection.execute(_MARK_PROCESSED, {"event_id": event_id, "at": to_utc(at)})
        if result.rowcount == 1:
            return True
        if self.get(event_id) is None:
            raise NotFound(f"LINE event {event_id} does not exist")
        return False

    def mark_failed(self, event_id: str, error: str) -> None:
        """Count a failed processing; NotFound if absent."""
        result = self._connection.execute(
            _MARK_INBOX_FAILED, {"event_id": event_id, "error": error}
        )
        if result.rowcount != 1:
            raise NotFound(f"LINE event {event_id} does not exist")

    def erase_given_up(self, max_attempts: int, received_before: datetime) -> int:
        """Empty the payload of unprocessed events that failed ``max_attempts`` times or more."""
        rows = self._connection.execute(
            _GIVEN_UP_INBOX,
            {"max_attempts": int(max_attempts), "before": to_utc(received_before)},
        )
        ids = [row.id for row in rows if row.payload]  # JSON cannot be compared in SQL
        if ids:
            self._connection.execute(_ERASE_INBOX, {"ids": ids})
        return len(ids)


class SqlFamilyRepository(SqlRepository, FamilyRepository):
    """Link codes, family messages and monthly LINE sends."""

    def add_link_code(self, code: LinkCode) -> None:
        """Store a link code; Conflict if taken, NotFound for an unknown elder."""
        self._insert(
            insert(t.family_link_codes), link_code_to_row(code), f"link code for {code.elder_id}"
        )

    def get_link_code(self, code: str) -> LinkCode | None:
        """Return the link code, or None."""
        row = self._connection.execute(_GET_CODE, {"b_code": code}).first()
        return None if row is None else link_code_from_row(mapping(row))

    def mark_link_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used; return whether this call marked it."""
        result = self._connection.execute(_USE_CODE, {"b_code": code, "at": to_utc(at)})
        return result.rowcount == 1

    def add_message_if_absent(self, message: FamilyMessage) -> bool:
        """Store the message unless its id exists; return whether it was stored."""
        values = family_message_to_row(message)
        what = f"family message {message.id}"
        stmt = _ADD_MESSAGE.get(self._connection)
        with translated(self._connection, what):
            return self._connection.execute(stmt, values).first() is not None

    def get_message(self, message_id: str) -> FamilyMessage | None:
        """Return the message, or None."""
        row = self._connection.execute(_GET_MESSAGE, {"message_id": message_id}).first()
        return None if row is None else family_message_from_row(mapping(row))

    def unheard_for_elder(self, elder_id: str) -> list[FamilyMessage]:
        """Return the elder's unheard messages, oldest first."""
        rows = self._connection.execute(_UNHEARD.get(self._connection), {"elder_id": elder_id})
        return [family_message_from_row(mapping(row)) for row in rows]

    def mark_heard(self, message_ids: Sequence[str], at: datetime) -> int:
        """Mark the unheard ones of these messages heard; return how many."""
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return 0
        result = self._connection.execute(_MARK_HEARD, {"ids": ids, "at": to_utc(at)})
        return result.rowcount

    def count_sends(self, month: str, count: int) -> MonthlySends:
        """Add ``count`` sends to the month and return the new total."""
        result = self._connection.execute(_ADD_SENDS, {"b_month": month, "count": int(count)})
        if result.rowcount != 1:
            try:
                self._insert(
                    insert(t.line_monthly_sends),
                    {"month": month, "sent": int(count), "warned_at": None},
                    f"LINE sends of {month}",
                )
            except Conflict:  # another unit created the month meanwhile
                self._connection.execute(_ADD_SENDS, {"b_month": month, "count": int(count)})
        return self.sends(month)

    def sends(self, month: str) -> MonthlySends:
        """Return the month's sends (zero when none)."""
        row = self._connection.execute(_GET_SENDS, {"month": month}).first()
        return MonthlySends(month) if row is None else monthly_sends_from_row(mapping(row))

    def mark_quota_warned(self, month: str, at: datetime) -> bool:
        """Record the month's quota warning once; False if recorded already."""
        self.count_sends(month, 0)
        result = self._connection.execute(_WARN, {"b_month": month, "at": to_utc(at)})
        return result.rowcount == 1

    def set_summary(self, subscription: SummarySubscription) -> None:
        """Store the member's opt-in, replacing any earlier one."""
        values = summary_to_row(subscription)
        params = {"b_user": values["line_user_id"], "b_send_at": values["send_at"]}
        params["b_since"] = values["since"]
        if self._connection.execute(_SET_SUMMARY, params).rowcount == 1:
            return
        try:
            self._insert(insert(t.line_summaries), values, "LINE daily summary")
        except Conflict:  # another unit stored one meanwhile: ours replaces it
            self._connection.execute(_SET_SUMMARY, params)

    def get_summary(self, line_user_id: str) -> SummarySubscription | None:
        """Return the member's opt-in, or None."""
        row = self._connection.execute(_GET_SUMMARY, {"user": line_user_id}).first()
        return None if row is None else summary_from_row(mapping(row))

    def remove_summary(self, line_user_id: str) -> bool:
        """Remove the member's opt-in; False when there was none."""
        return self._connection.execute(_REMOVE_SUMMARY, {"user": line_user_id}).rowcount == 1

    def list_summaries(self) -> list[SummarySubscription]:
        """Return every opt-in, by LINE user id."""
        rows = self._connection.execute(_LIST_SUMMARIES.get(self._connection))
        return [summary_from_row(mapping(row)) for row in rows]
