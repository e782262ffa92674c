"""What the SQL repositories share: their base class, key-violation translation, helpers."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Insert, Table, bindparam, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import NullType

from backend.domain.errors import Conflict, NotFound
from backend.stores.sql.readers import RowReader

_PG_UNIQUE_VIOLATION = "23505"
_PG_FOREIGN_KEY_VIOLATION = "23503"
_SQLITE_KEY_ERRORS = {"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"}

# Bulk reads bind one parameter per elder id; batches stay far below the parameter
# limits (SQLite 32766, PostgreSQL 65535) whatever the number of elders asked for.
IDS_PER_QUERY = 1000

R = TypeVar("R")
T = TypeVar("T")


def batches(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    """Yield the ids in slices of at most ``IDS_PER_QUERY`` (one query each)."""
    for i in range(0, len(ids), IDS_PER_QUERY):
        yield ids[i : i + IDS_PER_QUERY]


def _violation(err: IntegrityError) -> str | None:
    """Return "key" (primary/unique), "reference" (foreign key) or None (anything else)."""
    orig = err.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return {_PG_UNIQUE_VIOLATION: "key", _PG_FOREIGN_KEY_VIOLATION: "reference"}.get(sqlstate)
    if isinstance(orig, sqlite3.IntegrityError):
        name = getattr(orig, "sqlite_errorname", "")
        if name in _SQLITE_KEY_ERRORS:
            return "key"
        return "reference" if name == "SQLITE_CONSTRAINT_FOREIGNKEY" else None
    message = str(orig).lower()
    if "foreign key" in message:
        return "reference"
    return "key" if "unique" in message or "duplicate" in message else None


@contextmanager
def translated(connection: Connection, what: str, *, atomic: bool = False) -> Iterator[None]:
    """Run a write in a SAVEPOINT; turn key violations into domain errors.

    The savepoint keeps the outer transaction usable after the violation (PostgreSQL
    aborts the whole transaction on an error otherwise). Other integrity errors (NOT
    NULL, ...) are bugs and propagate unchanged. ``atomic`` asks for the savepoint on
    SQLite too: for a write of several statements that must leave nothing on failure.
    """
    # SQLite undoes just the failed statement and keeps the transaction: no savepoint needed.
    if connection.dialect.name == "sqlite" and not atomic:
        guard: Any = nullcontext()
    else:
        guard = connection.begin_nested()
    try:
        with guard:
            yield
    except IntegrityError as err:
        kind = _violation(err)
        if kind == "reference":
            raise NotFound(f"{what}: a record it refers to does not exist") from err
        if kind == "key":
            raise Conflict(f"{what} already exists") from err
        raise


# The databases the store runs on (the migrations too): nothing else is built for.
_DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}


def code_point(dialect_name: str, column: Any) -> Any:
    """Order text by code point, as SQLite and Python do, whatever the database collation."""
    return column.collate("C") if dialect_name == "postgresql" else column


class PerDialect:
    """A statement built once for SQLite and once for PostgreSQL (text ordering and ON CONFLICT).

    ``build`` gets the dialect name and returns the statement.
    """

    def __init__(self, build: Callable[[str], Any]) -> None:
        self._built = {name: build(name) for name in _DIALECTS}

    def get(self, connection: Connection) -> Any:
        """Return the statement for the connection's dialect."""
        return self._built[connection.dialect.name]

    def get_for(self, dialect_name: str) -> Any:
        """Return the statement for the dialect of this name."""
        return self._built[dialect_name]


def ids_in(column: Any) -> Any:
    """Return ``column IN :elder_ids`` (an expanding parameter)."""
    return column.in_(bindparam("elder_ids", expanding=True))


def dialect_insert(name: str, table: Table) -> Any:
    """Return the dialect's own INSERT of the table (it has ON CONFLICT)."""
    return _DIALECTS[name].insert(table)


