"""SQLAlchemy Core tables of the SQL store and the row <-> domain mapping functions."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from backend.domain.contacts import Contact, ElderContacts
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MessageKind,
    MonthlySends,
    SummarySubscription,
)
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    AnswerSource,
    AwayKind,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    Consent,
    DeviceBinding,
    Elder,
    ElderStatus,
    Event,
    EventKind,
    Municipality,
    OutboxMessage,
    Outcome,
    PairingCode,
    Reading,
    ReadingKind,
    Recipient,
    Severity,
    Share,
    StaffRole,
    StaffUser,
    Withdrawal,
    WithdrawalMethod,
)
from backend.domain.staff import ApiToken, AuditEntry, StaffSession
from backend.domain.versions import ConfigKind, ConfigVersion
from notices.model import (
    Audience,
    Notice,
    NoticeDelivery,
    NoticeKind,
    NoticeStatus,
    Priority,
    Recurrence,
    Safety,
    TimeWindow,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def to_utc(value: datetime) -> datetime:
    """Return an aware datetime converted to UTC; refuse naive datetimes."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: the store keeps timezone-aware datetimes only")
    return value.astimezone(UTC)


def optional_utc(value: datetime | None) -> datetime | None:
    """Return ``to_utc(value)``, passing None through."""
    return None if value is None else to_utc(value)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC; always read back aware (UTC).

    SQLite has no timezone-aware type, so the UTC wall time is stored and UTC is
    re-attached on read. PostgreSQL stores ``timestamp with time zone``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC (naive on SQLite) before binding."""
        if value is None:
            return None
        utc = to_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None or value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On SQLite parse the stored text with ``fromisoformat`` (the sweep reads many rows)."""
        if dialect.name == "sqlite":
            return _sqlite_utc
        return super().result_processor(dialect, coltype)


