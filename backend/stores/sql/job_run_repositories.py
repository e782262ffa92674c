"""SQL repository of the scheduled jobs' last runs (table ``job_runs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from backend.ports import JobRunRepository
from backend.stores.sql import tables as t
from backend.stores.sql.base import PerDialect, SqlRepository, dialect_insert
from backend.stores.sql.column_types import to_utc

_j = t.job_runs.c
_LAST_RUN = select(_j.at).where(_j.name == bindparam("name"))


def _mark(dialect_name: str) -> Any:
    """INSERT … ON CONFLICT (name) DO UPDATE the time, only to a later one (one statement)."""
    stmt = dialect_insert(dialect_name, t.job_runs)
    return stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"at": stmt.excluded.at},
        where=_j.at < stmt.excluded.at,
    )


_MARK = PerDialect(_mark)
_CLAIM = (
    update(t.job_runs)
    .where(_j.name == bindparam("job"), _j.at < bindparam("stale_before"))
    .values(at=bindparam("claimed_at"))
)


class SqlJobRunRepository(SqlRepository, JobRunRepository):
    """One row a job name; ``at`` only moves forward, a claim is one conditional UPDATE."""

    def last_run(self, name: str) -> datetime | None:
        """Return when ``name`` last ran (aware, UTC), or None if it never did."""
        return self._connection.execute(_LAST_RUN, {"name": name}).scalar_one_or_none()

    def mark(self, name: str, at: datetime) -> None:
        """Record ``name`` ran at ``at`` unless a later run is recorded (an upsert)."""
        self._connection.execute(_MARK.get(self._connection), {"name": name, "at": to_utc(at)})

    def claim(self, name: str, at: datetime, stale_before: datetime) -> bool:
        """Record ``at`` if the recorded run is before ``stale_before``; True if recorded.

        One UPDATE, atomic on both databases: on PostgreSQL a concurrent claim waits for
        this row's lock and then finds the new time (no longer stale); on SQLite the write
        lock serializes the claims (a unit that read before another's claim committed gets
        StoreBusy). A name never marked has no row: never claimed.
        """
        params = {"job": name, "claimed_at": to_utc(at), "stale_before": to_utc(stale_before)}
        return self._connection.execute(_CLAIM, params).rowcount == 1
