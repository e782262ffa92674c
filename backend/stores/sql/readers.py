"""Positional readers for the bulk reads of the sweep (rows as tuples, not mappings)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from backend.domain.model import (
    Answer,
    AnswerSource,
    CheckIn,
    CheckInStatus,
    Reading,
    ReadingKind,
)
from backend.stores.sql.column_types import date_decoder, json_decoder, utc_decoder

# A reader is made once per query from the result's column names and the dialect's name,
# and builds domain objects from row tuples: about twice as fast as going through a mapping
# per row. The positional readers below read the driver's own values (the statement selects
# its columns untyped, ``base.untyped``) and decode them with ``column_types``' decoders: the
# sweep reads some 190 rows per elder, and SQLAlchemy's result processing cost more than
# the rest of building them.

RowReader = Callable[[Sequence[str], str], Callable[[Sequence[Any]], Any]]

_SOURCES = {s.value: s for s in AnswerSource}
_STATUSES = {s.value: s for s in CheckInStatus}
_KINDS = {k.value: k for k in ReadingKind}


def mapped(from_row: Callable[[Mapping[str, Any]], Any]) -> RowReader:
    """Return a reader that goes through the row's mapping (typed columns; rare bulk reads)."""

    def reader(keys: Sequence[str], dialect_name: str) -> Callable[[Sequence[Any]], Any]:
        return lambda row: from_row(row._mapping)  # type: ignore[attr-defined]

    return reader


def answer_reader(keys: Sequence[str], dialect_name: str) -> Callable[[Sequence[Any]], Answer]:
    """Return a reader of untyped ``answers`` rows with these columns."""
    get = itemgetter(*(keys.index(name) for name in _ANSWER_FIELDS))
    sources = _SOURCES
    day_of, value_of, at_of = (
        date_decoder(dialect_name),
        json_decoder(dialect_name),
        utc_decoder(dialect_name),
    )

    def read(row: Sequence[Any]) -> Answer:
        checkin_id, elder_id, day, question_id, version, value, raw, source, at, skipped, rid = get(
            row
        )
        return Answer(
            checkin_id, elder_id, day_of(day), question_id, version, value_of(value), raw,
            sources[source], at_of(at), skipped, rid,
        )  # fmt: skip

    return read


_ANSWER_FIELDS = (
    "checkin_id", "elder_id", "date", "question_id", "question_version", "value", "raw",
    "source", "answered_at", "skipped", "request_id",
)  # fmt: skip


def checkin_reader(keys: Sequence[str], dialect_name: str) -> Callable[[Sequence[Any]], CheckIn]:
    """Return a reader of untyped ``checkins`` rows with these columns."""
    get = itemgetter(
        *(
            keys.index(n)
            for n in ("id", "elder_id", "date", "slot", "status", "started_at", "completed_at")
        )
    )
    statuses = _STATUSES
    day_of, at_of = date_decoder(dialect_name), utc_decoder(dialect_name)

    def read(row: Sequence[Any]) -> CheckIn:
        checkin_id, elder_id, day, slot, status, started_at, completed_at = get(row)
        return CheckIn(
            checkin_id,
            elder_id,
            day_of(day),
            slot,
            statuses[status],
            at_of(started_at),
            at_of(completed_at),
        )

    return read


def reading_reader(keys: Sequence[str], dialect_name: str) -> Callable[[Sequence[Any]], Reading]:
    """Return a reader of untyped ``readings`` rows with these columns."""
    names = ("elder_id", "measured_at", "kind", "value", "source")
    get = itemgetter(*(keys.index(n) for n in names))
    kinds = _KINDS
    value_of, at_of = json_decoder(dialect_name), utc_decoder(dialect_name)

    def read(row: Sequence[Any]) -> Reading:
        elder_id, measured_at, kind, value, source = get(row)
        return Reading(elder_id, at_of(measured_at), kinds[kind], value_of(value), source)

    return read
