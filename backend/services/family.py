"""Family members on LINE: link codes, links, messages to the speaker, today's status.

A link is a ``Recipient`` of the elder with channel ``line`` and the member's LINE user
id as address; its id is derived from (elder, user), so linking again reactivates the
same record. Nothing here imports linebot: the skill uses this module too.

It stays one module: what is left is what a linked member does on LINE (link, send, ask
today's status, claim and resolve, set an away period, opt in to the daily summary), each
a command of ``family_line`` over the same links (``links_of``); the elder's replies are
``family_replies``.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from backend import messages as catalog
from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FREE_PLAN_QUOTA,
    LINE_CHANNEL,
    FamilyMessage,
    LinkCode,
    MessageKind,
    MonthlySends,
    SummarySubscription,
    family_may_see_status,
    quota_warning_due,
)
from backend.domain.model import AwayKind, AwayPeriod, Elder, OutboxMessage, Outcome, Recipient
from backend.ports import AbstractUnitOfWork
from backend.services import alerts, away, engagement, life_signs, notices
from backend.services.context import Services
from backend.services.retry import retry_when_busy

logger = logging.getLogger(__name__)

# Non-urgent pushes to family wait for the morning; urgent alerts ignore quiet hours.
QUIET_START, QUIET_END = "21:00", "07:00"
LINK_CODE_LIFETIME = timedelta(days=14)  # printed in a welcome letter: it must last the post
_LINK_NAMESPACE = uuid.UUID("0b8e7f4e-3c1a-4f55-9d7e-6a1c2f0e5b11")
_NUDGE_NAMESPACE = uuid.UUID("7c1e2a55-0d4b-4f0e-9a3c-5b6d7e8f9a01")
_SUMMARY_NAMESPACE = uuid.UUID("9a4b6c1d-2e3f-4a5b-8c7d-0e1f2a3b4c5d")
SUMMARY_EARLIEST, SUMMARY_LATEST = time(7, 0), time(20, 59)  # outside the quiet hours
_CODE_TRIES = 20


def _random_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def link_id(elder_id: str, line_user_id: str) -> str:
    """Return the recipient id of the link between an elder and a LINE user."""
    return "line-" + uuid.uuid5(_LINK_NAMESPACE, f"{elder_id}/{line_user_id}").hex


@retry_when_busy
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


@retry_when_busy
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


@retry_when_busy
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


@retry_when_busy
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
    event twice stores nothing twice. A new message nudges the elder's speakers once per
    batch of unheard messages (``queue_nudges``).
    """
    with svc.uow() as uow:
        pairs = links_of(uow, line_user_id)
        for member, elder in pairs:
            new = uow.family.add_message_if_absent(
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
            if new:
                queue_nudges(uow, elder, svc.now().astimezone(svc.tz))
        uow.commit()
    return [elder for _member, elder in pairs]


def queue_nudges(uow: AbstractUnitOfWork, elder: Elder, now: datetime) -> int:
    """Queue a Proactive Events nudge to each of the elder's speakers for the unheard batch.

    One nudge per batch, not per message: the outbox id derives from the oldest unheard
    message and the speaker, so messages arriving before the elder heard the first add
    nothing; once they are heard, the next message starts a new batch. A nudge due inside
    the family quiet hours (21:00–07:00, ``now``'s wall clock) waits for the morning.
    Return how many nudges were new.
    """
    if not elder.is_watchable:
        return 0
    waiting = uow.family.unheard_for_elder(elder.id)
    if not waiting:
        return 0
    first = waiting[0]
    return notices.nudge_speakers(
        uow,
        elder,
        now,
        lambda speaker: uuid.uuid5(_NUDGE_NAMESPACE, f"{first.id}/{speaker.id}").hex,
        catalog.FAMILY_NUDGE_CREATOR.format(name=first.sender_name),
        catalog.FAMILY_NUDGE_BODY,
    )


def unheard(svc: Services, alexa_user_id: str, device_id: str) -> list[FamilyMessage]:
    """Return the messages waiting for the elder of this speaker (none if unpaired)."""
    with svc.uow() as uow:
        elder = uow.devices.elder_for(alexa_user_id, device_id)
        if elder is None or not elder.is_watchable:
            return []
        return uow.family.unheard_for_elder(elder.id)


@retry_when_busy
def mark_heard(svc: Services, message_ids: list[str]) -> int:
    """Mark the messages heard now (idempotent: heard ones keep their first time)."""
    now = svc.now()
    with svc.uow() as uow:
        marked = uow.family.mark_heard(message_ids, now)
        if marked:
            # The elder heard them on the speaker: a sign of life.
            elders = {m.elder_id for i in message_ids if (m := uow.family.get_message(i))}
            for elder_id in sorted(elders):
                life_signs.record(uow, elder_id, life_signs.FAMILY_MESSAGE_HEARD, now)
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


@retry_when_busy
def record_line_sends(svc: Services, count: int = 1, quota: int = FREE_PLAN_QUOTA) -> MonthlySends:
    """Count pushes sent to LINE this month; record (and log) a warning at 80% of the quota.

    The store adds ``count`` atomically (pushes counted at once by several sweeps all land).
    """
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


# --- the daily summary (opt-in: 「まとめ 8時」, 「まとめ停止」) -------------------------------


@retry_when_busy
def subscribe_summary(svc: Services, line_user_id: str, send_at: time) -> list[Elder] | None:
    """Opt the LINE user in to a daily summary at ``send_at`` (local); return their elders.

    None when the user is linked to nobody. Choosing again replaces the time; a time
    already past today starts tomorrow. Raise ValueError outside 7:00–20:59.
    """
    if not SUMMARY_EARLIEST <= send_at <= SUMMARY_LATEST:
        raise ValueError("summary time outside 7:00-20:59")
    with svc.uow() as uow:
        pairs = links_of(uow, line_user_id)
        if not pairs:
            return None
        uow.family.set_summary(
            SummarySubscription(line_user_id, send_at.strftime("%H:%M"), svc.now())
        )
        uow.commit()
    return [elder for _member, elder in pairs]


@retry_when_busy
def unsubscribe_summary(svc: Services, line_user_id: str) -> bool:
    """Opt the LINE user out of the daily summary; return False when they were not in."""
    with svc.uow() as uow:
        removed = uow.family.remove_summary(line_user_id)
        uow.commit()
    return removed


def summary_of(svc: Services, line_user_id: str) -> SummarySubscription | None:
    """Return the LINE user's daily-summary opt-in, or None."""
    with svc.uow() as uow:
        return uow.family.get_summary(line_user_id)


def summary_message_id(line_user_id: str, day: date) -> str:
    """Return the outbox id of one member's summary of one day (one a day, whatever runs)."""
    return uuid.uuid5(_SUMMARY_NAMESPACE, f"{line_user_id}/{day.isoformat()}").hex


def _answer_item(question: Any, value: Any) -> str | None:
    """Return how one answer reads in the summary; None for what it leaves out."""
    kind = getattr(question, "kind", None)
    if kind == "choice":
        label = next((o.label for o in question.options if o.id == value), None)
        return (
            None
            if label is None
            else catalog.SUMMARY_CHOICE.format(title=question.title, label=label)
        )
    if kind == "yes_no" and isinstance(value, bool):
        token = "yes" if value else "no"
        if question.id == "medication":
            return catalog.SUMMARY_MEDICATION[token]
        label = question.yes_label if value else question.no_label
        return catalog.SUMMARY_CHOICE.format(title=question.title, label=label)
    return None  # numbers (weight, blood pressure, steps) stay with the care center


def _elder_summary(
    svc: Services, uow: AbstractUnitOfWork, elder: Elder, now: datetime, heading: str
) -> str:
    period = away.active_period(uow, elder.id, now)
    if period is not None:
        kind = catalog.AWAY_LABELS.get(period.kind.value, period.kind.value)
        return catalog.SUMMARY_AWAY.format(elder=elder.name, kind=kind)
    question_set = svc.question_sets().get(elder.municipality_code)
    latest: dict[str, Any] = {}
    for checkin_ in uow.checkins.list_for_elder(elder.id, now.date(), now.date()):
        for answer in sorted(
            uow.answers.list_for_checkin(checkin_.id), key=lambda a: a.answered_at
        ):
            if answer.skipped is None and answer.value is not None:
                latest[answer.question_id] = answer.value
    items = []
    for question_id, value in latest.items():
        question = question_set.question(question_id) if question_set else None
        item = _answer_item(question, value) if question is not None else None
        if item is not None:
            items.append(item)
    if not items:
        return catalog.SUMMARY_NONE.format(elder=elder.name, heading=heading)
    joined = catalog.SUMMARY_SEPARATOR.join(items)
    line = catalog.SUMMARY_ELDER.format(elder=elder.name, heading=heading, items=joined)
    days = engagement.streak_for(svc, uow, elder)
    if days is not None and days >= 2:
        line += catalog.SUMMARY_STREAK.format(days=days)
    return line


def _summary_due(subscription: SummarySubscription, now: datetime, tz: Any) -> bool:
    send_at = time.fromisoformat(subscription.send_at)
    moment = datetime.combine(now.date(), send_at, tzinfo=tz)
    return now >= moment and subscription.since.astimezone(tz) < moment


@retry_when_busy
def queue_daily_summaries(svc: Services) -> int:
    """Queue today's summary of every opted-in member whose time has come; return how many.

    One LINE message per member per day covering all their elders (quota: one push, not
    one per elder), with only the elders whose consent shares the daily status with
    them; none when no elder does. The outbox id derives from the member and the day,
    so running again (every few minutes, or twice) queues nothing more.
    """
    now = svc.now().astimezone(svc.tz)
    with svc.uow() as uow:
        subscriptions = uow.family.list_summaries()
    queued = 0
    for subscription in subscriptions:
        if _summary_due(subscription, now, svc.tz):
            queued += _queue_summary(svc, subscription, now)
    if queued:
        logger.info("queued %d daily LINE summaries", queued)
    return queued


@retry_when_busy
def _queue_summary(svc: Services, subscription: SummarySubscription, now: datetime) -> int:
    """Queue today's summary of one member unless queued already; return 1 if this did.

    Two sweeps at once: one commits, the other's unit is run again and finds it queued.
    """
    message_id = summary_message_id(subscription.line_user_id, now.date())
    with svc.uow() as uow:
        if uow.outbox.get(message_id) is not None:
            return 0
        heading = (
            catalog.SUMMARY_MORNING
            if time.fromisoformat(subscription.send_at) < time(12)
            else catalog.SUMMARY_DAY
        )
        visible = [
            (member, elder)
            for member, elder in links_of(uow, subscription.line_user_id)
            if elder.is_watchable and family_may_see_status(elder.consent, member)
        ]
        if not visible:
            return 0
        lines = [_elder_summary(svc, uow, elder, now, heading) for _member, elder in visible]
        added = uow.outbox.add_if_absent(
            OutboxMessage(
                id=message_id,
                recipient_id=visible[0][0].id,
                channel=LINE_CHANNEL,
                subject="",
                body="\n".join([*lines, catalog.SUMMARY_FOOTER]),
                urgent=False,
                created_at=now,
                not_before=now,
            )
        )
        uow.commit()
    return int(added)
