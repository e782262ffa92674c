"""Municipal notices edited on the dashboard: list with read tracking, create, edit, withdraw.

A notice from the form is written as one entry of a notice file and validated by the
loader of ``mimamori notices import``, so the form reports the same problems the command
does (path and message). Scope as for the other municipality admin pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from backend import messages
from backend.domain.errors import Conflict, NotFound
from backend.domain.model import EventKind, Municipality, StaffUser
from backend.domain.staff import AuditEntry
from backend.ports import AbstractUnitOfWork
from backend.services import notices as notice_service
from backend.services.audit import record
from backend.services.context import Services
from backend.services.municipal_config import municipality_in_scope
from backend.services.retry import retry_when_busy
from notices.loader import load_notice_text, notice_id
from notices.model import Notice, NoticeKind, NoticeStatus, Priority, Safety

SOURCE = "notices/{code}.yaml"  # how the problems name the text (like an imported file)


def _actor(user: StaffUser) -> str:
    return f"staff:{user.id}"


def entry_text(code: str, entry: dict[str, Any]) -> str:
    """Return the notice file (YAML) holding one entry, as ``mimamori notices import`` reads."""
    data = {"municipality_code": code, "notices": [entry]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def check(svc: Services, code: str, entry: dict[str, Any]) -> Notice:
    """Return the notice of a form entry; raise NoticeFileError (path and message)."""
    text = entry_text(code, entry)
    loaded = load_notice_text(text, Path(SOURCE.format(code=code)), svc.tz, svc.now())
    return loaded.notices[0]


def entry_of(notice: Notice, svc: Services) -> dict[str, Any]:
    """Return the form entry of a stored notice (the inverse of ``check``)."""
    local_id = notice.id.partition("/")[2] or notice.id
    entry: dict[str, Any] = {"id": local_id}
    if notice.kind is NoticeKind.EXERCISE:
        entry["kind"] = notice.kind.value
    entry |= {
        "title": notice.title,
        "priority": notice.priority.value,
        "speech": notice.speech,
        "screen": notice.screen_text,
        "from": notice.starts_at.astimezone(svc.tz).strftime("%Y-%m-%dT%H:%M"),
    }
    if notice.ends_at is not None:
        entry["to"] = notice.ends_at.astimezone(svc.tz).strftime("%Y-%m-%dT%H:%M")
    if notice.image_url:
        entry["image"] = notice.image_url
    audience = notice.audience
    if not audience.everyone:
        entry["audience"] = {
            "districts": list(audience.districts),
            "centers": list(audience.centers),
            "elders": list(audience.elders),
        }
    if notice.recurrence is not None:
        from notices.model import WEEKDAY_NAMES

        rec = notice.recurrence
        entry["recurrence"] = {
            "weekdays": [WEEKDAY_NAMES[d] for d in rec.weekdays],
            "nth": list(rec.nth),
            "dates": [d.isoformat() for d in rec.dates],
        }
    if notice.window is not None:
        window = notice.window
        entry["time"] = f"{window.at:%H:%M}"
        entry["window"] = f"{window.start:%H:%M}-{window.end:%H:%M}"
    if not notice.speech:
        entry.pop("speech")  # a 体操 invitation without words of its own
    entry["draft"] = notice.status is NoticeStatus.DRAFT
    return entry


@dataclass(frozen=True)
class Occurrence:
    """How many targeted elders heard one occurrence of a notice (and 安否 answers)."""

    key: str  # "once" or the ISO date
    heard: int
    safe: int = 0
    need_help: int = 0
    answers: tuple[tuple[str, int], ...] = ()  # a 体操 invitation's: (label, elders), by answer


@dataclass(frozen=True)
class Tracked:
    """A notice with its targeted elders and who heard each occurrence."""

    notice: Notice
    targeted: int
    occurrences: tuple[Occurrence, ...]  # newest first

    @property
    def latest(self) -> Occurrence | None:
        """Return the newest occurrence heard by anyone."""
        return self.occurrences[0] if self.occurrences else None


def _tracked(uow: AbstractUnitOfWork, notice: Notice) -> Tracked:
    targeted = {e.id for e in notice_service.targets(uow, notice)}
    heard: Counter[str] = Counter()
    safe: Counter[str] = Counter()
    help_: Counter[str] = Counter()
    for d in uow.notice_deliveries.list_for_notice(notice.id):
        if d.elder_id not in targeted:
            continue
        heard[d.occurrence] += 1
        if d.safety is Safety.SAFE:
            safe[d.occurrence] += 1
        elif d.safety is Safety.NEED_HELP:
            help_[d.occurrence] += 1
    keys = sorted(heard, reverse=True)
    answers = _exercise_answers(uow, notice, targeted)
    return Tracked(
        notice,
        len(targeted),
        tuple(Occurrence(k, heard[k], safe[k], help_[k], answers.get(k, ())) for k in keys),
    )


def _exercise_answers(
    uow: AbstractUnitOfWork, notice: Notice, targeted: set[str]
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Return, per occurrence of a 体操 notice, how many elders gave each answer (the last)."""
    if notice.kind is not NoticeKind.EXERCISE or not targeted:
        return {}
    last: dict[tuple[str, str], str] = {}
    for elder_id, events in uow.events.list_for_elders(sorted(targeted), notice.starts_at).items():
        for e in events:  # oldest first: a later answer of the day counts
            if e.kind is EventKind.EXERCISE and e.detail.get("notice_id") == notice.id:
                last[(str(e.detail.get("occurrence", "")), elder_id)] = str(e.detail["answer"])
    counted: dict[str, Counter[str]] = {}
    for (occurrence, _), answer in last.items():
        counted.setdefault(occurrence, Counter())[answer] += 1
    return {
        occurrence: tuple(
            (label, counts[answer])
            for answer, label in messages.EXERCISE_ANSWERS.items()
            if counts[answer]
        )
        for occurrence, counts in counted.items()
    }


