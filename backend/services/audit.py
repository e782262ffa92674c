"""The audit log of views: written in a unit of work of its own, after the read, before the page.

A page of personal data is read in a unit that only reads (on SQLite a read that then
writes must upgrade its snapshot to the write lock, which fails at once when another
writer committed meanwhile: the StoreBusy 500s of concurrent claims). The entry is then
written in a unit that does nothing else and begins with its insert, so on SQLite it waits
its turn for the write lock (the busy timeout) and holds it only for that insert. It is
retried when the store is busy; if the store stays busy StoreBusy reaches the web edge
(503, Retry-After) and the page is not shown. Committed before the response: no view that
was shown can be missing from the log, not even after a crash (a buffer flushed later
could lose the entries it held).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.domain.model import StaffUser
from backend.domain.staff import AuditEntry
from backend.services.access import actor_of
from backend.services.context import Services
from backend.services.retry import retry_when_busy


@retry_when_busy
def record(svc: Services, *entries: AuditEntry) -> None:
    """Append the entries in one unit of work of their own (retried when the store is busy)."""
    with svc.uow() as uow:
        for entry in entries:
            uow.audit.add(entry)
        uow.commit()


def record_view(
    svc: Services,
    user: StaffUser,
    at: datetime,
    action: str,
    elder_id: str | None = None,
    **detail: Any,
) -> None:
    """Append one entry of the user viewing personal data (ids only, never names)."""
    record(svc, AuditEntry(at, actor_of(user), action, elder_id, detail))
