"""Alerts: away periods, device readings, alerts and their history.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``away_periods``, ``readings``, ``alerts`` and ``alert_changes``."""
    op.create_table(
        "away_periods",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_away_periods")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_away_periods_elder_id_elders")
        ),
    )
    op.create_index(
        op.f("ix_away_periods_elder_id_starts_at"), "away_periods", ["elder_id", "starts_at"]
    )
    op.create_table(
        "readings",
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        # TEXT on SQLite: a JSON column has NUMERIC affinity there (45.0 would read as 45).
        sa.Column("value", sa.JSON().with_variant(sa.Text(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("elder_id", "kind", "measured_at", name=op.f("pk_readings")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_readings_elder_id_elders")
        ),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "elder_id", "rule", "period", name=op.f("uq_alerts_elder_id_rule_period")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_alerts_elder_id_elders")
        ),
    )
    op.create_index(op.f("ix_alerts_elder_id_status"), "alerts", ["elder_id", "status"])
    op.create_index(op.f("ix_alerts_status_created_at"), "alerts", ["status", "created_at"])
    op.create_table(
        "alert_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_changes")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_changes_alert_id_alerts")
        ),
    )
    op.create_index(
        op.f("ix_alert_changes_alert_id_at"), "alert_changes", ["alert_id", "at"]
    )


def downgrade() -> None:
    """Drop the tables of this revision."""
    op.drop_index(op.f("ix_alert_changes_alert_id_at"), table_name="alert_changes")
    op.drop_table("alert_changes")
    op.drop_index(op.f("ix_alerts_status_created_at"), table_name="alerts")
    op.drop_index(op.f("ix_alerts_elder_id_status"), table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("readings")
    op.drop_index(op.f("ix_away_periods_elder_id_starts_at"), table_name="away_periods")
    op.drop_table("away_periods")
