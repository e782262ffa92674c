"""Staff-side records of the dashboard: server-side sessions and the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.domain.model import CheckIn, Elder


@dataclass(frozen=True)
class StaffSession:
    """A dashboard session kept server-side; the cookie holds only a random value.

    ``id`` is the SHA-256 (hex) of the cookie value, so a copy of the table opens no
    session. ``data`` is what the web layer keeps in the session (user id, CSRF token).
    """

    id: str
    user_id: str | None
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One view (or change) of personal data by staff: who, when, what."""

    at: datetime
    actor: str  # "staff:<user id>"
    action: str  # "view_elder", "view_board", "view_alerts", "claim_alert", ...
    elder_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiToken:
    """A token with which a machine client calls the JSON API as one staff user.

    ``id`` is the SHA-256 (hex) of the secret the client sends; the secret itself is
    shown once and never stored.
    """

    id: str
    user_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Return True while the token is not revoked."""
        return self.revoked_at is None


@dataclass(frozen=True)
class BoardEntry:
    """One elder of the today board, read in bulk: the day's check-ins, latest opening, pairing."""

    elder: Elder
    checkins: tuple[CheckIn, ...]
    last_checkin_at: datetime | None  # latest check-in opened in the window asked for
    bound_at: datetime | None  # when the first speaker was bound; None: never
