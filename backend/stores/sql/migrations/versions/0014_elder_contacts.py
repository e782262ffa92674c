"""Elder contacts: phone, address, emergency contacts, key holder and 民生委員, one row an elder.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``elder_contacts``."""
    op.create_table(
        "elder_contacts",
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("emergency", sa.JSON(), nullable=False),
        sa.Column("key_holder", sa.String(), nullable=False),
        sa.Column("minsei_name", sa.String(), nullable=False),
        sa.Column("minsei_phone", sa.String(), nullable=False),
        sa.Column("consented_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("elder_id", name=op.f("pk_elder_contacts")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_elder_contacts_elder_id_elders")
        ),
    )


def downgrade() -> None:
    """Drop ``elder_contacts``."""
    op.drop_table("elder_contacts")
