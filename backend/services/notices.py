"""Municipal notices: create, edit, publish, withdraw, import; who hears what; tracking.

Publishing a 重要 or 災害 notice queues a Proactive Events nudge
(``AMAZON.MessageAlert.Activated``) to each targeted elder's speaker through the outbox:
the speaker is a recipient of channel ``alexa`` whose address is the Alexa user id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from backend.domain import rules
from backend.domain.errors import NotFound
from backend.domain.model import Elder, OutboxMessage, Recipient, Severity, quiet_until
from backend.ports import AbstractUnitOfWork
from backend.services import alerts, life_signs
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from notices.loader import load_notice_file
from notices.model import (
    Due,
    Notice,
    NoticeDelivery,
    NoticeStatus,
    Priority,
    Safety,
    due_for,
)

logger = logging.getLogger(__name__)

SPEAKER_CHANNEL = "alexa"
SPEAKER_RELATION = "本人のスピーカー"
DEFAULT_SAFETY_HOURS = 3
_NAMESPACE = uuid.UUID("0b8a0d51-5c56-4a43-9f0e-6e6f74696365")
_EDITABLE = {
    "title",
    "speech",
    "screen_text",
    "image_url",
    "priority",
    "audience",
    "starts_at",
    "ends_at",
    "recurrence",
    "kind",
    "window",
}


@dataclass(frozen=True)
class ImportReport:
    """What importing a notice file did."""

    municipality_code: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    nudges: int = 0


# --- targeting -------------------------------------------------------------------------


def targets(uow: AbstractUnitOfWork, notice: Notice) -> list[Elder]:
    """Return the watchable elders the notice is for, ordered by kana, then id."""
    return [
        e
        for e in uow.elders.list_for_municipality(notice.municipality_code)
        if e.is_watchable and notice.audience.includes(e.id, e.center_id, e.district)
    ]


def due_for_elder(
    uow: AbstractUnitOfWork, elder: Elder, now: datetime, request_id: str = ""
) -> list[Due]:
    """Return the elder's notices still to announce at ``now`` (local time), 災害 first.

    Notices heard in the Alexa request ``request_id`` still count: a replayed request
    hears the same notices again (and marks nothing twice).
    """
    notices = [
        n
        for n in uow.notices.list_for_municipality(elder.municipality_code)
        if n.occurrence(now) is not None
    ]
    if not notices:
        return []
    deliveries = [
        d
        for d in uow.notice_deliveries.list_for_elder(elder.id, [n.id for n in notices])
        if not (request_id and d.detail.get("request_id") == request_id)
    ]
    return due_for(notices, elder.id, elder.center_id, elder.district, now, deliveries)


def mark_heard(
    uow: AbstractUnitOfWork, elder: Elder, due: Due, now: datetime, request_id: str = ""
) -> bool:
    """Record that the elder heard this occurrence (idempotent); True if newly recorded."""
    detail = {"request_id": request_id} if request_id else {}
    delivery = NoticeDelivery(due.notice.id, elder.id, due.occurrence, now, detail=detail)
    heard = uow.notice_deliveries.mark_heard(delivery)
    if heard:
        life_signs.record(uow, elder.id, life_signs.NOTICE_HEARD, now)
    return heard


def record_safety(
    uow: AbstractUnitOfWork,
    elder: Elder,
    notice: Notice,
    occurrence: str,
    safety: Safety,
    now: datetime,
) -> bool:
    """Record a 安否 answer; 「助けが必要」 opens an urgent alert. True if an alert opened."""
    uow.notice_deliveries.mark_heard(NoticeDelivery(notice.id, elder.id, occurrence, now))
    uow.notice_deliveries.record_safety(notice.id, elder.id, occurrence, safety, now)
    if safety is not Safety.NEED_HELP:
        return False
    candidate = rules.AlertCandidate(
        rule=rules.DISASTER_HELP,
        period=f"{notice.id}/{occurrence}",
        severity=Severity.URGENT,
        stage=0,
        evidence={"notice_id": notice.id, "title": notice.title, "at": now.isoformat()},
    )
    return alerts.open_now(uow, elder, candidate, now)


# --- create, edit, publish, withdraw -----------------------------------------------------


def _get(uow: AbstractUnitOfWork, notice_id: str) -> Notice:
    notice = uow.notices.get(notice_id)
    if notice is None:
        raise NotFound(f"notice {notice_id}")
    return notice


def create_in(uow: AbstractUnitOfWork, notice: Notice, now: datetime) -> Notice:
    """Store a new notice in the caller's unit of work (not committed); nudge if urgent."""
    if uow.municipalities.get(notice.municipality_code) is None:
        raise NotFound(f"municipality {notice.municipality_code}")
    notice = replace(notice, created_at=now, updated_at=now)
    if notice.status is NoticeStatus.PUBLISHED:
        notice = replace(notice, published_at=now)
    uow.notices.add(notice)
    if notice.status is NoticeStatus.PUBLISHED:
        queue_nudges(uow, notice, now)
    return notice


