"""Ports: what the services need from a store, shaped by access patterns.

Conventions every store keeps:

- Datetimes given to a store must be timezone-aware; a naive one raises ValueError.
  Datetimes read back are aware and equal (the same instant) to those written, though
  a store may return them in another zone (the SQL store returns UTC).
- Lists are ordered as each method says; ties are broken by the listed tie-breaks, so
  the order is always total. Text is compared by code point, whatever the database
  collation, and datetimes by instant, whatever their zone.
"""

from __future__ import annotations

import abc
from datetime import date, datetime
from types import TracebackType
from typing import Self

from backend.domain.model import (
    Answer,
    CareCenter,
    CheckIn,
    CheckInStatus,
    DeviceBinding,
    Elder,
    ElderDay,
    Event,
    Municipality,
    PairingCode,
    StaffUser,
)


class MunicipalityRepository(abc.ABC):
    """Municipalities by code."""

    @abc.abstractmethod
    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""

    @abc.abstractmethod
    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""


class CenterRepository(abc.ABC):
    """Care centers."""

    @abc.abstractmethod
    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""

    @abc.abstractmethod
    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name, then id."""


class ElderRepository(abc.ABC):
    """Elders, and a center's board of the day."""

    @abc.abstractmethod
    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""

    @abc.abstractmethod
    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_center(self, center_id: str) -> list[Elder]:
        """Return the center's elders ordered by kana, then id."""

    @abc.abstractmethod
    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana.

        Elders are ordered as in ``list_for_center`` (kana, then id); each elder's
        check-ins by ``started_at``, then id. An elder without check-ins that day comes
        with an empty tuple.
        """


class DeviceRepository(abc.ABC):
    """Speaker bindings and pairing codes."""

    @abc.abstractmethod
    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""

    @abc.abstractmethod
    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""

    @abc.abstractmethod
    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""

    @abc.abstractmethod
    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""

    @abc.abstractmethod
    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""

    @abc.abstractmethod
    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it.

        Return False, changing nothing, when the code is unknown or already used.
        Expiry is not checked here (see ``PairingCode.usable``).
        """


class CheckInRepository(abc.ABC):
    """Check-ins by elder, date and slot."""

    @abc.abstractmethod
    def add(self, checkin: CheckIn) -> None:
        """Add a check-in; raise Conflict if (elder, date, slot) exists."""

    @abc.abstractmethod
    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        """Return the elder's check-in of that date and slot, or None."""

    @abc.abstractmethod
    def get_with_answered(
        self, elder_id: str, day: date, slot: str
    ) -> tuple[CheckIn, frozenset[str]] | None:
        """Return the check-in and the ids of the questions it has answers for (one lookup)."""

    @abc.abstractmethod
    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        """Update a check-in's status; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[CheckIn]:
        """Return the elder's check-ins with start <= date <= end, oldest first.

        Oldest first means by date, then ``started_at``, then id.
        """


class AnswerRepository(abc.ABC):
    """Answers, at most one per check-in and question."""

    @abc.abstractmethod
    def add(self, answer: Answer) -> bool:
        """Store an answer; return False (storing nothing) if that question is answered."""

    @abc.abstractmethod
    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        """Return the check-in's answers in the order given."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        """Return the elder's answers with start <= date <= end, oldest first.

        Oldest first means by date, then ``answered_at``, then the order given.
        """

    @abc.abstractmethod
    def latest_value(self, elder_id: str, question_id: str, before: date) -> Answer | None:
        """Return the elder's newest non-skipped answer to the question dated before ``before``.

        Newest means the greatest (date, ``answered_at``, order given); None if none.
        """


class EventRepository(abc.ABC):
    """Recorded events."""

    @abc.abstractmethod
    def add(self, event: Event) -> None:
        """Store an event; raise Conflict if the id exists."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str) -> list[Event]:
        """Return the elder's events, oldest first (by ``at``, then id)."""


class UserRepository(abc.ABC):
    """Staff user accounts; logins are unique regardless of case.

    Stores keep the login lower-cased (``str.lower``) and compare lower-cased logins,
    so a user added as ``Sato`` reads back with login ``sato``.
    """

    @abc.abstractmethod
    def add(self, user: StaffUser) -> None:
        """Add a user with its login lower-cased; raise Conflict if the id or login exists."""

    @abc.abstractmethod
    def get(self, user_id: str) -> StaffUser | None:
        """Return the user, or None."""

    @abc.abstractmethod
    def get_by_login(self, login: str) -> StaffUser | None:
        """Return the user with this login compared case-insensitively, or None."""

    @abc.abstractmethod
    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace the user's password hash; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_center(self, center_id: str) -> list[StaffUser]:
        """Return the center's users ordered by login (unique, so the order is total)."""


class AbstractUnitOfWork(abc.ABC):
    """One transaction over every repository; rolls back unless committed."""

    municipalities: MunicipalityRepository
    centers: CenterRepository
    elders: ElderRepository
    devices: DeviceRepository
    checkins: CheckInRepository
    answers: AnswerRepository
    events: EventRepository
    users: UserRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the work of this unit durable."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard everything not committed."""
