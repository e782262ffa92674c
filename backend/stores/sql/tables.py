"""SQLAlchemy Core tables of the SQL store (the schema the migrations build)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from backend.stores.sql.column_types import IsoDate, JsonValue, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


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

# --- the scheduler's heartbeat (migration 0016) ----------------------------------

# One row a scheduled job: when it last ran (moved forward only), claimed by a catch-up.
job_runs = Table(
    "job_runs",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
)
