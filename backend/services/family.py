"""Family members on LINE: link codes, links, messages to the speaker, today's status.

A link is a ``Recipient`` of the elder with channel ``line`` and the member's LINE user
id as address; its id is derived from (elder, user), so linking again reactivates the
same record. Nothing here imports linebot: the skill uses this module too.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FREE_PLAN_QUOTA,
    LINE_CHANNEL,
    FamilyMessage,
    LinkCode,
    MessageKind,
    MonthlySends,
    family_may_see_status,
    quota_warning_due,
)
from backend.domain.model import AwayKind, AwayPeriod, Elder, Outcome, Recipient
from backend.ports import AbstractUnitOfWork
from backend.services import alerts, away
from backend.services.context import Services

logger = logging.getLogger(__name__)

# Non-urgent pushes to family wait for the morning; urgent alerts ignore quiet hours.
QUIET_START, QUIET_END = "21:00", "07:00"
LINK_CODE_LIFETIME = timedelta(days=14)  # printed in a welcome letter: it must last the post
_LINK_NAMESPACE = uuid.UUID("0b8e7f4e-3c1a-4f55-9d7e-6a1c2f0e5b11")
_CODE_TRIES = 20


def _random_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def link_id(elder_id: str, line_user_id: str) -> str:
    """Return the recipient id of the link between an elder and a LINE user."""
    return "line-" + uuid.uuid5(_LINK_NAMESPACE, f"{elder_id}/{line_user_id}").hex


def issue_link_code(
    svc: Services,
    elder_id: str,
    *,
    name: str,
    relation: str,
    lifetime: timedelta = LINK_CODE_LIFETIME,
    random_code: Callable[[], str] = _random_code,
) -> LinkCode:
    """Return a new one-time 6-digit code that links a family member to the elder."""
    if not name.strip() or not relation.strip():
        raise ValueError("お名前と続柄を指定してください")
    with svc.uow() as uow:
        if uow.elders.get(elder_id) is None:
            raise NotFound(f"elder {elder_id}")
        for _ in range(_CODE_TRIES):
            code = LinkCode(
                random_code(), elder_id, name.strip(), relation.strip(), svc.now() + lifetime
            )
            if uow.family.get_link_code(code.code) is None:
                uow.family.add_link_code(code)
                uow.commit()
                return code
    raise Conflict("no free link code; try again")


class LinkOutcome(StrEnum):
    """What became of a code sent in chat."""

    LINKED = "linked"
    UNKNOWN = "unknown"
    EXPIRED = "expired"  # also: used already


@dataclass(frozen=True)
class LinkResult:
    """The outcome of a link attempt, with the elder and link when linked."""

    outcome: LinkOutcome
    elder: Elder | None = None
    member: Recipient | None = None


def link(svc: Services, line_user_id: str, code: str) -> LinkResult:
    """Link the LINE user to the code's elder (one-time code), keeping name and relation."""
    now = svc.now()
    with svc.uow() as uow:
        found = uow.family.get_link_code(code)
        elder = None if found is None else uow.elders.get(found.elder_id)
        if found is None or elder is None or elder.withdrawn:
            return LinkResult(LinkOutcome.UNKNOWN)
        already = uow.recipients.get(link_id(elder.id, line_user_id))
        if found.used_at is not None and already is not None and already.active:
            return LinkResult(LinkOutcome.LINKED, elder, already)  # the same chat, replayed
        if not found.usable(now) or not uow.family.mark_link_code_used(code, now):
            return LinkResult(LinkOutcome.EXPIRED)
        member = Recipient(
            id=link_id(elder.id, line_user_id),
            center_id=elder.center_id,
            elder_id=elder.id,
            name=found.name,
            relation=found.relation,
            channel=LINE_CHANNEL,
            address=line_user_id,
            quiet_start=already.quiet_start if already else QUIET_START,
            quiet_end=already.quiet_end if already else QUIET_END,
            linked_at=now,
        )
        if already is None:
            uow.recipients.add(member)
        else:
            uow.recipients.update(member)
        uow.commit()
    return LinkResult(LinkOutcome.LINKED, elder, member)


