"""The scheduler: fixed job ids, coalescing, deliberate misfire handling, one instance each."""

from __future__ import annotations

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from backend import jobs
from backend.scheduler import MISFIRE_GRACE_SECONDS, build_scheduler
from backend.settings import Settings


@pytest.fixture
def scheduler():
    scheduler = build_scheduler(Settings(database_url="sqlite://"), BackgroundScheduler)
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)


def test_every_job_has_a_fixed_id_and_runs_coalesced_one_at_a_time(scheduler):
    found = {job.id: job for job in scheduler.get_jobs()}
    assert set(found) == set(jobs.JOBS)
    for job in found.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS


def test_adding_the_jobs_again_replaces_them_instead_of_duplicating(scheduler):
    for job_id, (_job, minutes) in jobs.JOBS.items():
        scheduler.add_job(print, "interval", minutes=minutes, id=job_id, replace_existing=True)
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(jobs.JOBS)


def test_the_scheduler_runs_in_the_deployment_time_zone(scheduler):
    assert str(scheduler.timezone) == "Asia/Tokyo"
