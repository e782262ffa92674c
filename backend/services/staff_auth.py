"""Staff sign-in for the dashboard: password check with rate limits, server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import StaffUser
from backend.domain.staff import ApiToken, StaffSession
from backend.services.accounts import password_matches
from backend.services.context import Services
from backend.services.retry import retry_when_busy

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20
# Verified when the login is unknown, so both cases take as long (no login oracle).
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$pU4DeDZl23DQIgb3Dna7ug$"
    "K7aL7qq1ZUSDsaz7dmA6DeBf+ueOZiSprnxnVVYcQls"
)


class LoginRefused(Exception):
    """The login or password is wrong, or the account is inactive (never said which)."""


class TooManyAttempts(Exception):
    """Too many failed logins for this account or address in the window: try later."""


@dataclass(frozen=True)
class SessionTimeouts:
    """How long a session lives: since its last request (idle) and since sign-in (absolute)."""

    idle: timedelta
    absolute: timedelta


def _login_key(login: str) -> str:
    return f"login:{login.strip().lower()}"


def _address_key(address: str) -> str:
    return f"ip:{address}"


@retry_when_busy
def _reserve_attempt(
    svc: Services, login: str, login_key: str, address_key: str, at: datetime
) -> StaffUser | None:
    """Count the attempt as a failure up front (if there is room); return the login's user."""
    limits = {login_key: MAX_FAILURES_PER_LOGIN, address_key: MAX_FAILURES_PER_ADDRESS}
    with svc.uow() as uow:
        if not uow.login_failures.reserve(limits, at, at - FAILURE_WINDOW):
            raise TooManyAttempts
        user = uow.users.get_by_login(login.strip())
        uow.commit()
    return user


@retry_when_busy
def _settle_attempt(
    svc: Services, ok: bool, login_key: str, address_key: str, at: datetime
) -> None:
    """Undo the reservation of a good password; prune old failures after a wrong one."""
    with svc.uow() as uow:
        if ok:
            uow.login_failures.clear(login_key)
            uow.login_failures.release(address_key, at)
        else:
            uow.login_failures.prune(at - FAILURE_WINDOW * 4)
        uow.commit()


def authenticate(svc: Services, login: str, password: str, address: str) -> StaffUser:
    """Return the active user with this login and password; raise LoginRefused or TooMany.

    The attempt is recorded as a failure before the password is checked, in one atomic
    step with the count (``LoginFailureRepository.reserve``): concurrent guesses cannot
    all pass a count taken before any of them failed, whatever process serves them. A
    good password takes the record back. At most ``svc.password_checks`` hashes run at
    once (Argon2 takes 64 MiB each); the others wait their turn.
    """
    now = svc.now()
    login_key, address_key = _login_key(login), _address_key(address)
    user = _reserve_attempt(svc, login, login_key, address_key, now)
    with svc.password_checks:
        matches = password_matches(user.password_hash if user else _DUMMY_HASH, password)
    ok = user is not None and user.active and matches
    _settle_attempt(svc, ok, login_key, address_key, now)
    if not ok or user is None:
        raise LoginRefused
    return user


def active_user(svc: Services, user_id: str) -> StaffUser | None:
    """Return the user if it exists and is active, else None."""
    with svc.uow() as uow:
        user = uow.users.get(user_id)
    return user if user is not None and user.active else None


def session_id_of(token: str) -> str:
    """Return the stored id of a session cookie value (its SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


@retry_when_busy
def load_session(svc: Services, token: str, timeouts: SessionTimeouts) -> StaffSession | None:
    """Return the live session of a cookie value; an expired one is deleted and None returned."""
    now = svc.now()
    with svc.uow() as uow:
        found = uow.sessions.get(session_id_of(token))
        if found is None:
            return None
        if now - found.last_seen_at >= timeouts.idle or now - found.created_at >= timeouts.absolute:
            uow.sessions.delete(found.id)
            uow.commit()
            return None
    return found


@retry_when_busy
def start_session(
    svc: Services, data: dict[str, Any], replaces: str | None, timeouts: SessionTimeouts
) -> tuple[str, StaffSession]:
    """Store a new session (a fresh random id) and drop ``replaces``; return cookie and record.

    Expired sessions of anyone are cleared on the way, so the table stays small.
    """
    now = svc.now()
    with svc.uow() as uow:
        if replaces is not None:
            uow.sessions.delete(replaces)
        uow.sessions.delete_expired(now - timeouts.idle, now - timeouts.absolute)
        for _ in range(3):
            token = secrets.token_urlsafe(32)
            record = StaffSession(
                id=session_id_of(token),
                user_id=data.get("_user_id"),
                data=dict(data),
                created_at=now,
                last_seen_at=now,
            )
            try:
                uow.sessions.add(record)
                break
            except Conflict:  # pragma: no cover - 256 random bits do not collide
                continue
        uow.commit()
    return token, record


@retry_when_busy
def save_session(svc: Services, record: StaffSession, data: dict[str, Any]) -> StaffSession:
    """Store the session's data and mark it seen now (the idle timeout starts again)."""
    saved = replace(record, user_id=data.get("_user_id"), data=dict(data), last_seen_at=svc.now())
    with svc.uow() as uow:
        try:  # the write first: on SQLite it waits for the lock instead of upgrading a read
            uow.sessions.save(saved)
        except NotFound:  # ended meanwhile (signed out elsewhere): nothing to keep
            return saved
        uow.commit()
    return saved


@retry_when_busy
def end_session(svc: Services, session_id: str) -> None:
    """Delete a session (sign-out)."""
    with svc.uow() as uow:
        uow.sessions.delete(session_id)
        uow.commit()


# --- API tokens (machine clients) ---------------------------------------------------------------

API_TOKEN_PREFIX = "mmr_"


@retry_when_busy
def create_api_token(svc: Services, login: str, name: str) -> tuple[str, ApiToken]:
    """Create a token acting as the user with this login; return the secret (shown once)."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with svc.uow() as uow:
        user = uow.users.get_by_login(login.strip())
        if user is None or not user.active:
            raise NotFound(f"user {login}")
        token = ApiToken(session_id_of(secret), user.id, name.strip() or "API", svc.now())
        uow.api_tokens.add(token)
        uow.commit()
    return secret, token


def user_for_api_token(svc: Services, secret: str) -> StaffUser | None:
    """Return the active user an active token acts as, or None."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    with svc.uow() as uow:
        token = uow.api_tokens.get(session_id_of(secret))
        if token is None or not token.active:
            return None
        user = uow.users.get(token.user_id)
    return user if user is not None and user.active else None


@retry_when_busy
def revoke_api_token(svc: Services, secret_or_id: str) -> ApiToken:
    """Revoke a token given its secret or its id; raise NotFound."""
    token_id = (
        session_id_of(secret_or_id) if secret_or_id.startswith(API_TOKEN_PREFIX) else secret_or_id
    )
    with svc.uow() as uow:
        uow.api_tokens.revoke(token_id, svc.now())
        token = uow.api_tokens.get(token_id)
        uow.commit()
    assert token is not None
    return token
