"""The LINE webhook's own durable write on SQLite: a connection per thread, kept open.

Through a unit of work the acknowledgement paid SQLAlchemy's pool checkout, transaction
and execution layers around three statements (BEGIN, INSERT, COMMIT); here the same
statements run on a sqlite3 connection of the writer's own (one per thread and process,
configured like the engine's: WAL, ``synchronous=NORMAL``, foreign keys, busy timeout),
with the INSERT prepared once (the driver's statement cache) and bound with the columns'
own bind processors, so the stored row is the one ``add_if_absent`` stores.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine

from backend.domain.errors import StoreBusy
from backend.domain.family import InboxEvent
from backend.ports import LineInboxWriter
from backend.stores.sql import tables as t
from backend.stores.sql.base import driver_insert
from backend.stores.sql.family_codecs import inbox_event_to_row
from backend.stores.sql.uow import configure_sqlite_connection, is_sqlite_file


def line_inbox_writer(engine: Engine) -> LineInboxWriter | None:
    """Return the dedicated inbox writer for the engine's database (None: not SQLite file)."""
    if engine.dialect.name != "sqlite" or not is_sqlite_file(engine.url.database):
        return None
    return SqliteLineInboxWriter(engine)


class SqliteLineInboxWriter(LineInboxWriter):
    """``line_inbox`` rows written and committed on a sqlite3 connection per thread."""

    def __init__(self, engine: Engine) -> None:
        self._sql, self._bind = driver_insert(engine.dialect, t.line_inbox, ("id",))
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._connect_args: tuple[tuple[Any, ...], Mapping[str, Any]] = (tuple(cargs), cparams)
        self._dbapi = engine.dialect.loaded_dbapi
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a new thread, or a forked worker
            cargs, cparams = self._connect_args
            local.connection = self._dbapi.connect(*cargs, **cparams)
            configure_sqlite_connection(local.connection, is_file=True)
            local.pid = os.getpid()
        return local.connection

    def add_all(self, events: Sequence[InboxEvent]) -> list[bool]:
        """Store the events whose id is not taken (one transaction); return which were new."""
        rows = [self._bind(inbox_event_to_row(event)) for event in events]
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")  # the write lock now, with the busy wait
            stored = [connection.execute(self._sql, row).rowcount == 1 for row in rows]
            connection.execute("COMMIT")
        except BaseException as err:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            busy = "locked" in str(err).lower() or "busy" in str(err).lower()
            if isinstance(err, sqlite3.OperationalError) and busy:
                raise StoreBusy("the database is busy; try again") from err
            raise
        return stored

    def close(self) -> None:
        """Close this thread's connection (the next write opens a new one)."""
        connection = getattr(self._local, "connection", None)
        self._local.__dict__.clear()
        if connection is not None:
            connection.close()
