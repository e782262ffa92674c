"""The store contract against the SQL store: SQLite (temp file) and PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from backend.domain.errors import Conflict, NotFound
from backend.ports import AbstractUnitOfWork
from backend.stores.sql import migrate, tables
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.builders import make_answer, make_checkin, make_elder, make_municipality, seed
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
    TestUsers,
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
def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _empty_all_tables(engine)
        yield engine


class TestSqlOnly:
    """Behaviour of the SQL store beyond the contract (references are enforced)."""

    def test_a_record_referring_to_an_unknown_elder_raises_not_found_and_the_unit_stays_usable(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder())
            with pytest.raises(NotFound) as caught:
                uow.checkins.add(make_checkin(elder_id="no-such-elder"))
            assert isinstance(caught.value.__cause__, IntegrityError)
            with pytest.raises(NotFound):
                uow.answers.add(make_answer(elder_id="no-such-elder"))
            uow.checkins.add(make_checkin())
            uow.commit()
        with uow_factory() as uow:
            assert uow.checkins.get("elder-1", make_checkin().date, "morning") == make_checkin()

    def test_conflict_is_raised_from_the_integrity_error(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            seed(uow)
            with pytest.raises(Conflict) as caught:
                uow.municipalities.add(make_municipality())
        assert isinstance(caught.value.__cause__, IntegrityError)


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
