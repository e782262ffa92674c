"""The store contract against the SQL store: SQLite (temp file) and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import AlertStatus, ReadingKind
from backend.ports import AbstractUnitOfWork
from backend.stores.sql import base, migrate, tables
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.builders import (
    CENTER_ID,
    DAY,
    ELDER_ID,
    jst,
    make_alert,
    make_alert_change,
    make_answer,
    make_away,
    make_binding,
    make_center_inbox,
    make_checkin,
    make_elder,
    make_municipality,
    make_outbox_message,
    make_reading,
    make_recipient,
    seed,
)
from tests.databases import fresh_postgres
from tests.integration.config_store_contract import (  # noqa: F401 - collected by pytest here
    TestConfigVersions,
)
from tests.integration.contact_store_contract import (  # noqa: F401 - collected by pytest here
    TestElderContacts,
)
from tests.integration.family_store_contract import (  # noqa: F401 - collected by pytest here
    TestFamilyMessages,
    TestLineInbox,
    TestLineSends,
    TestLinkCodes,
    TestRecipientsByAddress,
    TestSummarySubscriptions,
)
from tests.integration.job_run_store_contract import (  # noqa: F401 - collected by pytest here
    TestJobRunRaces,
    TestJobRuns,
)
from tests.integration.privacy_store_contract import (  # noqa: F401 - collected by pytest here
    TestElderCodes,
    TestElderErasure,
    TestElderListings,
    TestWithdrawalRecord,
)
from tests.integration.store_contract import (  # noqa: F401 - collected by pytest here
    TestAlertHistory,
    TestAlerts,
    TestAnswers,
    TestApiTokens,
    TestAuditedActions,
    TestAuditLog,
    TestAwayPeriods,
    TestBoardReadModel,
    TestBulkReads,
    TestCenterDay,
    TestCenters,
    TestCheckIns,
    TestDatetimes,
    TestDevices,
    TestElders,
    TestEvents,
    TestLoginFailureRaces,
    TestLoginFailureReservations,
    TestLoginFailures,
    TestMunicipalities,
    TestNoticeDeliveries,
    TestNotices,
    TestOutbox,
    TestReadings,
    TestRecipients,
    TestSessions,
    TestUnitOfWork,
    TestUsers,
    given,
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    with fresh_postgres() as url:
        yield url


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


class TestSqlOnlyAlerts:
    """References, atomic imports and query counts of the alert-related repositories."""

    def test_records_referring_to_an_unknown_elder_or_alert_raise_not_found(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory, make_alert())
        with uow_factory() as uow:
            with pytest.raises(NotFound):
                uow.away.add(make_away(elder_id="no-such-elder"))
            with pytest.raises(NotFound):
                uow.readings.add_many([make_reading(elder_id="no-such-elder")])
            with pytest.raises(NotFound):
                uow.alerts.add_if_absent(make_alert("alert-2", elder_id="no-such-elder"))
            with pytest.raises(NotFound):
                uow.alerts.add_change(make_alert_change(alert_id="no-such-alert"))
            # The unit is still usable.
            uow.away.add(make_away())
            uow.alerts.add_change(make_alert_change())
            uow.commit()
        with uow_factory() as uow:
            assert uow.away.list_for_elder(ELDER_ID) == [make_away()]
            assert uow.alerts.history("alert-1") == [make_alert_change()]

    def test_a_failed_batch_of_readings_stores_none_of_them(self, sql_engine: Engine) -> None:
        # One row per INSERT statement: the batch runs as several statements.
        engine = sql_engine.execution_options(insertmanyvalues_page_size=1)
        statements = _count_statements(engine)
        uow_factory = lambda: SqlUnitOfWork(engine)  # noqa: E731
        given(uow_factory)
        good = [make_reading(measured_at=jst(DAY, 7) + timedelta(days=i)) for i in range(3)]
        with uow_factory() as uow:
            statements.clear()
            with pytest.raises(NotFound):
                uow.readings.add_many([*good, make_reading(elder_id="no-such-elder")])
            assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) > 1
            window = (jst(DAY, 0), jst(DAY + timedelta(days=9), 0))
            assert uow.readings.list_for_elders([ELDER_ID], ReadingKind.WEIGHT, *window) == {
                ELDER_ID: []
            }
            assert uow.readings.add_many(good) == 3
            uow.commit()
        with uow_factory() as uow:
            got = uow.readings.list_for_elders([ELDER_ID], ReadingKind.WEIGHT, *window)
        assert got == {ELDER_ID: good}

    def test_bulk_reads_run_one_query_per_batch_of_elders(
        self,
        sql_engine: Engine,
        uow_factory: Callable[[], AbstractUnitOfWork],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        ids = ["elder-a", "elder-b", "elder-c"]
        given(
            uow_factory,
            *[make_elder(elder_id) for elder_id in ids],
            *[make_checkin(f"c-{elder_id}", elder_id=elder_id) for elder_id in ids],
            *[make_answer(checkin_id=f"c-{elder_id}", elder_id=elder_id) for elder_id in ids],
            *[make_away(f"away-{elder_id}", elder_id=elder_id) for elder_id in ids],
            *[make_reading(elder_id=elder_id) for elder_id in ids],
            *[make_alert(f"alert-{elder_id}", elder_id=elder_id) for elder_id in ids],
        )
        asked = [*ids, "no-such-elder"]
        window = (jst(DAY, 0), jst(DAY, 23))

        def read_all(uow: AbstractUnitOfWork) -> list[Any]:
            return [
                uow.checkins.list_for_elders(asked, DAY, DAY),
                uow.answers.list_for_elders(asked, DAY, DAY),
                uow.away.active_for_elders(asked, *window),
                uow.readings.list_for_elders(asked, ReadingKind.WEIGHT, *window),
                uow.alerts.existing_keys(asked, "2025-04-01"),
            ]

        statements = _count_statements(sql_engine)
        with uow_factory() as uow:
            statements.clear()
            whole = read_all(uow)
            assert len(statements) == 5
            monkeypatch.setattr(base, "IDS_PER_QUERY", 2)
            statements.clear()
            batched = read_all(uow)
            assert len(statements) == 10
        assert batched == whole
        assert [len(found) for found in whole[0].values()] == [1, 1, 1, 0]
        assert len(whole[4]) == 3


def _count_statements(engine: Engine) -> list[str]:
    """Record the SQL the engine runs from now until the test ends."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    _LISTENERS.append((engine, record))
    return statements


