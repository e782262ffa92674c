"""What every service needs: a unit of work factory, question sets and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from backend.domain.errors import NotFound
from backend.media import MediaLinks
from backend.ports import AbstractUnitOfWork
from questions.model import QuestionSet


@dataclass(frozen=True)
class Services:
    """Dependencies of the services, built once by ``bootstrap``."""

    uow: Callable[[], AbstractUnitOfWork]
    question_sets: Callable[[], dict[str, QuestionSet]]
    clock: Callable[[], datetime]
    tz: ZoneInfo
    media_links: MediaLinks | None = None  # signed links to family photos (None: no links)

    def now(self) -> datetime:
        """Return the current time in the deployment's time zone."""
        return self.clock().astimezone(self.tz)

    def question_set(self, municipality_code: str) -> QuestionSet:
        """Return the municipality's question set or raise NotFound."""
        qset = self.question_sets().get(municipality_code)
        if qset is None:
            raise NotFound(f"question set for {municipality_code}")
        return qset
