"""The store contract against the SQL store: SQLite (temp file) and PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from backend.ports import AbstractUnitOfWork
from backend.stores.sql import migrate, tables
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.integration.store_contract import (  # noqa: F401 - collected by pytest here
    TestAnswers,
    TestCenterDay,
    TestCenters,
    TestCheckIns,
    TestDatetimes,
    TestDevices,
    TestElders,
    TestEvents,
    TestMunicipalities,
    TestUnitOfWork,
)

POSTGRES_URL_VAR = "MIMAMORI_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    base = os.environ.get(POSTGRES_URL_VAR)
    if not base:
        pytest.skip(f"{POSTGRES_URL_VAR} not set")
    name = f"mimamori_test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in tables.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def sql_engine(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{os.path.join(tmp_path, 'store.db')}"
        migrate.upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _empty_all_tables(engine)
        yield engine


@pytest.mark.postgres
class TestPostgresSchema:
    def test_upgrade_builds_exactly_the_schema_of_the_tables_module(
        self, postgres_url: str
    ) -> None:
        engine = make_engine(postgres_url)
        try:
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                assert compare_metadata(context, tables.metadata) == []
        finally:
            engine.dispose()


@pytest.fixture
def uow_factory(sql_engine: Engine) -> Callable[[], AbstractUnitOfWork]:
    return lambda: SqlUnitOfWork(sql_engine)
