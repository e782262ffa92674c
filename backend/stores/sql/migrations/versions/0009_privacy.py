"""Privacy on the elder page: when each family member linked.

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-23 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``recipients.linked_at`` (null for links made before it existed)."""
    op.add_column("recipients", sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop ``recipients.linked_at``."""
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("linked_at")
