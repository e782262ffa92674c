"""A municipality's question set, alert policy and engagement, edited on the dashboard.

A published version is stored (``uow.config_versions``) and takes precedence over the file
in ``questions/sets``, ``questions/policies`` or ``questions/engagement`` for that
municipality. Text is validated by
the same loader as ``mimamori questions validate``, as if it were that municipality's file,
so the editor reports exactly the problems the command would. Nothing is stored on error.

Only municipality admins (their own municipality) and operators may edit; anyone else is
told the municipality does not exist (NotFound), as the dashboard's scope rules do.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from backend.domain.errors import NotFound
from backend.domain.model import Municipality, StaffRole, StaffUser
from backend.domain.staff import AuditEntry
from backend.domain.versions import ConfigKind, ConfigVersion
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services
from backend.services.published import (
    REFRESH_SECONDS,
    PublishedEngagement,
    PublishedSets,
    published_engagement,
    published_policies,
)
from backend.services.retry import retry_when_busy
from questions.engagement_files import ENGAGEMENT_DIR, MunicipalEngagement, load_municipal_text
from questions.loader import SETS_DIR, QuestionSetError, load_question_set_text
from questions.model import QuestionSet
from questions.policy import POLICIES_DIR, Policy, load_policy_text
from questions.schema import Question, Schedule

logger = logging.getLogger(__name__)

# How the editor names the text in its problems: the file the text stands for.
SOURCES = {
    ConfigKind.QUESTION_SET: "questions/sets/{code}.yaml",
    ConfigKind.POLICY: "questions/policies/{code}.yaml",
    ConfigKind.ENGAGEMENT: "questions/engagement/{code}.yaml",
}
FILE_DIRS = {
    ConfigKind.QUESTION_SET: SETS_DIR,
    ConfigKind.POLICY: POLICIES_DIR,
    ConfigKind.ENGAGEMENT: ENGAGEMENT_DIR,
}
AUDIT_PUBLISH = {
    ConfigKind.QUESTION_SET: "publish_question_set",
    ConfigKind.POLICY: "publish_policy",
    ConfigKind.ENGAGEMENT: "publish_engagement",
}
_VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)


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


def check_engagement(text: str, code: str) -> MunicipalEngagement:
    """Return the engagement of the text; EngagementFileError lists every problem."""
    return load_municipal_text(text, source_of(ConfigKind.ENGAGEMENT, code))


def check(kind: ConfigKind, text: str, code: str) -> QuestionSet | Policy | MunicipalEngagement:
    """Validate text of any kind (raise the loader's FileProblemsError)."""
    kind = ConfigKind(kind)
    if kind is ConfigKind.QUESTION_SET:
        return check_question_set(text, code)
    if kind is ConfigKind.ENGAGEMENT:
        return check_engagement(text, code)
    return check_policy(text, code)


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
    if ConfigKind(kind) is not ConfigKind.QUESTION_SET:  # these files carry no version
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
    for in_force in (svc.question_sets, svc.engagement):
        refresh = getattr(in_force, "invalidate", None)
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


__all__ = [
    "REFRESH_SECONDS",
    "Current",
    "HistoryEntry",
    "PreviewQuestion",
    "PreviewSlot",
    "PublishedEngagement",
    "PublishedSets",
    "check",
    "check_engagement",
    "check_policy",
    "check_question_set",
    "current",
    "history",
    "may_edit",
    "municipality_in_scope",
    "preview",
    "publish",
    "published_engagement",
    "published_policies",
    "source_of",
    "version_of",
]
