"""What every service needs: a unit of work factory, question sets and a clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from backend.domain.errors import NotFound
from backend.media import LINK_LIFETIME, NO_MEDIA, MediaLinks, MediaStore
from backend.ports import AbstractUnitOfWork, LineInboxWriter
from questions.engagement_files import Engagement, engagement_off
from questions.model import QuestionSet

if TYPE_CHECKING:
    from backend.channels import Channel
    from backend.channels.reminders import RemindersApi
    from backend.services.line_inbox import FamilyLine
    from questions.policy import Policy

PASSWORD_CHECKS_AT_ONCE = 2


@cache
def file_policy(municipality_code: str) -> Policy:
    """Return the municipality's policy file (the defaults without one), read once a process."""
    from questions.policy import policy_for

    return policy_for(municipality_code)


@dataclass(frozen=True)
class Services:
    """Dependencies of the services, built once by ``bootstrap``."""

    uow: Callable[[], AbstractUnitOfWork]
    question_sets: Callable[[], dict[str, QuestionSet]]
    clock: Callable[[], datetime]
    tz: ZoneInfo
    media_links: MediaLinks | None = None  # signed links to family photos (None: no links)
    # Where family photos are kept (bootstrap wires MIMAMORI_MEDIA_URL's; by hand: none).
    media: MediaStore = NO_MEDIA
    # The LINE webhook's own durable write (None: through a unit of work), see ports.
    line_inbox_writer: LineInboxWriter | None = None
    # How many password hashes may run at once (Argon2id takes 64 MiB each); see settings.
    # A municipality's engagement after the check-in; off unless bootstrap wires the files.
    engagement: Callable[[str], Engagement] = engagement_off
    password_checks: AbstractContextManager[Any] = field(
        default_factory=lambda: threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)
    )
    # The alert policy of a municipality (bootstrap: the published one first; by hand: the files).
    policies: Callable[[str], Policy] = file_policy
    # The Alexa Reminders API, called in session (None: the skill offers no reminders).
    reminders: RemindersApi | None = None
    # The outbox's channels of the settings, built at each call (e-mail, Alexa; by hand: none).
    channels: Callable[[], dict[str, Channel]] = dict
    # Family on LINE: its push channel and event processing (None: LINE is not configured).
    line: FamilyLine | None = None

    def now(self) -> datetime:
        """Return the current time in the deployment's time zone."""
        return self.clock().astimezone(self.tz)

    def media_url(self, key: str) -> str | None:
        """Return a short-lived URL of a media key for the screen (None: none can be made).

        The store's own URL (an S3 presigned GET) when it has one, else a signed ``/media``
        link; both live ``LINK_LIFETIME``.
        """
        direct = self.media.url_for(key, LINK_LIFETIME)
        if direct is not None:
            return direct
        if self.media_links is None:
            return None
        return self.media_links.url_for(key, self.now(), LINK_LIFETIME)

    def policy(self, municipality_code: str) -> Policy:
        """Return the municipality's alert policy (what rules read at a turn, too)."""
        return self.policies(municipality_code)

    def outbox_channels(self) -> dict[str, Channel]:
        """Return the outbox's channels by name: those configured, and LINE's when wired."""
        channels = self.channels()
        if self.line is not None:
            line = self.line.channel(self)
            channels[line.name] = line
        return channels

    def question_set(self, municipality_code: str) -> QuestionSet:
        """Return the municipality's question set or raise NotFound."""
        qset = self.question_sets().get(municipality_code)
        if qset is None:
            raise NotFound(f"question set for {municipality_code}")
        return qset
