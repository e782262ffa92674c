"""DynamoDB repository of the scheduled jobs' last runs: JOBRUN#<name> / #JOBRUN."""

from __future__ import annotations

from datetime import datetime

from backend.ports import JobRunRepository
from backend.stores.dynamodb.base import DynamoRepository
from backend.stores.dynamodb.codec import iso
from backend.stores.dynamodb.table import PK, SK

SK_JOBRUN = "#JOBRUN"


def _pk(name: str) -> str:
    return f"JOBRUN#{name}"


class DynamoJobRunRepository(DynamoRepository, JobRunRepository):
    """One item a job name, its ``at`` a fixed-width UTC text (text order is time order).

    ``mark`` and ``claim`` join the unit like every write: a GetItem, then (when the time
    moves forward) a put buffered until commit and conditional on the version read. Of two
    units claiming one stale run at once both see it stale, the first commit wins and the
    other raises ConcurrentWrite (a StoreBusy: ``retry_when_busy`` runs the unit again, and
    the claim then finds the new time and returns False). A claim is thus settled by the
    commit, not by the call; ``mark`` racing another write of the name is settled the same.
    """

    def _at(self, name: str) -> str | None:
        found = self._s.get(_pk(name), SK_JOBRUN)
        return None if found is None else str(found["at"])

    def _put(self, name: str, at: str) -> None:
        self._s.put({PK: _pk(name), SK: SK_JOBRUN, "t": "job-run", "name": name, "at": at})

    def last_run(self, name: str) -> datetime | None:
        """Return when ``name`` last ran (aware, UTC), or None if it never did."""
        at = self._at(name)
        return None if at is None else datetime.fromisoformat(at)

    def mark(self, name: str, at: datetime) -> None:
        """Record ``name`` ran at ``at`` unless the recorded run is the same or later."""
        stamp = iso(at)
        recorded = self._at(name)
        if recorded is None or recorded < stamp:
            self._put(name, stamp)

    def claim(self, name: str, at: datetime, stale_before: datetime) -> bool:
        """Record ``at`` if the recorded run is before ``stale_before``; True if recorded."""
        stamp, stale = iso(at), iso(stale_before)  # naive times are refused first
        recorded = self._at(name)
        if recorded is None or recorded >= stale:
            return False
        self._put(name, stamp)
        return True
