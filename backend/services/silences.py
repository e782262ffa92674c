"""Silences that end: a missed check-in's elder shows up again.

The sweep marks the alert (``rules.SILENCE_ENDED_AT``; the outbox then withdraws what it has
not sent about it) and tells whoever a message reached that it is over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from backend import messages
from backend.domain import rules
from backend.domain.model import Alert, AlertChange, AlertStatus, Elder, OutboxMessage
from backend.ports import AbstractUnitOfWork
from backend.services.alert_keys import SPEAKER_CHANNELS, ended_message_id, message_id
from questions.policy import Policy


def open_silences(
    uow: AbstractUnitOfWork, elders: Sequence[Elder], policy: Policy, now: datetime
) -> dict[str, list[Alert]]:
    """Return the missed check-ins of these elders not resolved nor marked ended, by elder.

    Those of the dates the rules look back at (``lookback_days``) and the day before: a
    message about an older silence has long been sent.
    """
    ids = [e.id for e in elders]
    found: dict[str, list[Alert]] = defaultdict(list)
    for back in range(policy.lookback_days + 1):
        day = (now - timedelta(days=back)).date().isoformat()
        for elder_id, rule, period in sorted(uow.alerts.existing_keys(ids, day)):
            if rule != rules.MISSED_CHECKIN:
                continue
            alert = uow.alerts.get_by_key(elder_id, rule, period)
            if (
                alert is not None
                and alert.status is not AlertStatus.RESOLVED
                and not rules.silence_ended(alert)
            ):
                found[elder_id].append(alert)
    return found


def end_silence(
    uow: AbstractUnitOfWork,
    elder: Elder,
    alert: Alert,
    end: rules.SilenceEnd | None,
    now: datetime,
) -> None:
    """Mark a missed check-in's silence ended by ``end`` (unsent messages are withdrawn).

    The alert stays as it is otherwise (open or claimed): staff and family see that the
    elder showed up again, and whoever works it records the outcome.
    """
    if end is None:
        return
    evidence = {**alert.evidence, rules.SILENCE_ENDED_AT: end.at.isoformat()}
    ended = replace(alert, evidence=evidence)
    uow.alerts.update(ended)
    uow.alerts.add_change(
        AlertChange(alert.id, now, "system", "silence_ended", {"at": end.at.isoformat()})
    )
    _tell_it_ended(uow, elder, ended, end, now)


def _tell_it_ended(
    uow: AbstractUnitOfWork, elder: Elder, alert: Alert, end: rules.SilenceEnd, now: datetime
) -> None:
    """Tell whoever a message about the silence reached that the elder showed up again.

    Only recipients whose message was sent (a withdrawn one reached nobody); never the
    elder's own speaker. Not urgent: it waits for the recipient's quiet hours like the rest.
    Not linked to the alert (nothing to claim; never withdrawn as a message about it).
    """
    if elder.withdrawn:
        return
    recipients = [
        *uow.recipients.list_for_elder(elder.id),
        *uow.recipients.list_for_center(elder.center_id),
    ]
    title = messages.title_for(alert.rule, alert.period, alert.evidence)
    how = messages.ENDED_HOW_SPEAKER if end.by_speaker else messages.ENDED_HOW_DEVICE
    for recipient in recipients:
        if not recipient.active or recipient.channel in SPEAKER_CHANNELS:
            continue
        told = (
            uow.outbox.get(message_id(alert, stage, recipient))
            for stage in range(rules.STAGE_FAMILY, alert.stage + 1)
        )
        if not any(m is not None and m.sent_at is not None for m in told):
            continue
        at = end.at.astimezone(now.tzinfo)
        uow.outbox.add_if_absent(
            OutboxMessage(
                id=ended_message_id(alert, recipient),
                recipient_id=recipient.id,
                channel=recipient.channel,
                subject=messages.ENDED_SUBJECT.format(name=elder.name),
                body=messages.ENDED_BODY.format(
                    recipient=recipient.name,
                    name=elder.name,
                    title=title,
                    at=f"{at.month}月{at.day}日 {at.hour}:{at.minute:02d}",
                    how=how,
                ),
                urgent=False,
                created_at=now,
                not_before=now,
            )
        )
