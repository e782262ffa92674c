"""The today board: each elder's first binding and latest check-in kept on the elder row.

Also an index of away periods by end (the board's periods of the day: open-ended or ending
after the day starts).

``elders.bound_since`` is the earliest ``bound_at`` of the elder's speakers and
``elders.last_checkin_at`` / ``last_checkin_date`` the ``started_at`` and ``date`` of a
check-in with the latest ``started_at`` of all the elder's check-ins (NULL: none). Database
triggers keep them in the same transaction as every write to ``device_bindings`` and
``checkins`` (insert, update, delete; whoever writes), so no service can forget them. The
columns are filled from the existing rows.

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-23 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Recompute one elder's values from its indexes (device_bindings (elder_id, bound_at),
# checkins (elder_id, started_at, date)); {who} is OLD or NEW.
_BOUND = (
    "UPDATE elders SET bound_since = (SELECT min(d.bound_at) FROM device_bindings d"
    " WHERE d.elder_id = {who}.elder_id) WHERE id = {who}.elder_id"
)
_LAST = (
    "UPDATE elders SET (last_checkin_at, last_checkin_date) = (SELECT x.started_at, x.date"
    " FROM checkins x WHERE x.elder_id = {who}.elder_id ORDER BY x.started_at DESC LIMIT 1)"
    " WHERE id = {who}.elder_id"
)
# A new check-in only moves the value forward: no lookup.
_LAST_NEW = (
    "UPDATE elders SET last_checkin_at = NEW.started_at, last_checkin_date = NEW.date"
    " WHERE id = NEW.elder_id AND (last_checkin_at IS NULL OR last_checkin_at < NEW.started_at)"
)
_CHECKIN_MOVED = (
    "OLD.started_at IS NOT NEW.started_at OR OLD.date IS NOT NEW.date"
    " OR OLD.elder_id IS NOT NEW.elder_id"
)
_BINDING_MOVED = "OLD.bound_at IS NOT NEW.bound_at OR OLD.elder_id IS NOT NEW.elder_id"

_SQLITE_TRIGGERS = {
    "trg_device_bindings_bound_since_insert": (
        f"AFTER INSERT ON device_bindings BEGIN {_BOUND.format(who='NEW')}; END"
    ),
    "trg_device_bindings_bound_since_update": (
        f"AFTER UPDATE ON device_bindings WHEN {_BINDING_MOVED} BEGIN "
        f"{_BOUND.format(who='OLD')}; {_BOUND.format(who='NEW')}; END"
    ),
    "trg_device_bindings_bound_since_delete": (
        f"AFTER DELETE ON device_bindings BEGIN {_BOUND.format(who='OLD')}; END"
    ),
    "trg_checkins_last_checkin_insert": f"AFTER INSERT ON checkins BEGIN {_LAST_NEW}; END",
    "trg_checkins_last_checkin_update": (
        f"AFTER UPDATE ON checkins WHEN {_CHECKIN_MOVED} BEGIN "
        f"{_LAST.format(who='OLD')}; {_LAST.format(who='NEW')}; END"
    ),
    "trg_checkins_last_checkin_delete": (
        f"AFTER DELETE ON checkins BEGIN {_LAST.format(who='OLD')}; END"
    ),
}

_PG_FUNCTIONS = {
    "mimamori_bound_since": f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_BOUND.format(who="NEW")};
  ELSIF TG_OP = 'DELETE' THEN
    {_BOUND.format(who="OLD")};
  ELSIF {_BINDING_MOVED.replace(" IS NOT ", " IS DISTINCT FROM ")} THEN
    {_BOUND.format(who="OLD")};
    {_BOUND.format(who="NEW")};
  END IF;
  RETURN NULL;
END""",
    "mimamori_last_checkin": f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_LAST_NEW};
  ELSIF TG_OP = 'DELETE' THEN
    {_LAST.format(who="OLD")};
  ELSIF {_CHECKIN_MOVED.replace(" IS NOT ", " IS DISTINCT FROM ")} THEN
    {_LAST.format(who="OLD")};
    {_LAST.format(who="NEW")};
  END IF;
  RETURN NULL;
END""",
}
_PG_TRIGGERS = {
    "trg_device_bindings_bound_since": ("device_bindings", "mimamori_bound_since"),
    "trg_checkins_last_checkin": ("checkins", "mimamori_last_checkin"),
}


def upgrade() -> None:
    """Add the three columns, the triggers that keep them, fill them; index away periods."""
    op.add_column("elders", sa.Column("bound_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("elders", sa.Column("last_checkin_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("elders", sa.Column("last_checkin_date", sa.Date(), nullable=True))
    op.create_index(op.f("ix_away_periods_ends_at"), "away_periods", ["ends_at"])
    if op.get_bind().dialect.name == "postgresql":
        for name, body in _PG_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body${body}\n$body$"
            )
        for trigger, (table, function) in _PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "UPDATE elders SET bound_since = (SELECT min(d.bound_at) FROM device_bindings d"
        " WHERE d.elder_id = elders.id)"
    )
    op.execute(
        "UPDATE elders SET (last_checkin_at, last_checkin_date) = (SELECT x.started_at, x.date"
        " FROM checkins x WHERE x.elder_id = elders.id ORDER BY x.started_at DESC LIMIT 1)"
    )


def downgrade() -> None:
    """Drop the triggers and the columns."""
    if op.get_bind().dialect.name == "postgresql":
        for trigger, (table, _) in _PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for name in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_away_periods_ends_at"), table_name="away_periods")
    with op.batch_alter_table("elders") as batch:
        batch.drop_column("last_checkin_date")
        batch.drop_column("last_checkin_at")
        batch.drop_column("bound_since")
