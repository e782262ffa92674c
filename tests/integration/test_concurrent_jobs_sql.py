"""Four ``mimamori jobs run`` at once on one SQL store: every one exits 0, the result is one run's.

The demo is seeded, its family and center on a local LINE API, at a time when alerts
open and messages are due. On SQLite another writer (an import, the dashboard) keeps
taking the write lock meanwhile, so the runs' transactions collide again and again;
they must wait, never crash. The store afterwards equals that of a single run on the
same seed: the same alerts and history, the same messages, each pushed once.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from backend.bootstrap import bootstrap, sql_uow_factory
from backend.services.demo import seed
from tests.concurrent_runs import demo_watchers_on_line, jobs_run_at_once
from tests.databases import fresh_postgres, fresh_sqlite
from tests.line import LocalLine, line_settings, local_line

FRIDAY_AFTERNOON = "2026-12-04T16:00+09:00"
SEEDED_AT = datetime.fromisoformat("2026-12-02T09:00+09:00")
TRIALS = 3


def seeded(url: str) -> None:
    """Seed the demo with its family and center on LINE (no quiet hours)."""
    services = bootstrap(line_settings(database_url=url), clock=lambda: SEEDED_AT)
    seed(services)
    demo_watchers_on_line(services)


def run_jobs(url: str, line: LocalLine, processes: int) -> list[subprocess.CompletedProcess]:
    """Start ``processes`` × ``mimamori jobs run`` together; return them once all ended."""
    return jobs_run_at_once(FRIDAY_AFTERNOON, processes, line.url, store="sql", database_url=url)


def outcome(url: str, line: LocalLine) -> dict[str, Any]:
    """Return what the runs left: alerts, history, messages, pushes and the push count."""
    with sql_uow_factory(url)() as uow:
        run = uow.connection.execute
        alerts = sorted(run(text("SELECT id, rule, period, stage FROM alerts")).all())
        changes = Counter(run(text("SELECT alert_id, action FROM alert_changes")).all())
        messages = sorted(
            run(text("SELECT id, attempts, sent_at IS NOT NULL FROM outbox_messages")).all()
        )
        sends = uow.family.sends("2026-12").sent
    pushes = Counter(push.headers["X-Line-Retry-Key"] for push in line.pushes)
    return {
        "alerts": alerts,
        "changes": changes,
        "messages": messages,
        "pushes": pushes,
        "sends": sends,
    }


@contextmanager
def another_writer(url: str) -> Iterator[None]:
    """On SQLite, keep taking the write lock (and writing) until the block ends."""
    if not url.startswith("sqlite"):
        yield
        return
    stop = threading.Event()

    def write() -> None:
        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        try:
            while not stop.is_set():
                db.execute("BEGIN IMMEDIATE")
                db.execute("UPDATE municipalities SET name = name")
                stop.wait(0.3)  # holds the lock a while, as a large import does
                db.execute("COMMIT")
                stop.wait(0.05)
        finally:
            db.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        yield
    finally:
        stop.set()
        writer.join()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Yield a function returning the URL of a fresh, seeded database at each call."""
    with ExitStack() as stack:
        made = iter(range(100))

        def fresh() -> str:
            if request.param == "sqlite":
                folder = tmp_path / f"db{next(made)}"
                folder.mkdir()
                url = fresh_sqlite(folder)
            else:
                url = stack.enter_context(fresh_postgres())
            seeded(url)
            return url

        yield fresh


def test_four_jobs_runs_at_once_all_exit_0_and_leave_what_one_run_leaves(store):
    reference = store()
    with local_line() as line:
        (single,) = run_jobs(reference, line, 1)
        assert single.returncode == 0, single.stderr[-3000:]
        expected = outcome(reference, line)
    assert expected["messages"]  # alerts opened and messages went out
    assert set(expected["pushes"].values()) == {1}
    for trial in range(TRIALS):
        url = store()
        with local_line() as line, another_writer(url):
            runs = run_jobs(url, line, 4)
        assert [r.returncode for r in runs] == [0] * 4, [r.stderr[-3000:] for r in runs]
        assert outcome(url, line) == expected, f"trial {trial}"
        assert line.problems == []
