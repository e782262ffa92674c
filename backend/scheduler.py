"""The one scheduler process of a deployment (APScheduler 3.11, in the deployment's time zone)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from backend import jobs
from backend.settings import Settings

logger = logging.getLogger(__name__)

# A run that could not start on time (process paused, machine asleep) still runs if it is at
# most this late; later ones are dropped, and coalescing folds a backlog into one run. Nothing
# is lost either way: every job evaluates "what should exist now" with a look-back window.
MISFIRE_GRACE_SECONDS = 120


def _run(job_id: str, settings: Settings) -> None:
    jobs.run_job(job_id, settings, datetime.now(UTC))


def build_scheduler(
    settings: Settings, scheduler_class: type[BaseScheduler] = BlockingScheduler
) -> BaseScheduler:
    """Return a scheduler with the fixed jobs; a restart replaces them, never duplicates."""
    scheduler = scheduler_class(
        timezone=settings.tz,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    for job_id, (_job, minutes) in jobs.JOBS.items():
        scheduler.add_job(
            _run,
            IntervalTrigger(minutes=minutes, timezone=settings.tz),
            id=job_id,
            name=job_id,
            args=[job_id, settings],
            replace_existing=True,
        )
    return scheduler


def run(settings: Settings) -> None:
    """Catch up once (an outage across a deadline misses nothing), then run on schedule."""
    jobs.run_due(settings, datetime.now(UTC))
    build_scheduler(settings).start()
