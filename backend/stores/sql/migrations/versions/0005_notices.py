"""Municipal notices and who heard them.

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-05 00:00:00

Elders already have a district (0001), so targeting needs no change to ``elders``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``notices`` and ``notice_deliveries``."""
    op.create_table(
        "notices",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("speech", sa.Text(), nullable=False),
        sa.Column("screen_text", sa.Text(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("recurrence", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_notices_municipality_code_municipalities"),
        ),
    )
    op.create_index(
        op.f("ix_notices_municipality_code_starts_at"),
        "notices",
        ["municipality_code", "starts_at"],
    )
    op.create_table(
        "notice_deliveries",
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("occurrence", sa.String(), nullable=False),
        sa.Column("heard_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("safety", sa.String(), nullable=True),
        sa.Column("safety_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "notice_id", "elder_id", "occurrence", name=op.f("pk_notice_deliveries")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_deliveries_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_notice_deliveries_elder_id_elders")
        ),
    )
    op.create_index(
        op.f("ix_notice_deliveries_elder_id_notice_id"),
        "notice_deliveries",
        ["elder_id", "notice_id"],
    )


def downgrade() -> None:
    """Drop the tables of this revision."""
    op.drop_index(op.f("ix_notice_deliveries_elder_id_notice_id"), table_name="notice_deliveries")
    op.drop_table("notice_deliveries")
    op.drop_index(op.f("ix_notices_municipality_code_starts_at"), table_name="notices")
    op.drop_table("notices")
