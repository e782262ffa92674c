"""DynamoDB repositories of the dashboard: staff users, sessions, login failures, audit, tokens."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import StaffUser
from backend.domain.staff import ApiToken, AuditEntry, StaffSession
from backend.ports import (
    ApiTokenRepository,
    AuditRepository,
    LoginFailureRepository,
    SessionRepository,
    UserRepository,
)
from backend.stores.dynamodb.base import DynamoRepository, item
from backend.stores.dynamodb.codec import aware, decode, iso
from backend.stores.dynamodb.table import PK, SK, next_seq

# --- staff users -----------------------------------------------------------------------


def _user_item(user: StaffUser) -> dict[str, Any]:
    return item(
        "user",
        f"USER#{user.id}",
        "#USER",
        user,
        gsi1pk=f"CENTER#{user.center_id}#USERS" if user.center_id is not None else None,
        gsi1sk=user.login,
    )


class DynamoUserRepository(DynamoRepository, UserRepository):
    """Staff users: USER#<id>, a LOGIN#<login> pointer; by center on gsi1."""

    def add(self, user: StaffUser) -> None:
        """Add a user with its login lower-cased; raise Conflict if the id or login exists."""
        aware(user.created_at)
        login = user.login.lower()
        if self._exists(f"USER#{user.id}", "#USER") or self._exists(f"LOGIN#{login}", "#LOGIN"):
            raise Conflict(f"user {user.id} already exists")
        self._s.put(_user_item(dataclasses.replace(user, login=login)))
        self._s.put({PK: f"LOGIN#{login}", SK: "#LOGIN", "t": "login", "user_id": user.id})

    def get(self, user_id: str) -> StaffUser | None:
        """Return the user, or None."""
        return self._get(StaffUser, f"USER#{user_id}", "#USER")

    def get_by_login(self, login: str) -> StaffUser | None:
        """Return the user with this login compared case-insensitively, or None."""
        pointer = self._s.get(f"LOGIN#{login.lower()}", "#LOGIN")
        return self.get(pointer["user_id"]) if pointer else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace the user's password hash; raise NotFound if absent."""
        stored = self.get(user_id)
        if stored is None:
            raise NotFound(f"user {user_id} does not exist")
        self._s.put(_user_item(dataclasses.replace(stored, password_hash=password_hash)))

    def list_for_center(self, center_id: str) -> list[StaffUser]:
        """Return the center's users ordered by login (unique, so the order is total)."""
        found = self._query(StaffUser, f"CENTER#{center_id}#USERS", index="gsi1")
        return sorted(found, key=lambda u: u.login)


# --- dashboard sessions, login failures, audit, API tokens -----------------------------


def _session_item(session: StaffSession) -> dict[str, Any]:
    return item(
        "session",
        f"SESSION#{session.id}",
        "#SESSION",
        session,
        gsi1pk=f"USER#{session.user_id}#SESSIONS" if session.user_id is not None else None,
        gsi1sk=session.id if session.user_id is not None else None,
        gsi3pk="SESSIONS",
        gsi3sk=iso(session.last_seen_at),
    )


