"""Family on LINE: the webhook inbox, link codes, relayed messages and monthly sends.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-23 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the LINE tables and the recipients' address index."""
    op.create_index(
        op.f("ix_recipients_channel_address"), "recipients", ["channel", "address"]
    )
    op.create_table(
        "line_inbox",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redelivery", sa.Boolean(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_inbox")),
    )
    op.create_index(
        op.f("ix_line_inbox_processed_at_received_at"),
        "line_inbox",
        ["processed_at", "received_at"],
    )
    op.create_table(
        "family_link_codes",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("relation", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_family_link_codes")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_family_link_codes_elder_id_elders")
        ),
    )
    op.create_table(
        "family_messages",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("sender_id", sa.String(), nullable=False),
        sa.Column("sender_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media_key", sa.String(), nullable=True),
        sa.Column("media_type", sa.String(), nullable=True),
        sa.Column("heard_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_messages")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_family_messages_elder_id_elders")
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["recipients.id"], name=op.f("fk_family_messages_sender_id_recipients")
        ),
    )
    op.create_index(
        op.f("ix_family_messages_elder_id_heard_at"), "family_messages", ["elder_id", "heard_at"]
    )
    op.create_table(
        "line_monthly_sends",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_line_monthly_sends")),
    )


def downgrade() -> None:
    """Drop the tables and index of this revision."""
    op.drop_table("line_monthly_sends")
    op.drop_index(op.f("ix_family_messages_elder_id_heard_at"), table_name="family_messages")
    op.drop_table("family_messages")
    op.drop_table("family_link_codes")
    op.drop_index(op.f("ix_line_inbox_processed_at_received_at"), table_name="line_inbox")
    op.drop_table("line_inbox")
    op.drop_index(op.f("ix_recipients_channel_address"), table_name="recipients")
