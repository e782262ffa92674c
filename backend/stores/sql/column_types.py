"""Column types of the SQL store: UTC timestamps, ISO dates, JSON values that keep their type."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from numbers import Number
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def to_utc(value: datetime) -> datetime:
    """Return an aware datetime converted to UTC; refuse naive datetimes."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: the store keeps timezone-aware datetimes only")
    return value.astimezone(UTC)


def optional_utc(value: datetime | None) -> datetime | None:
    """Return ``to_utc(value)``, passing None through."""
    return None if value is None else to_utc(value)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC; always read back aware (UTC).

    SQLite has no timezone-aware type, so the UTC wall time is stored and UTC is
    re-attached on read. PostgreSQL stores ``timestamp with time zone``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC (naive on SQLite) before binding."""
        if value is None:
            return None
        utc = to_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        return as_utc(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On SQLite parse the stored text with ``fromisoformat`` (the sweep reads many rows)."""
        if dialect.name == "sqlite":
            return sqlite_utc
        return super().result_processor(dialect, coltype)


def as_utc(value: datetime | None) -> datetime | None:
    """Return the driver's timestamp as an aware UTC datetime (naive ones are UTC wall times)."""
    if value is None or value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def sqlite_utc(value: str | None) -> datetime | None:
    """Return the aware UTC datetime of a timestamp SQLite stored as text (None stays None)."""
    if value is None:
        return None
    try:  # parsing the offset is ~5x faster than .replace(tzinfo=UTC); same datetime
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # not a naive stored timestamp: parse as before
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


class IsoDate(TypeDecorator[date]):
    """A calendar date; on SQLite read with ``date.fromisoformat`` (faster than the default)."""

    impl = Date
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """Return ``date.fromisoformat`` on SQLite, the default elsewhere."""
        if dialect.name == "sqlite":
            return _sqlite_date
        return super().result_processor(dialect, coltype)


def _sqlite_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class JsonValue(TypeDecorator[Any]):
    """A JSON value that reads back with its Python type, also a top-level number.

    SQLite gives a column declared ``JSON`` NUMERIC affinity, which stores the JSON
    text "45.0" as the integer 45 (a weight of 52.0 kg would read back as ``int``).
    On SQLite the value is therefore kept as JSON text in a TEXT column; elsewhere
    it is the dialect's JSON. The migration declares
    ``sa.JSON().with_variant(sa.Text(), "sqlite")``.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        """Use TEXT on SQLite, JSON elsewhere."""
        return dialect.type_descriptor(Text() if dialect.name == "sqlite" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Serialize on SQLite (the JSON type serializes elsewhere)."""
        if dialect.name == "sqlite":
            return json.dumps(value, ensure_ascii=False)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Parse on SQLite (the JSON type parses elsewhere)."""
        if dialect.name == "sqlite" and value is not None:
            return parse_json(value)
        return value


def parse_json(text: str) -> Any:
    """Return ``json.loads(text)``, quicker for the plain scalars most answers are."""
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == '"' == text[-1] and "\\" not in text:
        return text[1:-1]  # a JSON string without escapes holds no quote but its two ends
    if text.isascii() and text.isdigit() and (text == "0" or text[0] != "0"):
        return int(text)
    return json.loads(text)


# Decoders of driver values: the sweep's bulk reads select their columns untyped (no
# SQLAlchemy result processing per row) and decode the driver's values themselves, exactly
# as the column types above would. Each call returns a fresh decoder for one result: on
# SQLite it parses each distinct text once (a batch holds a few dozen dates and mostly the
# same few answers: "good", true, ...).

Decoder = Callable[[Any], Any]
_MISSING = object()


def _same(value: Any) -> Any:
    return value


def date_decoder(dialect_name: str) -> Decoder:
    """Return the decoder of an ``IsoDate`` column's driver values."""
    if dialect_name != "sqlite":
        return _same  # the driver returns dates
    memo: dict[str | None, date | None] = {}

    def decode(value: str | None) -> date | None:
        found = memo.get(value, _MISSING)
        if found is _MISSING:
            found = memo[value] = _sqlite_date(value)
        return found  # type: ignore[return-value]

    return decode


def utc_decoder(dialect_name: str) -> Decoder:
    """Return the decoder of a ``UtcDateTime`` column's driver values."""
    return sqlite_utc if dialect_name == "sqlite" else as_utc


def json_decoder(dialect_name: str) -> Decoder:
    """Return the decoder of a ``JSON`` or ``JsonValue`` column's driver values.

    Elsewhere the driver parses JSON. On SQLite a ``JSON`` column (NUMERIC affinity) returns
    numbers as numbers and everything else as JSON text, a ``JsonValue`` column JSON text.
    Only scalars are remembered: an object or list is parsed anew for each row, so no two
    rows share a mutable value.
    """
    if dialect_name != "sqlite":
        return _same
    memo: dict[str, Any] = {}  # str keys only: 1, 1.0 and True are one dict key

    def decode(value: Any) -> Any:
        if type(value) is not str:
            return value if value is None or isinstance(value, Number) else json.loads(value)
        found = memo.get(value, _MISSING)
        if found is _MISSING:
            found = parse_json(value)
            if found is None or isinstance(found, str | int | float):
                memo[value] = found
        return found

    return decode
