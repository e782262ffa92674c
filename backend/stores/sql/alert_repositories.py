"""SQL repositories of alerts, their recipients and the notification outbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)

from backend.domain.errors import NotFound
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
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    PerDialect,
    SqlRepository,
    batches,
    code_point,
    ids_in,
    mapping,
    on_conflict_insert,
    translated,
)
from backend.stores.sql.codecs import (
    alert_change_from_row,
    alert_change_to_row,
    alert_from_row,
    alert_to_row,
    outbox_from_row,
    outbox_to_row,
    recipient_from_row,
    recipient_to_row,
)
from backend.stores.sql.column_types import UtcDateTime, optional_utc, to_utc

_al, _ch = t.alerts.c, t.alert_changes.c
_ALERT_KEY = ("elder_id", "rule", "period")
_ADD_ALERT = PerDialect(lambda d: on_conflict_insert(d, t.alerts, _ALERT_KEY, _al.id))
_GET_ALERT = select(t.alerts).where(_al.id == bindparam("alert_id"))
_GET_ALERT_BY_KEY = select(t.alerts).where(
    _al.elder_id == bindparam("elder_id"),
    _al.rule == bindparam("rule"),
    _al.period == bindparam("period"),
)
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
_UPDATE_ALERT = (
    update(t.alerts)
    .where(_al.id == bindparam("alert_id"))
    .values({name: bindparam(name) for name in _ALERT_MUTABLE})
)
# Most urgent first; an unknown severity (none is written) would sort last.
_SEVERITY_RANK = case(
    {severity.value: rank for rank, severity in enumerate(ALERT_SEVERITY_ORDER)},
    value=_al.severity,
    else_=len(ALERT_SEVERITY_ORDER),
)
_LIST_ALERTS_FOR_CENTER = PerDialect(
    lambda d: (
        select(t.alerts)
        .join(t.elders, t.elders.c.id == _al.elder_id)
        .where(
            t.elders.c.center_id == bindparam("center_id"),
            _al.status.in_(bindparam("statuses", expanding=True)),
        )
        .order_by(_SEVERITY_RANK, _al.created_at, code_point(d, _al.id))
    )
)
_LIST_OPEN_ALERTS_OLDER_THAN = PerDialect(
    lambda d: (
        select(t.alerts)
        .where(_al.status == AlertStatus.OPEN.value, _al.created_at <= bindparam("at"))
        .order_by(_al.created_at, code_point(d, _al.id))
    )
)
# substr() rather than LIKE: SQLite's LIKE ignores ASCII case, and "%" or "_" in a
# prefix would need escaping.
_EXISTING_ALERT_KEYS = select(_al.elder_id, _al.rule, _al.period).where(
    ids_in(_al.elder_id),
    func.substr(_al.period, 1, bindparam("prefix_length", type_=Integer)) == bindparam("prefix"),
)
_ALERT_HISTORY = (
    select(t.alert_changes).where(_ch.alert_id == bindparam("alert_id")).order_by(_ch.at, _ch.id)
)
_LATEST_OPENED = (
    select(_al.elder_id, _al.rule, func.max(_al.created_at, type_=UtcDateTime).label("latest"))
    .where(ids_in(_al.elder_id), _al.rule.in_(bindparam("rules", expanding=True)))
    .group_by(_al.elder_id, _al.rule)
)


class SqlAlertRepository(SqlRepository, AlertRepository):
    """Alerts in ``alerts`` (unique per elder, rule and period) and ``alert_changes``."""

    def add_if_absent(self, alert: Alert) -> bool:
        """Store the alert unless its key exists; return whether it was stored."""
        values = alert_to_row(alert)
        what = f"alert {alert.id} ({alert.key})"
        stmt = _ADD_ALERT.get(self._connection)
        # ON CONFLICT on the key only: a concurrent unit's insert of the same key
        # makes this one wait for it, then do nothing; a taken id still raises.
        with translated(self._connection, what):
            inserted = self._connection.execute(stmt, values).first()
        return inserted is not None

    def get(self, alert_id: str) -> Alert | None:
        """Return the alert, or None."""
        row = self._connection.execute(_GET_ALERT, {"alert_id": alert_id}).first()
        return None if row is None else alert_from_row(mapping(row))

    def get_by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        """Return the alert with this key, or None."""
        row = self._connection.execute(
            _GET_ALERT_BY_KEY, {"elder_id": elder_id, "rule": rule, "period": period}
        ).first()
        return None if row is None else alert_from_row(mapping(row))

    def update(self, alert: Alert) -> None:
        """Replace the stored alert's mutable fields; raise NotFound if absent."""
        row = alert_to_row(alert)
        params = {name: row[name] for name in _ALERT_MUTABLE}
        result = self._connection.execute(_UPDATE_ALERT, {**params, "alert_id": alert.id})
        if result.rowcount != 1:
            raise NotFound(f"alert {alert.id} does not exist")

    def list_for_center(self, center_id: str, statuses: Collection[AlertStatus]) -> list[Alert]:
        """Return the center's alerts with one of ``statuses``, most urgent first."""
        wanted = sorted({AlertStatus(status).value for status in statuses})
        if not wanted:
            return []
        rows = self._connection.execute(
            _LIST_ALERTS_FOR_CENTER.get(self._connection),
            {"center_id": center_id, "statuses": wanted},
        )
        return [alert_from_row(mapping(row)) for row in rows]

    def list_unresolved_older_than(self, at: datetime) -> list[Alert]:
        """Return every open alert with ``created_at <= at``, oldest first."""
        rows = self._connection.execute(
            _LIST_OPEN_ALERTS_OLDER_THAN.get(self._connection), {"at": to_utc(at)}
        )
        return [alert_from_row(mapping(row)) for row in rows]

    def existing_keys(
        self, elder_ids: Sequence[str], period_prefix: str
    ) -> set[tuple[str, str, str]]:
        """Return the asked elders' alert keys whose period starts with ``period_prefix``."""
        ids = list(dict.fromkeys(elder_ids))
        keys: set[tuple[str, str, str]] = set()
        for batch in batches(ids):
            rows = self._connection.execute(
                _EXISTING_ALERT_KEYS,
                {
                    "elder_ids": batch,
                    "prefix": period_prefix,
                    "prefix_length": len(period_prefix),
                },
            )
            keys.update((row.elder_id, row.rule, row.period) for row in rows)
        return keys

    def latest_opened(
        self, elder_ids: Sequence[str], rules: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        """Return the latest ``created_at`` per (elder id, rule) of these elders and rules."""
        ids = list(dict.fromkeys(elder_ids))
        found: dict[tuple[str, str], datetime] = {}
        for batch in batches(ids):
            rows = self._connection.execute(
                _LATEST_OPENED,
                {"elder_ids": batch, "rules": sorted(rules)},
            )
            found.update(((row.elder_id, row.rule), row.latest) for row in rows)
        return found

    def add_change(self, change: AlertChange) -> None:
        """Append an entry to the alert's history (NotFound if the alert does not exist)."""
        self._insert(
            insert(t.alert_changes),
            alert_change_to_row(change),
            f"history of alert {change.alert_id}",
        )

    def history(self, alert_id: str) -> list[AlertChange]:
        """Return the alert's history oldest first (by ``at``, then the order added)."""
        rows = self._connection.execute(_ALERT_HISTORY, {"alert_id": alert_id})
        return [alert_change_from_row(mapping(row)) for row in rows]


# --- recipients and the outbox --------------------------------------------------------

_rc, _ob = t.recipients.c, t.outbox_messages.c
_GET_RECIPIENT = select(t.recipients).where(_rc.id == bindparam("recipient_id"))
_RECIPIENT_FIELDS = tuple(col.name for col in t.recipients.columns if col.name != "id")
_UPDATE_RECIPIENT = (
    update(t.recipients)
    .where(_rc.id == bindparam("recipient_id"))
    .values({name: bindparam(name) for name in _RECIPIENT_FIELDS})
)
_LIST_CENTER_RECIPIENTS = PerDialect(
    lambda d: (
        select(t.recipients)
        .where(_rc.center_id == bindparam("center_id"), _rc.elder_id.is_(None))
        .order_by(code_point(d, _rc.name), code_point(d, _rc.id))
    )
)
_LIST_ELDER_RECIPIENTS = PerDialect(
    lambda d: (
        select(t.recipients)
        .where(_rc.elder_id == bindparam("elder_id"))
        .order_by(code_point(d, _rc.name), code_point(d, _rc.id))
    )
)
_LIST_ADDRESS_RECIPIENTS = PerDialect(
    lambda d: (
        select(t.recipients)
        .where(_rc.channel == bindparam("channel"), _rc.address == bindparam("address"))
        .order_by(code_point(d, _rc.id))
    )
)
_ADD_OUTBOX = PerDialect(lambda d: on_conflict_insert(d, t.outbox_messages, ("id",), _ob.id))
_GET_OUTBOX = select(t.outbox_messages).where(_ob.id == bindparam("message_id"))
# Neither sent nor given up (given up: tried, and no next attempt).
_PENDING = and_(_ob.sent_at.is_(None), or_(_ob.next_attempt_at.is_not(None), _ob.attempts == 0))
_DUE = and_(
    _ob.sent_at.is_(None),
    _ob.not_before <= bindparam("now"),
    or_(
        _ob.next_attempt_at <= bindparam("now"),
        and_(_ob.next_attempt_at.is_(None), _ob.attempts == 0),
    ),
)
_LIST_DUE = PerDialect(
    lambda d: (
        select(t.outbox_messages)
        .where(_DUE)
        .order_by(_ob.created_at, code_point(d, _ob.id))
        .limit(bindparam("limit", type_=Integer))
    )
)
_CLAIM_OUTBOX = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _DUE)
    .values(next_attempt_at=bindparam("until"))
)
_DEFER_OUTBOX = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _PENDING)
    .values(not_before=bindparam("until"))
)
_MARK_OUTBOX_SENT = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _ob.sent_at.is_(None))
    .values(
        sent_at=bindparam("at"),
        last_attempt_at=bindparam("at"),
        attempts=_ob.attempts + 1,
        next_attempt_at=None,
    )
)
_MARK_OUTBOX_FAILED = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _PENDING)
    .values(
        last_attempt_at=bindparam("at"),
        attempts=_ob.attempts + 1,
        last_error=bindparam("error"),
        next_attempt_at=bindparam("next_attempt_at"),
    )
)
_LIST_OUTBOX_FOR_ALERT = PerDialect(
    lambda d: (
        select(t.outbox_messages)
        .where(_ob.alert_id == bindparam("alert_id"))
        .order_by(_ob.created_at, code_point(d, _ob.id))
    )
)
_OUTBOX_EXISTS = select(_ob.id).where(_ob.id == bindparam("message_id"))