_LISTENERS: list[tuple[Engine, Any]] = []


@pytest.fixture(autouse=True)
def _remove_listeners() -> Iterator[None]:
    yield
    while _LISTENERS:
        engine, listener = _LISTENERS.pop()
        event.remove(engine, "before_cursor_execute", listener)


class TestConcurrentAlerts:
    def test_two_units_adding_the_same_key_at_once_store_one_alert(
        self, sql_engine: Engine
    ) -> None:
        given(lambda: SqlUnitOfWork(sql_engine))
        both_open = threading.Barrier(2, timeout=30)

        def add(alert_id: str) -> bool:
            with SqlUnitOfWork(sql_engine) as uow:
                both_open.wait()
                added = uow.alerts.add_if_absent(make_alert(alert_id))
                uow.commit()
                return added

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(add, ["alert-a", "alert-b"]))
        assert sorted(results) == [False, True]
        with SqlUnitOfWork(sql_engine) as uow:
            stored = uow.alerts.list_for_center(CENTER_ID, list(AlertStatus))
        assert len(stored) == 1
        assert stored[0].id == ("alert-a" if results[0] else "alert-b")


class TestSqlOnlyOutbox:
    """References and concurrent claims of recipients and the outbox."""

    def test_records_referring_to_unknown_records_raise_not_found(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory, make_recipient(), make_alert())
        with uow_factory() as uow:
            with pytest.raises(NotFound):
                uow.recipients.add(make_recipient("r-2", elder_id="no-such-elder"))
            with pytest.raises(NotFound):
                uow.recipients.add(make_center_inbox(center_id="no-such-center"))
            with pytest.raises(NotFound):
                uow.recipients.update(make_recipient(elder_id="no-such-elder"))
            with pytest.raises(NotFound):
                uow.outbox.add_if_absent(make_outbox_message(recipient_id="no-such-recipient"))
            with pytest.raises(NotFound):
                uow.outbox.add_if_absent(make_outbox_message(alert_id="no-such-alert"))
            # The unit is still usable.
            assert uow.outbox.add_if_absent(make_outbox_message(alert_id="alert-1")) is True
            uow.commit()
        with uow_factory() as uow:
            assert uow.recipients.get("recipient-1") == make_recipient()
            assert uow.outbox.list_for_alert("alert-1") == [make_outbox_message(alert_id="alert-1")]

    def test_two_units_claiming_one_message_at_once_claim_it_once(self, sql_engine: Engine) -> None:
        given(lambda: SqlUnitOfWork(sql_engine), make_recipient(), make_outbox_message())
        now = jst(DAY, 10, 1)
        both_open = threading.Barrier(2, timeout=30)

        def claim(until_minute: int) -> bool:
            with SqlUnitOfWork(sql_engine) as uow:
                both_open.wait()
                claimed = uow.outbox.claim("msg-1", now, jst(DAY, 10, until_minute))
                uow.commit()
                return claimed

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(claim, [6, 7]))
        assert sorted(results) == [False, True]
        with SqlUnitOfWork(sql_engine) as uow:
            stored = uow.outbox.get("msg-1")
        assert stored is not None
        assert stored.next_attempt_at == jst(DAY, 10, 6 if results[0] else 7)


