"""The LINE inbox apart from LINE: what a processing run reports, and erasing events given up on.

``erase_given_up`` empties the payload (the message text) of an event given up on
(``MAX_ATTEMPTS`` failures) ``GIVEN_UP_RETENTION`` after it was received: an operator has
that long to look into the failure; the id, type, attempts and error's type name stay. It
needs no LINE client, so it runs also when LINE is no longer configured. ``FamilyLine`` is
the port through which entry points reach LINE itself (``family_line`` implements what it
calls; ``bootstrap`` wires it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from backend.services.retry import retry_when_busy

if TYPE_CHECKING:
    from backend.channels import Channel
    from backend.services.context import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

# How long an event given up on (MAX_ATTEMPTS failures) keeps its message text.
GIVEN_UP_RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class ProcessReport:
    """What one run did, in events."""

    processed: int = 0
    ignored: int = 0
    failed: int = 0
    erased: int = 0  # events given up on whose message text was erased


class FamilyLine(Protocol):
    """LINE as the entry points reach it: the push channel and the webhook's events."""

    channel_secret: str  # checks ``X-Line-Signature``

    def channel(self, svc: Services) -> Channel:
        """Return the outbox's LINE channel; every accepted push is counted for the quota."""
        ...

    def process_pending(
        self,
        svc: Services,
        *,
        received_before: datetime | None = None,
        accepted_here: bool = False,
    ) -> ProcessReport:
        """Process the stored events still pending (see ``family_line.inbox``)."""
        ...


@retry_when_busy
def erase_given_up(svc: Services) -> int:
    """Empty the payload of events given up on and received over GIVEN_UP_RETENTION ago."""
    with svc.uow() as uow:
        erased = uow.line_inbox.erase_given_up(MAX_ATTEMPTS, svc.now() - GIVEN_UP_RETENTION)
        uow.commit()
    if erased:
        log.info("Message text of %d LINE events given up on erased", erased)
    return erased
