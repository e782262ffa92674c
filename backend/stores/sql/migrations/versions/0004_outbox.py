"""Outbound notifications: recipients and the outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``recipients`` and ``outbox_messages``."""
    op.create_table(
        "recipients",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("center_id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("relation", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipients")),
        sa.ForeignKeyConstraint(
            ["center_id"], ["care_centers.id"], name=op.f("fk_recipients_center_id_care_centers")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_recipients_elder_id_elders")
        ),
    )
    op.create_index(
        op.f("ix_recipients_center_id_elder_id_name"),
        "recipients",
        ["center_id", "elder_id", "name"],
    )
    op.create_index(op.f("ix_recipients_elder_id_name"), "recipients", ["elder_id", "name"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("recipient_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("alert_id", sa.String(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_outbox_messages_recipient_id_recipients"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_outbox_messages_alert_id_alerts")
        ),
    )
    op.create_index(
        op.f("ix_outbox_messages_sent_at_created_at"),
        "outbox_messages",
        ["sent_at", "created_at"],
    )
    op.create_index(op.f("ix_outbox_messages_alert_id"), "outbox_messages", ["alert_id"])


def downgrade() -> None:
    """Drop the tables of this revision."""
    op.drop_index(op.f("ix_outbox_messages_alert_id"), table_name="outbox_messages")
    op.drop_index(op.f("ix_outbox_messages_sent_at_created_at"), table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index(op.f("ix_recipients_elder_id_name"), table_name="recipients")
    op.drop_index(op.f("ix_recipients_center_id_elder_id_name"), table_name="recipients")
    op.drop_table("recipients")
