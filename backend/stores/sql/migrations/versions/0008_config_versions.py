"""Published versions of municipalities' question sets and alert policies (dashboard).

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-23 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``config_versions``."""
    op.create_table(
        "config_versions",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "municipality_code", "version", name=op.f("pk_config_versions")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_config_versions_municipality_code_municipalities"),
        ),
    )


def downgrade() -> None:
    """Drop ``config_versions``."""
    op.drop_table("config_versions")