def list_tracked(svc: Services, user: StaffUser, code: str) -> tuple[Municipality, list[Tracked]]:
    """Return the municipality's notices, newest first, each with its read tracking."""
    with svc.uow() as uow:
        municipality = municipality_in_scope(uow, user, code)
        found = uow.notices.list_for_municipality(code)
        tracked = [_tracked(uow, n) for n in found]
    viewed = AuditEntry(svc.now(), _actor(user), "view_notices", None, {"municipality_code": code})
    record(svc, viewed)
    tracked.sort(key=lambda t: (t.notice.starts_at, t.notice.id), reverse=True)
    return municipality, tracked


def _in_scope(uow: AbstractUnitOfWork, user: StaffUser, code: str, local_id: str) -> Notice:
    municipality_in_scope(uow, user, code)
    notice = uow.notices.get(notice_id(code, local_id))
    if notice is None or notice.municipality_code != code:
        raise NotFound(f"notice {code}/{local_id}")
    return notice


@retry_when_busy
def get_tracked(svc: Services, user: StaffUser, code: str, local_id: str) -> Tracked:
    """Return one notice of the municipality with its tracking; NotFound outside the scope."""
    with svc.uow() as uow:
        return _tracked(uow, _in_scope(uow, user, code, local_id))


def _audit(
    uow: AbstractUnitOfWork, user: StaffUser, at: datetime, action: str, notice: Notice
) -> None:
    uow.audit.add(AuditEntry(at, _actor(user), action, None, {"notice_id": notice.id}))


def save(
    svc: Services, user: StaffUser, code: str, entry: dict[str, Any], new: bool = False
) -> Notice:
    """Create or update a notice from a form entry (validated like an imported file).

    A new id creates the notice; an existing one changes it (a draft is published when
    ``draft`` is false). Raise NoticeFileError on invalid input (nothing stored), ValueError
    for a withdrawn notice, NotFound outside the scope. The change and its audit entry are
    one unit of work. Whether it creates or edits is decided by a read before that unit, so
    a creation whose id another admin took meanwhile raises Conflict (even when retried)
    instead of overwriting their notice; with ``new`` (the form for a new notice) an id
    already stored is a Conflict too, never an edit.
    """
    with svc.uow() as uow:
        municipality_in_scope(uow, user, code)
        stored = uow.notices.get(notice_id(code, str(entry.get("id", ""))))
    notice = check(svc, code, entry)
    if stored is None:
        return _create(svc, user, notice)
    if new:
        raise Conflict(f"notice {stored.id}")
    return _edit(svc, user, stored.id, notice)


@retry_when_busy
def _create(svc: Services, user: StaffUser, notice: Notice) -> Notice:
    now = svc.now()
    with svc.uow() as uow:
        created = notice_service.create_in(uow, notice, now)
        _audit(uow, user, now, "create_notice", created)
        uow.commit()
    return created


@retry_when_busy
def _edit(svc: Services, user: StaffUser, stored_id: str, notice: Notice) -> Notice:
    changes = {
        "title": notice.title,
        "speech": notice.speech,
        "screen_text": notice.screen_text,
        "image_url": notice.image_url,
        "priority": Priority(notice.priority),
        "audience": notice.audience,
        "starts_at": notice.starts_at,
        "ends_at": notice.ends_at,
        "recurrence": notice.recurrence,
        "kind": notice.kind,
        "window": notice.window,
    }
    now = svc.now()
    with svc.uow() as uow:
        saved = notice_service.edit_in(uow, stored_id, now, **changes)
        if notice.status is NoticeStatus.PUBLISHED and saved.status is NoticeStatus.DRAFT:
            saved = notice_service.publish_in(uow, stored_id, now)
        _audit(uow, user, now, "edit_notice", saved)
        uow.commit()
    return saved


@retry_when_busy
def withdraw(svc: Services, user: StaffUser, code: str, local_id: str) -> Notice:
    """Withdraw a notice of the municipality (no longer announced), audited in the same unit."""
    now = svc.now()
    with svc.uow() as uow:
        notice = notice_service.withdraw_in(uow, _in_scope(uow, user, code, local_id).id, now)
        _audit(uow, user, now, "withdraw_notice", notice)
        uow.commit()
    return notice
