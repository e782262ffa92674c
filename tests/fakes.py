"""In-memory store for unit tests, with the same semantics as the SQL store.

``FakeStore`` holds the committed state; each ``FakeUnitOfWork`` works on a copy and
publishes it on ``commit()``. Objects are copied in and out, as a database would.
The contract suite in ``tests/integration/store_contract.py`` runs against it.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Self, TypeVar

from backend.domain.errors import Conflict, NotFound
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
from backend.ports import (
    AbstractUnitOfWork,
    AnswerRepository,
    CenterRepository,
    CheckInRepository,
    DeviceRepository,
    ElderRepository,
    EventRepository,
    MunicipalityRepository,
    UserRepository,
)

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


def _aware(value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError("naive datetime: the store keeps timezone-aware datetimes only")


@dataclass
class FakeState:
    """Everything a store holds."""

    municipalities: dict[str, Municipality] = field(default_factory=dict)
    centers: dict[str, CareCenter] = field(default_factory=dict)
    elders: dict[str, Elder] = field(default_factory=dict)
    bindings: dict[tuple[str, str], DeviceBinding] = field(default_factory=dict)
    pairing_codes: dict[str, PairingCode] = field(default_factory=dict)
    checkins: dict[str, CheckIn] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)  # in the order given
    events: dict[str, Event] = field(default_factory=dict)
    users: dict[str, StaffUser] = field(default_factory=dict)  # by id, logins lower-cased


class FakeStore:
    """The committed state shared by every unit of work on this store."""

    def __init__(self) -> None:
        self.state = FakeState()


class _FakeRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _s(self) -> FakeState:
        return self._uow.working


class FakeMunicipalityRepository(_FakeRepository, MunicipalityRepository):
    def add(self, municipality: Municipality) -> None:
        if municipality.code in self._s.municipalities:
            raise Conflict(f"municipality {municipality.code} already exists")
        self._s.municipalities[municipality.code] = _copy(municipality)

    def get(self, code: str) -> Municipality | None:
        return _copy(self._s.municipalities.get(code))


class FakeCenterRepository(_FakeRepository, CenterRepository):
    def add(self, center: CareCenter) -> None:
        if center.id in self._s.centers:
            raise Conflict(f"center {center.id} already exists")
        self._s.centers[center.id] = _copy(center)

    def get(self, center_id: str) -> CareCenter | None:
        return _copy(self._s.centers.get(center_id))

    def list_for_municipality(self, code: str) -> list[CareCenter]:
        found = [c for c in self._s.centers.values() if c.municipality_code == code]
        return _copy(sorted(found, key=lambda c: (c.name, c.id)))


class FakeElderRepository(_FakeRepository, ElderRepository):
    def add(self, elder: Elder) -> None:
        if elder.id in self._s.elders:
            raise Conflict(f"elder {elder.id} already exists")
        self._s.elders[elder.id] = _copy(elder)

    def get(self, elder_id: str) -> Elder | None:
        return _copy(self._s.elders.get(elder_id))

    def update(self, elder: Elder) -> None:
        if elder.id not in self._s.elders:
            raise NotFound(f"elder {elder.id} does not exist")
        self._s.elders[elder.id] = _copy(elder)

    def list_for_center(self, center_id: str) -> list[Elder]:
        found = [e for e in self._s.elders.values() if e.center_id == center_id]
        return _copy(sorted(found, key=lambda e: (e.kana, e.id)))

    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        days = []
        for elder in self.list_for_center(center_id):
            found = [
                c for c in self._s.checkins.values() if c.elder_id == elder.id and c.date == day
            ]
            found.sort(key=lambda c: (c.started_at, c.id))
            days.append(ElderDay(elder=elder, checkins=tuple(_copy(found))))
        return days


class FakeDeviceRepository(_FakeRepository, DeviceRepository):
    def bind(self, binding: DeviceBinding) -> None:
        _aware(binding.bound_at)
        self._s.bindings[(binding.alexa_user_id, binding.device_id)] = _copy(binding)

    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        return _copy(self._s.bindings.get((alexa_user_id, device_id)))

    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        binding = self._s.bindings.get((alexa_user_id, device_id))
        return _copy(self._s.elders.get(binding.elder_id)) if binding else None

    def add_pairing_code(self, code: PairingCode) -> None:
        _aware(code.expires_at)
        _aware(code.used_at)
        if code.code in self._s.pairing_codes:
            raise Conflict("pairing code already exists")
        self._s.pairing_codes[code.code] = _copy(code)

    def get_pairing_code(self, code: str) -> PairingCode | None:
        return _copy(self._s.pairing_codes.get(code))

    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        _aware(at)
        stored = self._s.pairing_codes.get(code)
        if stored is None or stored.used_at is not None:
            return False
        self._s.pairing_codes[code] = PairingCode(
            code=stored.code, elder_id=stored.elder_id, expires_at=stored.expires_at, used_at=at
        )
        return True


class FakeCheckInRepository(_FakeRepository, CheckInRepository):
    def add(self, checkin: CheckIn) -> None:
        _aware(checkin.started_at)
        _aware(checkin.completed_at)
        key = (checkin.elder_id, checkin.date, str(checkin.slot))
        if checkin.id in self._s.checkins or any(
            (c.elder_id, c.date, str(c.slot)) == key for c in self._s.checkins.values()
        ):
            raise Conflict(f"check-in {checkin.id} already exists")
        self._s.checkins[checkin.id] = _copy(checkin)

    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        for c in self._s.checkins.values():
            if c.elder_id == elder_id and c.date == day and str(c.slot) == str(slot):
                return _copy(c)
        return None

    def get_with_answered(
        self, elder_id: str, day: date, slot: str
    ) -> tuple[CheckIn, frozenset[str]] | None:
        checkin = self.get(elder_id, day, slot)
        if checkin is None:
            return None
        answered = frozenset(a.question_id for a in self._s.answers if a.checkin_id == checkin.id)
        return checkin, answered

    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        _aware(completed_at)
        stored = self._s.checkins.get(checkin_id)
        if stored is None:
            raise NotFound(f"check-in {checkin_id} does not exist")
        self._s.checkins[checkin_id] = CheckIn(
            id=stored.id,
            elder_id=stored.elder_id,
            date=stored.date,
            slot=stored.slot,
            status=CheckInStatus(status),
            started_at=stored.started_at,
            completed_at=completed_at,
        )

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[CheckIn]:
        found = [
            c
            for c in self._s.checkins.values()
            if c.elder_id == elder_id and start <= c.date <= end
        ]
        return _copy(sorted(found, key=lambda c: (c.date, c.started_at, c.id)))


class FakeAnswerRepository(_FakeRepository, AnswerRepository):
    def add(self, answer: Answer) -> bool:
        _aware(answer.answered_at)
        if any(
            a.checkin_id == answer.checkin_id and a.question_id == answer.question_id
            for a in self._s.answers
        ):
            return False
        self._s.answers.append(_copy(answer))
        return True

    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        return _copy([a for a in self._s.answers if a.checkin_id == checkin_id])

    def _for_elder(self, elder_id: str) -> list[tuple[date, datetime, int, Answer]]:
        # Sort keys as the SQL store's: (date, answered_at, order given).
        return [
            (a.date, a.answered_at, i, a)
            for i, a in enumerate(self._s.answers)
            if a.elder_id == elder_id
        ]

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        found = [k for k in self._for_elder(elder_id) if start <= k[0] <= end]
        return _copy([k[3] for k in sorted(found, key=lambda k: k[:3])])

    def latest_value(self, elder_id: str, question_id: str, before: date) -> Answer | None:
        found = [
            k
            for k in self._for_elder(elder_id)
            if k[3].question_id == question_id and k[0] < before and k[3].skipped is None
        ]
        if not found:
            return None
        return _copy(max(found, key=lambda k: k[:3])[3])


class FakeEventRepository(_FakeRepository, EventRepository):
    def add(self, event: Event) -> None:
        _aware(event.at)
        if event.id in self._s.events:
            raise Conflict(f"event {event.id} already exists")
        self._s.events[event.id] = _copy(event)

    def list_for_elder(self, elder_id: str) -> list[Event]:
        found = [e for e in self._s.events.values() if e.elder_id == elder_id]
        return _copy(sorted(found, key=lambda e: (e.at, e.id)))


class FakeUserRepository(_FakeRepository, UserRepository):
    def add(self, user: StaffUser) -> None:
        _aware(user.created_at)
        login = user.login.lower()
        if user.id in self._s.users or any(u.login == login for u in self._s.users.values()):
            raise Conflict(f"user {user.id} already exists")
        self._s.users[user.id] = _copy(dataclasses.replace(user, login=login))

    def get(self, user_id: str) -> StaffUser | None:
        return _copy(self._s.users.get(user_id))

    def get_by_login(self, login: str) -> StaffUser | None:
        login = login.lower()
        for u in self._s.users.values():
            if u.login == login:
                return _copy(u)
        return None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        stored = self._s.users.get(user_id)
        if stored is None:
            raise NotFound(f"user {user_id} does not exist")
        self._s.users[user_id] = dataclasses.replace(stored, password_hash=password_hash)

    def list_for_center(self, center_id: str) -> list[StaffUser]:
        found = [u for u in self._s.users.values() if u.center_id == center_id]
        return _copy(sorted(found, key=lambda u: u.login))


class FakeUnitOfWork(AbstractUnitOfWork):
    """Unit of work over a ``FakeStore``; counts commits and rollbacks for assertions.

    Several units built on the same store see each other's committed work, as units
    on one database do. Without a store argument the unit gets a fresh empty store.
    """

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.committed = 0
        self.rolled_back = 0
        self.working = _copy(self.store.state)
        self.municipalities = FakeMunicipalityRepository(self)
        self.centers = FakeCenterRepository(self)
        self.elders = FakeElderRepository(self)
        self.devices = FakeDeviceRepository(self)
        self.checkins = FakeCheckInRepository(self)
        self.answers = FakeAnswerRepository(self)
        self.events = FakeEventRepository(self)
        self.users = FakeUserRepository(self)

    def __enter__(self) -> Self:
        self.working = _copy(self.store.state)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.store.state = _copy(self.working)
        self.committed += 1

    def rollback(self) -> None:
        self.working = _copy(self.store.state)
        self.rolled_back += 1
