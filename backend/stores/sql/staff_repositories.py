"""SQL repositories of the dashboard: sessions, failed logins, audit log, API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, delete, func, insert, or_, select, update

from backend.domain.errors import NotFound
from backend.domain.model import CheckIn
from backend.domain.staff import ApiToken, AuditEntry, BoardEntry, StaffSession
from backend.ports import (
    ApiTokenRepository,
    AuditRepository,
    BoardRepository,
    LoginFailureRepository,
    SessionRepository,
)
from backend.stores.sql import tables as t
from backend.stores.sql.repositories import _by_code_point, _mapping, _SqlRepository


class SqlSessionRepository(_SqlRepository, SessionRepository):
    """Dashboard sessions in the ``staff_sessions`` table."""

    def add(self, session: StaffSession) -> None:
        """Add a session; raise Conflict if the id exists."""
        self._insert(insert(t.staff_sessions), t.session_to_row(session), "session")

    def get(self, session_id: str) -> StaffSession | None:
        """Return the session, or None."""
        row = self._connection.execute(
            select(t.staff_sessions).where(t.staff_sessions.c.id == session_id)
        ).first()
        return None if row is None else t.session_from_row(_mapping(row))

    def save(self, session: StaffSession) -> None:
        """Replace the stored session's user_id, data and last_seen_at; raise NotFound if absent."""
        row = t.session_to_row(session)
        result = self._connection.execute(
            update(t.staff_sessions)
            .where(t.staff_sessions.c.id == session.id)
            .values(user_id=row["user_id"], data=row["data"], last_seen_at=row["last_seen_at"])
        )
        if result.rowcount != 1:
            raise NotFound("session does not exist")

    def delete(self, session_id: str) -> bool:
        """Delete the session; return True if it existed."""
        result = self._connection.execute(
            delete(t.staff_sessions).where(t.staff_sessions.c.id == session_id)
        )
        return result.rowcount == 1

    def delete_expired(self, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions idle before ``idle_before`` or created before ``created_before``."""
        c = t.staff_sessions.c
        result = self._connection.execute(
            delete(t.staff_sessions).where(
                or_(
                    c.last_seen_at < t.to_utc(idle_before),
                    c.created_at < t.to_utc(created_before),
                )
            )
        )
        return result.rowcount

    def delete_for_user(self, user_id: str) -> int:
        """Delete every session of the user; return how many were deleted."""
        result = self._connection.execute(
            delete(t.staff_sessions).where(t.staff_sessions.c.user_id == user_id)
        )
        return result.rowcount


class SqlLoginFailureRepository(_SqlRepository, LoginFailureRepository):
    """Failed logins in the ``login_failures`` table."""

    def add(self, key: str, at: datetime) -> None:
        """Record one failed login under ``key``."""
        self._connection.execute(insert(t.login_failures), {"key": key, "at": t.to_utc(at)})

    def count_since(self, key: str, since: datetime) -> int:
        """Return how many failures ``key`` has at or after ``since``."""
        c = t.login_failures.c
        return self._connection.execute(
            select(func.count()).where(c.key == key, c.at >= t.to_utc(since))
        ).scalar_one()

    def clear(self, key: str) -> int:
        """Forget every failure of ``key``."""
        result = self._connection.execute(
            delete(t.login_failures).where(t.login_failures.c.key == key)
        )
        return result.rowcount

    def prune(self, before: datetime) -> int:
        """Forget every failure before ``before``."""
        result = self._connection.execute(
            delete(t.login_failures).where(t.login_failures.c.at < t.to_utc(before))
        )
        return result.rowcount


class SqlAuditRepository(_SqlRepository, AuditRepository):
    """The append-only ``audit_log`` table."""

    def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        self._connection.execute(insert(t.audit_log), t.audit_to_row(entry))

    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        """Return the entries about the elder, oldest first."""
        c = t.audit_log.c
        rows = self._connection.execute(
            select(t.audit_log).where(c.elder_id == elder_id).order_by(c.at, c.id)
        )
        return [t.audit_from_row(_mapping(row)) for row in rows]

    def list_since(self, since: datetime) -> list[AuditEntry]:
        """Return every entry at or after ``since``, oldest first."""
        c = t.audit_log.c
        rows = self._connection.execute(
            select(t.audit_log).where(c.at >= t.to_utc(since)).order_by(c.at, c.id)
        )
        return [t.audit_from_row(_mapping(row)) for row in rows]


class SqlApiTokenRepository(_SqlRepository, ApiTokenRepository):
    """API tokens in the ``api_tokens`` table."""

    def add(self, token: ApiToken) -> None:
        """Add a token; raise Conflict if the id exists, NotFound if the user does not."""
        self._insert(insert(t.api_tokens), t.api_token_to_row(token), "api token")

    def get(self, token_id: str) -> ApiToken | None:
        """Return the token, or None."""
        row = self._connection.execute(
            select(t.api_tokens).where(t.api_tokens.c.id == token_id)
        ).first()
        return None if row is None else t.api_token_from_row(_mapping(row))

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at ``at`` unless it already is; raise NotFound if absent."""
        c = t.api_tokens.c
        if self.get(token_id) is None:
            raise NotFound("api token does not exist")
        self._connection.execute(
            update(t.api_tokens)
            .where(c.id == token_id, c.revoked_at.is_(None))
            .values(revoked_at=t.to_utc(at))
        )

    def list_for_user(self, user_id: str) -> list[ApiToken]:
        """Return the user's tokens by ``created_at``, then id."""
        c = t.api_tokens.c
        rows = self._connection.execute(
            select(t.api_tokens).where(c.user_id == user_id).order_by(c.created_at, c.id)
        )
        return [t.api_token_from_row(_mapping(row)) for row in rows]


class SqlBoardRepository(_SqlRepository, BoardRepository):
    """The today board in two queries: elders with aggregates, then the day's check-ins."""

    def center_board(self, center_id: str, day: date, since: date) -> list[BoardEntry]:
        """Return every elder of the center with the day's check-ins, last opening, pairing."""
        el, ci, db = t.elders.c, t.checkins.c, t.device_bindings.c
        in_center = select(el.id).where(el.center_id == center_id)
        bound = (
            select(db.elder_id, func.min(db.bound_at).label("bound_at"))
            .where(db.elder_id.in_(in_center))
            .group_by(db.elder_id)
            .subquery()
        )
        last = (
            select(ci.elder_id, func.max(ci.started_at).label("last_at"))
            .where(ci.elder_id.in_(in_center), ci.date >= since, ci.date <= day)
            .group_by(ci.elder_id)
            .subquery()
        )
        rows = self._connection.execute(
            select(t.elders, bound.c.bound_at, last.c.last_at)
            .outerjoin(bound, bound.c.elder_id == el.id)
            .outerjoin(last, last.c.elder_id == el.id)
            .where(el.center_id == center_id)
            .order_by(
                _by_code_point(self._connection, el.kana), _by_code_point(self._connection, el.id)
            )
        ).all()
        today: dict[str, list[CheckIn]] = {}
        for row in self._connection.execute(
            select(t.checkins)
            .join(t.elders, el.id == ci.elder_id)
            .where(and_(el.center_id == center_id, ci.date == day))
            .order_by(ci.started_at, _by_code_point(self._connection, ci.id))
        ):
            checkin = t.checkin_from_row(_mapping(row))
            today.setdefault(checkin.elder_id, []).append(checkin)
        return [
            BoardEntry(
                elder=(elder := t.elder_from_row(_mapping(row))),
                checkins=tuple(today.get(elder.id, ())),
                last_checkin_at=t.optional_utc(row.last_at),
                bound_at=t.optional_utc(row.bound_at),
            )
            for row in rows
        ]
