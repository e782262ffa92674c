"""Staff accounts: create them with Argon2id password hashes."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.domain.errors import NotFound
from backend.domain.model import StaffRole, StaffUser
from backend.services.context import Services
from backend.services.retry import retry_when_busy

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory defaults


class WeakPassword(ValueError):
    """A password too short to accept."""


def generate_password() -> str:
    """Return a random password that is easy to type from a printout."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"パスワードは {MIN_PASSWORD_LENGTH} 文字以上にしてください")
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Return True if the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@retry_when_busy
def create_user(
    svc: Services,
    *,
    login: str,
    display_name: str,
    role: StaffRole,
    password: str,
    municipality_code: str | None = None,
    center_id: str | None = None,
) -> StaffUser:
    """Create a staff account scoped to a center, a municipality or (operator) everything."""
    if role is StaffRole.CENTER_STAFF and not center_id:
        raise ValueError("センター職員にはセンターの指定が必要です")
    if role is StaffRole.MUNICIPALITY_ADMIN and not municipality_code:
        raise ValueError("市町村担当には市町村コードの指定が必要です")
    user = StaffUser(
        id=uuid.uuid4().hex,
        login=login.strip().lower(),
        display_name=display_name,
        role=role,
        municipality_code=municipality_code,
        center_id=center_id,
        password_hash=hash_password(password),
        created_at=svc.now(),
    )
    with svc.uow() as uow:
        if center_id is not None:
            center = uow.centers.get(center_id)
            if center is None:
                raise NotFound(f"center {center_id}")
            if municipality_code is None:
                user = replace(user, municipality_code=center.municipality_code)
        if municipality_code is not None and uow.municipalities.get(municipality_code) is None:
            raise NotFound(f"municipality {municipality_code}")
        uow.users.add(user)
        uow.commit()
    return user


@retry_when_busy
def reset_password(svc: Services, login: str, password: str) -> StaffUser:
    """Set a new password for an existing account."""
    password_hash = hash_password(password)
    with svc.uow() as uow:
        user = uow.users.get_by_login(login)
        if user is None:
            raise NotFound(f"user {login}")
        uow.users.set_password_hash(user.id, password_hash)
        uow.commit()
    return replace(user, password_hash=password_hash)
