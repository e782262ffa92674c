"""SQL repositories of the dashboard: staff users, sessions, failed logins, audit, API tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import (
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from backend.domain.errors import NotFound
from backend.domain.model import (
    StaffUser,
)
from backend.domain.staff import ApiToken, AuditEntry, StaffSession
from backend.ports import (
    ApiTokenRepository,
    AuditRepository,
    LoginFailureRepository,
    SessionRepository,
    UserRepository,
)
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    SqlRepository,
    by_code_point,
    mapping,
)
from backend.stores.sql.codecs import (
    normalize_login,
    user_from_row,
    user_to_row,
)
from backend.stores.sql.column_types import to_utc
from backend.stores.sql.staff_codecs import (
    api_token_from_row,
    api_token_to_row,
    audit_from_row,
    audit_to_row,
    session_from_row,
    session_to_row,
)


class SqlSessionRepository(SqlRepository, SessionRepository):
    """Dashboard sessions in the ``staff_sessions`` table."""

    def add(self, session: StaffSession) -> None:
        """Add a session; raise Conflict if the id exists."""
        self._insert(insert(t.staff_sessions), session_to_row(session), "session")

    def get(self, session_id: str) -> StaffSession | None:
        """Return the session, or None."""
        row = self._connection.execute(
            select(t.staff_sessions).where(t.staff_sessions.c.id == session_id)
        ).first()
        return None if row is None else session_from_row(mapping(row))

    def save(self, session: StaffSession) -> None:
        """Replace the stored session's user_id, data and last_seen_at; raise NotFound if absent."""
        row = session_to_row(session)
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
                    c.last_seen_at < to_utc(idle_before),
                    c.created_at < to_utc(created_before),
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


class SqlLoginFailureRepository(SqlRepository, LoginFailureRepository):
    """Failed logins in the ``login_failures`` table."""

    def add(self, key: str, at: datetime) -> None:
        """Record one failed login under ``key``."""
        self._connection.execute(insert(t.login_failures), {"key": key, "at": to_utc(at)})

    def count_since(self, key: str, since: datetime) -> int:
        """Return how many failures ``key`` has at or after ``since``."""
        c = t.login_failures.c
        return self._connection.execute(
            select(func.count()).where(c.key == key, c.at >= to_utc(since))
        ).scalar_one()

    def reserve(self, limits: Mapping[str, int], at: datetime, since: datetime) -> bool:
        """Record a failure under every key if each has room; atomic across processes.

        The rows go in first, then the keys are counted: on SQLite the insert takes the
        database's write lock, so the count sees every reservation committed before and
        none can commit until this one does. PostgreSQL (read committed) would let two
        transactions count at once, so each key's advisory lock is taken first (in key
        order: no deadlock), held to the end of the transaction. Without room the rows
        are rolled back to a savepoint.
        """
        keys = sorted(limits)
        if self._connection.dialect.name == "postgresql":
            for key in keys:
                self._connection.execute(
                    select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
                )
        c = t.login_failures.c
        savepoint = self._connection.begin_nested()
        self._connection.execute(
            insert(t.login_failures), [{"key": key, "at": to_utc(at)} for key in keys]
        )
        counts: dict[str, int] = dict(
            self._connection.execute(
                select(c.key, func.count())
                .where(c.key.in_(keys), c.at >= to_utc(since))
                .group_by(c.key)
            ).all()
        )
        if any(counts.get(key, 0) > limits[key] for key in keys):
            savepoint.rollback()
            return False
        savepoint.commit()
        return True

    def release(self, key: str, at: datetime) -> bool:
        """Forget one failure of ``key`` recorded at ``at``."""
        c = t.login_failures.c
        one = select(c.id).where(c.key == key, c.at == to_utc(at)).limit(1).scalar_subquery()
        result = self._connection.execute(delete(t.login_failures).where(c.id == one))
        return result.rowcount == 1

    def clear(self, key: str) -> int:
        """Forget every failure of ``key``."""
        result = self._connection.execute(
            delete(t.login_failures).where(t.login_failures.c.key == key)
        )
        return result.rowcount

    def prune(self, before: datetime) -> int:
        """Forget every failure before ``before``."""
        result = self._connection.execute(
            delete(t.login_failures).where(t.login_failures.c.at < to_utc(before))
        )
        return result.rowcount