@pytest.mark.postgres
class TestPostgresConcurrentAlerts:
    """A unit adding a key another open unit has added waits for that unit's outcome."""

    @pytest.fixture
    def engine(self, postgres_engine: Engine) -> Engine:
        _empty_all_tables(postgres_engine)
        given(lambda: SqlUnitOfWork(postgres_engine))
        return postgres_engine

    @staticmethod
    def _wait_until_a_unit_waits_for_a_lock(engine: Engine) -> None:
        deadline = time.monotonic() + 30
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                waiting = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
                conn.rollback()
                if waiting:
                    return
                time.sleep(0.01)
        raise AssertionError("the second unit never waited for the first")

    def _second_unit_while_first_is_open(self, engine: Engine, *, first_commits: bool) -> bool:
        with SqlUnitOfWork(engine) as first:
            assert first.alerts.add_if_absent(make_alert("alert-first")) is True
            with ThreadPoolExecutor(max_workers=1) as pool:

                def second() -> bool:
                    with SqlUnitOfWork(engine) as uow:
                        added = uow.alerts.add_if_absent(make_alert("alert-second"))
                        # The unit stays usable after the refused key.
                        uow.alerts.add_if_absent(make_alert("alert-other", period="p2"))
                        uow.commit()
                        return added

                future = pool.submit(second)
                self._wait_until_a_unit_waits_for_a_lock(engine)
                assert not future.done()
                if first_commits:
                    first.commit()
                else:
                    first.rollback()
                return future.result(timeout=30)

    def test_the_second_unit_gets_false_when_the_first_commits(self, engine: Engine) -> None:
        assert self._second_unit_while_first_is_open(engine, first_commits=True) is False
        with SqlUnitOfWork(engine) as uow:
            stored = uow.alerts.list_for_center(CENTER_ID, list(AlertStatus))
        assert sorted(a.id for a in stored) == ["alert-first", "alert-other"]

    def test_the_second_unit_stores_its_alert_when_the_first_rolls_back(
        self, engine: Engine
    ) -> None:
        assert self._second_unit_while_first_is_open(engine, first_commits=False) is True
        with SqlUnitOfWork(engine) as uow:
            stored = uow.alerts.list_for_center(CENTER_ID, list(AlertStatus))
        assert sorted(a.id for a in stored) == ["alert-other", "alert-second"]


