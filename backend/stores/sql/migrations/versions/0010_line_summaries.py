"""Family on LINE: daily-summary opt-ins.

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-23 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``line_summaries``."""
    op.create_table(
        "line_summaries",
        sa.Column("line_user_id", sa.String(), nullable=False),
        sa.Column("send_at", sa.String(5), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("line_user_id", name=op.f("pk_line_summaries")),
    )


def downgrade() -> None:
    """Drop ``line_summaries``."""
    op.drop_table("line_summaries")
