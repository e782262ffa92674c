"""Alerts: the daily sweep over every elder, escalation, and the claim → resolve life cycle."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from backend import messages
from backend.domain import rules
from backend.domain.errors import Conflict, NotFound
from backend.domain.family import family_may_be_alerted
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    Elder,
    OutboxMessage,
    Outcome,
    Reading,
    ReadingKind,
    Recipient,
    Severity,
)
from backend.ports import AbstractUnitOfWork
from backend.services.alert_keys import SPEAKER_CHANNELS as SPEAKER_CHANNELS
from backend.services.alert_keys import alert_id as alert_id
from backend.services.alert_keys import message_id
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.silences import end_silence, open_silences
from questions.loader import QuestionSetError
from questions.policy import Policy

logger = logging.getLogger(__name__)

BATCH = 500
# Where life may be at risk the family is told whatever the consent shares (APPI art. 27
# para. 1 item 2); every other alert reaches family only as the consent record allows.
LIFE_RULES = frozenset({rules.EMERGENCY, rules.DISASTER_HELP})
# Shown to staff on the dashboard, never sent: the month's follow-up findings, grouped, and a
# speaker that stopped making contact while a device shows the elder is up.
DASHBOARD_ONLY = frozenset({rules.FOLLOW_UP, rules.SPEAKER_SILENT})
OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.CLAIMED)  # still being worked


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    elders: int = 0
    opened: int = 0
    escalated: int = 0
    messages: int = 0
    skipped: int = 0

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            self.elders + other.elders,
            self.opened + other.opened,
            self.escalated + other.escalated,
            self.messages + other.messages,
            self.skipped + other.skipped,
        )


def _targets(alert: Alert, stage: int) -> tuple[bool, bool]:
    """Return (family, center): who is told at this stage of this alert."""
    if alert.rule in DASHBOARD_ONLY:
        return False, False
    if alert.rule == rules.MISSED_CHECKIN:
        return stage == rules.STAGE_FAMILY, stage >= rules.STAGE_CENTER
    urgent = alert.severity is Severity.URGENT
    return urgent, True


def _notify(
    uow: AbstractUnitOfWork, elder: Elder, alert: Alert, stages: range, now: datetime
) -> int:
    """Queue one message per recipient due at these stages; return how many were new.

    A sweep after an outage may jump several stages at once: everyone those stages would
    have told is told once now. Family (the elder's own recipients) are told only when the
    consent record shares alerts with them, or when life may be at risk (``LIFE_RULES``);
    after a withdrawal of consent nobody is told.
    """
    if elder.withdrawn:
        return 0
    targets = [_targets(alert, stage) for stage in stages]
    family = any(f for f, _ in targets)
    center = any(c for _, c in targets)
    stage = stages[-1]
    recipients: list[Recipient] = []
    if family:
        recipients += [
            r
            for r in uow.recipients.list_for_elder(elder.id)
            if alert.rule in LIFE_RULES or family_may_be_alerted(elder.consent, r)
        ]
    if center:
        recipients += uow.recipients.list_for_center(elder.center_id)
    title = messages.title_for(alert.rule, alert.period, alert.evidence)
    detail = ""
    if alert.severity is Severity.PRIORITY:
        detail = messages.PRIORITY_NOTE
    elif alert.rule == rules.MISSED_CHECKIN:
        detail = messages.MISSED_NOTE
    queued = 0
    for recipient in recipients:
        if not recipient.active or recipient.channel in SPEAKER_CHANNELS:
            continue  # the elder's own speaker is no watcher
        message = OutboxMessage(
            id=message_id(alert, stage, recipient),
            recipient_id=recipient.id,
            channel=recipient.channel,
            subject=messages.SUBJECT.format(name=elder.name, title=title),
            body=messages.BODY.format(
                recipient=recipient.name,
                name=elder.name,
                title=title,
                period=messages.period_for(alert.rule, alert.period, alert.evidence),
                detail=detail,
            ),
            urgent=alert.severity is Severity.URGENT,
            created_at=now,
            not_before=now,
            alert_id=alert.id,
        )
        queued += uow.outbox.add_if_absent(message)
    if rules.STAGE_NUDGE in stages and alert.rule == rules.MISSED_CHECKIN:
        speakers = _nudge_speakers(uow, elder, alert, now) if stage == rules.STAGE_NUDGE else 0
        uow.alerts.add_change(
            AlertChange(alert.id, now, "system", "nudged", {"speakers": speakers})
        )
    return queued


def _nudge_speakers(uow: AbstractUnitOfWork, elder: Elder, alert: Alert, now: datetime) -> int:
    """Ask the elder first: a Proactive Events notification to each of their speakers.

    The speaker chimes and shows 「みまもりから新しいメッセージ」; 「通知を読んで」 reads that it
    is time for the check-in, and opening the skill asks its questions. Only while the alert
    is at the nudge stage (family not yet told); never inside the night's quiet hours (the
    nudge waits for the morning). Not linked to the alert: no watcher is told by it.
    """
    from backend.services import notices  # notices imports this module

    return notices.nudge_speakers(
        uow,
        elder,
        now,
        lambda speaker: message_id(alert, rules.STAGE_NUDGE, speaker),
        messages.CHECKIN_NUDGE_CREATOR,
        messages.CHECKIN_NUDGE_BODY,
    )


def _apply(
    uow: AbstractUnitOfWork, elder: Elder, candidate: rules.AlertCandidate, now: datetime
) -> tuple[int, int, int]:
    """Open or escalate the alert of one candidate; return (opened, escalated, messages)."""
    existing = uow.alerts.get_by_key(elder.id, candidate.rule, candidate.period)
    if existing is None:
        alert = Alert(
            id=alert_id(elder.id, candidate.rule, candidate.period),
            elder_id=elder.id,
            rule=candidate.rule,
            period=candidate.period,
            severity=candidate.severity,
            evidence=candidate.evidence,
            created_at=now,
            stage=candidate.stage,
        )
        if not uow.alerts.add_if_absent(alert):
            return 0, 0, 0
        uow.alerts.add_change(
            AlertChange(alert.id, now, "system", "opened", {"stage": alert.stage})
        )
        return 1, 0, _notify(uow, elder, alert, range(alert.stage + 1), now)
    if candidate.rule == rules.FOLLOW_UP:
        return 0, _add_findings(uow, existing, candidate, now), 0
    if existing.status is not AlertStatus.OPEN or candidate.stage <= existing.stage:
        return 0, 0, 0
    alert = replace(existing, stage=candidate.stage, severity=candidate.severity)
    uow.alerts.update(alert)
    uow.alerts.add_change(AlertChange(alert.id, now, "system", "escalated", {"stage": alert.stage}))
    return 0, 1, _notify(uow, elder, alert, range(existing.stage + 1, alert.stage + 1), now)


def _add_findings(
    uow: AbstractUnitOfWork, existing: Alert, candidate: rules.AlertCandidate, now: datetime
) -> int:
    """Add a month's new follow-up findings to its item (unless resolved); return 1 if any.

    Counted as an escalation in the sweep's report; nobody is told (``DASHBOARD_ONLY``).
    """
    if existing.status is AlertStatus.RESOLVED:
        return 0
    evidence = rules.merge_findings(existing.evidence, candidate.evidence)
    if evidence == existing.evidence:
        return 0
    before = {(f["rule"], f["period"]) for f in existing.evidence.get("findings", ())}
    added = [
        f"{f['rule']} {f['period']}"
        for f in evidence["findings"]
        if (f["rule"], f["period"]) not in before
    ]
    severity = rules.follow_up_severity(evidence)
    uow.alerts.update(replace(existing, evidence=evidence, severity=severity))
    if added:
        uow.alerts.add_change(AlertChange(existing.id, now, "system", "findings", {"added": added}))
    return 1


def open_now(
    uow: AbstractUnitOfWork, elder: Elder, candidate: rules.AlertCandidate, now: datetime
) -> bool:
    """Open an alert found outside the sweep (e.g. 「助けが必要」) and notify at once.

    Runs in the caller's unit of work (the caller commits). Idempotent: an alert with
    the candidate's key is not opened twice. Return True when this call opened it.
    """
    opened, _, _ = _apply(uow, elder, candidate, now)
    return opened == 1


def _histories(
    uow: AbstractUnitOfWork, elders: Sequence[Elder], policy: Policy, now: datetime
) -> list[rules.ElderHistory]:
    """Load what the rules read of these elders, in a few queries per batch (none per elder)."""
    ids = [e.id for e in elders]
    windows = rules.history_windows(policy)
    today = now.date()

    def first(days: int) -> date:
        return today - timedelta(days=days)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=now.tzinfo)

    recent = first(windows.general)
    checkins = uow.checkins.list_for_elders(ids, recent, today)
    answers = uow.answers.list_for_elders(ids, recent, today)
    # The few questions read further back (weights, steps, the monthly checklist), each
    # group only over the dates before ``recent``.
    longer: dict[int, list[str]] = defaultdict(list)
    for question_id, days in windows.answers.items():
        if days > windows.general:
            longer[days].append(question_id)
    older: dict[str, list[Answer]] = defaultdict(list)
    for days, question_ids in sorted(longer.items()):
        found = uow.answers.list_for_elders(
            ids, first(days), recent - timedelta(days=1), question_ids
        )
        for elder_id, items in found.items():
            older[elder_id].extend(items)
    readings: dict[str, list[Reading]] = defaultdict(list)
    for kind in ReadingKind:
        since = midnight(first(windows.reading_days(kind)))
        for elder_id, read in uow.readings.list_for_elders(ids, kind, since, now).items():
            readings[elder_id].extend(read)
    away = uow.away.active_for_elders(
        ids, midnight(first(windows.longest)), now + timedelta(days=1)
    )
    events = uow.events.list_for_elders(ids, midnight(recent))
    bound = uow.devices.bound_since(ids)
    histories = [
        rules.ElderHistory(
            elder=e,
            checkins=checkins.get(e.id, ()),
            answers=[*sorted(older.get(e.id, ()), key=_answer_order), *answers.get(e.id, ())],
            readings=readings.get(e.id, ()),
            away_periods=away.get(e.id, ()),
            events=events.get(e.id, ()),
            watching_since=bound.get(e.id),
        )
        for e in elders
    ]
    # The elders of one batch share a municipality: their steps and weights over the same
    # days are the weather- and season-aware baseline of each one's.
    cohort = rules.activity_cohort(histories, policy, now)
    return [replace(h, cohort=cohort) for h in histories] if cohort else histories


def _answer_order(answer: Answer) -> tuple[date, datetime]:
    return answer.date, answer.answered_at


@retry_when_busy
def _sweep_batch(
    svc: Services, elders: Sequence[Elder], policy: Policy, now: datetime
) -> SweepReport:
    qset = svc.question_set(elders[0].municipality_code)
    opened = escalated = queued = skipped = 0
    with svc.uow() as uow:
        last_opened = uow.alerts.latest_opened([e.id for e in elders], rules.LASTING_RULES)
        silences = open_silences(uow, elders, policy, now)
        for history in _histories(uow, elders, policy, now):
            try:
                candidates = rules.evaluate(history, qset, policy, now)
                for alert in silences.get(history.elder.id, ()):
                    end = rules.end_of_silence(history, qset, policy, now, alert)
                    end_silence(uow, history.elder, alert, end, now)
            except QuestionSetError:
                logger.exception("Skipped elder %s: invalid overrides", history.elder.id)
                skipped += 1
                continue
            for candidate in candidates:
                if _still_known(history.elder.id, candidate, last_opened, policy, now):
                    continue
                o, e, m = _apply(uow, history.elder, candidate, now)
                opened, escalated, queued = opened + o, escalated + e, queued + m
        uow.commit()
    return SweepReport(len(elders), opened, escalated, queued, skipped)


def _still_known(
    elder_id: str,
    candidate: rules.AlertCandidate,
    last_opened: dict[tuple[str, str], datetime],
    policy: Policy,
    now: datetime,
) -> bool:
    """Return True if a lasting condition was alerted recently (a new period opens nothing)."""
    days = rules.repeat_after_days(candidate.rule, policy)
    latest = last_opened.get((elder_id, candidate.rule))
    return days is not None and latest is not None and now - latest < timedelta(days=days)


def sweep(svc: Services, policy_for: Callable[[str], Policy]) -> SweepReport:
    """Evaluate every elder's rules at ``svc.now()``: open, escalate and notify; idempotent."""
    now = svc.now()
    with svc.uow() as uow:
        # After a withdrawal of consent nothing is evaluated at all (not even emergencies).
        elders = [e for e in uow.elders.list_all() if not e.withdrawn]
    by_municipality: dict[str, list[Elder]] = defaultdict(list)
    for elder in elders:
        by_municipality[elder.municipality_code].append(elder)
    total = SweepReport()
    for code, group in sorted(by_municipality.items()):
        policy = policy_for(code)
        for i in range(0, len(group), BATCH):
            total += _sweep_batch(svc, group[i : i + BATCH], policy, now)
    return total