@retry_when_busy
def create(svc: Services, notice: Notice) -> Notice:
    """Store a new notice (draft or published); a published 重要/災害 one nudges at once."""
    with svc.uow() as uow:
        notice = create_in(uow, notice, svc.now())
        uow.commit()
    return notice


def edit_in(uow: AbstractUnitOfWork, notice_id: str, now: datetime, **changes: Any) -> Notice:
    """Change a notice in the caller's unit of work (not committed); ValueError if withdrawn."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValueError(f"変更できない項目です: {', '.join(sorted(unknown))}")
    notice = _get(uow, notice_id)
    if notice.status is NoticeStatus.WITHDRAWN:
        raise ValueError("取り下げたお知らせは変更できません")
    if "priority" in changes:
        changes["priority"] = Priority(changes["priority"])
    notice = replace(notice, **changes, updated_at=now)
    uow.notices.update(notice)
    return notice


@retry_when_busy
def edit(svc: Services, notice_id: str, **changes: Any) -> Notice:
    """Change a notice's content, audience, period or recurrence (validated as on creation)."""
    with svc.uow() as uow:
        notice = edit_in(uow, notice_id, svc.now(), **changes)
        uow.commit()
    return notice


def publish_in(uow: AbstractUnitOfWork, notice_id: str, now: datetime) -> Notice:
    """Publish a draft in the caller's unit of work (not committed); nudge if urgent."""
    notice = _get(uow, notice_id)
    if notice.status is NoticeStatus.PUBLISHED:
        return notice
    if notice.status is NoticeStatus.WITHDRAWN:
        raise ValueError("取り下げたお知らせは公開できません")
    notice = replace(notice, status=NoticeStatus.PUBLISHED, published_at=now, updated_at=now)
    uow.notices.update(notice)
    queue_nudges(uow, notice, now)
    return notice


@retry_when_busy
def publish(svc: Services, notice_id: str) -> Notice:
    """Publish a draft; a 重要/災害 notice nudges its speakers. Publishing again changes nothing."""
    with svc.uow() as uow:
        notice = publish_in(uow, notice_id, svc.now())
        uow.commit()
    return notice


def withdraw_in(uow: AbstractUnitOfWork, notice_id: str, now: datetime) -> Notice:
    """Withdraw a notice in the caller's unit of work (not committed); again changes nothing."""
    notice = _get(uow, notice_id)
    if notice.status is not NoticeStatus.WITHDRAWN:
        notice = replace(notice, status=NoticeStatus.WITHDRAWN, updated_at=now)
        uow.notices.update(notice)
    return notice


@retry_when_busy
def withdraw(svc: Services, notice_id: str) -> Notice:
    """Withdraw a notice: it is no longer announced (what was heard stays recorded)."""
    with svc.uow() as uow:
        notice = withdraw_in(uow, notice_id, svc.now())
        uow.commit()
    return notice


def _same_content(a: Notice, b: Notice) -> bool:
    keep = ("created_at", "updated_at", "published_at")
    return replace(a, **{k: getattr(b, k) for k in keep}) == b