class SqlRecipientRepository(SqlRepository, RecipientRepository):
    """Notification recipients in the ``recipients`` table."""

    def add(self, recipient: Recipient) -> None:
        """Add a recipient; raise Conflict if the id exists."""
        self._insert(insert(t.recipients), recipient_to_row(recipient), f"recipient {recipient.id}")

    def get(self, recipient_id: str) -> Recipient | None:
        """Return the recipient, or None."""
        row = self._connection.execute(_GET_RECIPIENT, {"recipient_id": recipient_id}).first()
        return None if row is None else recipient_from_row(mapping(row))

    def update(self, recipient: Recipient) -> None:
        """Replace the stored recipient; raise NotFound if absent."""
        row = recipient_to_row(recipient)
        params = {name: row[name] for name in _RECIPIENT_FIELDS}
        with translated(self._connection, f"recipient {recipient.id}"):
            result = self._connection.execute(
                _UPDATE_RECIPIENT, {**params, "recipient_id": recipient.id}
            )
        if result.rowcount != 1:
            raise NotFound(f"recipient {recipient.id} does not exist")

    def list_for_center(self, center_id: str) -> list[Recipient]:
        """Return the center's own recipients ordered by name, then id."""
        rows = self._connection.execute(
            _LIST_CENTER_RECIPIENTS.get(self._connection), {"center_id": center_id}
        )
        return [recipient_from_row(mapping(row)) for row in rows]

    def list_for_elder(self, elder_id: str) -> list[Recipient]:
        """Return the elder's recipients ordered by name, then id."""
        rows = self._connection.execute(
            _LIST_ELDER_RECIPIENTS.get(self._connection), {"elder_id": elder_id}
        )
        return [recipient_from_row(mapping(row)) for row in rows]

    def list_for_address(self, channel: str, address: str) -> list[Recipient]:
        """Return the recipients with this channel and address, by id."""
        rows = self._connection.execute(
            _LIST_ADDRESS_RECIPIENTS.get(self._connection),
            {"channel": channel, "address": address},
        )
        return [recipient_from_row(mapping(row)) for row in rows]


