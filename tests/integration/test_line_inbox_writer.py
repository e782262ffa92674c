"""The LINE webhook's own inbox writer on SQLite: the rows of ``add_if_absent``, durable."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from backend.domain.errors import StoreBusy
from backend.domain.family import InboxEvent
from backend.stores.sql.inbox_writer import SqliteLineInboxWriter, line_inbox_writer
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.builders import DAY, jst
from tests.databases import fresh_sqlite

REPO_ROOT = Path(__file__).resolve().parents[2]


def event(event_id: str, kind: str = "message") -> InboxEvent:
    payload = {"type": kind, "webhookEventId": event_id, "message": {"text": "日曜日に行くね。"}}
    return InboxEvent(event_id, kind, payload, jst(DAY, 7, 30), redelivery=False)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(fresh_sqlite(tmp_path))
    yield engine
    engine.dispose()


@pytest.fixture
def writer(engine: Engine) -> Iterator[SqliteLineInboxWriter]:
    found = line_inbox_writer(engine)
    assert isinstance(found, SqliteLineInboxWriter)
    yield found
    found.close()


def stored(engine: Engine, event_id: str) -> InboxEvent | None:
    with SqlUnitOfWork(engine) as uow:
        return uow.line_inbox.get(event_id)


class TestLineInboxWriter:
    def test_events_are_stored_as_the_repository_stores_them_and_duplicates_are_not(
        self, engine: Engine, writer: SqliteLineInboxWriter
    ) -> None:
        with SqlUnitOfWork(engine) as uow:
            assert uow.line_inbox.add_if_absent(event("by-uow"))
            uow.commit()
        assert writer.add_all([event("a"), event("b"), event("a"), event("by-uow")]) == [
            True,
            True,
            False,
            False,
        ]
        assert stored(engine, "a") == event("a")
        assert stored(engine, "b") == event("b")
        assert writer.add_all([event("b")]) == [False]

    def test_a_failing_event_stores_nothing_of_its_batch_and_the_writer_stays_usable(
        self, engine: Engine, writer: SqliteLineInboxWriter
    ) -> None:
        broken = InboxEvent("broken", None, {}, jst(DAY, 7), redelivery=False)  # type: ignore[arg-type]
        with pytest.raises(sqlite3.IntegrityError):
            writer.add_all([event("first"), broken])
        assert stored(engine, "first") is None
        assert writer.add_all([event("first")]) == [True]

    def test_a_locked_store_raises_store_busy_and_stores_nothing(
        self, engine: Engine, writer: SqliteLineInboxWriter
    ) -> None:
        writer.add_all([event("warm")])
        writer._connection().execute("PRAGMA busy_timeout=50")  # not the 5 s of production
        blocker = sqlite3.connect(engine.url.database, isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreBusy):
                writer.add_all([event("while-locked")])
            blocker.execute("ROLLBACK")
        finally:
            blocker.close()
        assert stored(engine, "while-locked") is None
        assert writer.add_all([event("while-locked")]) == [True]

    def test_threads_write_on_connections_of_their_own(
        self, engine: Engine, writer: SqliteLineInboxWriter
    ) -> None:
        results: list[list[bool]] = []

        def write(n: int) -> None:
            results.append(writer.add_all([event(f"t{n}-{i}") for i in range(20)]))
            writer.close()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(map(sum, results)) == [20, 20, 20, 20]
        assert all(stored(engine, f"t{n}-19") is not None for n in range(4))

    def test_an_event_is_kept_when_the_process_dies_right_after_the_write(
        self, engine: Engine
    ) -> None:
        script = (
            "import os, sys\n"
            "from backend.stores.sql.inbox_writer import line_inbox_writer\n"
            "from backend.stores.sql.uow import make_engine\n"
            "from tests.integration.test_line_inbox_writer import event\n"
            "assert line_inbox_writer(make_engine(sys.argv[1])).add_all([event('dies')]) == [True]\n"
            "os._exit(9)  # no close, no checkpoint, no clean exit\n"
        )
        url = str(engine.url)
        done = subprocess.run([sys.executable, "-c", script, url], cwd=REPO_ROOT, check=False)
        assert done.returncode == 9
        assert stored(engine, "dies") == event("dies")

    def test_there_is_no_writer_for_an_in_memory_database_or_postgresql(self) -> None:
        assert line_inbox_writer(make_engine("postgresql+psycopg://nobody@127.0.0.1/none")) is None
        assert line_inbox_writer(make_engine("sqlite://")) is None
        assert line_inbox_writer(make_engine("sqlite:///:memory:")) is None


def test_received_times_come_back_in_utc(engine: Engine, writer: SqliteLineInboxWriter) -> None:
    writer.add_all([event("utc")])
    found = stored(engine, "utc")
    assert found is not None
    assert found.received_at == jst(DAY, 7, 30)
    assert found.received_at.utcoffset() == timedelta(0)