def _sqlite_utc(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:  # parsing the offset is ~5x faster than .replace(tzinfo=UTC); same datetime
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # not a naive stored timestamp: parse as before
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


class IsoDate(TypeDecorator[date]):
    """A calendar date; on SQLite read with ``date.fromisoformat`` (faster than the default)."""

    impl = Date
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """Return ``date.fromisoformat`` on SQLite, the default elsewhere."""
        if dialect.name == "sqlite":
            return _sqlite_date
        return super().result_processor(dialect, coltype)


def _sqlite_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class JsonValue(TypeDecorator[Any]):
    """A JSON value that reads back with its Python type, also a top-level number.

    SQLite gives a column declared ``JSON`` NUMERIC affinity, which stores the JSON
    text "45.0" as the integer 45 (a weight of 52.0 kg would read back as ``int``).
    On SQLite the value is therefore kept as JSON text in a TEXT column; elsewhere
    it is the dialect's JSON. The migration declares
    ``sa.JSON().with_variant(sa.Text(), "sqlite")``.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        """Use TEXT on SQLite, JSON elsewhere."""
        return dialect.type_descriptor(Text() if dialect.name == "sqlite" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Serialize on SQLite (the JSON type serializes elsewhere)."""
        if dialect.name == "sqlite":
            return json.dumps(value, ensure_ascii=False)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Parse on SQLite (the JSON type parses elsewhere)."""
        if dialect.name == "sqlite" and value is not None:
            return parse_json(value)
        return value


def parse_json(text: str) -> Any:
    """Return ``json.loads(text)``, quicker for the plain scalars most answers are."""
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == '"' == text[-1] and "\\" not in text:
        return text[1:-1]  # a JSON string without escapes holds no quote but its two ends
    if text.isascii() and text.isdigit() and (text == "0" or text[0] != "0"):
        return int(text)
    return json.loads(text)


municipalities = Table(
    "municipalities",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("name", String, nullable=False),
)

care_centers = Table(
    "care_centers",
    metadata,
    Column("id", String, primary_key=True),
    Column(
        "municipality_code",
        String(6),
        ForeignKey("municipalities.code"),
        nullable=False,
        index=True,
    ),
    Column("name", String, nullable=False),
)

elders = Table(
    "elders",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("kana", String, nullable=False),
    Column("municipality_code", String(6), ForeignKey("municipalities.code"), nullable=False),
    Column("center_id", String, ForeignKey("care_centers.id"), nullable=False),
    Column("district", String, nullable=False),
    Column("status", String, nullable=False),
    # {"consented_on": ISO date, "explained_by": str,
    #  "shares": [{"recipient": str, "what": str}, ...], "reconfirm_on": ISO date | null}
    Column("consent", JSON(none_as_null=True), nullable=True),
    Column("overrides", JSON, nullable=False),
    # Kept by triggers on device_bindings and checkins (migration 0013) for the today board:
    # the first speaker binding, and the latest check-in opened (its start and date).
    Column("bound_since", UtcDateTime, nullable=True),
    Column("last_checkin_at", UtcDateTime, nullable=True),
    Column("last_checkin_date", IsoDate, nullable=True),
    Index("ix_elders_center_id_kana", "center_id", "kana"),
)

device_bindings = Table(
    "device_bindings",
    metadata,
    Column("alexa_user_id", String, primary_key=True),
    Column("device_id", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False, index=True),
    Column("bound_at", UtcDateTime, nullable=False),
    # The board's first binding per elder, read from the index alone.
    Index("ix_device_bindings_elder_id_bound_at", "elder_id", "bound_at"),
)

pairing_codes = Table(
    "pairing_codes",
    metadata,
    Column("code", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False, index=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("date", IsoDate, nullable=False),
    Column("slot", String, nullable=False),
    Column("status", String, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    UniqueConstraint("elder_id", "date", "slot"),
    # The board's latest check-in opened per elder: one backward step on this index.
    Index("ix_checkins_elder_id_started_at_date", "elder_id", "started_at", "date"),
)

answers = Table(
    "answers",
    metadata,
    # Surrogate key: keeps the order answers were given in.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checkin_id", String, ForeignKey("checkins.id"), nullable=False),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("date", IsoDate, nullable=False),
    Column("question_id", String, nullable=False),
    Column("question_version", Integer, nullable=False),
    Column("value", JSON(none_as_null=True), nullable=True),
    Column("raw", Text, nullable=False),
    Column("source", String, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
    Column("skipped", String, nullable=True),
    Column("request_id", String, nullable=True),
    UniqueConstraint("checkin_id", "question_id"),
    Index("ix_answers_elder_id_date", "elder_id", "date"),
    Index("ix_answers_elder_id_question_id_date", "elder_id", "question_id", "date"),
)

events = Table(
    "events",
    metadata,
    Column("id", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("kind", String, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_events_elder_id_at", "elder_id", "at"),
)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", String, primary_key=True),
    # Kept lower-cased: logins are unique regardless of case.
    Column("login", String, nullable=False),
    Column("display_name", String, nullable=False),
    Column("role", String, nullable=False),
    Column("municipality_code", String(6), ForeignKey("municipalities.code"), nullable=True),
    Column("center_id", String, ForeignKey("care_centers.id"), nullable=True),
    Column("password_hash", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("login"),
    Index("ix_staff_users_center_id_login", "center_id", "login"),
)

away_periods = Table(
    "away_periods",
    metadata,
    Column("id", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("kind", String, nullable=False),
    # Not "start"/"end": END is a reserved word in SQL.
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=True),  # null: open-ended
    Column("set_by", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_away_periods_elder_id_starts_at", "elder_id", "starts_at"),
    # The board's periods of today: open-ended or ending after the day starts (migration 0013).
    Index("ix_away_periods_ends_at", "ends_at"),
)

readings = Table(
    "readings",
    metadata,
    # The key makes imports idempotent: one reading per elder, kind and instant.
    Column("elder_id", String, ForeignKey("elders.id"), primary_key=True),
    Column("kind", String, primary_key=True),
    Column("measured_at", UtcDateTime, primary_key=True),
    # A number, or {"systolic": n, "diastolic": n}.
    Column("value", JsonValue, nullable=False),
    Column("source", String, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("rule", String, nullable=False),
    Column("period", String, nullable=False),
    Column("severity", String, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String, nullable=False),
    Column("stage", Integer, nullable=False),
    Column("claimed_by", String, nullable=True),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("outcome", String, nullable=True),
    Column("note", Text, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
    # The alert key; also serves lookups by elder (and by elder and period prefix).
    UniqueConstraint("elder_id", "rule", "period"),
    Index("ix_alerts_elder_id_status", "elder_id", "status"),
    Index("ix_alerts_status_created_at", "status", "created_at"),
)

alert_changes = Table(
    "alert_changes",
    metadata,
    # Surrogate key: keeps the order changes were added in.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String, ForeignKey("alerts.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_alert_changes_alert_id_at", "alert_id", "at"),
)


recipients = Table(
    "recipients",
    metadata,
    Column("id", String, primary_key=True),
    Column("center_id", String, ForeignKey("care_centers.id"), nullable=False),
    # Null: the care center's own inbox; otherwise a contact of this elder.
    Column("elder_id", String, ForeignKey("elders.id"), nullable=True),
    Column("name", String, nullable=False),
    Column("relation", String, nullable=False),
    Column("channel", String, nullable=False),
    Column("address", String, nullable=False),
    Column("quiet_start", String(5), nullable=True),  # "HH:MM"
    Column("quiet_end", String(5), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("linked_at", UtcDateTime, nullable=True),  # when a family member linked (0009)
    Index("ix_recipients_center_id_elder_id_name", "center_id", "elder_id", "name"),
    Index("ix_recipients_elder_id_name", "elder_id", "name"),
)

outbox_messages = Table(
    "outbox_messages",
    metadata,
    # Chosen by the caller: the idempotency key of the notification.
    Column("id", String, primary_key=True),
    Column("recipient_id", String, ForeignKey("recipients.id"), nullable=False),
    Column("channel", String, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("not_before", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("alert_id", String, ForeignKey("alerts.id"), nullable=True),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    # The sweep reads unsent messages oldest first.
    Index("ix_outbox_messages_sent_at_created_at", "sent_at", "created_at"),
    Index("ix_outbox_messages_alert_id", "alert_id"),
)

# --- notices -------------------------------------------------------------------

notices = Table(
    "notices",
    metadata,
    Column("id", String, primary_key=True),
    Column("municipality_code", String(6), ForeignKey("municipalities.code"), nullable=False),
    Column("title", String, nullable=False),
    Column("speech", Text, nullable=False),
    Column("screen_text", Text, nullable=False),
    Column("image_url", Text, nullable=True),
    Column("priority", String, nullable=False),
    # {"districts": [str], "centers": [str], "elders": [str]}
    Column("audience", JSON, nullable=False),
    # {"weekdays": [0-6], "nth": [1-5], "dates": [ISO date]} | null
    Column("recurrence", JSON(none_as_null=True), nullable=True),
    # お知らせ | 体操; a 体操 notice's {"at": "10:00", "start": "10:00", "end": "11:30"}
    Column("kind", String, nullable=False, server_default="お知らせ"),
    Column("time_window", JSON(none_as_null=True), nullable=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("status", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Index("ix_notices_municipality_code_starts_at", "municipality_code", "starts_at"),
)

notice_deliveries = Table(
    "notice_deliveries",
    metadata,
    Column("notice_id", String, ForeignKey("notices.id"), primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), primary_key=True),
    # "once", or the ISO date of a recurring notice's day
    Column("occurrence", String, primary_key=True),
    Column("heard_at", UtcDateTime, nullable=False),
    Column("safety", String, nullable=True),
    Column("safety_at", UtcDateTime, nullable=True),
    Column("detail", JSON, nullable=False),
    Index("ix_notice_deliveries_elder_id_notice_id", "elder_id", "notice_id"),
)

# Dashboard: server-side sessions, failed logins (rate limiting), the audit log.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String, primary_key=True),  # SHA-256 of the cookie value
    Column("user_id", String, ForeignKey("staff_users.id"), nullable=True),
    Column("data", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Index("ix_staff_sessions_user_id", "user_id"),
    Index("ix_staff_sessions_last_seen_at", "last_seen_at"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
    Index("ix_login_failures_at", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    # Surrogate key: keeps the order entries were added in.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),
    # No foreign key: the log outlives an elder's anonymisation.
    Column("elder_id", String, nullable=True),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_elder_id_at", "elder_id", "at"),
    Index("ix_audit_log_at", "at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String, primary_key=True),  # SHA-256 of the secret
    Column("user_id", String, ForeignKey("staff_users.id"), nullable=False),
    Column("name", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_api_tokens_user_id_created_at", "user_id", "created_at"),
)

# --- family on LINE ----------------------------------------------------------------

# A family member's links are found by their LINE user id.
Index("ix_recipients_channel_address", recipients.c.channel, recipients.c.address)

line_inbox = Table(
    "line_inbox",
    metadata,
    # LINE's webhookEventId: a duplicate or redelivered event is not stored twice.
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("redelivery", Boolean, nullable=False),
    Column("processed_at", UtcDateTime, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Index("ix_line_inbox_processed_at_received_at", "processed_at", "received_at"),
)

family_link_codes = Table(
    "family_link_codes",
    metadata,
    Column("code", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("name", String, nullable=False),
    Column("relation", String, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

family_messages = Table(
    "family_messages",
    metadata,
    Column("id", String, primary_key=True),
    Column("elder_id", String, ForeignKey("elders.id"), nullable=False),
    Column("sender_id", String, ForeignKey("recipients.id"), nullable=False),
    Column("sender_name", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("media_key", String, nullable=True),
    Column("media_type", String, nullable=True),
    Column("heard_at", UtcDateTime, nullable=True),
    Index("ix_family_messages_elder_id_heard_at", "elder_id", "heard_at"),
)

line_monthly_sends = Table(
    "line_monthly_sends",
    metadata,
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("sent", Integer, nullable=False),
    Column("warned_at", UtcDateTime, nullable=True),
)

line_summaries = Table(
    "line_summaries",
    metadata,
    Column("line_user_id", String, primary_key=True),
    Column("send_at", String(5), nullable=False),  # HH:MM, local time
    Column("since", UtcDateTime, nullable=False),
)

# --- published question sets and policies (municipality admin) ------------------

config_versions = Table(
    "config_versions",
    metadata,
    Column("kind", String, primary_key=True),  # "question_set" | "policy" | "engagement"
    Column("municipality_code", String(6), ForeignKey("municipalities.code"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("published_by", String, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)

# One row an elder (migration 0014): how staff reach the elder and the people around them.
elder_contacts = Table(
    "elder_contacts",
    metadata,
    Column("elder_id", String, ForeignKey("elders.id"), primary_key=True),
    Column("phone", String, nullable=False),
    Column("address", Text, nullable=False),
    Column("emergency", JSON, nullable=False),  # [{"name", "relation", "phone"}, ...]
    Column("key_holder", String, nullable=False),
    Column("minsei_name", String, nullable=False),
    Column("minsei_phone", String, nullable=False),
    Column("consented_on", IsoDate, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String, nullable=False),
)

# --- row <-> domain -------------------------------------------------------------------


def municipality_to_row(municipality: Municipality) -> dict[str, Any]:
    """Return the ``municipalities`` row of a municipality."""
    return {"code": municipality.code, "name": municipality.name}


def municipality_from_row(row: Mapping[str, Any]) -> Municipality:
    """Return the municipality of a ``municipalities`` row."""
    return Municipality(code=row["code"], name=row["name"])


def center_to_row(center: CareCenter) -> dict[str, Any]:
    """Return the ``care_centers`` row of a center."""
    return {"id": center.id, "municipality_code": center.municipality_code, "name": center.name}


def center_from_row(row: Mapping[str, Any]) -> CareCenter:
    """Return the center of a ``care_centers`` row."""
    return CareCenter(id=row["id"], municipality_code=row["municipality_code"], name=row["name"])


def consent_to_json(consent: Consent | None) -> dict[str, Any] | None:
    """Return the JSON document of a consent record (None stays None)."""
    if consent is None:
        return None
    return {
        "consented_on": consent.consented_on.isoformat(),
        "explained_by": consent.explained_by,
        "shares": [{"recipient": s.recipient, "what": s.what} for s in consent.shares],
        "reconfirm_on": consent.reconfirm_on.isoformat() if consent.reconfirm_on else None,
        **({"withdrawal": _withdrawal_to_json(consent.withdrawal)} if consent.withdrawal else {}),
    }


def _withdrawal_to_json(withdrawal: Withdrawal) -> dict[str, Any]:
    return {
        "at": to_utc(withdrawal.at).isoformat(),
        "recorded_by": withdrawal.recorded_by,
        "method": WithdrawalMethod(withdrawal.method).value,
        "note": withdrawal.note,
        "erased_at": to_utc(withdrawal.erased_at).isoformat() if withdrawal.erased_at else None,
    }


def _withdrawal_from_json(doc: Mapping[str, Any] | None) -> Withdrawal | None:
    if not doc:
        return None
    erased_at = doc.get("erased_at")
    return Withdrawal(
        at=datetime.fromisoformat(doc["at"]),
        recorded_by=doc["recorded_by"],
        method=WithdrawalMethod(doc["method"]),
        note=doc.get("note") or "",
        erased_at=datetime.fromisoformat(erased_at) if erased_at else None,
    )


def consent_from_json(doc: Mapping[str, Any] | None) -> Consent | None:
    """Return the consent record of its JSON document (None stays None)."""
    if doc is None:
        return None
    reconfirm_on = doc.get("reconfirm_on")
    return Consent(
        consented_on=date.fromisoformat(doc["consented_on"]),
        explained_by=doc["explained_by"],
        shares=tuple(Share(recipient=s["recipient"], what=s["what"]) for s in doc["shares"]),
        reconfirm_on=date.fromisoformat(reconfirm_on) if reconfirm_on else None,
        withdrawal=_withdrawal_from_json(doc.get("withdrawal")),
    )


def elder_to_row(elder: Elder) -> dict[str, Any]:
    """Return the ``elders`` row of an elder."""
    return {
        "id": elder.id,
        "name": elder.name,
        "kana": elder.kana,
        "municipality_code": elder.municipality_code,
        "center_id": elder.center_id,
        "district": elder.district,
        "status": ElderStatus(elder.status).value,
        "consent": consent_to_json(elder.consent),
        "overrides": dict(elder.overrides),
    }


def elder_from_row(row: Mapping[str, Any]) -> Elder:
    """Return the elder of an ``elders`` row."""
    return Elder(
        id=row["id"],
        name=row["name"],
        kana=row["kana"],
        municipality_code=row["municipality_code"],
        center_id=row["center_id"],
        district=row["district"],
        status=ElderStatus(row["status"]),
        consent=consent_from_json(row["consent"]),
        overrides=dict(row["overrides"] or {}),
    )


def binding_to_row(binding: DeviceBinding) -> dict[str, Any]:
    """Return the ``device_bindings`` row of a binding."""
    return {
        "alexa_user_id": binding.alexa_user_id,
        "device_id": binding.device_id,
        "elder_id": binding.elder_id,
        "bound_at": to_utc(binding.bound_at),
    }


def binding_from_row(row: Mapping[str, Any]) -> DeviceBinding:
    """Return the binding of a ``device_bindings`` row."""
    return DeviceBinding(
        alexa_user_id=row["alexa_user_id"],
        device_id=row["device_id"],
        elder_id=row["elder_id"],
        bound_at=row["bound_at"],
    )


def pairing_code_to_row(code: PairingCode) -> dict[str, Any]:
    """Return the ``pairing_codes`` row of a pairing code."""
    return {
        "code": code.code,
        "elder_id": code.elder_id,
        "expires_at": to_utc(code.expires_at),
        "used_at": optional_utc(code.used_at),
    }


def pairing_code_from_row(row: Mapping[str, Any]) -> PairingCode:
    """Return the pairing code of a ``pairing_codes`` row."""
    return PairingCode(
        code=row["code"],
        elder_id=row["elder_id"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def checkin_to_row(checkin: CheckIn) -> dict[str, Any]:
    """Return the ``checkins`` row of a check-in."""
    return {
        "id": checkin.id,
        "elder_id": checkin.elder_id,
        "date": checkin.date,
        "slot": str(checkin.slot),
        "status": CheckInStatus(checkin.status).value,
        "started_at": to_utc(checkin.started_at),
        "completed_at": optional_utc(checkin.completed_at),
    }


def checkin_from_row(row: Mapping[str, Any]) -> CheckIn:
    """Return the check-in of a ``checkins`` row."""
    return CheckIn(
        id=row["id"],
        elder_id=row["elder_id"],
        date=row["date"],
        slot=row["slot"],
        status=CheckInStatus(row["status"]),
        started_at=row["started_at"],
        completed_at=row["completed_at"],
    )


def answer_to_row(answer: Answer) -> dict[str, Any]:
    """Return the ``answers`` row of an answer (without the surrogate id)."""
    return {
        "checkin_id": answer.checkin_id,
        "elder_id": answer.elder_id,
        "date": answer.date,
        "question_id": answer.question_id,
        "question_version": answer.question_version,
        "value": answer.value,
        "raw": answer.raw,
        "source": AnswerSource(answer.source).value,
        "answered_at": to_utc(answer.answered_at),
        "skipped": answer.skipped,
        "request_id": answer.request_id,
    }


def answer_from_row(row: Mapping[str, Any]) -> Answer:
    """Return the answer of an ``answers`` row."""
    return Answer(
        checkin_id=row["checkin_id"],
        elder_id=row["elder_id"],
        date=row["date"],
        question_id=row["question_id"],
        question_version=row["question_version"],
        value=row["value"],
        raw=row["raw"],
        source=AnswerSource(row["source"]),
        answered_at=row["answered_at"],
        skipped=row["skipped"],
        request_id=row["request_id"],
    )


def event_to_row(event: Event) -> dict[str, Any]:
    """Return the ``events`` row of an event."""
    return {
        "id": event.id,
        "elder_id": event.elder_id,
        "kind": EventKind(event.kind).value,
        "at": to_utc(event.at),
        "detail": dict(event.detail),
    }


def event_from_row(row: Mapping[str, Any]) -> Event:
    """Return the event of an ``events`` row."""
    return Event(
        id=row["id"],
        elder_id=row["elder_id"],
        kind=EventKind(row["kind"]),
        at=row["at"],
        detail=dict(row["detail"] or {}),
    )


def normalize_login(login: str) -> str:
    """Return the login as stored and compared (lower-cased)."""
    return login.lower()


def user_to_row(user: StaffUser) -> dict[str, Any]:
    """Return the ``staff_users`` row of a staff user (login lower-cased)."""
    return {
        "id": user.id,
        "login": normalize_login(user.login),
        "display_name": user.display_name,
        "role": StaffRole(user.role).value,
        "municipality_code": user.municipality_code,
        "center_id": user.center_id,
        "password_hash": user.password_hash,
        "created_at": to_utc(user.created_at),
        "active": bool(user.active),
    }


def user_from_row(row: Mapping[str, Any]) -> StaffUser:
    """Return the staff user of a ``staff_users`` row."""
    return StaffUser(
        id=row["id"],
        login=row["login"],
        display_name=row["display_name"],
        role=StaffRole(row["role"]),
        municipality_code=row["municipality_code"],
        center_id=row["center_id"],
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        active=bool(row["active"]),
    )


def away_to_row(period: AwayPeriod) -> dict[str, Any]:
    """Return the ``away_periods`` row of an away period."""
    return {
        "id": period.id,
        "elder_id": period.elder_id,
        "kind": AwayKind(period.kind).value,
        "starts_at": to_utc(period.start),
        "ends_at": optional_utc(period.end),
        "set_by": period.set_by,
        "created_at": to_utc(period.created_at),
    }


def away_from_row(row: Mapping[str, Any]) -> AwayPeriod:
    """Return the away period of an ``away_periods`` row."""
    return AwayPeriod(
        id=row["id"],
        elder_id=row["elder_id"],
        kind=AwayKind(row["kind"]),
        start=row["starts_at"],
        end=row["ends_at"],
        set_by=row["set_by"],
        created_at=row["created_at"],
    )


def reading_to_row(reading: Reading) -> dict[str, Any]:
    """Return the ``readings`` row of a reading."""
    return {
        "elder_id": reading.elder_id,
        "kind": ReadingKind(reading.kind).value,
        "measured_at": to_utc(reading.measured_at),
        "value": reading.value,
        "source": reading.source,
    }


def reading_from_row(row: Mapping[str, Any]) -> Reading:
    """Return the reading of a ``readings`` row."""
    return Reading(
        elder_id=row["elder_id"],
        measured_at=row["measured_at"],
        kind=ReadingKind(row["kind"]),
        value=row["value"],
        source=row["source"],
    )


# --- positional readers for the bulk reads of the sweep -----------------------------------------
# A reader is made once per query from the result's column names and builds domain objects
# from row tuples: about twice as fast as going through a mapping per row.

RowReader = Callable[[Sequence[str]], Callable[[Sequence[Any]], Any]]

_SOURCES = {s.value: s for s in AnswerSource}
_STATUSES = {s.value: s for s in CheckInStatus}
_KINDS = {k.value: k for k in ReadingKind}


def mapped(from_row: Callable[[Mapping[str, Any]], Any]) -> RowReader:
    """Return a reader that goes through the row's mapping (for rarely bulk-read tables)."""

    def reader(keys: Sequence[str]) -> Callable[[Sequence[Any]], Any]:
        return lambda row: from_row(row._mapping)  # type: ignore[attr-defined]

    return reader


def answer_reader(keys: Sequence[str]) -> Callable[[Sequence[Any]], Answer]:
    """Return a reader of ``answers`` rows with these columns."""
    get = itemgetter(*(keys.index(name) for name in _ANSWER_FIELDS))
    sources = _SOURCES

    def read(row: Sequence[Any]) -> Answer:
        checkin_id, elder_id, day, question_id, version, value, raw, source, at, skipped, rid = get(
            row
        )
        return Answer(
            checkin_id, elder_id, day, question_id, version, value, raw, sources[source], at,
            skipped, rid,
        )  # fmt: skip

    return read


_ANSWER_FIELDS = (
    "checkin_id", "elder_id", "date", "question_id", "question_version", "value", "raw",
    "source", "answered_at", "skipped", "request_id",
)  # fmt: skip


def checkin_reader(keys: Sequence[str]) -> Callable[[Sequence[Any]], CheckIn]:
    """Return a reader of ``checkins`` rows with these columns."""
    get = itemgetter(
        *(keys.index(n) for n in ("id", "elder_id", "date", "slot", "status", "started_at"))
    )
    completed = keys.index("completed_at")
    statuses = _STATUSES

    def read(row: Sequence[Any]) -> CheckIn:
        checkin_id, elder_id, day, slot, status, started_at = get(row)
        return CheckIn(
            checkin_id, elder_id, day, slot, statuses[status], started_at, row[completed]
        )

    return read


def reading_reader(keys: Sequence[str]) -> Callable[[Sequence[Any]], Reading]:
    """Return a reader of ``readings`` rows with these columns."""
    names = ("elder_id", "measured_at", "kind", "value", "source")
    get = itemgetter(*(keys.index(n) for n in names))
    kinds = _KINDS

    def read(row: Sequence[Any]) -> Reading:
        elder_id, measured_at, kind, value, source = get(row)
        return Reading(elder_id, measured_at, kinds[kind], value, source)

    return read


def alert_to_row(alert: Alert) -> dict[str, Any]:
    """Return the ``alerts`` row of an alert (enums as their values)."""
    return {
        "id": alert.id,
        "elder_id": alert.elder_id,
        "rule": alert.rule,
        "period": alert.period,
        "severity": Severity(alert.severity).value,
        "evidence": dict(alert.evidence),
        "created_at": to_utc(alert.created_at),
        "status": AlertStatus(alert.status).value,
        "stage": int(alert.stage),
        "claimed_by": alert.claimed_by,
        "claimed_at": optional_utc(alert.claimed_at),
        "outcome": None if alert.outcome is None else Outcome(alert.outcome).value,
        "note": alert.note,
        "resolved_at": optional_utc(alert.resolved_at),
    }


def alert_from_row(row: Mapping[str, Any]) -> Alert:
    """Return the alert of an ``alerts`` row."""
    outcome = row["outcome"]
    return Alert(
        id=row["id"],
        elder_id=row["elder_id"],
        rule=row["rule"],
        period=row["period"],
        severity=Severity(row["severity"]),
        evidence=dict(row["evidence"] or {}),
        created_at=row["created_at"],
        status=AlertStatus(row["status"]),
        stage=row["stage"],
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
        outcome=None if outcome is None else Outcome(outcome),
        note=row["note"],
        resolved_at=row["resolved_at"],
    )


def alert_change_to_row(change: AlertChange) -> dict[str, Any]:
    """Return the ``alert_changes`` row of a history entry (without the surrogate id)."""
    return {
        "alert_id": change.alert_id,
        "at": to_utc(change.at),
        "actor": change.actor,
        "action": change.action,
        "detail": dict(change.detail),
    }


def alert_change_from_row(row: Mapping[str, Any]) -> AlertChange:
    """Return the history entry of an ``alert_changes`` row."""
    return AlertChange(
        alert_id=row["alert_id"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        detail=dict(row["detail"] or {}),
    )


def recipient_to_row(recipient: Recipient) -> dict[str, Any]:
    """Return the ``recipients`` row of a recipient."""
    return {
        "id": recipient.id,
        "center_id": recipient.center_id,
        "elder_id": recipient.elder_id,
        "name": recipient.name,
        "relation": recipient.relation,
        "channel": recipient.channel,
        "address": recipient.address,
        "quiet_start": recipient.quiet_start,
        "quiet_end": recipient.quiet_end,
        "active": bool(recipient.active),
        "linked_at": optional_utc(recipient.linked_at),
    }


def recipient_from_row(row: Mapping[str, Any]) -> Recipient:
    """Return the recipient of a ``recipients`` row."""
    return Recipient(
        id=row["id"],
        center_id=row["center_id"],
        elder_id=row["elder_id"],
        name=row["name"],
        relation=row["relation"],
        channel=row["channel"],
        address=row["address"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        active=bool(row["active"]),
        linked_at=row["linked_at"],
    )


def outbox_to_row(message: OutboxMessage) -> dict[str, Any]:
    """Return the ``outbox_messages`` row of a message."""
    return {
        "id": message.id,
        "recipient_id": message.recipient_id,
        "channel": message.channel,
        "subject": message.subject,
        "body": message.body,
        "urgent": bool(message.urgent),
        "created_at": to_utc(message.created_at),
        "not_before": to_utc(message.not_before),
        "attempts": int(message.attempts),
        "next_attempt_at": optional_utc(message.next_attempt_at),
        "sent_at": optional_utc(message.sent_at),
        "last_error": message.last_error,
        "alert_id": message.alert_id,
        "last_attempt_at": optional_utc(message.last_attempt_at),
    }


def outbox_from_row(row: Mapping[str, Any]) -> OutboxMessage:
    """Return the message of an ``outbox_messages`` row."""
    return OutboxMessage(
        id=row["id"],
        recipient_id=row["recipient_id"],
        channel=row["channel"],
        subject=row["subject"],
        body=row["body"],
        urgent=bool(row["urgent"]),
        created_at=row["created_at"],
        not_before=row["not_before"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
        alert_id=row["alert_id"],
        last_attempt_at=row["last_attempt_at"],
    )


_WINDOW = ("at", "start", "end")


def notice_to_row(notice: Notice) -> dict[str, Any]:
    """Return the ``notices`` row of a notice."""
    a, r, w = notice.audience, notice.recurrence, notice.window
    return {
        "id": notice.id,
        "municipality_code": notice.municipality_code,
        "title": notice.title,
        "speech": notice.speech,
        "screen_text": notice.screen_text,
        "image_url": notice.image_url,
        "priority": notice.priority.value,
        "audience": {
            "districts": list(a.districts),
            "centers": list(a.centers),
            "elders": list(a.elders),
        },
        "recurrence": None
        if r is None
        else {
            "weekdays": list(r.weekdays),
            "nth": list(r.nth),
            "dates": [d.isoformat() for d in r.dates],
        },
        "kind": notice.kind.value,
        "time_window": None if w is None else {k: f"{getattr(w, k):%H:%M}" for k in _WINDOW},
        "starts_at": to_utc(notice.starts_at),
        "ends_at": optional_utc(notice.ends_at),
        "status": notice.status.value,
        "created_at": to_utc(notice.created_at),
        "updated_at": to_utc(notice.updated_at),
        "published_at": optional_utc(notice.published_at),
    }


def notice_from_row(row: Mapping[str, Any]) -> Notice:
    """Return the notice of a ``notices`` row."""
    a, r, w = row["audience"] or {}, row["recurrence"], row["time_window"]
    return Notice(
        id=row["id"],
        municipality_code=row["municipality_code"],
        title=row["title"],
        speech=row["speech"],
        screen_text=row["screen_text"],
        image_url=row["image_url"],
        priority=Priority(row["priority"]),
        audience=Audience(
            tuple(a.get("districts", ())), tuple(a.get("centers", ())), tuple(a.get("elders", ()))
        ),
        recurrence=None
        if r is None
        else Recurrence(
            tuple(r.get("weekdays", ())),
            tuple(r.get("nth", ())),
            tuple(date.fromisoformat(d) for d in r.get("dates", ())),
        ),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=NoticeStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        published_at=row["published_at"],
        kind=NoticeKind(row["kind"]),
        window=None if w is None else TimeWindow(*(time.fromisoformat(w[k]) for k in _WINDOW)),
    )


def delivery_to_row(delivery: NoticeDelivery) -> dict[str, Any]:
    """Return the ``notice_deliveries`` row of a delivery."""
    return {
        "notice_id": delivery.notice_id,
        "elder_id": delivery.elder_id,
        "occurrence": delivery.occurrence,
        "heard_at": to_utc(delivery.heard_at),
        "safety": delivery.safety.value if delivery.safety else None,
        "safety_at": optional_utc(delivery.safety_at),
        "detail": dict(delivery.detail),
    }


def delivery_from_row(row: Mapping[str, Any]) -> NoticeDelivery:
    """Return the delivery of a ``notice_deliveries`` row."""
    return NoticeDelivery(
        notice_id=row["notice_id"],
        elder_id=row["elder_id"],
        occurrence=row["occurrence"],
        heard_at=row["heard_at"],
        safety=Safety(row["safety"]) if row["safety"] else None,
        safety_at=row["safety_at"],
        detail=dict(row["detail"] or {}),
    )


def session_to_row(session: StaffSession) -> dict[str, Any]:
    """Return the ``staff_sessions`` row of a session."""
    return {
        "id": session.id,
        "user_id": session.user_id,
        "data": dict(session.data),
        "created_at": to_utc(session.created_at),
        "last_seen_at": to_utc(session.last_seen_at),
    }


def session_from_row(row: Mapping[str, Any]) -> StaffSession:
    """Return the session of a ``staff_sessions`` row."""
    return StaffSession(
        id=row["id"],
        user_id=row["user_id"],
        data=dict(row["data"] or {}),
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
    )


def audit_to_row(entry: AuditEntry) -> dict[str, Any]:
    """Return the ``audit_log`` row of an entry (without its surrogate id)."""
    return {
        "at": to_utc(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "elder_id": entry.elder_id,
        "detail": dict(entry.detail),
    }


def audit_from_row(row: Mapping[str, Any]) -> AuditEntry:
    """Return the entry of an ``audit_log`` row."""
    return AuditEntry(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        elder_id=row["elder_id"],
        detail=dict(row["detail"] or {}),
    )


def api_token_to_row(token: ApiToken) -> dict[str, Any]:
    """Return the ``api_tokens`` row of a token."""
    return {
        "id": token.id,
        "user_id": token.user_id,
        "name": token.name,
        "created_at": to_utc(token.created_at),
        "revoked_at": optional_utc(token.revoked_at),
    }


def api_token_from_row(row: Mapping[str, Any]) -> ApiToken:
    """Return the token of an ``api_tokens`` row."""
    return ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


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


def config_version_to_row(version: ConfigVersion) -> dict[str, Any]:
    """Return the ``config_versions`` row of a published version."""
    return {
        "kind": ConfigKind(version.kind).value,
        "municipality_code": version.municipality_code,
        "version": version.version,
        "text": version.text,
        "published_by": version.published_by,
        "published_at": version.published_at,
    }


def config_version_from_row(row: Mapping[str, Any]) -> ConfigVersion:
    """Return the published version of a ``config_versions`` row."""
    return ConfigVersion(
        kind=ConfigKind(row["kind"]),
        municipality_code=row["municipality_code"],
        version=row["version"],
        text=row["text"],
        published_by=row["published_by"],
        published_at=row["published_at"],
    )


def contacts_to_row(contacts: ElderContacts) -> dict[str, Any]:
    """Return the ``elder_contacts`` row of an elder's contacts."""
    return {
        "elder_id": contacts.elder_id,
        "phone": contacts.phone,
        "address": contacts.address,
        "emergency": [
            {"name": c.name, "relation": c.relation, "phone": c.phone} for c in contacts.emergency
        ],
        "key_holder": contacts.key_holder,
        "minsei_name": contacts.minsei_name,
        "minsei_phone": contacts.minsei_phone,
        "consented_on": contacts.consented_on,
        "updated_at": contacts.updated_at,
        "updated_by": contacts.updated_by,
    }


def contacts_from_row(row: Mapping[str, Any]) -> ElderContacts:
    """Return the elder's contacts of an ``elder_contacts`` row."""
    return ElderContacts(
        elder_id=row["elder_id"],
        consented_on=row["consented_on"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        phone=row["phone"],
        address=row["address"],
        emergency=tuple(
            Contact(c["name"], c["relation"], c["phone"]) for c in row["emergency"] or ()
        ),
        key_holder=row["key_holder"],
        minsei_name=row["minsei_name"],
        minsei_phone=row["minsei_phone"],
    )
