"""A municipality's question set and alert policy, edited and published from the dashboard.

A published version is stored (``uow.config_versions``) and takes precedence over the file
in ``questions/sets`` or ``questions/policies`` for that municipality. Text is validated by
the same loader as ``mimamori questions validate``, as if it were that municipality's file,
so the editor reports exactly the problems the command would. Nothing is stored on error.

Only municipality admins (their own municipality) and operators may edit; anyone else is
told the municipality does not exist (NotFound), as the dashboard's scope rules do.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from backend.domain.errors import NotFound
from backend.domain.model import Municipality, StaffRole, StaffUser
from backend.domain.staff import AuditEntry
from backend.domain.versions import ConfigKind, ConfigVersion
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from questions.loader import SETS_DIR, QuestionSetError, load_question_set_text
from questions.model import QuestionSet
from questions.policy import POLICIES_DIR, Policy, load_policy_text, policy_for
from questions.schema import Question, Schedule

logger = logging.getLogger(__name__)

# How the editor names the text in its problems: the file the text stands for.
SOURCES = {
    ConfigKind.QUESTION_SET: "questions/sets/{code}.yaml",
    ConfigKind.POLICY: "questions/policies/{code}.yaml",
}
FILE_DIRS = {ConfigKind.QUESTION_SET: SETS_DIR, ConfigKind.POLICY: POLICIES_DIR}
AUDIT_PUBLISH = {
    ConfigKind.QUESTION_SET: "publish_question_set",
    ConfigKind.POLICY: "publish_policy",
}
_VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)
REFRESH_SECONDS = 30.0  # other processes see a published question set within this time


def may_edit(user: StaffUser) -> bool:
    """Return True if the user may use the municipality admin pages at all."""
    return user.active and user.role in (StaffRole.MUNICIPALITY_ADMIN, StaffRole.OPERATOR)


def municipality_in_scope(uow: AbstractUnitOfWork, user: StaffUser, code: str) -> Municipality:
    """Return the municipality the user administers; NotFound for anything else."""
    if not may_edit(user):
        raise NotFound(f"municipality {code}")
    if user.role is StaffRole.MUNICIPALITY_ADMIN and user.municipality_code != code:
        raise NotFound(f"municipality {code}")
    found = uow.municipalities.get(code)
    if found is None:
        raise NotFound(f"municipality {code}")
    return found


def source_of(kind: ConfigKind, code: str) -> Path:
    """Return the path the text of a kind stands for (how problems name it)."""
    return Path(SOURCES[ConfigKind(kind)].format(code=code))


def check_question_set(text: str, code: str) -> QuestionSet:
    """Return the question set of the text; QuestionSetError lists every problem."""
    return load_question_set_text(text, source_of(ConfigKind.QUESTION_SET, code))


def check_policy(text: str, code: str) -> Policy:
    """Return the policy of the text; PolicyError lists every problem."""
    return load_policy_text(text, source_of(ConfigKind.POLICY, code))


def check(kind: ConfigKind, text: str, code: str) -> QuestionSet | Policy:
    """Validate text of either kind (raise the loader's FileProblemsError)."""
    if ConfigKind(kind) is ConfigKind.QUESTION_SET:
        return check_question_set(text, code)
    return check_policy(text, code)


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


# --- what the editor shows ------------------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """The text in force for a municipality, where it comes from and its version."""

    municipality: Municipality
    kind: ConfigKind
    text: str
    version: int  # 0: nothing published and no file
    published: ConfigVersion | None  # None: the file (or the defaults) is in force


def _file_text(kind: ConfigKind, code: str) -> str:
    path = FILE_DIRS[ConfigKind(kind)] / f"{code}.yaml"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _file_version(kind: ConfigKind, code: str) -> int:
    if ConfigKind(kind) is ConfigKind.POLICY:
        return 1 if _file_text(kind, code) else 0
    text = _file_text(kind, code)
    if not text:
        return 0
    try:
        return check_question_set(text, code).version
    except QuestionSetError:
        return 0


@retry_when_busy
def current(svc: Services, user: StaffUser, kind: ConfigKind, code: str) -> Current:
    """Return what is in force: the newest published version, else the file."""
    with svc.uow() as uow:
        municipality = municipality_in_scope(uow, user, code)
        latest = uow.config_versions.latest(kind, code)
    if latest is not None:
        return Current(municipality, ConfigKind(kind), latest.text, latest.version, latest)
    return Current(
        municipality, ConfigKind(kind), _file_text(kind, code), _file_version(kind, code), None
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One published version as the history lists it."""

    version: ConfigVersion
    publisher: str  # display name, or the actor when the account is gone


@retry_when_busy
def history(svc: Services, user: StaffUser, kind: ConfigKind, code: str) -> list[HistoryEntry]:
    """Return the published versions, newest first, with who published them."""
    with svc.uow() as uow:
        municipality_in_scope(uow, user, code)
        found = uow.config_versions.list_for(kind, code)
        names: dict[str, str] = {}
        for v in found:
            if v.published_by not in names:
                staff = uow.users.get(v.published_by.removeprefix("staff:"))
                names[v.published_by] = staff.display_name if staff else v.published_by
    return [HistoryEntry(v, names[v.published_by]) for v in found]


@retry_when_busy
def version_of(
    svc: Services, user: StaffUser, kind: ConfigKind, code: str, number: int
) -> ConfigVersion:
    """Return one published version; NotFound if it does not exist or is out of scope."""
    with svc.uow() as uow:
        municipality_in_scope(uow, user, code)
        found = uow.config_versions.get(kind, code, number)
    if found is None:
        raise NotFound(f"{kind} {code} v{number}")
    return found


def _with_version(text: str, number: int) -> str:
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(f"version: {number}", text, count=1)
    return text


@retry_when_busy
def publish(
    svc: Services, user: StaffUser, kind: ConfigKind, code: str, text: str
) -> ConfigVersion:
    """Validate and store the next version; nothing is stored on error.

    Invalid text raises the loader's error (FileProblemsError); Conflict means someone
    published the same number first.
    """
    kind = ConfigKind(kind)
    text = text.replace("\r\n", "\n")
    with svc.uow() as uow:
        municipality_in_scope(uow, user, code)
    check(kind, text, code)
    with svc.uow() as uow:
        latest = uow.config_versions.latest(kind, code)
        number = (latest.version if latest else _file_version(kind, code)) + 1
        if kind is ConfigKind.QUESTION_SET:
            text = _with_version(text, number)
            check_question_set(text, code)
        version = ConfigVersion(kind, code, number, text, f"staff:{user.id}", svc.now())
        uow.config_versions.add(version)
        uow.audit.add(
            AuditEntry(
                svc.now(),
                f"staff:{user.id}",
                AUDIT_PUBLISH[kind],
                None,
                {"municipality_code": code, "version": number},
            )
        )
        uow.commit()
    refresh = getattr(svc.question_sets, "invalidate", None)
    if callable(refresh):
        refresh()
    return version


# --- preview: what the elder hears ----------------------------------------------------------


@dataclass(frozen=True)
class PreviewQuestion:
    """One question as the speaker asks it."""

    question: Question
    when: str  # 毎日 / 毎週月曜 / 毎月1日
    due: bool  # asked on the preview day


@dataclass(frozen=True)
class PreviewSlot:
    """The questions of one slot, in the order they are asked."""

    id: str
    label: str
    start: str
    end: str
    questions: tuple[PreviewQuestion, ...]
    due_on_day: int  # how many are due on the preview day


def _when(schedule: Schedule) -> str:
    if schedule.every == "week":
        return f"毎週{schedule.weekday}曜"
    if schedule.every == "month":
        return f"毎月{schedule.day}日"
    return "毎日"


def preview(qset: QuestionSet, day: date) -> tuple[PreviewSlot, ...]:
    """Return each slot's questions in the order asked, and which are due on ``day``."""
    slots = []
    for slot in qset.slots:
        due = {q.id for q in qset.due(day, slot.id)}
        questions = tuple(
            PreviewQuestion(q, _when(q.schedule), q.id in due)
            for q in qset.questions
            if slot.id in q.schedule.slots
        )
        slots.append(PreviewSlot(slot.id, slot.label, slot.start, slot.end, questions, len(due)))
    return tuple(slots)


# --- what is in force: the store first, then the files --------------------------------------


@lru_cache(maxsize=64)
def _published_set(text: str, code: str) -> QuestionSet:
    return versioned(check_question_set(text, code))


@lru_cache(maxsize=64)
def _published_policy(text: str, code: str) -> Policy:
    return check_policy(text, code)


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
    files: Callable[[str], Policy] | None = None,
) -> Callable[[str], Policy]:
    """Return ``code -> Policy``: the newest published policy, else the file (or defaults)."""
    from_files = files or cache(policy_for)

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


def preview_day(svc: Services) -> date:
    """Return the day the preview counts due questions for (today)."""
    return svc.now().date()
