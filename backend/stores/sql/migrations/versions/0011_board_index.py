"""The today board: each elder's latest check-in and first binding read from one index each.

Revision ID: 0011
Revises: 0006
Create Date: 2026-11-23 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index check-ins by elder and opening time (covering the date), bindings by elder."""
    op.create_index(
        op.f("ix_checkins_elder_id_started_at_date"),
        "checkins",
        ["elder_id", "started_at", "date"],
    )
    op.create_index(
        op.f("ix_device_bindings_elder_id_bound_at"), "device_bindings", ["elder_id", "bound_at"]
    )


def downgrade() -> None:
    """Drop the indexes."""
    op.drop_index(op.f("ix_device_bindings_elder_id_bound_at"), table_name="device_bindings")
    op.drop_index(op.f("ix_checkins_elder_id_started_at_date"), table_name="checkins")