def links_of(uow: AbstractUnitOfWork, line_user_id: str) -> list[tuple[Recipient, Elder]]:
    """Return the LINE user's active links with their elders, by elder id."""
    found = []
    for member in uow.recipients.list_for_address(LINE_CHANNEL, line_user_id):
        if not member.active or member.elder_id is None:
            continue
        elder = uow.elders.get(member.elder_id)
        if elder is not None:
            found.append((member, elder))
    return sorted(found, key=lambda pair: pair[1].id)


def linked_elders(svc: Services, line_user_id: str) -> list[tuple[Recipient, Elder]]:
    """Return the LINE user's active links with their elders."""
    with svc.uow() as uow:
        return links_of(uow, line_user_id)


def unlink(svc: Services, line_user_id: str) -> list[Elder]:
    """End every link of the LINE user (unlink, unfollow): no push reaches them any more.

    Return the elders they were linked to. Queued messages to them are given up by
    the outbox (inactive recipient).
    """
    with svc.uow() as uow:
        pairs = links_of(uow, line_user_id)
        for member, _elder in pairs:
            uow.recipients.update(replace(member, active=False))
        uow.commit()
    return [elder for _member, elder in pairs]


def relay(
    svc: Services,
    line_user_id: str,
    event_id: str,
    kind: MessageKind,
    *,
    received_at: datetime,
    text: str = "",
    media_key: str | None = None,
    media_type: str | None = None,
) -> list[Elder]:
    """Keep a family member's message for each elder they are linked to; return those elders.

    The message id is derived from the webhook event and the elder: processing the same
    event twice stores nothing twice.
    """
    with svc.uow() as uow:
        pairs = links_of(uow, line_user_id)
        for member, elder in pairs:
            uow.family.add_message_if_absent(
                FamilyMessage(
                    id=f"{event_id}/{elder.id}",
                    elder_id=elder.id,
                    sender_id=member.id,
                    sender_name=member.name,
                    kind=kind,
                    received_at=received_at,
                    text=text,
                    media_key=media_key,
                    media_type=media_type,
                )
            )
        uow.commit()
    return [elder for _member, elder in pairs]


def unheard(svc: Services, alexa_user_id: str, device_id: str) -> list[FamilyMessage]:
    """Return the messages waiting for the elder of this speaker (none if unpaired)."""
    with svc.uow() as uow:
        elder = uow.devices.elder_for(alexa_user_id, device_id)
        if elder is None or not elder.is_watchable:
            return []
        return uow.family.unheard_for_elder(elder.id)


def mark_heard(svc: Services, message_ids: list[str]) -> int:
    """Mark the messages heard now (idempotent: heard ones keep their first time)."""
    with svc.uow() as uow:
        marked = uow.family.mark_heard(message_ids, svc.now())
        uow.commit()
    return marked


@dataclass(frozen=True)
class ElderStatus:
    """Today's status of one elder as one family member may see it."""

    elder: Elder
    visible: bool  # False: the elder's consent does not share the status with them
    away_kind: str | None = None
    slots: tuple[tuple[str, str, int], ...] = ()  # (slot, check-in status, answers given)


def today_status(svc: Services, line_user_id: str) -> list[ElderStatus]:
    """Return today's status of each elder the LINE user is linked to, as consent allows."""
    now = svc.now()
    found = []
    with svc.uow() as uow:
        for member, elder in links_of(uow, line_user_id):
            if not family_may_see_status(elder.consent, member):
                found.append(ElderStatus(elder, visible=False))
                continue
            period = away.active_period(uow, elder.id, now)
            checkins = uow.checkins.list_for_elder(elder.id, now.date(), now.date())
            slots = tuple(
                (c.slot, c.status.value, len(uow.answers.list_for_checkin(c.id))) for c in checkins
            )
            found.append(
                ElderStatus(
                    elder,
                    visible=True,
                    away_kind=period.kind.value if period else None,
                    slots=slots,
                )
            )
    return found


def record_line_sends(svc: Services, count: int = 1, quota: int = FREE_PLAN_QUOTA) -> MonthlySends:
    """Count pushes sent to LINE this month; record (and log) a warning at 80% of the quota."""
    now = svc.now()
    month = now.strftime("%Y-%m")
    with svc.uow() as uow:
        sends = uow.family.count_sends(month, count)
        if quota_warning_due(sends, quota) and uow.family.mark_quota_warned(month, now):
            sends = uow.family.sends(month)
            logger.warning(
                "LINE pushes this month: %d of %d (%d%%); replies are free, pushes are not",
                sends.sent,
                quota,
                sends.sent * 100 // quota,
            )
        uow.commit()
    return sends


