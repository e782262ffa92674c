"""Alerts raised at the turn that heard them: emergency words and a high blood pressure.

The sweep would find them too, up to five minutes later; where life may be at risk that is
too late. The turn runs the same rules (``rules.emergency``, ``rules.blood_pressure``) over
what it just stored and opens their alerts through ``alerts.open_now`` in the turn's own
unit of work, so the messages to family (LINE) and to the center (e-mail) are in the outbox
when the turn commits. Alert keys are the sweep's: a later sweep opens nothing twice. A
follow-up-level pressure (160-179) is left to the sweep when the policy groups follow-ups
(the month's item on the dashboard): the turn only reports it was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from backend.domain import rules
from backend.domain.family import family_may_be_alerted
from backend.domain.model import Answer, Elder, Event, Severity
from backend.ports import AbstractUnitOfWork
from backend.services import alerts
from backend.services.context import Services


@dataclass(frozen=True)
class Told:
    """Who an alert reaches: the care center, and these family members (relation, name)."""

    center: bool = False
    family: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return self.center or bool(self.family)


@dataclass(frozen=True)
class Raised:
    """What a turn raised: the most severe rule found, and who was told."""

    rule: str | None = None
    told: Told = Told()


NOTHING = Raised()


def told(uow: AbstractUnitOfWork, elder: Elder, rule: str, severity: Severity) -> Told:
    """Return who the alert of ``rule`` reaches at once (as ``alerts`` queues its messages)."""
    if elder.withdrawn:
        return Told()
    family: tuple[tuple[str, str], ...] = ()
    if severity is Severity.URGENT:
        family = tuple(
            (r.relation, r.name)
            for r in uow.recipients.list_for_elder(elder.id)
            if r.active
            and r.channel not in alerts.SPEAKER_CHANNELS
            and (rule in alerts.LIFE_RULES or family_may_be_alerted(elder.consent, r))
        )
    return Told(center=True, family=tuple(dict.fromkeys(family)))


def raise_now(
    svc: Services,
    uow: AbstractUnitOfWork,
    elder: Elder,
    now: datetime,
    *,
    answers: Sequence[Answer] = (),
    events: Sequence[Event] = (),
) -> Raised:
    """Open the alerts that ``answers`` and ``events`` call for now; the caller commits."""
    policy = svc.policy(elder.municipality_code)
    qset = svc.question_set(elder.municipality_code)
    history = rules.ElderHistory(
        elder=elder,
        answers=tuple(answers),
        events=tuple(events),
        away_periods=tuple(uow.away.list_for_elder(elder.id)) if answers else (),
    )
    ctx = rules.Context.build(history, qset, policy, now)
    found = [*rules.emergency(ctx), *rules.blood_pressure(ctx)] if events or answers else []
    found = [c for c in found if c.period in _periods(answers, events)]
    if not found:
        return NOTHING
    # A follow-up-level finding (a pressure of 160-179) is the sweep's: it goes into the
    # month's follow-up item on the dashboard, and nobody is messaged.
    noted = [c for c in found if policy.group_follow_ups and rules.is_follow_up(c)]
    for candidate in found:
        if candidate not in noted:
            alerts.open_now(uow, elder, candidate, now)
    worst = min(found, key=lambda c: _RANK.get(c.severity, len(_RANK)))
    if worst in noted:
        return Raised(worst.rule)
    return Raised(worst.rule, told(uow, elder, worst.rule, worst.severity))


_RANK = {Severity.URGENT: 0, Severity.PRIORITY: 1, Severity.SAME_DAY: 2}


def _periods(answers: Sequence[Answer], events: Sequence[Event]) -> set[str]:
    """Return the periods this turn's data can open (today's date, this event)."""
    return {*(a.date.isoformat() for a in answers), *(e.id for e in events)}