@retry_when_busy
def import_file(svc: Services, path: str | Path) -> ImportReport:
    """Import a notice file (NoticeFileError if invalid; nothing stored then).

    Notices are matched by id (``<code>/<id>``): new ones are added, changed ones
    updated (a notice published before keeps its publication time), equal ones left.
    """
    now = svc.now()
    loaded = load_notice_file(path, svc.tz, now)
    added = updated = unchanged = nudges = 0
    with svc.uow() as uow:
        if uow.municipalities.get(loaded.municipality_code) is None:
            raise NotFound(f"市町村 {loaded.municipality_code} が登録されていません")
        for notice in loaded.notices:
            stored = uow.notices.get(notice.id)
            if stored is None:
                uow.notices.add(notice)
                added += 1
                if notice.status is NoticeStatus.PUBLISHED:
                    nudges += queue_nudges(uow, notice, now)
                continue
            if _same_content(stored, notice):
                unchanged += 1
                continue
            newly_published = (
                notice.status is NoticeStatus.PUBLISHED
                and stored.status is not NoticeStatus.PUBLISHED
            )
            merged = replace(
                notice,
                created_at=stored.created_at,
                published_at=notice.published_at if newly_published else stored.published_at,
            )
            uow.notices.update(merged)
            updated += 1
            if newly_published:
                nudges += queue_nudges(uow, merged, now)
        uow.commit()
    return ImportReport(loaded.municipality_code, added, updated, unchanged, nudges)


# --- the Proactive Events nudge ----------------------------------------------------------


def speaker_recipient_id(elder_id: str, alexa_user_id: str) -> str:
    """Return the id of the recipient that is this elder's speaker (one per Alexa user)."""
    return "speaker-" + uuid.uuid5(_NAMESPACE, f"{elder_id}/{alexa_user_id}").hex


def queue_nudges(uow: AbstractUnitOfWork, notice: Notice, now: datetime) -> int:
    """Queue one Proactive Events notification per targeted speaker of a 重要/災害 notice.

    The speaker recipients are created as needed. The message id derives from the
    notice, its publication and the speaker, so queuing again stores nothing. A notice
    that starts later is nudged when it starts. Return how many messages were new.
    """
    if not notice.priority.nudges or notice.status is not NoticeStatus.PUBLISHED:
        return 0
    elders = targets(uow, notice)
    speakers = uow.notices.speakers_for([e.id for e in elders])
    municipality = uow.municipalities.get(notice.municipality_code)
    creator = municipality.name if municipality else notice.municipality_code
    published = (notice.published_at or now).isoformat()
    queued = 0
    for elder in elders:
        for user in speakers.get(elder.id, []):
            recipient = _speaker(uow, elder, user)
            message = OutboxMessage(
                id=uuid.uuid5(_NAMESPACE, f"{notice.id}/{published}/{recipient.id}").hex,
                recipient_id=recipient.id,
                channel=SPEAKER_CHANNEL,
                subject=creator,
                body=notice.title,
                urgent=notice.priority is Priority.DISASTER,
                created_at=now,
                not_before=max(now, notice.starts_at),
            )
            queued += uow.outbox.add_if_absent(message)
    return queued


# A nudge to the elder's own speaker waits for the morning: 21:00-07:00 on the wall clock.
NIGHT_START, NIGHT_END = "21:00", "07:00"


def nudge_speakers(
    uow: AbstractUnitOfWork,
    elder: Elder,
    now: datetime,
    message_id: Callable[[Recipient], str],
    subject: str,
    body: str,
) -> int:
    """Queue a Proactive Events nudge to each of the elder's speakers; return how many are new.

    ``message_id`` names each speaker's message (so queuing again stores nothing); a nudge
    due at night (``NIGHT_START``-``NIGHT_END``, ``now``'s wall clock) waits for the morning.
    """
    night = Recipient(
        "quiet", elder.center_id, elder.id, "", "", SPEAKER_CHANNEL, "", NIGHT_START, NIGHT_END
    )
    not_before = quiet_until(night, now) or now
    queued = 0
    for user in uow.notices.speakers_for([elder.id]).get(elder.id, []):
        speaker = _speaker(uow, elder, user)
        queued += uow.outbox.add_if_absent(
            OutboxMessage(
                id=message_id(speaker),
                recipient_id=speaker.id,
                channel=SPEAKER_CHANNEL,
                subject=subject,
                body=body,
                urgent=False,
                created_at=now,
                not_before=not_before,
            )
        )
    return queued


