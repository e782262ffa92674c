"""Domain dataclasses to DynamoDB items and back, driven by the dataclasses' type hints.

Scalars (str, int, bool, enums, dates, datetimes) become top-level attributes: datetimes
as fixed-width UTC ISO strings (``2026-11-23T07:30:00.000000+00:00``, so that string
order is time order), dates as ``YYYY-MM-DD``. Anything else (dicts, ``Any`` values,
tuples, nested dataclasses) is kept as one JSON string, so ints stay ints and floats
floats (no Decimal round trip); a time of day inside one is ``HH:MM:SS``. ``None`` is not
stored.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

_SCALARS = (str, int, bool)


def aware(value: datetime | None) -> None:
    """Raise ValueError for a naive datetime (the store keeps aware datetimes only)."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError("naive datetime: the store keeps timezone-aware datetimes only")


def iso(value: datetime) -> str:
    """Return the instant as a fixed-width UTC ISO string (sortable as text)."""
    aware(value)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _plain(value: Any) -> Any:
    """Return a JSON-compatible form of a domain value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _unwrap_optional(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _from_plain(hint: Any, value: Any) -> Any:
    """Return the domain value of type ``hint`` from its plain (or DynamoDB) form."""
    if value is None:
        return None
    hint = _unwrap_optional(hint)
    origin = typing.get_origin(hint)
    if hint is Any or origin is dict or hint is dict:
        return _undecimal(value)
    if origin is tuple:
        args = typing.get_args(hint)
        return tuple(_from_plain(args[0], v) for v in value)
    if origin is list:
        args = typing.get_args(hint)
        return [_from_plain(args[0], v) for v in value]
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint(value)
        if issubclass(hint, datetime):
            return datetime.fromisoformat(value)
        if issubclass(hint, date):
            return date.fromisoformat(value)
        if issubclass(hint, time):
            return time.fromisoformat(value)
        if hint is bool:
            return bool(value)
        if hint is int:
            return int(value)
        if hint is float:
            return float(value)
        if hint is str:
            return str(value)
        if dataclasses.is_dataclass(hint):
            hints = _hints(hint)
            return hint(**{k: _from_plain(hints[k], v) for k, v in value.items()})
    return _undecimal(value)


def _undecimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _undecimal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_undecimal(v) for v in value]
    return value


def _is_scalar(hint: Any) -> bool:
    hint = _unwrap_optional(hint)
    return isinstance(hint, type) and issubclass(hint, (*_SCALARS, date, Enum))


def encode(obj: Any) -> dict[str, Any]:
    """Return the attributes of a domain dataclass (keys are added by the repository)."""
    hints = _hints(type(obj))  # type: ignore[arg-type]  # mypy sees no Hashable in type[Any]
    item: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None:
            continue
        if _is_scalar(hints[f.name]):
            item[f.name] = _plain(value)
        else:
            item[f.name] = json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)
    return item


def decode(cls: type[T], item: dict[str, Any]) -> T:
    """Return the domain dataclass ``cls`` from a stored item."""
    hints = _hints(cls)  # type: ignore[arg-type]  # mypy sees no Hashable in type[T]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in item:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                values[f.name] = None
            continue
        raw = item[f.name]
        if not _is_scalar(hints[f.name]):
            raw = json.loads(raw)
        values[f.name] = _from_plain(hints[f.name], raw)
    return cls(**values)