class DynamoSessionRepository(DynamoRepository, SessionRepository):
    """Dashboard sessions: SESSION#<id>; by user on gsi1, all on gsi3."""

    def add(self, session: StaffSession) -> None:
        """Add a session; raise Conflict if the id exists."""
        aware(session.created_at)
        aware(session.last_seen_at)
        if self._exists(f"SESSION#{session.id}", "#SESSION"):
            raise Conflict("session already exists")
        self._s.put(_session_item(session))

    def get(self, session_id: str) -> StaffSession | None:
        """Return the session, or None."""
        return self._get(StaffSession, f"SESSION#{session_id}", "#SESSION")

    def save(self, session: StaffSession) -> None:
        """Replace the stored session's user_id, data and last_seen_at; raise NotFound if absent."""
        aware(session.last_seen_at)
        stored = self.get(session.id)
        if stored is None:
            raise NotFound("session does not exist")
        self._s.put(
            _session_item(
                dataclasses.replace(
                    stored,
                    user_id=session.user_id,
                    data=session.data,
                    last_seen_at=session.last_seen_at,
                )
            )
        )

    def delete(self, session_id: str) -> bool:
        """Delete the session; return True if it existed."""
        if not self._exists(f"SESSION#{session_id}", "#SESSION"):
            return False
        self._s.delete(f"SESSION#{session_id}", "#SESSION")
        return True

    def _delete_all(self, found: list[dict[str, Any]], gone: Callable[[StaffSession], bool]) -> int:
        deleted = 0
        for row in found:
            if gone(decode(StaffSession, row)):
                self._s.delete(row[PK], row[SK])
                deleted += 1
        return deleted

    def delete_expired(self, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions last seen before ``idle_before`` or created before ``created_before``."""
        aware(idle_before)
        aware(created_before)
        # Every session in one index partition, by last seen: housekeeping, not a hot path.
        found = self._s.query("SESSIONS", index="gsi3")
        return self._delete_all(
            found, lambda s: s.last_seen_at < idle_before or s.created_at < created_before
        )

    def delete_for_user(self, user_id: str) -> int:
        """Delete every session of the user; return how many were deleted."""
        found = self._s.query(f"USER#{user_id}#SESSIONS", index="gsi1")
        return self._delete_all(found, lambda s: s.user_id == user_id)


_LOCK = "#LOCK"


class DynamoLoginFailureRepository(DynamoRepository, LoginFailureRepository):
    """Failed logins: LOGINFAIL#<key> / <at>#<seq>; all by time on gsi3."""

    def add(self, key: str, at: datetime) -> None:
        """Record one failed login under ``key`` at ``at``."""
        aware(at)
        sk = f"{iso(at)}#{next_seq()}"
        self._s.put(
            {
                PK: f"LOGINFAIL#{key}",
                SK: sk,
                "t": "login-failure",
                "gsi3pk": "LOGINFAILS",
                "gsi3sk": sk,
            }
        )

    def count_since(self, key: str, since: datetime) -> int:
        """Return how many failures ``key`` has at or after ``since``."""
        return len(self._s.query(f"LOGINFAIL#{key}", ("ge", iso(since))))

    def reserve(self, limits: Mapping[str, int], at: datetime, since: datetime) -> bool:
        """Record a failure under every key if each has room; atomic across processes.

        Each key's partition has a lock item (``#LOCK``, before every time in sort order)
        that a reservation reads and writes again: the unit's commit is conditional on the
        version read, so of two reservations that counted at once one fails with
        ConcurrentWrite (a StoreBusy) and is run again, counting the other.
        """
        aware(at)
        keys = sorted(limits)
        for key in keys:
            self._s.get(f"LOGINFAIL#{key}", _LOCK)
            if len(self._s.query(f"LOGINFAIL#{key}", ("ge", iso(since)))) >= limits[key]:
                return False
        for key in keys:
            self._s.put({PK: f"LOGINFAIL#{key}", SK: _LOCK, "t": "login-failure-lock"})
            self.add(key, at)
        return True

    def release(self, key: str, at: datetime) -> bool:
        """Forget one failure of ``key`` recorded at ``at``."""
        found = self._s.query(f"LOGINFAIL#{key}", ("begins", f"{iso(at)}#"))
        if not found:
            return False
        self._s.delete(found[0][PK], found[0][SK])
        return True

    def clear(self, key: str) -> int:
        """Forget every failure of ``key``; return how many were forgotten."""
        found = self._s.query(f"LOGINFAIL#{key}", ("ge", "0"))
        for row in found:
            self._s.delete(row[PK], row[SK])
        return len(found)

    def prune(self, before: datetime) -> int:
        """Forget every failure (of any key) before ``before``; return how many."""
        found = self._s.query("LOGINFAILS", ("lt", iso(before)), index="gsi3")
        for row in found:
            self._s.delete(row[PK], row[SK])
        return len(found)


class DynamoAuditRepository(DynamoRepository, AuditRepository):
    """The audit log: AUDIT#<elder or -> / <at>#<seq>; all by time on gsi3."""

    def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        aware(entry.at)
        sk = f"{iso(entry.at)}#{next_seq()}"
        elder = entry.elder_id if entry.elder_id is not None else "-"
        self._s.put(item("audit", f"AUDIT#{elder}", sk, entry, gsi3pk="AUDIT", gsi3sk=sk))

    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        """Return the entries about the elder, oldest first (by ``at``, then the order added)."""
        return self._query(AuditEntry, f"AUDIT#{elder_id}")

    def list_since(self, since: datetime) -> list[AuditEntry]:
        """Return every entry at or after ``since``, oldest first (``at``, then order added)."""
        return self._query(AuditEntry, "AUDIT", ("ge", iso(since)), index="gsi3")


def _token_item(token: ApiToken) -> dict[str, Any]:
    return item(
        "api-token",
        f"TOKEN#{token.id}",
        "#TOKEN",
        token,
        gsi1pk=f"USER#{token.user_id}#TOKENS",
        gsi1sk=f"{iso(token.created_at)}#{token.id}",
    )


class DynamoApiTokenRepository(DynamoRepository, ApiTokenRepository):
    """API tokens: TOKEN#<id>; by user and creation on gsi1."""

    def add(self, token: ApiToken) -> None:
        """Add a token; raise Conflict if the id exists, NotFound if the user does not."""
        aware(token.created_at)
        aware(token.revoked_at)
        if self._exists(f"TOKEN#{token.id}", "#TOKEN"):
            raise Conflict("api token already exists")
        if not self._exists(f"USER#{token.user_id}", "#USER"):
            raise NotFound("api token: a record it refers to does not exist")
        self._s.put(_token_item(token))

    def get(self, token_id: str) -> ApiToken | None:
        """Return the token (revoked or not), or None."""
        return self._get(ApiToken, f"TOKEN#{token_id}", "#TOKEN")

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at ``at`` (keeping an earlier revocation); NotFound if absent."""
        aware(at)
        token = self.get(token_id)
        if token is None:
            raise NotFound("api token does not exist")
        if token.revoked_at is None:
            self._s.put(_token_item(dataclasses.replace(token, revoked_at=at)))

    def list_for_user(self, user_id: str) -> list[ApiToken]:
        """Return the user's tokens, revoked or not, by ``created_at``, then id."""
        found = self._query(ApiToken, f"USER#{user_id}#TOKENS", index="gsi1")
        return sorted(found, key=lambda t: (t.created_at, t.id))