class SqlOutboxRepository(SqlRepository, OutboxRepository):
    """Queued notifications in the ``outbox_messages`` table, keyed by their id."""

    def add_if_absent(self, message: OutboxMessage) -> bool:
        """Queue the message unless its id exists; return whether it was stored."""
        values = outbox_to_row(message)
        what = f"outbox message {message.id}"
        stmt = _ADD_OUTBOX.get(self._connection)
        # ON CONFLICT (id): a concurrent unit's insert of the same id makes this one
        # wait for it, then do nothing.
        with translated(self._connection, what):
            inserted = self._connection.execute(stmt, values).first()
        return inserted is not None

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return the message, or None."""
        row = self._connection.execute(_GET_OUTBOX, {"message_id": message_id}).first()
        return None if row is None else outbox_from_row(mapping(row))

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Return at most ``limit`` messages due at ``now``, oldest first."""
        at = to_utc(now)
        if limit < 1:
            return []
        rows = self._connection.execute(
            _LIST_DUE.get(self._connection), {"now": at, "limit": int(limit)}
        )
        return [outbox_from_row(mapping(row)) for row in rows]

    def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        """Set a due message's ``next_attempt_at`` to ``until``; return whether it was due."""
        result = self._connection.execute(
            _CLAIM_OUTBOX,
            {"message_id": message_id, "now": to_utc(now), "until": to_utc(until)},
        )
        return result.rowcount == 1

    def defer(self, message_id: str, until: datetime) -> None:
        """Set a pending message's ``not_before`` to ``until``; NotFound if absent."""
        result = self._connection.execute(
            _DEFER_OUTBOX, {"message_id": message_id, "until": to_utc(until)}
        )
        self._found(result.rowcount, message_id)

    def mark_sent(self, message_id: str, at: datetime) -> None:
        """Record a successful send at ``at``; NotFound if absent."""
        result = self._connection.execute(
            _MARK_OUTBOX_SENT, {"message_id": message_id, "at": to_utc(at)}
        )
        self._found(result.rowcount, message_id)

    def mark_failed(
        self, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Record a failed attempt; ``next_attempt_at`` None gives up; NotFound if absent."""
        result = self._connection.execute(
            _MARK_OUTBOX_FAILED,
            {
                "message_id": message_id,
                "at": to_utc(at),
                "error": error,
                "next_attempt_at": optional_utc(next_attempt_at),
            },
        )
        self._found(result.rowcount, message_id)

    def _found(self, rowcount: int, message_id: str) -> None:
        """Raise NotFound when no row changed and the message does not exist."""
        if rowcount == 1:
            return
        exists = self._connection.execute(_OUTBOX_EXISTS, {"message_id": message_id}).first()
        if exists is None:
            raise NotFound(f"outbox message {message_id} does not exist")

    def list_for_alert(self, alert_id: str) -> list[OutboxMessage]:
        """Return the alert's messages by ``created_at``, then id."""
        rows = self._connection.execute(
            _LIST_OUTBOX_FOR_ALERT.get(self._connection), {"alert_id": alert_id}
        )
        return [outbox_from_row(mapping(row)) for row in rows]