def on_conflict_insert(name: str, table: Table, key: Sequence[str], returning: Any) -> Any:
    """Return INSERT … ON CONFLICT (key) DO NOTHING RETURNING."""
    stmt = dialect_insert(name, table).on_conflict_do_nothing(index_elements=list(key))
    return stmt.returning(returning)


def untyped(table: Table) -> list[Any]:
    """Return the table's columns to select as the driver returns them (for ``readers``)."""
    return [type_coerce(column, NullType()).label(column.name) for column in table.c]


def mapping(row: Any) -> Mapping[str, Any]:
    """Return the row as a mapping of column names to values."""
    return row._mapping


def by_code_point(connection: Connection, column: Any) -> Any:
    """Order text by code point, as SQLite and Python do, whatever the database collation."""
    return code_point(connection.dialect.name, column)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a bulk read builds its objects.

    A sweep batch builds some 100,000 objects that all stay alive; each time the survivors
    grow by a quarter the collector traverses the whole heap again (seven full collections
    per 1,000 elders, a quarter of the sweep). Nothing built here forms a cycle, reference
    counting frees the rest as before, and the collector runs as usual afterwards. The
    switch is process-wide: another thread's cyclic garbage waits the few tenths of a second.
    """
    if not gc.isenabled():  # paused by someone else (or by another bulk read): leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def grouped_by_elder(
    connection: Connection,
    stmt: Any,
    elder_ids: Sequence[str],
    params: Mapping[str, Any],
    reader: RowReader,
) -> dict[str, list[R]]:
    """Run a bulk read over elders (one query per batch); group rows by ``elder_id``.

    Every distinct asked id is a key, in the order first asked; rows keep the query's
    order within each elder (an elder's rows all come from one batch).
    """
    found: dict[str, list[R]] = {elder_id: [] for elder_id in elder_ids}
    ids = list(found)
    for batch in batches(ids):
        result = connection.execute(stmt, {**params, "elder_ids": batch})
        keys = list(result.keys())
        read, elder_at = reader(keys, connection.dialect.name), keys.index("elder_id")
        with cycle_collection_paused():
            for row in result.all():  # one fetchall, not a fetchone per row
                found[row[elder_at]].append(read(row))
    return found


class SqlRepository:
    """A repository over one open connection (the unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _insert(self, stmt: Insert, values: Mapping[str, Any], what: str) -> None:
        with translated(self._connection, what):
            self._connection.execute(stmt, dict(values))


Binder = Callable[[dict[str, Any]], tuple]
# Per dialect object (the columns' bind processors are the dialect's, e.g. its JSON
# serializer), then per table; an engine's entries go with its dialect.
_driver_inserts: WeakKeyDictionary[Dialect, dict[str, tuple[str, Binder]]] = WeakKeyDictionary()


def driver_insert(dialect: Dialect, table: Table, key: tuple[str, ...]) -> tuple[str, Binder]:
    """Return SQLite's INSERT … ON CONFLICT (key) DO NOTHING as driver SQL, and its binder.

    The binder turns a row dict into the positional parameters with the columns' own
    bind processors (the same conversions SQLAlchemy applies), so rows are stored exactly
    as through ``execute(insert(...))``; ``exec_driver_sql`` keeps SQLAlchemy's events,
    transaction and error translation but skips compiling, caching and the result set
    (about 60 us of the webhook's ~0.2 ms write on SQLite).
    """
    per_table = _driver_inserts.get(dialect)
    if per_table is None:
        per_table = _driver_inserts[dialect] = {}
    found = per_table.get(table.name)
    if found is None:
        compiled = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=list(key))
            .compile(dialect=dialect)
        )
        # The bound parameters' names in placeholder order (public: SQLCompiler.positiontup).
        names = compiled.positiontup or []
        binders = [(name, table.c[name].type.bind_processor(dialect)) for name in names]

        def bind(row: dict[str, Any]) -> tuple:
            return tuple(row[n] if process is None else process(row[n]) for n, process in binders)

        found = per_table[table.name] = (str(compiled), bind)
    return found
