"""体操 notices: a notice's kind and, for a 体操 notice, the time window it is read in.

Existing notices are announcements (``kind`` お知らせ) without a window.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``notices.kind`` and ``notices.time_window``."""
    with op.batch_alter_table("notices") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default="お知らせ")
        )
        batch.add_column(sa.Column("time_window", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("time_window")
        batch.drop_column("kind")