def claim_in(uow: AbstractUnitOfWork, alert_id_: str, by: str, via: str, now: datetime) -> Alert:
    """Claim an open alert in the caller's unit of work (not committed); Conflict if taken."""
    alert = uow.alerts.get(alert_id_)
    if alert is None:
        raise NotFound(f"alert {alert_id_}")
    if alert.status is AlertStatus.CLAIMED and alert.claimed_by == by:
        return alert
    if alert.status is not AlertStatus.OPEN:
        raise Conflict(f"alert already {alert.status.value} by {alert.claimed_by}")
    alert = replace(alert, status=AlertStatus.CLAIMED, claimed_by=by, claimed_at=now)
    uow.alerts.update(alert)
    uow.alerts.add_change(AlertChange(alert.id, now, by, "claimed", {"via": via}))
    return alert


@retry_when_busy
def claim(svc: Services, alert_id_: str, by: str, via: str) -> Alert:
    """Claim an open alert (「私が確認します」); a later claimer gets Conflict."""
    with svc.uow() as uow:
        alert = claim_in(uow, alert_id_, by, via, svc.now())
        uow.commit()
    return alert


def resolve_in(
    uow: AbstractUnitOfWork, alert_id_: str, by: str, outcome: Outcome, note: str, now: datetime
) -> Alert:
    """Close an alert in the caller's unit of work (not committed); Conflict if already closed."""
    alert = uow.alerts.get(alert_id_)
    if alert is None:
        raise NotFound(f"alert {alert_id_}")
    if alert.status is AlertStatus.RESOLVED:
        raise Conflict("alert already resolved")
    alert = replace(
        alert,
        status=AlertStatus.RESOLVED,
        outcome=Outcome(outcome),
        note=note,
        resolved_at=now,
        claimed_by=alert.claimed_by or by,
        claimed_at=alert.claimed_at or now,
    )
    uow.alerts.update(alert)
    uow.alerts.add_change(
        AlertChange(alert.id, now, by, "resolved", {"outcome": Outcome(outcome).value})
    )
    return alert


