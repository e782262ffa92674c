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
from backend.media import LINK_LIFETIME, MediaLinks, MediaStore
from backend.ports import AbstractUnitOfWork, LineInboxWriter
from questions.engagement_files import Engagement, engagement_off
from questions.model import QuestionSet

if TYPE_CHECKING:
    from backend.channels.reminders import RemindersApi
    from questions.policy import Policy

PASSWORD_CHECKS_AT_ONCE = 2


@dataclass(frozen=True)
class Services:
    """Dependencies of the services, built once by ``bootstrap``."""

    uow: Callable[[], AbstractUnitOfWork]
    question_sets: Callable[[], dict[str, QuestionSet]]
    clock: Callable[[], datetime]
    tz: ZoneInfo
    media_links: MediaLinks | None = None  # signed links to family photos (None: no links)
    media: MediaStore | None = None  # where family photos are kept (None: not wired)
    # The LINE webhook's own durable write (None: through a unit of work), see ports.
    line_inbox_writer: LineInboxWriter | None = None
    # How many password hashes may run at once (Argon2id takes 64 MiB each); see settings.
    # A municipality's engagement after the check-in; off unless bootstrap wires the files.
    engagement: Callable[[str], Engagement] = engagement_off
    password_checks: AbstractContextManager[Any] = field(
        default_factory=lambda: threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)
    )
    # The alert policy of a municipality (None: the policy files, else the defaults).
    policies: Callable[[str], Policy] | None = None
    # The Alexa Reminders API, called in session (None: the skill offers no reminders).
    reminders: RemindersApi | None = None

    def now(self) -> datetime:
        """Return the current time in the deployment's time zone."""
        return self.clock().astimezone(self.tz)

    def media_url(self, key: str) -> str | None:
        """Return a short-lived URL of a media key for the screen (None: none can be made).

        The store's own URL (an S3 presigned GET) when it has one, else a signed ``/media``
        link; both live ``LINK_LIFETIME``.
        """
        if self.media is not None:
            direct = self.media.url_for(key, LINK_LIFETIME)
            if direct is not None:
                return direct
        if self.media_links is None:
            return None
        return self.media_links.url_for(key, self.now(), LINK_LIFETIME)

    def policy(self, municipality_code: str) -> Policy:
        """Return the municipality's alert policy (what rules read at a turn, too)."""
        if self.policies is not None:
            return self.policies(municipality_code)
        return _file_policy(municipality_code)

    def question_set(self, municipality_code: str) -> QuestionSet:
        """Return the municipality's question set or raise NotFound."""
        qset = self.question_sets().get(municipality_code)
        if qset is None:
            raise NotFound(f"question set for {municipality_code}")
        return qset


@cache
def _file_policy(municipality_code: str) -> Policy:
    from questions.policy import policy_for

    return policy_for(municipality_code)
