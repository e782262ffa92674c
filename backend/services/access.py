"""Who a staff member is and what they may see: scope checks, and the audit entry of an action.

Scope: center staff see their own center; a municipality admin every center of the
municipality; an operator everything. Anything outside the scope is reported exactly as
if it did not exist (NotFound), so the web layer answers 404 for both. Every action appends
its audit entry (``audit``) in the action's own unit of work, so an action refused
(Conflict, invalid input) leaves no entry and an entry that cannot be written leaves no
action; views are audited apart, once read (``audit.record_view``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.domain.errors import NotFound
from backend.domain.model import Alert, CareCenter, Elder, StaffRole, StaffUser
from backend.domain.staff import AuditEntry
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services


def actor_of(user: StaffUser) -> str:
    """Return how a staff user is named in alert histories and the audit log."""
    return f"staff:{user.id}"


def audit(
    uow: AbstractUnitOfWork,
    user: StaffUser,
    at: datetime,
    action: str,
    elder_id: str | None = None,
    **detail: Any,
) -> None:
    """Append an audit entry of the user in the action's unit of work (ids only, never names)."""
    uow.audit.add(AuditEntry(at, actor_of(user), action, elder_id, detail))


def _sees(user: StaffUser, municipality_code: str, center_id: str) -> bool:
    if not user.active:
        return False
    if user.role is StaffRole.OPERATOR:
        return True
    if user.role is StaffRole.MUNICIPALITY_ADMIN:
        return municipality_code == user.municipality_code
    return center_id == user.center_id


def sees_center(user: StaffUser, center: CareCenter) -> bool:
    """Return True if the user may see this center."""
    return _sees(user, center.municipality_code, center.id)


def sees_elder(user: StaffUser, elder: Elder) -> bool:
    """Return True if the user may see this elder."""
    return _sees(user, elder.municipality_code, elder.center_id)


def elder_in_scope(uow: AbstractUnitOfWork, user: StaffUser, elder_id: str) -> Elder:
    """Return the elder if the user may see them; NotFound otherwise (as if absent)."""
    elder = uow.elders.get(elder_id)
    if elder is None or not sees_elder(user, elder):
        raise NotFound(f"elder {elder_id}")
    return elder


def alert_in_scope(uow: AbstractUnitOfWork, user: StaffUser, alert_id: str) -> Alert:
    """Return the alert if the user may see its elder; NotFound otherwise (as if absent)."""
    alert = uow.alerts.get(alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id}")
    elder_in_scope(uow, user, alert.elder_id)
    return alert


def centers_of(svc: Services, user: StaffUser) -> list[CareCenter]:
    """Return the centers the user may open, by name."""
    with svc.uow() as uow:
        if user.role is StaffRole.CENTER_STAFF:
            center = uow.centers.get(user.center_id or "")
            return [center] if center is not None and sees_center(user, center) else []
        if user.role is StaffRole.MUNICIPALITY_ADMIN:
            return uow.centers.list_for_municipality(user.municipality_code or "")
        ids = sorted({e.center_id for e in uow.elders.list_all()})
        found = [c for c in (uow.centers.get(i) for i in ids) if c is not None]
    return sorted(found, key=lambda c: (c.name, c.id))


def center_in_scope(svc: Services, user: StaffUser, center_id: str | None) -> CareCenter:
    """Return the asked center (default: the user's own or first); NotFound outside the scope."""
    if center_id is None:
        centers = centers_of(svc, user)
        if not centers:
            raise NotFound("no center")
        own = next((c for c in centers if c.id == user.center_id), None)
        return own or centers[0]
    with svc.uow() as uow:
        center = uow.centers.get(center_id)
    if center is None or not sees_center(user, center):
        raise NotFound(f"center {center_id}")
    return center
