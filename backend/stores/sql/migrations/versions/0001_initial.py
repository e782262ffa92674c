"""Initial schema: municipalities, centers, elders, devices, check-ins, answers, events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every table of the SQL store."""
    op.create_table(
        "municipalities",
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_municipalities")),
    )
    op.create_table(
        "care_centers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_centers")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_care_centers_municipality_code_municipalities"),
        ),
    )
    op.create_index(
        op.f("ix_care_centers_municipality_code"), "care_centers", ["municipality_code"]
    )
    op.create_table(
        "elders",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kana", sa.String(), nullable=False),
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("center_id", sa.String(), nullable=False),
        sa.Column("district", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("consent", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elders")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_elders_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["center_id"], ["care_centers.id"], name=op.f("fk_elders_center_id_care_centers")
        ),
    )
    op.create_index(op.f("ix_elders_center_id_kana"), "elders", ["center_id", "kana"])
    op.create_table(
        "device_bindings",
        sa.Column("alexa_user_id", sa.String(), nullable=False),
        sa.Column("device_id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alexa_user_id", "device_id", name=op.f("pk_device_bindings")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_device_bindings_elder_id_elders")
        ),
    )
    op.create_index(op.f("ix_device_bindings_elder_id"), "device_bindings", ["elder_id"])
    op.create_table(
        "pairing_codes",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_pairing_codes")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_pairing_codes_elder_id_elders")
        ),
    )
    op.create_index(op.f("ix_pairing_codes_elder_id"), "pairing_codes", ["elder_id"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint(
            "elder_id", "date", "slot", name=op.f("uq_checkins_elder_id_date_slot")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_checkins_elder_id_elders")
        ),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("checkin_id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("question_version", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skipped", sa.String(), nullable=True),
        sa.Column("request_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint(
            "checkin_id", "question_id", name=op.f("uq_answers_checkin_id_question_id")
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_answers_checkin_id_checkins")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_answers_elder_id_elders")
        ),
    )
    op.create_index(op.f("ix_answers_elder_id_date"), "answers", ["elder_id", "date"])
    op.create_index(
        op.f("ix_answers_elder_id_question_id_date"),
        "answers",
        ["elder_id", "question_id", "date"],
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("elder_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_events_elder_id_elders")
        ),
    )
    op.create_index(op.f("ix_events_elder_id_at"), "events", ["elder_id", "at"])


def downgrade() -> None:
    """Drop every table of the SQL store."""
    op.drop_index(op.f("ix_events_elder_id_at"), table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_answers_elder_id_question_id_date"), table_name="answers")
    op.drop_index(op.f("ix_answers_elder_id_date"), table_name="answers")
    op.drop_table("answers")
    op.drop_table("checkins")
    op.drop_index(op.f("ix_pairing_codes_elder_id"), table_name="pairing_codes")
    op.drop_table("pairing_codes")
    op.drop_index(op.f("ix_device_bindings_elder_id"), table_name="device_bindings")
    op.drop_table("device_bindings")
    op.drop_index(op.f("ix_elders_center_id_kana"), table_name="elders")
    op.drop_table("elders")
    op.drop_index(op.f("ix_care_centers_municipality_code"), table_name="care_centers")
    op.drop_table("care_centers")
    op.drop_table("municipalities")
