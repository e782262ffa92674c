"""Migrations: the hand-written revisions build exactly the schema in ``tables.py``."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backend.stores.sql import migrate, tables
from backend.stores.sql.uow import make_engine


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "mimamori.db"


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def schema_differences(url: str) -> list[object]:
    """Return what Alembic autogenerate finds between the database and ``tables.metadata``."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, tables.metadata))
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


class TestSqliteMigrations:
    def test_upgrade_builds_exactly_the_schema_of_the_tables_module(
        self, sqlite_file: Path
    ) -> None:
        migrate.upgrade(_url(sqlite_file))
        assert schema_differences(_url(sqlite_file)) == []

    def test_the_upgraded_database_is_in_wal_mode(self, sqlite_file: Path) -> None:
        migrate.upgrade(_url(sqlite_file))
        with closing(sqlite3.connect(sqlite_file)) as conn:
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        assert mode == "wal"

    def test_upgrade_twice_is_harmless(self, sqlite_file: Path) -> None:
        migrate.upgrade(_url(sqlite_file))
        migrate.upgrade(_url(sqlite_file))
        assert schema_differences(_url(sqlite_file)) == []

    def test_downgrade_to_base_drops_every_table(self, sqlite_file: Path) -> None:
        migrate.upgrade(_url(sqlite_file))
        migrate.downgrade(_url(sqlite_file), "base")
        assert _table_names(_url(sqlite_file)) <= {"alembic_version"}
        migrate.upgrade(_url(sqlite_file))
        assert set(tables.metadata.tables) <= _table_names(_url(sqlite_file))

    def test_foreign_keys_are_enforced(self, sqlite_file: Path) -> None:
        engine = make_engine(_url(sqlite_file))
        try:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        finally:
            engine.dispose()
