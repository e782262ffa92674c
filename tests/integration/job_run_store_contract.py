"""The store contract of the scheduled jobs' last runs: marked forward only, claimed once when stale.

Run by the same modules as ``store_contract`` with their ``uow_factory`` fixture: ``TestJobRuns``
on every store (fake, SQLite, PostgreSQL, DynamoDB), ``TestJobRunRaces`` on the real ones only
(the fake store has no concurrency).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

import pytest

from backend.domain.errors import StoreBusy
from backend.ports import AbstractUnitOfWork
from tests.builders import DAY, jst

__all__ = ["TestJobRunRaces", "TestJobRuns"]

UowFactory = Callable[[], AbstractUnitOfWork]
NAME = "alert-sweep"
OTHER = "outbox-send"


def _marked(uow_factory: UowFactory, name: str, at: datetime) -> None:
    with uow_factory() as uow:
        uow.job_runs.mark(name, at)
        uow.commit()


def _last_run(uow_factory: UowFactory, name: str) -> datetime | None:
    with uow_factory() as uow:
        return uow.job_runs.last_run(name)


class TestJobRuns:
    def test_a_name_never_marked_has_no_last_run_and_cannot_be_claimed(
        self, uow_factory: UowFactory
    ) -> None:
        with uow_factory() as uow:
            assert uow.job_runs.last_run(NAME) is None
            assert uow.job_runs.claim(NAME, jst(DAY, 10), jst(DAY, 9, 30)) is False
            uow.commit()
        assert _last_run(uow_factory, NAME) is None

    def test_a_mark_reads_back_aware_in_utc_and_equal_to_the_time_given(
        self, uow_factory: UowFactory
    ) -> None:
        at = jst(DAY, 9, 0, 15, 123456)
        _marked(uow_factory, NAME, at)
        got = _last_run(uow_factory, NAME)
        assert got == at
        assert got is not None
        assert got.utcoffset() == timedelta(0)
        assert _last_run(uow_factory, OTHER) is None

    def test_a_mark_moves_the_last_run_forward_only(self, uow_factory: UowFactory) -> None:
        _marked(uow_factory, NAME, jst(DAY, 9))
        _marked(uow_factory, NAME, jst(DAY, 8, 59))
        assert _last_run(uow_factory, NAME) == jst(DAY, 9)
        _marked(uow_factory, NAME, jst(DAY, 9))
        assert _last_run(uow_factory, NAME) == jst(DAY, 9)
        _marked(uow_factory, NAME, jst(DAY, 9, 1))
        assert _last_run(uow_factory, NAME) == jst(DAY, 9, 1)

    def test_a_unit_reads_its_own_marks_and_claims(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            uow.job_runs.mark(NAME, jst(DAY, 9))
            assert uow.job_runs.last_run(NAME) == jst(DAY, 9)
            uow.job_runs.mark(NAME, jst(DAY, 8))
            assert uow.job_runs.last_run(NAME) == jst(DAY, 9)
            assert uow.job_runs.claim(NAME, jst(DAY, 10), jst(DAY, 9, 30)) is True
            assert uow.job_runs.last_run(NAME) == jst(DAY, 10)
            assert uow.job_runs.claim(NAME, jst(DAY, 10, 1), jst(DAY, 9, 31)) is False
            uow.commit()
        assert _last_run(uow_factory, NAME) == jst(DAY, 10)

    def test_a_claim_succeeds_once_on_a_stale_run_and_not_on_a_fresh_one(
        self, uow_factory: UowFactory
    ) -> None:
        _marked(uow_factory, NAME, jst(DAY, 9))
        _marked(uow_factory, OTHER, jst(DAY, 9))
        with uow_factory() as uow:  # recorded exactly at stale_before: not stale yet
            assert uow.job_runs.claim(NAME, jst(DAY, 9, 5), jst(DAY, 9)) is False
            uow.commit()
        assert _last_run(uow_factory, NAME) == jst(DAY, 9)
        with uow_factory() as uow:
            assert uow.job_runs.claim(NAME, jst(DAY, 10), jst(DAY, 9, 30)) is True
            uow.commit()
        with uow_factory() as uow:  # the claim is the new run: fresh again
            assert uow.job_runs.claim(NAME, jst(DAY, 10, 1), jst(DAY, 9, 31)) is False
            uow.commit()
        assert _last_run(uow_factory, NAME) == jst(DAY, 10)
        assert _last_run(uow_factory, OTHER) == jst(DAY, 9)

    def test_a_claim_or_mark_not_committed_is_rolled_back(self, uow_factory: UowFactory) -> None:
        _marked(uow_factory, NAME, jst(DAY, 9))
        with uow_factory() as uow:
            assert uow.job_runs.claim(NAME, jst(DAY, 10), jst(DAY, 9, 30)) is True
            uow.job_runs.mark(OTHER, jst(DAY, 10))
        assert _last_run(uow_factory, NAME) == jst(DAY, 9)
        assert _last_run(uow_factory, OTHER) is None
        with uow_factory() as uow:  # still stale: the next unit claims it
            assert uow.job_runs.claim(NAME, jst(DAY, 10, 1), jst(DAY, 9, 30)) is True
            uow.commit()
        assert _last_run(uow_factory, NAME) == jst(DAY, 10, 1)

    def test_naive_times_are_refused_and_nothing_is_stored(self, uow_factory: UowFactory) -> None:
        naive = datetime(2026, 12, 4, 9, 0)
        _marked(uow_factory, NAME, jst(DAY, 9))
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.job_runs.mark(OTHER, naive)
            with pytest.raises(ValueError, match="naive"):
                uow.job_runs.claim(NAME, naive, jst(DAY, 9, 30))
            with pytest.raises(ValueError, match="naive"):
                uow.job_runs.claim(NAME, jst(DAY, 10), naive)
            uow.commit()
        assert _last_run(uow_factory, NAME) == jst(DAY, 9)
        assert _last_run(uow_factory, OTHER) is None


def _settled(uow_factory: UowFactory, work: Callable[[AbstractUnitOfWork], bool]) -> bool:
    """Run ``work`` and commit in a fresh unit until no StoreBusy; return what it returned."""
    while True:  # each round commits at least one unit: this ends
        try:
            with uow_factory() as uow:
                done = work(uow)
                uow.commit()
            return done
        except StoreBusy:
            continue


class TestJobRunRaces:
    """Concurrent units on a real store (separate connections or sessions, one thread each)."""

    def test_of_concurrent_claims_on_one_stale_run_exactly_one_succeeds(
        self, uow_factory: UowFactory
    ) -> None:
        _marked(uow_factory, NAME, jst(DAY, 9))
        attempts = 8
        start = Barrier(attempts)

        def claim(n: int) -> bool:
            start.wait()
            at = jst(DAY, 10, 0, n)
            return _settled(uow_factory, lambda uow: uow.job_runs.claim(NAME, at, jst(DAY, 9, 30)))

        with ThreadPoolExecutor(max_workers=attempts) as pool:
            outcomes = list(pool.map(claim, range(attempts)))
        assert outcomes.count(True) == 1
        assert _last_run(uow_factory, NAME) == jst(DAY, 10, 0, outcomes.index(True))

    def test_a_claim_after_another_unit_committed_one_does_not_also_succeed(
        self, uow_factory: UowFactory
    ) -> None:
        _marked(uow_factory, NAME, jst(DAY, 9))
        first, second = uow_factory(), uow_factory()
        claimed = None
        with first:
            assert first.job_runs.last_run(NAME) == jst(DAY, 9)
            try:
                with second:
                    assert second.job_runs.last_run(NAME) == jst(DAY, 9)  # both saw it stale
                    assert first.job_runs.claim(NAME, jst(DAY, 10), jst(DAY, 9, 30)) is True
                    first.commit()
                    claimed = second.job_runs.claim(NAME, jst(DAY, 10, 1), jst(DAY, 9, 30))
                    second.commit()
            except StoreBusy:  # SQLite: the second unit's snapshot is older than the claim
                claimed = False
        assert claimed is False
        assert _last_run(uow_factory, NAME) == jst(DAY, 10)

    def test_of_concurrent_marks_the_latest_time_is_kept(self, uow_factory: UowFactory) -> None:
        attempts = 8
        start = Barrier(attempts)
        times = [datetime(2026, 12, 4, 1, 0, n, tzinfo=UTC) for n in (3, 7, 1, 6, 0, 5, 2, 4)]

        def mark(at: datetime) -> bool:
            start.wait()
            return _settled(uow_factory, lambda uow: uow.job_runs.mark(NAME, at) is None)

        with ThreadPoolExecutor(max_workers=attempts) as pool:
            assert all(pool.map(mark, times))
        assert _last_run(uow_factory, NAME) == max(times)