class SqlAuditRepository(SqlRepository, AuditRepository):
    """The append-only ``audit_log`` table."""

    def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        self._connection.execute(insert(t.audit_log), audit_to_row(entry))

    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        """Return the entries about the elder, oldest first."""
        c = t.audit_log.c
        rows = self._connection.execute(
            select(t.audit_log).where(c.elder_id == elder_id).order_by(c.at, c.id)
        )
        return [audit_from_row(mapping(row)) for row in rows]

    def list_since(self, since: datetime) -> list[AuditEntry]:
        """Return every entry at or after ``since``, oldest first."""
        c = t.audit_log.c
        rows = self._connection.execute(
            select(t.audit_log).where(c.at >= to_utc(since)).order_by(c.at, c.id)
        )
        return [audit_from_row(mapping(row)) for row in rows]


class SqlApiTokenRepository(SqlRepository, ApiTokenRepository):
    """API tokens in the ``api_tokens`` table."""

    def add(self, token: ApiToken) -> None:
        """Add a token; raise Conflict if the id exists, NotFound if the user does not."""
        self._insert(insert(t.api_tokens), api_token_to_row(token), "api token")

    def get(self, token_id: str) -> ApiToken | None:
        """Return the token, or None."""
        row = self._connection.execute(
            select(t.api_tokens).where(t.api_tokens.c.id == token_id)
        ).first()
        return None if row is None else api_token_from_row(mapping(row))

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at ``at`` unless it already is; raise NotFound if absent."""
        c = t.api_tokens.c
        if self.get(token_id) is None:
            raise NotFound("api token does not exist")
        self._connection.execute(
            update(t.api_tokens)
            .where(c.id == token_id, c.revoked_at.is_(None))
            .values(revoked_at=to_utc(at))
        )

    def list_for_user(self, user_id: str) -> list[ApiToken]:
        """Return the user's tokens by ``created_at``, then id."""
        c = t.api_tokens.c
        rows = self._connection.execute(
            select(t.api_tokens).where(c.user_id == user_id).order_by(c.created_at, c.id)
        )
        return [api_token_from_row(mapping(row)) for row in rows]


class SqlUserRepository(SqlRepository, UserRepository):
    """Staff users in the ``staff_users`` table (logins stored lower-cased)."""

    def add(self, user: StaffUser) -> None:
        """Add a user with its login lower-cased; raise Conflict if the id or login exists."""
        self._insert(insert(t.staff_users), user_to_row(user), f"user {user.id}")

    def get(self, user_id: str) -> StaffUser | None:
        """Return the user, or None."""
        row = self._connection.execute(
            select(t.staff_users).where(t.staff_users.c.id == user_id)
        ).first()
        return None if row is None else user_from_row(mapping(row))

    def get_by_login(self, login: str) -> StaffUser | None:
        """Return the user with this login compared case-insensitively, or None."""
        # Lower-cased in Python, not with SQL lower(): SQLite's folds ASCII only.
        row = self._connection.execute(
            select(t.staff_users).where(t.staff_users.c.login == normalize_login(login))
        ).first()
        return None if row is None else user_from_row(mapping(row))

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace the user's password hash; raise NotFound if absent."""
        result = self._connection.execute(
            update(t.staff_users)
            .where(t.staff_users.c.id == user_id)
            .values(password_hash=password_hash)
        )
        if result.rowcount != 1:
            raise NotFound(f"user {user_id} does not exist")

    def list_for_center(self, center_id: str) -> list[StaffUser]:
        """Return the center's users ordered by login (unique, so the order is total)."""
        c = t.staff_users.c
        rows = self._connection.execute(
            select(t.staff_users)
            .where(c.center_id == center_id)
            .order_by(by_code_point(self._connection, c.login))
        )
        return [user_from_row(mapping(row)) for row in rows]
