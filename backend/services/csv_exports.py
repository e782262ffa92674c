"""Alerts and check-ins exported as CSV (``mimamori export``, the dashboard's exports).

``alert_rows`` and ``checkin_rows`` yield CSV rows (a header first) with ids only: no
names, kana, districts or answers' contents. They go to municipality admins.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from backend.domain.model import Alert, AlertStatus, CheckIn, Elder, Severity
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services

ALERT_COLUMNS = (
    "id",
    "elder_id",
    "rule",
    "period",
    "severity",
    "status",
    "created_at",
    "claimed_by",
    "claimed_at",
    "outcome",
    "resolved_at",
)
# Staff notes are free text (names, what happened at home): only in an export that says so.
ALERT_NOTE_COLUMNS = (*ALERT_COLUMNS, "note")
CHECKIN_COLUMNS = (
    "elder_id",
    "date",
    "slot",
    "status",
    "started_at",
    "completed_at",
    "answered",
)
ELDERS_PER_BATCH = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _elders(uow: AbstractUnitOfWork, municipality_code: str | None) -> list[Elder]:
    if municipality_code is None:
        return uow.elders.list_all()
    return sorted(uow.elders.list_for_municipality(municipality_code), key=lambda e: e.id)


def _check_range(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and since > until:
        raise ValueError(f"期間の始まり {since} が終わり {until} より後です")


def _when(value: datetime | None, svc: Services) -> str:
    return "" if value is None else value.astimezone(svc.tz).isoformat(timespec="seconds")


def _text(value: object) -> str:
    """Return a cell's text, defused so that a spreadsheet never runs it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def alert_rows(
    svc: Services,
    *,
    since: date | None = None,
    until: date | None = None,
    municipality_code: str | None = None,
    with_notes: bool = False,
) -> Iterator[list[str]]:
    """Return the header and one row per alert created from ``since`` to ``until`` (local dates).

    Rows are ordered by ``created_at``, then id. With ``municipality_code``, only the
    alerts of that municipality's elders. Ids and codes only, unless ``with_notes`` adds
    the staff's free-text notes as a last column. Raise ValueError (at once) if ``since``
    is after ``until``.
    """
    _check_range(since, until)
    return _alert_rows(svc, since, until, municipality_code, with_notes)


def alert_note_rows(svc: Services, **kwargs: Any) -> Iterator[list[str]]:
    """Return ``alert_rows`` with the staff notes (an explicit, role-gated export)."""
    return alert_rows(svc, **kwargs, with_notes=True)


def _alert_rows(
    svc: Services,
    since: date | None,
    until: date | None,
    municipality_code: str | None,
    with_notes: bool,
) -> Iterator[list[str]]:
    with svc.uow() as uow:
        elders = _elders(uow, municipality_code)
        wanted = {e.id for e in elders}
        alerts: dict[str, Alert] = {}
        # No port lists alerts by time: every center's alerts, whatever their status.
        for center_id in sorted({e.center_id for e in elders}):
            for alert in uow.alerts.list_for_center(center_id, tuple(AlertStatus)):
                if alert.elder_id in wanted:
                    alerts[alert.id] = alert
    yield list(ALERT_NOTE_COLUMNS if with_notes else ALERT_COLUMNS)
    for alert in sorted(alerts.values(), key=lambda a: (a.created_at, a.id)):
        day = alert.created_at.astimezone(svc.tz).date()
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        row = [
            _text(alert.id),
            _text(alert.elder_id),
            _text(alert.rule),
            _text(alert.period),
            str(Severity(alert.severity).value),
            str(AlertStatus(alert.status).value),
            _when(alert.created_at, svc),
            _text(alert.claimed_by),
            _when(alert.claimed_at, svc),
            "" if alert.outcome is None else str(alert.outcome.value),
            _when(alert.resolved_at, svc),
        ]
        yield [*row, _text(alert.note)] if with_notes else row


def checkin_rows(
    svc: Services,
    *,
    since: date | None = None,
    until: date | None = None,
    municipality_code: str | None = None,
) -> Iterator[list[str]]:
    """Return the header and one row per check-in dated from ``since`` to ``until``.

    Rows are ordered by elder id, then as ``CheckInRepository.list_for_elder``.
    ``answered`` counts the check-in's answers that were not skipped. Elders are read in
    batches, so memory stays bounded however long the period. Raise ValueError (at once)
    if ``since`` is after ``until``.
    """
    _check_range(since, until)
    return _checkin_rows(svc, since or date.min, until or date.max, municipality_code)


def _checkin_rows(
    svc: Services, start: date, end: date, municipality_code: str | None
) -> Iterator[list[str]]:
    yield list(CHECKIN_COLUMNS)
    with svc.uow() as uow:
        ids = [e.id for e in _elders(uow, municipality_code)]
        for i in range(0, len(ids), ELDERS_PER_BATCH):
            batch = ids[i : i + ELDERS_PER_BATCH]
            checkins = uow.checkins.list_for_elders(batch, start, end)
            answers = uow.answers.list_for_elders(batch, start, end)
            for elder_id in batch:
                answered: dict[str, int] = {}
                for answer in answers[elder_id]:
                    if answer.skipped is None:
                        answered[answer.checkin_id] = answered.get(answer.checkin_id, 0) + 1
                for checkin in checkins[elder_id]:
                    yield _checkin_row(checkin, answered.get(checkin.id, 0), svc)


def _checkin_row(checkin: CheckIn, answered: int, svc: Services) -> list[str]:
    return [
        _text(checkin.elder_id),
        checkin.date.isoformat(),
        _text(checkin.slot),
        str(checkin.status.value),
        _when(checkin.started_at, svc),
        _when(checkin.completed_at, svc),
        str(answered),
    ]


def write_csv(rows: Iterable[Sequence[str]], out: TextIO) -> int:
    """Write rows as CSV (RFC 4180, CRLF line ends) to ``out``; return the data rows written.

    ``out`` must be opened with ``newline=""`` when it is a file.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0)
