"""Staff user accounts (center staff, municipality admins, operators).

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the ``staff_users`` table."""
    op.create_table(
        "staff_users",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("login", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("municipality_code", sa.String(6), nullable=True),
        sa.Column("center_id", sa.String(), nullable=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("login", name=op.f("uq_staff_users_login")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_staff_users_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["center_id"], ["care_centers.id"], name=op.f("fk_staff_users_center_id_care_centers")
        ),
    )
    op.create_index(op.f("ix_staff_users_center_id_login"), "staff_users", ["center_id", "login"])


def downgrade() -> None:
    """Drop the ``staff_users`` table."""
    op.drop_index(op.f("ix_staff_users_center_id_login"), table_name="staff_users")
    op.drop_table("staff_users")