@retry_when_busy
def resolve(svc: Services, alert_id_: str, by: str, outcome: Outcome, note: str = "") -> Alert:
    """Close an alert with its outcome and a note."""
    with svc.uow() as uow:
        alert = resolve_in(uow, alert_id_, by, outcome, note, svc.now())
        uow.commit()
    return alert


@retry_when_busy
def escalate_unclaimed(svc: Services, after: timedelta) -> int:
    """Tell the care center about alerts still unclaimed ``after`` their opening."""
    now = svc.now()
    escalated = 0
    with svc.uow() as uow:
        for alert in uow.alerts.list_unresolved_older_than(now - after):
            # Missed check-ins climb their own ladder by time (rules.missed_checkin).
            if alert.stage >= rules.STAGE_CENTER or alert.rule == rules.MISSED_CHECKIN:
                continue
            if alert.rule in DASHBOARD_ONLY:
                continue
            elder = uow.elders.get(alert.elder_id)
            if elder is None:
                continue
            raised = replace(alert, stage=rules.STAGE_CENTER)
            uow.alerts.update(raised)
            uow.alerts.add_change(
                AlertChange(alert.id, now, "system", "escalated", {"unclaimed_for": str(after)})
            )
            _notify(uow, elder, raised, range(alert.stage + 1, rules.STAGE_CENTER + 1), now)
            escalated += 1
        uow.commit()
    return escalated
