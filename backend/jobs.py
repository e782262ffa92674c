"""Scheduler jobs: top-level functions of (settings, now); every one is idempotent."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from backend.bootstrap import bootstrap
from backend.services.context import Services
from backend.settings import Settings

logger = logging.getLogger(__name__)

UNCLAIMED_ESCALATION = timedelta(hours=2)


def _services(settings: Settings, now: datetime) -> Services:
    return bootstrap(settings, clock=lambda: now)


@cache
def _policies() -> Callable[[str], Any]:
    from questions.policy import policy_for

    return cache(policy_for)


def sweep_alerts(settings: Settings, now: datetime) -> Any:
    """Evaluate every elder's alert rules at ``now``."""
    from backend.services import alerts
    from backend.services.published import published_policies

    svc = _services(settings, now)
    return alerts.sweep(svc, published_policies(svc.uow, _policies()))


def escalate_alerts(settings: Settings, now: datetime) -> int:
    """Bring alerts still unclaimed after a while to the care center."""
    from backend.services import alerts

    return alerts.escalate_unclaimed(_services(settings, now), UNCLAIMED_ESCALATION)


def deliver_outbox(settings: Settings, now: datetime) -> Any:
    """Send the notifications that are due (retrying those whose channel was down)."""
    from backend.channels import build_channels
    from backend.services import outbox

    svc = _services(settings, now)
    secret = settings.alexa_client_secret
    channels = build_channels(
        smtp_url=settings.smtp_url,
        alexa_client_id=settings.alexa_client_id,
        alexa_client_secret=secret.get_secret_value() if secret else None,
        alexa_api_base=settings.alexa_api_base,
        alexa_token_url=settings.alexa_token_url,
        alexa_live=settings.alexa_events_stage == "live",
        alexa_timeout=settings.alexa_timeout,
        smtp_timeout=settings.smtp_timeout,
    )
    channels.update(_line_channels(settings, svc))
    return outbox.deliver_due(svc, channels)


def _line_channels(settings: Settings, svc: Services) -> dict[str, Any]:
    """Return the LINE channel when LINE is configured (pushes counted against the quota)."""
    from family_line.runtime import line_channel, line_configured

    return {"line": line_channel(settings, svc)} if line_configured(settings) else {}


def process_line_inbox(settings: Settings, now: datetime) -> Any:
    """Process LINE webhook events still pending (those the webhook's own run missed).

    Then erase the message text of events given up on past their retention (also when
    LINE is no longer configured: events stored before keep no text longer).
    """
    from family_line.inbox import SCHEDULED_GRACE, ProcessReport, erase_given_up, process_pending
    from family_line.runtime import line_configured, line_context

    svc = _services(settings, now)
    if not line_configured(settings):
        erased = erase_given_up(svc)
        return ProcessReport(erased=erased) if erased else None
    report = process_pending(line_context(settings, svc), received_before=now - SCHEDULED_GRACE)
    return dataclasses.replace(report, erased=erase_given_up(svc))


def send_family_summaries(settings: Settings, now: datetime) -> int:
    """Queue the daily LINE summaries whose time has come (once a day per member)."""
    from backend.services import family

    return family.queue_daily_summaries(_services(settings, now))


def erase_withdrawn(settings: Settings, now: datetime) -> Any:
    """Delete the personal data of elders whose consent withdrawal passed the retention period."""
    from backend.services import privacy
    from backend.services.published import published_policies

    svc = _services(settings, now)
    assert svc.media is not None  # bootstrap always builds the media store
    return privacy.erase_due(svc, published_policies(svc.uow, _policies()), svc.media.delete)


# Fixed ids and intervals (minutes) of the scheduler's jobs, in the order `jobs run` runs them.
JOBS: dict[str, tuple[Callable[[Settings, datetime], Any], int]] = {
    "sweep-alerts": (sweep_alerts, 5),
    "escalate-alerts": (escalate_alerts, 10),
    "family-summaries": (send_family_summaries, 5),
    "deliver-outbox": (deliver_outbox, 1),
    "process-line-inbox": (process_line_inbox, 1),
    "erase-withdrawn": (erase_withdrawn, 60),
}


def run_due(settings: Settings, now: datetime) -> dict[str, Any]:
    """Run once everything due at ``now`` (cron, EventBridge, tests and catch-up on start)."""
    results = {}
    for job_id, (job, _minutes) in JOBS.items():
        results[job_id] = job(settings, now)
        logger.info("Job %s ran for %s", job_id, now.isoformat())
    return results
