"""The alert inbox of a care center: open and claimed alerts, one alert's page, claim, resolve.

Scoped to the staff member (``access``); views are audited once read, a claim or a
resolution in its own unit of work together with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend import messages
from backend.domain.model import Alert, AlertChange, CareCenter, Elder, Outcome, StaffUser
from backend.ports import AbstractUnitOfWork
from backend.services import alerts as alert_service
from backend.services.access import actor_of, alert_in_scope, audit, center_in_scope, elder_in_scope
from backend.services.alerts import OPEN_STATUSES
from backend.services.audit import record_view
from backend.services.context import Services
from backend.services.retry import retry_when_busy


@dataclass(frozen=True)
class InboxItem:
    """One alert with its elder, title and history."""

    alert: Alert
    elder: Elder
    title: str
    history: tuple[AlertChange, ...]


@dataclass(frozen=True)
class Inbox:
    """The open and claimed alerts of one center, urgent first, and who is who."""

    center: CareCenter
    items: tuple[InboxItem, ...]
    names: dict[str, str]  # actor ("staff:<id>") -> display name


def _names(uow: AbstractUnitOfWork, center_id: str, actors: set[str]) -> dict[str, str]:
    names = {actor_of(u): u.display_name for u in uow.users.list_for_center(center_id)}
    for actor in actors - names.keys():
        if actor.startswith("staff:"):
            user = uow.users.get(actor.removeprefix("staff:"))
            if user is not None:
                names[actor] = user.display_name
        elif actor.startswith("family:"):  # a claim made on LINE names the member, as staff
            member = uow.recipients.get(actor.removeprefix("family:"))
            if member is not None and member.center_id == center_id:
                names[actor] = member.name
    return names


def inbox(svc: Services, user: StaffUser, center_id: str | None = None) -> Inbox:
    """Return the center's open and claimed alerts with their histories (audited)."""
    center = center_in_scope(svc, user, center_id)
    now = svc.now()
    with svc.uow() as uow:
        found = uow.alerts.list_for_center(center.id, OPEN_STATUSES)
        items = []
        for alert in found:
            elder = uow.elders.get(alert.elder_id)
            if elder is None:
                continue
            title = messages.title_for(alert.rule, alert.period, alert.evidence)
            items.append(InboxItem(alert, elder, title, tuple(uow.alerts.history(alert.id))))
        actors = {c.actor for i in items for c in i.history} | {
            i.alert.claimed_by for i in items if i.alert.claimed_by
        }
        names = _names(uow, center.id, actors)
    record_view(svc, user, now, "view_alerts", None, center_id=center.id, alerts=len(items))
    return Inbox(center, tuple(items), names)


def alert_detail(svc: Services, user: StaffUser, alert_id: str) -> tuple[InboxItem, dict]:
    """Return one alert in scope with its history and the names of its actors (audited)."""
    now = svc.now()
    with svc.uow() as uow:
        alert = alert_in_scope(uow, user, alert_id)
        elder = elder_in_scope(uow, user, alert.elder_id)
        history = tuple(uow.alerts.history(alert.id))
        actors = {c.actor for c in history} | ({alert.claimed_by} if alert.claimed_by else set())
        names = _names(uow, elder.center_id, actors)
    record_view(svc, user, now, "view_alert", elder.id, alert_id=alert.id)
    title = messages.title_for(alert.rule, alert.period, alert.evidence)
    return InboxItem(alert, elder, title, history), names


@retry_when_busy
def claim(svc: Services, user: StaffUser, alert_id: str, via: str = "dashboard") -> Alert:
    """Claim an alert in scope for the user (「私が確認します」 on the dashboard or API)."""
    now = svc.now()
    with svc.uow() as uow:
        alert = alert_in_scope(uow, user, alert_id)
        claimed = alert_service.claim_in(uow, alert.id, actor_of(user), via, now)
        audit(uow, user, now, "claim_alert", alert.elder_id, alert_id=alert.id)
        uow.commit()
    return claimed


@retry_when_busy
def resolve(
    svc: Services, user: StaffUser, alert_id: str, outcome: Outcome, note: str | None
) -> Alert:
    """Resolve an alert in scope with its outcome and note."""
    now = svc.now()
    with svc.uow() as uow:
        alert = alert_in_scope(uow, user, alert_id)
        resolved = alert_service.resolve_in(
            uow, alert.id, actor_of(user), Outcome(outcome), (note or "").strip(), now
        )
        audit(uow, user, now, "resolve_alert", alert.elder_id, alert_id=alert.id)
        uow.commit()
    return resolved