def member_of(uow: AbstractUnitOfWork, line_user_id: str, elder_id: str) -> Recipient | None:
    """Return the LINE user's active link to this elder, or None (postbacks are not trusted)."""
    member = uow.recipients.get(link_id(elder_id, line_user_id))
    return member if member is not None and member.active else None


class ClaimOutcome(StrEnum):
    """What became of 「私が確認します」 or an outcome button."""

    DONE = "done"
    TAKEN = "taken"  # claimed or resolved by someone else already
    NOT_ALLOWED = "not_allowed"  # unknown alert, or not linked to its elder


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of a claim or resolve from LINE, with whom it concerns."""

    outcome: ClaimOutcome
    elder: Elder | None = None
    claimed_by: str | None = None  # who holds the alert, in words


def _holder_name(uow: AbstractUnitOfWork, claimed_by: str | None) -> str | None:
    """Return who holds an alert in words: a family member's name, or the care center."""
    if claimed_by is None:
        return None
    kind, _, ident = claimed_by.partition(":")
    if kind == "family":
        member = uow.recipients.get(ident)
        return f"{member.relation}の{member.name}" if member is not None else "ご家族"
    return "センターの職員"


def _alert_and_member(
    svc: Services, line_user_id: str, alert_id: str
) -> tuple[Any, Recipient, Elder] | None:
    with svc.uow() as uow:
        alert = uow.alerts.get(alert_id)
        if alert is None:
            return None
        member = member_of(uow, line_user_id, alert.elder_id)
        elder = uow.elders.get(alert.elder_id)
        if member is None or elder is None:
            return None
        return alert, member, elder


def claim_alert(svc: Services, line_user_id: str, alert_id: str) -> ClaimResult:
    """Claim an alert for a linked family member (「私が確認します」); one claimer wins."""
    found = _alert_and_member(svc, line_user_id, alert_id)
    if found is None:
        return ClaimResult(ClaimOutcome.NOT_ALLOWED)
    _alert, member, elder = found
    try:
        alerts.claim(svc, alert_id, f"family:{member.id}", "line")
    except Conflict:
        with svc.uow() as uow:
            current = uow.alerts.get(alert_id)
            holder = _holder_name(uow, current.claimed_by if current else None)
        return ClaimResult(ClaimOutcome.TAKEN, elder, holder)
    return ClaimResult(ClaimOutcome.DONE, elder, f"{member.relation}の{member.name}")


def resolve_alert(svc: Services, line_user_id: str, alert_id: str, outcome: Outcome) -> ClaimResult:
    """Record the outcome of an alert the member claimed (or that nobody holds)."""
    found = _alert_and_member(svc, line_user_id, alert_id)
    if found is None:
        return ClaimResult(ClaimOutcome.NOT_ALLOWED)
    alert, member, elder = found
    by = f"family:{member.id}"
    if alert.claimed_by not in (None, by):
        with svc.uow() as uow:
            return ClaimResult(ClaimOutcome.TAKEN, elder, _holder_name(uow, alert.claimed_by))
    try:
        alerts.resolve(svc, alert_id, by, outcome)
    except Conflict:
        return ClaimResult(ClaimOutcome.TAKEN, elder, None)
    return ClaimResult(ClaimOutcome.DONE, elder, f"{member.relation}の{member.name}")


def declare_away(
    svc: Services, line_user_id: str, elder_id: str, kind: AwayKind, until: str
) -> tuple[Elder, AwayPeriod] | None:
    """Pause watching an elder from now until the end of ``until`` (a date), set by family.

    None when the user is not linked to that elder (postback data is not trusted).
    """
    with svc.uow() as uow:
        member = member_of(uow, line_user_id, elder_id)
        elder = uow.elders.get(elder_id)
    if member is None or elder is None:
        return None
    end = away.end_of(until, svc.tz)
    period = away.declare(
        svc, elder_id, kind, start=svc.now(), end=end, set_by=f"family:{member.id}"
    )
    return elder, period


def end_away(svc: Services, line_user_id: str) -> list[Elder]:
    """End the current away period of every elder the user is linked to; return those."""
    ended = []
    for _member, elder in linked_elders(svc, line_user_id):
        if away.end_now(svc, elder.id) is not None:
            ended.append(elder)
    return ended
