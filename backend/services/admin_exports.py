"""CSV exports on the dashboard: the same files as ``mimamori export``, one month at a time.

Ids only, no names (the rows come from ``csv_exports`` and ``notices.tracking_rows``), except
``alert_notes``, which says that it adds the staff's free-text notes; only
municipality admins (their municipality) and operators may export, and every export is
written to the audit log with its municipality, month and row count.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backend.domain.errors import NotFound
from backend.domain.model import StaffUser
from backend.domain.staff import AuditEntry
from backend.services import alert_figures, csv_exports, notices
from backend.services.access import actor_of
from backend.services.audit import record
from backend.services.context import Services
from backend.services.municipal_config import municipality_in_scope

EXPORTS: dict[str, Callable[..., Iterator[list[str]]]] = {
    "alerts": csv_exports.alert_rows,
    "alert_notes": csv_exports.alert_note_rows,
    "checkins": csv_exports.checkin_rows,
    "notices": notices.tracking_rows,
    "alert_figures": alert_figures.rows,
}


@dataclass(frozen=True)
class Export:
    """A CSV file ready to download."""

    filename: str
    text: str
    rows: int


def month_range(month: date) -> tuple[date, date]:
    """Return the first and last day of the month of ``month``."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def export(
    svc: Services, user: StaffUser, kind: str, code: str, month: date, *, bom: bool = True
) -> Export:
    """Return one month of a municipality's alerts, check-ins, notice tracking or figures as CSV.

    Raise NotFound outside the scope or for an unknown kind.
    """
    with svc.uow() as uow:
        municipality_in_scope(uow, user, code)
    rows_of = EXPORTS.get(kind)
    if rows_of is None:
        raise NotFound(f"export {kind}")
    since, until = month_range(month)
    out = io.StringIO(newline="")
    if bom:
        out.write("\ufeff")
    kwargs: dict[str, Any] = {"since": since, "until": until, "municipality_code": code}
    count = csv_exports.write_csv(rows_of(svc, **kwargs), out)
    record(
        svc,
        AuditEntry(
            svc.now(),
            actor_of(user),
            f"export_{kind}",
            None,
            {"municipality_code": code, "month": since.strftime("%Y-%m"), "rows": count},
        ),
    )
    filename = f"{kind}-{code}-{since.strftime('%Y-%m')}.csv"
    return Export(filename, out.getvalue(), count)
