"""AWS Lambda entry point of the scheduled jobs (EventBridge schedules), as ``jobs run`` does.

Two event shapes are accepted; both carry ``time``, used as ``now``:

- an EventBridge Scheduler target input ``{"job": "<job id>", "time": "<scheduled time>"}``
  (``template.yaml`` gives each job of ``backend.jobs.JOBS`` its own schedule at its
  interval, with ``<aws.scheduler.scheduled-time>`` as the time): that one job runs;
- a classic EventBridge "Scheduled Event" (``detail-type``, ``time``, no ``job``): every
  job runs once, exactly like ``mimamori jobs run --now <time>``.

Settings are read once per container; the store is whatever ``MIMAMORI_STORE`` says
(the handler only goes through ``backend.jobs`` and the composition root).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import cache
from typing import Any

from backend import jobs
from backend.settings import Settings


class BadJobEvent(ValueError):
    """The event names no known job or carries no usable time."""


@cache
def _settings() -> Settings:
    return Settings()


def event_time(event: dict[str, Any]) -> datetime:
    """Return the event's ``time`` as an aware datetime (EventBridge's ISO 8601, UTC ``Z``)."""
    raw = event.get("time") if isinstance(event, dict) else None
    if not isinstance(raw, str):
        raise BadJobEvent("the event has no 'time' (an EventBridge scheduled event is expected)")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as err:
        raise BadJobEvent(f"the event's time {raw!r} is not ISO 8601") from err
    if moment.tzinfo is None:
        raise BadJobEvent(f"the event's time {raw!r} has no time zone")
    return moment


def _summary(result: Any) -> Any:
    """Return a JSON-friendly summary of a job's result (counts, never personal data)."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return {k: v for k, v in dataclasses.asdict(result).items() if isinstance(v, int | float)}
    if result is None or isinstance(result, int | float | str | bool):
        return result
    return type(result).__name__


def run(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Run the job the event names (every job without a name) at the event's time."""
    now = event_time(event)
    job_id = event.get("job")
    if job_id is None:
        results = jobs.run_due(settings, now)
    elif job_id in jobs.JOBS:
        results = {job_id: jobs.run_job(job_id, settings, now)}
    else:
        raise BadJobEvent(f"unknown job {job_id!r}; known: {', '.join(jobs.JOBS)}")
    return {"time": now.isoformat(), "jobs": {k: _summary(v) for k, v in results.items()}}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one scheduled invocation."""
    return run(event, _settings())
