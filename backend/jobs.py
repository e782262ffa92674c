"""Scheduler jobs: top-level functions of (settings, now); every one is idempotent."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from backend.bootstrap import bootstrap
from backend.domain.errors import StoreBusy
from backend.services.context import Services
from backend.settings import Settings

logger = logging.getLogger(__name__)

UNCLAIMED_ESCALATION = timedelta(hours=2)
# The scheduler's heartbeat: every job run marks it (scheduler, EventBridge, ``jobs run``).
HEARTBEAT = "scheduler"
# Silent this long, the scheduler is taken for down and the web app runs the jobs itself.
SCHEDULER_STALE_AFTER = timedelta(minutes=20)
# The scheduled run leaves fresh LINE events to the processing right after the acknowledgement.
LINE_SCHEDULED_GRACE = timedelta(seconds=30)


def _services(settings: Settings, now: datetime) -> Services:
    return bootstrap(settings, clock=lambda: now)


def sweep_alerts(settings: Settings, now: datetime) -> Any:
    """Evaluate every elder's alert rules at ``now``."""
    from backend.services import alerts

    svc = _services(settings, now)
    return alerts.sweep(svc, svc.policy)


def escalate_alerts(settings: Settings, now: datetime) -> int:
    """Bring alerts still unclaimed after a while to the care center."""
    from backend.services import alerts

    return alerts.escalate_unclaimed(_services(settings, now), UNCLAIMED_ESCALATION)


def deliver_outbox(settings: Settings, now: datetime) -> Any:
    """Send the notifications that are due (retrying those whose channel was down)."""
    from backend.services import outbox

    svc = _services(settings, now)
    return outbox.deliver_due(svc, svc.outbox_channels())


def process_line_inbox(settings: Settings, now: datetime) -> Any:
    """Process LINE webhook events still pending (those the webhook's own run missed).

    Then erase the message text of events given up on past their retention (also when
    LINE is no longer configured: events stored before keep no text longer).
    """
    from backend.services.line_inbox import ProcessReport, erase_given_up

    svc = _services(settings, now)
    if svc.line is None:
        erased = erase_given_up(svc)
        return ProcessReport(erased=erased) if erased else None
    report = svc.line.process_pending(svc, received_before=now - LINE_SCHEDULED_GRACE)
    return dataclasses.replace(report, erased=erase_given_up(svc))


def send_family_summaries(settings: Settings, now: datetime) -> int:
    """Queue the daily LINE summaries whose time has come (once a day per member)."""
    from backend.services import family

    return family.queue_daily_summaries(_services(settings, now))


def erase_withdrawn(settings: Settings, now: datetime) -> Any:
    """Delete the personal data of elders whose consent withdrawal passed the retention period."""
    from backend.services import privacy

    svc = _services(settings, now)
    return privacy.erase_due(svc, svc.policy, svc.media.delete)


# Fixed ids and intervals (minutes) of the scheduler's jobs, in the order `jobs run` runs them.
JOBS: dict[str, tuple[Callable[[Settings, datetime], Any], int]] = {
    "sweep-alerts": (sweep_alerts, 5),
    "escalate-alerts": (escalate_alerts, 10),
    "family-summaries": (send_family_summaries, 5),
    "deliver-outbox": (deliver_outbox, 1),
    "process-line-inbox": (process_line_inbox, 1),
    "erase-withdrawn": (erase_withdrawn, 60),
}


def run_job(job_id: str, settings: Settings, now: datetime, *, heartbeat: bool = True) -> Any:
    """Run one job of ``JOBS`` at ``now`` and mark the heartbeat (unless told not to)."""
    job, _minutes = JOBS[job_id]
    result = job(settings, now)
    if not heartbeat:
        logger.info("Job %s ran for %s", job_id, now.isoformat())
        return result
    svc = _services(settings, now)
    try:
        with svc.uow() as uow:
            uow.job_runs.mark(HEARTBEAT, now)
            uow.commit()
    except StoreBusy:
        # Another run marked it at the same moment; the job itself is done either way.
        logger.info("Job %s ran for %s; its heartbeat was marked by another run", job_id, now)
    else:
        logger.info("Job %s ran for %s", job_id, now.isoformat())
    return result


def run_due(settings: Settings, now: datetime, *, heartbeat: bool = True) -> dict[str, Any]:
    """Run once everything due at ``now`` (cron, EventBridge, tests and catch-up on start).

    ``heartbeat=False`` for a run as of another time (``jobs run --now``): it is not the
    scheduler's, and a heartbeat marked in the future would keep the watchdog away.
    """
    return {job_id: run_job(job_id, settings, now, heartbeat=heartbeat) for job_id in JOBS}


def catch_up_if_stale(settings: Settings, now: datetime) -> dict[str, Any] | None:
    """Run every job once if the scheduler has been silent too long; None if it has not.

    The web app's watchdog: the heartbeat is claimed first, so of many workers noticing the
    same silence one runs the jobs, and the next catch-up waits another ``SCHEDULER_STALE_AFTER``.
    A deployment whose scheduler never ran has no heartbeat and is left alone.
    """
    svc = _services(settings, now)
    try:
        with svc.uow() as uow:
            last = uow.job_runs.last_run(HEARTBEAT)
            stale_before = now - SCHEDULER_STALE_AFTER
            # Most looks find the scheduler running: a read, no write (no lock taken).
            if last is None or last >= stale_before:
                return None
            if not uow.job_runs.claim(HEARTBEAT, now, stale_before):
                return None
            uow.commit()
    except StoreBusy:
        return None  # another worker's claim won (DynamoDB settles it at commit)
    logger.warning(
        "The scheduler has not run since %s; running the jobs from the web app",
        last.isoformat(),
    )
    return run_due(settings, now)