class TestSqlOnlyBoardColumns:
    """The first binding and latest check-in kept on the elder row by triggers (0013)."""

    @staticmethod
    def _assert_kept(engine: Engine) -> None:
        with engine.connect() as conn:
            kept = conn.execute(
                text(
                    "SELECT e.id, e.bound_since, e.last_checkin_at, e.last_checkin_date,"
                    " (SELECT min(d.bound_at) FROM device_bindings d WHERE d.elder_id = e.id),"
                    " (SELECT max(x.started_at) FROM checkins x WHERE x.elder_id = e.id),"
                    " (SELECT count(*) FROM checkins x WHERE x.elder_id = e.id"
                    "  AND x.started_at = e.last_checkin_at AND x.date = e.last_checkin_date)"
                    " FROM elders e ORDER BY e.id"
                )
            ).all()
        for elder_id, bound, last, last_date, min_bound, max_started, matching in kept:
            assert (elder_id, bound, last) == (elder_id, min_bound, max_started)
            assert (last_date is None) == (last is None)
            assert matching == (0 if last is None else 1)

    def test_inserts_updates_deletes_and_rebinding_keep_the_elder_columns(
        self, sql_engine: Engine, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        other = make_elder("elder-2", name="二", kana="に")
        with uow_factory() as uow:
            seed(uow, make_elder(), other)
            uow.checkins.add(make_checkin("c1", day=DAY, slot="morning", started_at=jst(DAY, 7)))
            uow.checkins.add(
                make_checkin("c2", day=DAY - timedelta(days=1), slot="x", started_at=jst(DAY, 6))
            )
            uow.devices.bind(make_binding(device_id="d1", bound_at=jst(DAY, 5)))
            uow.devices.bind(make_binding(device_id="d2", bound_at=jst(DAY, 6)))
            uow.commit()
        self._assert_kept(sql_engine)
        with uow_factory() as uow:  # the earlier speaker now bound to the other elder
            uow.devices.bind(make_binding(device_id="d1", elder_id="elder-2", bound_at=jst(DAY, 8)))
            uow.commit()
        self._assert_kept(sql_engine)
        with uow_factory() as uow:
            found = uow.board.center_board(CENTER_ID, DAY, DAY - timedelta(days=14))
        first, second = sorted(found, key=lambda entry: entry.elder.id)
        assert first.bound_at == jst(DAY, 6)
        assert second.bound_at == jst(DAY, 8)
        assert first.last_checkin_at == jst(DAY, 7)
        steps = [
            "UPDATE checkins SET started_at = started_at WHERE id = 'c1'",  # unchanged
            "UPDATE checkins SET elder_id = 'elder-2' WHERE id = 'c1'",
            "UPDATE checkins SET date = date WHERE id = 'c2'",
            "DELETE FROM checkins WHERE id = 'c1'",
            "DELETE FROM device_bindings WHERE device_id = 'd2'",
            "DELETE FROM checkins",
        ]
        for step in steps:
            with sql_engine.begin() as conn:
                conn.execute(text(step))
            self._assert_kept(sql_engine)
        with uow_factory() as uow:
            found = uow.board.center_board(CENTER_ID, DAY, DAY - timedelta(days=14))
        first, second = sorted(found, key=lambda entry: entry.elder.id)
        assert (first.bound_at, first.last_checkin_at) == (None, None)
        assert (second.bound_at, second.last_checkin_at) == (jst(DAY, 8), None)

    def test_a_rolled_back_check_in_leaves_the_elder_columns_as_they_were(
        self, sql_engine: Engine, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder())
            uow.commit()
        with uow_factory() as uow:
            uow.checkins.add(make_checkin("c1", started_at=jst(DAY, 7)))
            uow.devices.bind(make_binding())
        self._assert_kept(sql_engine)
        with uow_factory() as uow:
            (entry,) = uow.board.center_board(CENTER_ID, DAY, DAY - timedelta(days=14))
        assert (entry.bound_at, entry.last_checkin_at) == (None, None)


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
