"""The durable inbox: webhook events are stored first, acknowledged, then processed.

``accept`` stores the events of one verified webhook body in one unit of work (a
duplicate or redelivered ``webhookEventId`` stores nothing). ``process_pending`` runs
each stored event's handler and marks it processed; a handler that raises leaves the
event pending (counting the failure) until ``MAX_ATTEMPTS``. A crash after the
acknowledgement loses nothing: the next run finds the event still pending. What happens
to an event given up on is ``backend.services.line_inbox``'s.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from backend.domain.family import InboxEvent
from backend.services.context import Services
from backend.services.line_inbox import MAX_ATTEMPTS, ProcessReport
from backend.services.retry import retry_when_busy
from family_line.events import LineContext, dispatch

log = logging.getLogger(__name__)

BATCH = 50

_processing = threading.Lock()  # one processor per process at a time


class MalformedBody(ValueError):
    """A webhook body whose signature is right but whose content we cannot store."""


def events_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the events of a webhook body; raise MalformedBody if any lacks what we need."""
    events = body.get("events")
    if not isinstance(events, list):
        raise MalformedBody("body has no events list")
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise MalformedBody(f"events[{index}] is not an object")
        event_id, kind = event.get("webhookEventId"), event.get("type")
        if not isinstance(event_id, str) or not event_id or not isinstance(kind, str):
            raise MalformedBody(f"events[{index}] has no webhookEventId or type")
        if not isinstance(event.get("timestamp"), int):
            raise MalformedBody(f"events[{index}] has no timestamp")
    return events


@retry_when_busy
def accept(svc: Services, events: list[dict[str, Any]]) -> int:
    """Store the events not stored yet (one transaction); return how many were new."""
    now = svc.now()
    stored = 0
    new_ids = []
    if svc.line_inbox_writer is not None:  # the store's own write: one committed transaction
        found = [_inbox_event(event, now) for event in events]
        for inbox_event, new in zip(found, svc.line_inbox_writer.add_all(found), strict=True):
            stored += new
            if new:
                new_ids.append(inbox_event.id)
            else:
                log.info("LINE event %s already stored", inbox_event.id)
        _accepted_here.remember(new_ids)
        return stored
    with svc.uow() as uow:
        for event in events:
            new = uow.line_inbox.add_if_absent(_inbox_event(event, now))
            stored += new
            if new:
                new_ids.append(event["webhookEventId"])
            else:
                log.info("LINE event %s already stored", event["webhookEventId"])
        uow.commit()
    _accepted_here.remember(new_ids)
    return stored


class _Accepted:
    """Ids of the events this process stored and has not processed yet (bounded).

    The processing right after the acknowledgement takes only these: several server
    processes (gunicorn workers) then never process the same fresh event, which the
    in-process lock alone could not prevent. An event a process stored and could not
    process (it crashed) is the scheduled job's, after SCHEDULED_GRACE.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, ids: list[str]) -> None:
        with self._lock:
            for event_id in ids:
                self._ids[event_id] = None
            while len(self._ids) > self.LIMIT:
                self._ids.popitem(last=False)

    def __contains__(self, event_id: object) -> bool:
        with self._lock:
            return event_id in self._ids

    def forget(self, event_id: str) -> None:
        with self._lock:
            self._ids.pop(event_id, None)


_accepted_here = _Accepted()


def _inbox_event(event: dict[str, Any], now: datetime) -> InboxEvent:
    redelivery = bool((event.get("deliveryContext") or {}).get("isRedelivery"))
    return InboxEvent(
        id=event["webhookEventId"],
        kind=event["type"],
        payload=event,
        received_at=now,
        redelivery=redelivery,
    )


def process_pending(
    ctx: LineContext,
    *,
    limit: int = BATCH,
    received_before: datetime | None = None,
    accepted_here: bool = False,
) -> ProcessReport:
    """Process the pending events (oldest first).

    With ``received_before`` only older ones; with ``accepted_here`` only those this
    process stored (the webhook's run right after its acknowledgement).
    """
    with _processing:
        with ctx.svc.uow() as uow:
            pending = uow.line_inbox.pending(limit, MAX_ATTEMPTS)
        processed = ignored = failed = 0
        for event in pending:
            if received_before is not None and event.received_at > received_before:
                continue
            if accepted_here and event.id not in _accepted_here:
                continue
            _accepted_here.forget(event.id)
            try:
                known = dispatch(ctx, event.payload)
            except Exception as err:  # one bad event must not stop the others
                # No traceback in the log: it may quote message text (personal data).
                log.error("LINE event %s failed: %s", event.id, type(err).__name__)
                _mark(ctx.svc, event.id, error=f"{type(err).__name__}")
                failed += 1
                continue
            _mark(ctx.svc, event.id)
            processed += known
            ignored += not known
    return ProcessReport(processed, ignored, failed)


@retry_when_busy
def _mark(svc: Services, event_id: str, error: str | None = None) -> None:
    with svc.uow() as uow:
        if error is None:
            uow.line_inbox.mark_processed(event_id, svc.now())
        else:
            uow.line_inbox.mark_failed(event_id, error)
        uow.commit()