def speaker_recipient(uow: AbstractUnitOfWork, elder: Elder, alexa_user_id: str) -> Recipient:
    """Return the recipient that is this elder's speaker, created or refreshed as needed."""
    return _speaker(uow, elder, alexa_user_id)


def _speaker(uow: AbstractUnitOfWork, elder: Elder, alexa_user_id: str) -> Recipient:
    recipient = Recipient(
        id=speaker_recipient_id(elder.id, alexa_user_id),
        center_id=elder.center_id,
        elder_id=elder.id,
        name=elder.name,
        relation=SPEAKER_RELATION,
        channel=SPEAKER_CHANNEL,
        address=alexa_user_id,
    )
    stored = uow.recipients.get(recipient.id)
    if stored is None:
        uow.recipients.add(recipient)
        return recipient
    # Whether the user allows notifications is the speaker's own (speaker_events): kept.
    recipient = replace(recipient, active=stored.active)
    if stored != recipient:
        uow.recipients.update(recipient)
    return recipient


# --- tracking ----------------------------------------------------------------------------

TRACKING_HEADER = (
    "notice_id",
    "title",
    "priority",
    "status",
    "elder_id",
    "center_id",
    "district",
    "heard",
    "last_heard_at",
    "times_heard",
    "safety",
    "safety_at",
    "needs_call",
)


def _overlaps(notice: Notice, since: date | None, until: date | None, svc: Services) -> bool:
    start = notice.starts_at.astimezone(svc.tz).date()
    end = (
        (notice.ends_at - timedelta(microseconds=1)).astimezone(svc.tz).date()
        if notice.ends_at
        else None
    )
    return (until is None or start <= until) and (since is None or end is None or since <= end)


def tracking_rows(
    svc: Services,
    *,
    since: date | None = None,
    until: date | None = None,
    municipality_code: str | None = None,
    hours: int = DEFAULT_SAFETY_HOURS,
) -> Iterator[list[str]]:
    """Yield the CSV rows: per published or withdrawn notice, each targeted elder, heard or not.

    ``needs_call`` is ``yes`` for a 災害 notice whose elder has given no 安否 answer
    ``hours`` after publication: staff should call them. Ids only, no names.
    """
    if since and until and since > until:
        raise ValueError("--since は --until 以前にしてください")
    now = svc.now()
    yield list(TRACKING_HEADER)
    with svc.uow() as uow:
        if municipality_code:
            codes = [municipality_code]
        else:
            codes = sorted({e.municipality_code for e in uow.elders.list_all()})
        for code in codes:
            for notice in uow.notices.list_for_municipality(code):
                if notice.status is NoticeStatus.DRAFT or not _overlaps(notice, since, until, svc):
                    continue
                yield from _notice_rows(uow, notice, now, hours, svc)


def _when(value: datetime | None, svc: Services) -> str:
    return value.astimezone(svc.tz).isoformat() if value else ""


def _notice_rows(
    uow: AbstractUnitOfWork, notice: Notice, now: datetime, hours: int, svc: Services
) -> Iterator[list[str]]:
    by_elder: dict[str, list[NoticeDelivery]] = {}
    for d in uow.notice_deliveries.list_for_notice(notice.id):
        by_elder.setdefault(d.elder_id, []).append(d)
    overdue = (
        notice.priority is Priority.DISASTER
        and notice.status is NoticeStatus.PUBLISHED
        and notice.published_at is not None
        and now - notice.published_at >= timedelta(hours=hours)
    )
    for elder in sorted(targets(uow, notice), key=lambda e: e.id):
        heard = by_elder.get(elder.id, [])
        last = max(heard, key=lambda d: d.heard_at) if heard else None
        answered = [(d.safety_at, d) for d in heard if d.safety is not None and d.safety_at]
        safety = max(answered, key=lambda pair: pair[0])[1] if answered else None
        yield [
            notice.id,
            notice.title,
            notice.priority.value,
            notice.status.value,
            elder.id,
            elder.center_id,
            elder.district,
            "yes" if heard else "no",
            _when(last.heard_at if last else None, svc),
            str(len(heard)),
            safety.safety.value if safety and safety.safety else "",
            _when(safety.safety_at if safety else None, svc),
            "yes" if overdue and safety is None else "no",
        ]
