"""The LINE channel of the outbox: a push message per queued notification.

Every push carries ``X-Line-Retry-Key``: the outbox message id as a UUID, so a retry
after a timeout or a crash never reaches the family twice (LINE answers 409 for a key
it accepted already: counted as sent). 429, 5xx, no answer and 401 (our token is wrong
or expired: fix the settings, nothing is lost) are retried by the outbox with backoff;
other 4xx (a blocked or unknown user, a refused message) give the message up.
Each push accepted is counted against the month's quota (``on_sent``); a count that
fails (the store busy past its retries) is logged and never turns the accepted push into
a failure: the outbox must mark it sent, or it would be tried again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from backend.channels import ChannelError
from backend.domain.family import LINE_CHANNEL
from backend.domain.model import OutboxMessage, Recipient
from family_line.api import LineApi, LineApiError
from family_line.flex import alert_bubble

log = logging.getLogger(__name__)

MAX_TEXT = 5000  # LINE's limit for one text message
_RETRYABLE_4XX = {401, 408, 429}
_RETRY_KEY_NAMESPACE = uuid.UUID("5d1f3a0e-7c2b-4e9a-8f61-2b7d9c4e1a30")


def retry_key(message_id: str) -> str:
    """Return the message's ``X-Line-Retry-Key``: its id as a UUID (derived if not one)."""
    try:
        return str(uuid.UUID(message_id))
    except ValueError:
        return str(uuid.uuid5(_RETRY_KEY_NAMESPACE, message_id))


def line_text(message: OutboxMessage) -> str:
    """Return the text pushed for a queued message (subject, then body, within LINE's limit)."""
    full = f"{message.subject}\n\n{message.body}" if message.subject else message.body
    return full if len(full) <= MAX_TEXT else full[: MAX_TEXT - 1] + "…"


def _content(message: OutboxMessage) -> dict[str, Any]:
    """Return an alert as a Flex bubble with 「私が確認します」, anything else as text."""
    if message.alert_id is not None:
        body = message.body if len(message.body) <= MAX_TEXT else message.body[: MAX_TEXT - 1]
        return alert_bubble(message.subject, body, message.alert_id)
    return {"type": "text", "text": line_text(message)}


class LineChannel:
    """Send outbox messages as LINE pushes to family members."""

    name = LINE_CHANNEL

    def __init__(self, api: LineApi, on_sent: Callable[[int], object] | None = None) -> None:
        self._api = api
        self._on_sent = on_sent

    def send(self, message: OutboxMessage, recipient: Recipient) -> None:
        """Push the message; raise ChannelError (retryable or not) on failure."""
        try:
            status = self._api.push(recipient.address, [_content(message)], retry_key(message.id))
        except LineApiError as err:
            retryable = err.status is None or err.status >= 500 or err.status in _RETRYABLE_4XX
            raise ChannelError(str(err), retryable=retryable, timed_out=err.timed_out) from None
        if status == 409:
            log.info("outbox message %s was accepted by LINE before (409)", message.id)
            return
        if self._on_sent is None:
            return
        try:
            self._on_sent(1)
        except Exception as err:  # LINE took the push: counting must not undo that
            log.error(
                "outbox message %s: pushed, but the monthly count failed (%s)",
                message.id,
                type(err).__name__,
            )
