"""What is in force: the files, each replaced by its municipality's newest published version.

Kept apart from ``municipal_config`` (the editor's service) so that ``bootstrap`` and the
skill's cold start import only this: the question-set and engagement loaders, no policy model.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from backend.domain.versions import ConfigKind
from backend.ports import AbstractUnitOfWork
from backend.services.context import file_policy
from questions.engagement_files import (
    Engagement,
    EngagementFileError,
    engagement_for,
    engagement_of,
    load_municipal_text,
)
from questions.loader import QuestionSetError, load_question_set_text
from questions.model import QuestionSet

if TYPE_CHECKING:
    from questions.policy import Policy

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0  # other processes see a published question set within this time
SET_SOURCE = "questions/sets/{code}.yaml"
POLICY_SOURCE = "questions/policies/{code}.yaml"
ENGAGEMENT_SOURCE = "questions/engagement/{code}.yaml"


def versioned(qset: QuestionSet) -> QuestionSet:
    """Return a published set whose questions carry at least the set's version.

    An answer records its question's version, so answers given after a publication can be
    told from the ones given before (and read against the version they were asked with).
    """
    questions = tuple(
        q.model_copy(update={"version": qset.version}) if q.version < qset.version else q
        for q in qset.questions
    )
    return replace(qset, questions=questions)


@lru_cache(maxsize=64)
def _published_set(text: str, code: str) -> QuestionSet:
    return versioned(load_question_set_text(text, Path(SET_SOURCE.format(code=code))))


@lru_cache(maxsize=64)
def _published_policy(text: str, code: str) -> Policy:
    from questions.policy import load_policy_text

    return load_policy_text(text, Path(POLICY_SOURCE.format(code=code)))


@lru_cache(maxsize=64)
def _published_engagement(text: str, code: str) -> Engagement:
    return engagement_of(code, load_municipal_text(text, Path(ENGAGEMENT_SOURCE.format(code=code))))


class PublishedSets:
    """The question sets in force: the files, each replaced by the newest published version.

    Re-read from the store at most every ``refresh_seconds`` (and at once after a
    publication in this process).
    """

    def __init__(
        self,
        uow: Callable[[], AbstractUnitOfWork],
        files: Callable[[], dict[str, QuestionSet]],
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._files = files
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._sets: dict[str, QuestionSet] | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        """Read the store again at the next call."""
        with self._lock:
            self._sets = None

    def __call__(self) -> dict[str, QuestionSet]:
        """Return the sets in force, by municipality code."""
        with self._lock:
            now = self._monotonic()
            if self._sets is None or now - self._checked >= self._refresh_seconds:
                self._sets = self._load()
                self._checked = now
            return self._sets

    def _load(self) -> dict[str, QuestionSet]:
        sets = dict(self._files())
        try:
            with self._uow() as uow:
                heads = uow.config_versions.latest_all(ConfigKind.QUESTION_SET)
        except Exception:  # the files still work when the store cannot be read
            logger.exception("published question sets could not be read; using the files")
            return sets
        for head in heads:
            try:
                sets[head.municipality_code] = _published_set(head.text, head.municipality_code)
            except QuestionSetError as err:
                logger.error(
                    "published question set %s v%s is no longer valid (%d problems); "
                    "using the file",
                    head.municipality_code,
                    head.version,
                    len(err.problems),
                )
        return sets


def published_policies(
    uow: Callable[[], AbstractUnitOfWork],
    files: Callable[[str], Policy] = file_policy,
) -> Callable[[str], Policy]:
    """Return ``code -> Policy``: the newest published policy, else the file (or defaults)."""
    from_files = files

    def policy(code: str) -> Policy:
        with uow() as unit:
            latest = unit.config_versions.latest(ConfigKind.POLICY, code)
        if latest is not None:
            try:
                return _published_policy(latest.text, code)
            except QuestionSetError:
                logger.error("published policy %s v%s is no longer valid", code, latest.version)
        return from_files(code)

    return policy


class PublishedEngagement:
    """``code -> Engagement``: the newest published engagement, else the file (off without one).

    A municipality's choice is re-read from the store at most every ``refresh_seconds`` (and
    at once after a publication in this process), since a check-in asks for it several times.
    """

    def __init__(
        self,
        uow: Callable[[], AbstractUnitOfWork],
        files: Callable[[str], Engagement],
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._files = files
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, Engagement]] = {}
        self._generation = 0  # a read begun before an invalidation is not kept

    def invalidate(self) -> None:
        """Read the store again at the next call."""
        with self._lock:
            self._seen.clear()
            self._generation += 1

    def __call__(self, code: str) -> Engagement:
        """Return the municipality's engagement in force."""
        with self._lock:
            now = self._monotonic()
            seen = self._seen.get(code)
            if seen is not None and now - seen[0] < self._refresh_seconds:
                return seen[1]
            generation = self._generation
        try:
            with self._uow() as unit:
                latest = unit.config_versions.latest(ConfigKind.ENGAGEMENT, code)
        except Exception:  # the file still works when the store cannot be read
            logger.exception("published engagement could not be read; using the file")
            return self._files(code)
        found = None
        if latest is not None:
            try:
                found = _published_engagement(latest.text, code)
            except EngagementFileError as err:
                logger.error(
                    "published engagement %s v%s is no longer valid (%d problems); using the file",
                    code,
                    latest.version,
                    len(err.problems),
                )
        if found is None:
            found = self._files(code)
        with self._lock:
            if generation == self._generation:
                self._seen[code] = (now, found)
        return found


def published_engagement(
    uow: Callable[[], AbstractUnitOfWork],
    files: Callable[[str], Engagement] | None = None,
    *,
    refresh_seconds: float = REFRESH_SECONDS,
    monotonic: Callable[[], float] = time.monotonic,
) -> PublishedEngagement:
    """Return ``code -> Engagement``: the newest published engagement, else the file."""
    return PublishedEngagement(
        uow,
        cache(engagement_for) if files is None else files,
        refresh_seconds=refresh_seconds,
        monotonic=monotonic,
    )
