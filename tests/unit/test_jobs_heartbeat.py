"""The scheduler's heartbeat: a claim lost at commit, or a mark raced, never fails a job."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from backend import jobs
from backend.domain.errors import ConcurrentWrite
from backend.settings import Settings
from tests.fakes import FakeStore, FakeUnitOfWork

NOW = datetime.fromisoformat("2026-11-24T08:05:00+09:00")


class LosingUnitOfWork(FakeUnitOfWork):
    """A unit whose commit loses to another writer (DynamoDB settles a claim at commit)."""

    def commit(self) -> None:
        raise ConcurrentWrite("another unit wrote the item first")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def services(store: FakeStore, unit=FakeUnitOfWork):
    return SimpleNamespace(uow=lambda: unit(store))


def test_a_stale_heartbeat_is_claimed_and_the_jobs_run(monkeypatch, store):
    store.state.job_runs[jobs.HEARTBEAT] = NOW - jobs.SCHEDULER_STALE_AFTER - timedelta(minutes=1)
    monkeypatch.setattr(jobs, "_services", lambda _settings, _now: services(store))
    ran = []
    monkeypatch.setattr(jobs, "run_due", lambda _settings, now: ran.append(now) or {})
    assert jobs.catch_up_if_stale(Settings(), NOW) == {}
    assert ran == [NOW]
    assert store.state.job_runs[jobs.HEARTBEAT] == NOW


def test_a_claim_lost_at_commit_runs_nothing(monkeypatch, store):
    store.state.job_runs[jobs.HEARTBEAT] = NOW - timedelta(hours=3)
    monkeypatch.setattr(jobs, "_services", lambda _s, _n: services(store, LosingUnitOfWork))
    monkeypatch.setattr(jobs, "run_due", lambda *_: pytest.fail("the jobs ran twice"))
    assert jobs.catch_up_if_stale(Settings(), NOW) is None


def test_a_heartbeat_raced_by_another_run_still_returns_the_job_s_result(monkeypatch, store):
    monkeypatch.setattr(jobs, "_services", lambda _s, _n: services(store, LosingUnitOfWork))
    monkeypatch.setitem(jobs.JOBS, "deliver-outbox", (lambda _s, _n: "sent", 1))
    assert jobs.run_job("deliver-outbox", Settings(), NOW) == "sent"
