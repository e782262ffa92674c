"""A server's processes let go of pooled connections around the fork (bootstrap.release_clients)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from backend.bootstrap import release_clients, sql_engine
from tests.databases import fresh_sqlite


def _pooled_connection(engine):
    connection = engine.raw_connection()
    try:
        return connection.driver_connection
    finally:
        connection.close()  # back to the pool, still open


def test_after_the_release_the_engine_opens_a_new_connection(tmp_path: Path) -> None:
    # Close what earlier tests pooled in this process first: forgetting their connections
    # (close=False) would leave open PostgreSQL connections to the garbage collector.
    release_clients()
    engine = sql_engine(fresh_sqlite(tmp_path))
    inherited = _pooled_connection(engine)
    assert _pooled_connection(engine) is inherited  # pooled: the same one again
    release_clients(close=False)  # a forked worker: forget the master's, close nothing
    fresh = _pooled_connection(engine)
    assert fresh is not inherited
    assert inherited.execute("SELECT 1").fetchone() == (1,)  # untouched: still the master's
    inherited.close()
    release_clients()  # the master before forking: close what it pooled
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        fresh.execute("SELECT 1")
    assert _pooled_connection(engine) is not fresh
    engine.dispose()
