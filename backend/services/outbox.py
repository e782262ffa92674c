"""Deliver the outbox: send due notifications through their channels, with retries.

Guarantees (see ``deliver_due``):

- **Nothing is dropped while a channel is down.** Each channel sorts its failures
  (``ChannelError.retryable``); a retryable one — a refused connection, a timeout, a
  misconfigured or missing channel, and per channel: for LINE and Alexa (HTTP) 429, 5xx
  and 401, for e-mail (SMTP) any 4xx reply and a refused EHLO, STARTTLS, AUTH or MAIL
  FROM — schedules the next attempt with exponential backoff — 1, 2, 4 … minutes, capped
  at 1 hour, minus up to 20% jitter — for as long as it takes. Only a permanent refusal
  of this message gives it up: for LINE and Alexa another 4xx (a blocked or unknown user,
  a refused payload), for e-mail a 5xx reply to its recipient (RCPT) or content (DATA) or
  an address that cannot be sent to; so does an inactive or deleted recipient. A given-up
  message keeps its ``last_error`` and is never tried again (``family_line/channel.py``,
  ``backend/channels/alexa.py`` and ``backend/channels/email.py`` say exactly which).
- **A slow channel holds up nothing.** Every outbound call has a timeout (settings
  ``MIMAMORI_LINE_TIMEOUT``, ``MIMAMORI_ALEXA_TIMEOUT``, ``MIMAMORI_SMTP_TIMEOUT``); a
  message whose call timed out is retried later. Urgent messages are sent first, and
  once a channel timed out, its other non-urgent messages wait for the next sweep
  (no attempt counted) while the other channels go on.
- **At least once, normally exactly once.** A message is claimed (a short lease in the
  store) before it is sent, so two sweeps running at once never send it both; it is
  marked sent only after the channel returned. A crash between the send and the mark
  sends it once more when the lease expires (the e-mail keeps the same Message-ID, a LINE
  push the same retry key).
- **Quiet hours.** A non-urgent message due inside its recipient's quiet hours waits
  until they end, counting no attempt; urgent messages go at once.
- **Nothing stale.** A message about a missed check-in not yet sent when the elder showed
  up again (the sweep marked the silence ended, ``alerts.sweep``) is withdrawn: a
  family woken at 07:00 by 「返事がありません」 about a mother who answered at 06:30 is a
  false alarm the product made itself.

Logs carry outbox message ids, never addresses or message content.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from backend.channels import Channel, ChannelError
from backend.domain.model import OutboxMessage, Recipient, quiet_until
from backend.domain.rules import silence_ended
from backend.services.context import Services
from backend.services.retry import retry_when_busy

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
JITTER = 0.2  # a retry comes up to 20% earlier than its nominal delay
CLAIM_LEASE = timedelta(minutes=5)  # far above one send (seconds: every call has a timeout)
DEFAULT_LIMIT = 100
# Pages of ``limit`` due messages read at most by one sweep while messages of channels that are
# not configured fill them (each such message is put off, so the next page holds others).
MAX_PAGES = 10
WITHDRAWN_ERROR = "withdrawn: the elder showed up again before it was sent"


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` run did, in messages.

    ``sent``: handed over; ``deferred``: waiting for quiet hours to end; ``failed``: given
    up for good; ``retried``: failed for now, next attempt scheduled; ``postponed``: left
    due for the next sweep because their channel timed out in this one; ``withdrawn``: not
    sent, the silence it was about had ended.
    """

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    retried: int = 0
    postponed: int = 0
    withdrawn: int = 0


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """Return the wait before the next try after ``attempts`` failed tries (1 or more).

    Nominal: 1 minute after the first failure, doubling each time, at most 1 hour.
    ``rand()`` in [0, 1) takes up to ``JITTER`` of it off, so sweeps of many messages
    that failed together spread out; the result never exceeds the cap.
    """
    exponent = max(attempts, 1) - 1
    cap_exponent = (MAX_RETRY // FIRST_RETRY).bit_length()  # 2**this >= the cap
    nominal = min(MAX_RETRY, FIRST_RETRY * 2 ** min(exponent, cap_exponent))
    return nominal * (1 - JITTER * rand())


class _Outcome(Enum):
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    RETRIED = "retried"
    POSTPONED = "postponed"  # its channel timed out in this sweep: left due for the next
    WITHDRAWN = "withdrawn"  # about a silence that ended before it was sent
    SKIPPED = "skipped"  # not due any more, or claimed by another sweep


def deliver_due(
    svc: Services,
    channels: Mapping[str, Channel],
    *,
    limit: int = DEFAULT_LIMIT,
    rand: Callable[[], float] = random.random,
) -> DeliveryReport:
    """Send up to ``limit`` messages due now through ``channels`` (by ``message.channel``).

    Messages of a channel missing from ``channels`` are retried later and do not count
    toward ``limit``: the sweep reads further pages (``MAX_PAGES`` at most), so a backlog
    for a channel that is not configured (e.g. speaker nudges without Alexa credentials)
    never holds up the family's and the care center's e-mails.

    For each due message, urgent ones first, then oldest first, in units of work of its
    own:

    1. Its recipient is read. An unknown or inactive recipient gives the message up
       (``last_error`` says why; never retried). A non-urgent message about a silence that
       has ended since (``rules.silence_ended``) is withdrawn the same way. Inside the
       recipient's quiet hours a non-urgent message is deferred to their end (no attempt
       counted).
    2. Otherwise the message is claimed for ``CLAIM_LEASE`` (skipped if another sweep
       holds it or sent it meanwhile) and that claim is committed.
    3. The channel sends it, outside any transaction. Then: success → marked sent;
       retryable ``ChannelError``, a channel missing from ``channels`` or any other
       exception → marked failed with the next attempt after ``backoff``; permanent
       ``ChannelError`` → marked failed and given up. A timeout (``timed_out``) also
       makes the sweep leave the channel's remaining non-urgent messages due, untouched,
       for the next sweep (``postponed``): one slow channel never holds up the others.

    At least once: a crash after the send and before the mark (step 3) sends the
    message again once the claim expires. A sweep that stops half-way leaves every
    unfinished message due (or claimed until the lease ends): none is lost.
    """
    counts = dict.fromkeys(_Outcome, 0)
    timed_out: set[str] = set()  # channels that did not answer in time during this sweep
    attempted = 0  # messages of configured channels taken in hand
    for _ in range(MAX_PAGES):
        with svc.uow() as uow:
            due = uow.outbox.due(svc.now(), limit)
        left_due = False
        for message in sorted(due, key=lambda m: not m.urgent):  # stable: oldest first within
            if message.channel in timed_out and not message.urgent:
                counts[_Outcome.POSTPONED] += 1
                left_due = True
                continue
            outcome = _deliver_one(svc, channels, message.id, rand, timed_out)
            counts[outcome] += 1
            left_due = left_due or outcome is _Outcome.SKIPPED
            attempted += message.channel in channels
        # Messages of a channel not configured were put off (retried later) and did not count:
        # take the next page, so that they never hold up the e-mails behind them.
        if len(due) < limit or attempted >= limit or left_due:
            break
    if counts[_Outcome.POSTPONED]:
        log.warning(
            "channels %s timed out; %d messages wait for the next sweep",
            ", ".join(sorted(timed_out)),
            counts[_Outcome.POSTPONED],
        )
    return DeliveryReport(
        sent=counts[_Outcome.SENT],
        deferred=counts[_Outcome.DEFERRED],
        failed=counts[_Outcome.FAILED],
        retried=counts[_Outcome.RETRIED],
        postponed=counts[_Outcome.POSTPONED],
        withdrawn=counts[_Outcome.WITHDRAWN],
    )


def _deliver_one(
    svc: Services,
    channels: Mapping[str, Channel],
    message_id: str,
    rand: Callable[[], float],
    timed_out: set[str],
) -> _Outcome:
    prepared = _prepare(svc, message_id)
    if isinstance(prepared, _Outcome):
        return prepared
    message, recipient = prepared
    channel = channels.get(message.channel)
    if channel is None:
        return _retry_later(svc, message, f"channel {message.channel!r} is not configured", rand)
    try:
        channel.send(message, recipient)
    except ChannelError as err:
        if err.timed_out:
            timed_out.add(message.channel)
        if err.retryable:
            return _retry_later(svc, message, str(err), rand)
        _give_up(svc, message.id, str(err))
        log.warning("outbox message %s refused for good; given up", message.id)
        return _Outcome.FAILED
    except Exception as err:  # a bug in a channel must not stop the sweep or lose the message
        # No traceback: its text may show an address or the body (personal data).
        log.error(
            "outbox message %s: channel %s raised %s",
            message.id,
            message.channel,
            type(err).__name__,
        )
        return _retry_later(svc, message, f"unexpected {type(err).__name__}", rand)
    _mark_sent(svc, message.id)
    log.info("outbox message %s sent via %s", message.id, message.channel)
    return _Outcome.SENT


@retry_when_busy
def _prepare(svc: Services, message_id: str) -> tuple[OutboxMessage, Recipient] | _Outcome:
    """Give up, defer or claim the message; return it with its recipient when claimed."""
    with svc.uow() as uow:
        now = svc.now()
        message = uow.outbox.get(message_id)
        if message is None or not message.is_due(now):
            return _Outcome.SKIPPED
        recipient = uow.recipients.get(message.recipient_id)
        if recipient is None or not recipient.active:
            uow.outbox.mark_failed(message_id, now, "recipient inactive or removed", None)
            uow.commit()
            log.info("outbox message %s given up: recipient inactive", message_id)
            return _Outcome.FAILED
        if not message.urgent and message.alert_id is not None:
            alert = uow.alerts.get(message.alert_id)
            if alert is not None and silence_ended(alert):
                uow.outbox.mark_failed(message_id, now, WITHDRAWN_ERROR, None)
                uow.commit()
                log.info("outbox message %s withdrawn: the silence ended", message_id)
                return _Outcome.WITHDRAWN
        until = None if message.urgent else quiet_until(recipient, now)
        if until is not None:
            uow.outbox.defer(message_id, until)
            uow.commit()
            log.info("outbox message %s deferred to %s (quiet hours)", message_id, until)
            return _Outcome.DEFERRED
        if not uow.outbox.claim(message_id, now, now + CLAIM_LEASE):
            return _Outcome.SKIPPED
        uow.commit()
        return message, recipient


@retry_when_busy
def _mark_sent(svc: Services, message_id: str) -> None:
    with svc.uow() as uow:
        uow.outbox.mark_sent(message_id, svc.now())
        uow.commit()


@retry_when_busy
def _mark_failed(
    svc: Services, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
) -> None:
    with svc.uow() as uow:
        uow.outbox.mark_failed(message_id, at, error, next_attempt_at)
        uow.commit()


def _give_up(svc: Services, message_id: str, error: str) -> None:
    _mark_failed(svc, message_id, svc.now(), error, None)


def _retry_later(
    svc: Services, message: OutboxMessage, error: str, rand: Callable[[], float]
) -> _Outcome:
    now = svc.now()
    next_attempt_at = now + backoff(message.attempts + 1, rand)
    _mark_failed(svc, message.id, now, error, next_attempt_at)
    log.warning(
        "outbox message %s not sent (attempt %d); next attempt at %s",
        message.id,
        message.attempts + 1,
        next_attempt_at.isoformat(),
    )
    return _Outcome.RETRIED
