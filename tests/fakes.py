"""In-memory store for unit tests, with the same semantics as the SQL store.

``FakeStore`` holds the committed state; each ``FakeUnitOfWork`` works on a copy and
publishes it on ``commit()``. Objects are copied in and out, as a database would.
The contract suite in ``tests/integration/store_contract.py`` runs against it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from backend.channels import ChannelError
from backend.domain.contacts import ElderContacts
from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MonthlySends,
    SummarySubscription,
)
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    DeviceBinding,
    Elder,
    ElderDay,
    Event,
    Municipality,
    OutboxMessage,
    PairingCode,
    Reading,
    ReadingKind,
    Recipient,
    StaffUser,
)
from backend.domain.staff import ApiToken, AuditEntry, BoardEntry, StaffSession
from backend.domain.versions import ConfigKind, ConfigVersion
from backend.ports import (
    ALERT_SEVERITY_ORDER,
    AbstractUnitOfWork,
    AlertRepository,
    AnswerRepository,
    ApiTokenRepository,
    AuditRepository,
    AwayRepository,
    BoardRepository,
    CenterRepository,
    CheckInRepository,
    ConfigVersionRepository,
    ContactRepository,
    DeviceRepository,
    ElderRepository,
    EventRepository,
    FamilyRepository,
    JobRunRepository,
    LineInboxRepository,
    LoginFailureRepository,
    MunicipalityRepository,
    NoticeDeliveryRepository,
    NoticeRepository,
    OutboxRepository,
    PrivacyRepository,
    ReadingRepository,
    RecipientRepository,
    SessionRepository,
    UserRepository,
)
from notices.model import Notice, NoticeDelivery, Safety

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


def _aware(value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError("naive datetime: the store keeps timezone-aware datetimes only")


def _by_elder(
    elder_ids: Sequence[str], found: Iterable[T], elder_of: Callable[[T], str]
) -> dict[str, list[T]]:
    """Group already ordered objects by elder: one key per distinct asked id, in asked order."""
    grouped: dict[str, list[T]] = {elder_id: [] for elder_id in elder_ids}
    for obj in found:
        elder_id = elder_of(obj)
        if elder_id in grouped:
            grouped[elder_id].append(_copy(obj))
    return grouped


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(ALERT_SEVERITY_ORDER)}
_ALERT_MUTABLE = (
    "severity",
    "evidence",
    "status",
    "stage",
    "claimed_by",
    "claimed_at",
    "outcome",
    "note",
    "resolved_at",
)


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
    away: dict[str, AwayPeriod] = field(default_factory=dict)
    # By (elder_id, kind value, measured_at): aware datetimes hash and compare by instant.
    readings: dict[tuple[str, str, datetime], Reading] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    alert_changes: list[AlertChange] = field(default_factory=list)  # in the order added
    recipients: dict[str, Recipient] = field(default_factory=dict)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    notices: dict[str, Notice] = field(default_factory=dict)
    # By (notice_id, elder_id, occurrence).
    notice_deliveries: dict[tuple[str, str, str], NoticeDelivery] = field(default_factory=dict)
    sessions: dict[str, StaffSession] = field(default_factory=dict)
    login_failures: list[tuple[str, datetime]] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)  # in the order added
    api_tokens: dict[str, ApiToken] = field(default_factory=dict)
    line_inbox: dict[str, InboxEvent] = field(default_factory=dict)
    link_codes: dict[str, LinkCode] = field(default_factory=dict)
    family_messages: dict[str, FamilyMessage] = field(default_factory=dict)
    line_sends: dict[str, MonthlySends] = field(default_factory=dict)
    line_summaries: dict[str, SummarySubscription] = field(default_factory=dict)
    # By (kind value, municipality code, version).
    config_versions: dict[tuple[str, str, int], ConfigVersion] = field(default_factory=dict)
    contacts: dict[str, ElderContacts] = field(default_factory=dict)  # by elder id
    job_runs: dict[str, datetime] = field(default_factory=dict)  # by job name


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

    def list_for_municipality(self, code: str) -> list[Elder]:
        found = [e for e in self._s.elders.values() if e.municipality_code == code]
        return _copy(sorted(found, key=lambda e: (e.kana, e.id)))

    def list_all(self) -> list[Elder]:
        return _copy(sorted(self._s.elders.values(), key=lambda e: e.id))

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

    def bound_since(self, elder_ids: Sequence[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for b in self._s.bindings.values():
            if b.elder_id in elder_ids and (
                b.elder_id not in found or b.bound_at < found[b.elder_id]
            ):
                found[b.elder_id] = b.bound_at
        return _copy(found)

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

    def list_for_elders(
        self, elder_ids: Sequence[str], start: date, end: date
    ) -> dict[str, list[CheckIn]]:
        found = [c for c in self._s.checkins.values() if start <= c.date <= end]
        found.sort(key=lambda c: (c.date, c.started_at, c.id))
        return _by_elder(elder_ids, found, lambda c: c.elder_id)


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

    def list_for_elders(
        self,
        elder_ids: Sequence[str],
        start: date,
        end: date,
        question_ids: Collection[str] | None = None,
    ) -> dict[str, list[Answer]]:
        found = [
            (a.date, a.answered_at, i, a)
            for i, a in enumerate(self._s.answers)
            if start <= a.date <= end and (question_ids is None or a.question_id in question_ids)
        ]
        found.sort(key=lambda k: k[:3])
        return _by_elder(elder_ids, [k[3] for k in found], lambda a: a.elder_id)

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

    def exists(self, event_id: str) -> bool:
        return event_id in self._s.events

    def list_for_elder(self, elder_id: str) -> list[Event]:
        found = [e for e in self._s.events.values() if e.elder_id == elder_id]
        return _copy(sorted(found, key=lambda e: (e.at, e.id)))

    def list_for_elders(self, elder_ids: Sequence[str], since: datetime) -> dict[str, list[Event]]:
        _aware(since)
        found = sorted(
            (e for e in self._s.events.values() if e.at >= since), key=lambda e: (e.at, e.id)
        )
        return _copy(_by_elder(elder_ids, found, lambda e: e.elder_id))


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


class FakeAwayRepository(_FakeRepository, AwayRepository):
    def add(self, period: AwayPeriod) -> None:
        _aware(period.start)
        _aware(period.end)
        _aware(period.created_at)
        if period.id in self._s.away:
            raise Conflict(f"away period {period.id} already exists")
        self._s.away[period.id] = _copy(period)

    def _ordered(self) -> list[AwayPeriod]:
        return sorted(self._s.away.values(), key=lambda p: (p.start, p.id))

    def list_for_elder(self, elder_id: str) -> list[AwayPeriod]:
        return _copy([p for p in self._ordered() if p.elder_id == elder_id])

    def active_for_elders(
        self, elder_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        _aware(start)
        _aware(end)
        found = [p for p in self._ordered() if p.start < end and (p.end is None or start < p.end)]
        return _by_elder(elder_ids, found, lambda p: p.elder_id)

    def end_period(self, period_id: str, at: datetime) -> None:
        _aware(at)
        stored = self._s.away.get(period_id)
        if stored is None:
            raise NotFound(f"away period {period_id} does not exist")
        self._s.away[period_id] = dataclasses.replace(stored, end=at)


class FakeReadingRepository(_FakeRepository, ReadingRepository):
    def add_many(self, readings: Iterable[Reading]) -> int:
        given = list(readings)
        for reading in given:
            _aware(reading.measured_at)
        added = 0
        for reading in given:
            key = (reading.elder_id, ReadingKind(reading.kind).value, reading.measured_at)
            if key not in self._s.readings:
                self._s.readings[key] = _copy(reading)
                added += 1
        return added

    def list_for_elders(
        self, elder_ids: Sequence[str], kind: ReadingKind, start: datetime, end: datetime
    ) -> dict[str, list[Reading]]:
        _aware(start)
        _aware(end)
        wanted = ReadingKind(kind).value
        found = [
            r for (_, k, at), r in self._s.readings.items() if k == wanted and start <= at < end
        ]
        found.sort(key=lambda r: r.measured_at)
        return _by_elder(elder_ids, found, lambda r: r.elder_id)


class FakeAlertRepository(_FakeRepository, AlertRepository):
    def add_if_absent(self, alert: Alert) -> bool:
        for when in (alert.created_at, alert.claimed_at, alert.resolved_at):
            _aware(when)
        if self._by_key(alert.elder_id, alert.rule, alert.period) is not None:
            return False
        if alert.id in self._s.alerts:
            raise Conflict(f"alert {alert.id} already exists")
        self._s.alerts[alert.id] = _copy(alert)
        return True

    def _by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        for a in self._s.alerts.values():
            if (a.elder_id, a.rule, a.period) == (elder_id, rule, period):
                return a
        return None

    def get(self, alert_id: str) -> Alert | None:
        return _copy(self._s.alerts.get(alert_id))

    def get_by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        return _copy(self._by_key(elder_id, rule, period))

    def update(self, alert: Alert) -> None:
        for when in (alert.created_at, alert.claimed_at, alert.resolved_at):
            _aware(when)
        stored = self._s.alerts.get(alert.id)
        if stored is None:
            raise NotFound(f"alert {alert.id} does not exist")
        changes = {name: _copy(getattr(alert, name)) for name in _ALERT_MUTABLE}
        self._s.alerts[alert.id] = dataclasses.replace(stored, **changes)

    def list_for_center(self, center_id: str, statuses: Collection[AlertStatus]) -> list[Alert]:
        wanted = {AlertStatus(status) for status in statuses}
        found = [
            a
            for a in self._s.alerts.values()
            if a.status in wanted
            and (elder := self._s.elders.get(a.elder_id)) is not None
            and elder.center_id == center_id
        ]
        found.sort(key=lambda a: (_SEVERITY_RANK[a.severity], a.created_at, a.id))
        return _copy(found)

    def list_unresolved_older_than(self, at: datetime) -> list[Alert]:
        _aware(at)
        found = [
            a
            for a in self._s.alerts.values()
            if a.status == AlertStatus.OPEN and a.created_at <= at
        ]
        return _copy(sorted(found, key=lambda a: (a.created_at, a.id)))

    def existing_keys(
        self, elder_ids: Sequence[str], period_prefix: str
    ) -> set[tuple[str, str, str]]:
        wanted = set(elder_ids)
        return {
            (a.elder_id, a.rule, a.period)
            for a in self._s.alerts.values()
            if a.elder_id in wanted and a.period.startswith(period_prefix)
        }

    def latest_opened(
        self, elder_ids: Sequence[str], rules: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        wanted, found = set(elder_ids), {}
        earliest = datetime.min.replace(tzinfo=UTC)
        for a in self._s.alerts.values():
            key = (a.elder_id, a.rule)
            if a.elder_id in wanted and a.rule in rules and a.created_at > found.get(key, earliest):
                found[key] = a.created_at
        return found

    def add_change(self, change: AlertChange) -> None:
        _aware(change.at)
        self._s.alert_changes.append(_copy(change))

    def history(self, alert_id: str) -> list[AlertChange]:
        found = [
            (c.at, i, c) for i, c in enumerate(self._s.alert_changes) if c.alert_id == alert_id
        ]
        return _copy([k[2] for k in sorted(found, key=lambda k: k[:2])])


class FakeRecipientRepository(_FakeRepository, RecipientRepository):
    def add(self, recipient: Recipient) -> None:
        if recipient.id in self._s.recipients:
            raise Conflict(f"recipient {recipient.id} already exists")
        self._s.recipients[recipient.id] = _copy(recipient)

    def get(self, recipient_id: str) -> Recipient | None:
        return _copy(self._s.recipients.get(recipient_id))

    def update(self, recipient: Recipient) -> None:
        if recipient.id not in self._s.recipients:
            raise NotFound(f"recipient {recipient.id} does not exist")
        self._s.recipients[recipient.id] = _copy(recipient)

    def _sorted(self, found: list[Recipient]) -> list[Recipient]:
        return _copy(sorted(found, key=lambda r: (r.name, r.id)))

    def list_for_center(self, center_id: str) -> list[Recipient]:
        return self._sorted(
            [
                r
                for r in self._s.recipients.values()
                if r.center_id == center_id and r.elder_id is None
            ]
        )

    def list_for_elder(self, elder_id: str) -> list[Recipient]:
        return self._sorted([r for r in self._s.recipients.values() if r.elder_id == elder_id])

    def list_for_address(self, channel: str, address: str) -> list[Recipient]:
        found = [
            r for r in self._s.recipients.values() if r.channel == channel and r.address == address
        ]
        return _copy(sorted(found, key=lambda r: r.id))


def _pending(message: OutboxMessage) -> bool:
    return message.sent_at is None and not message.given_up


class FakeOutboxRepository(_FakeRepository, OutboxRepository):
    def add_if_absent(self, message: OutboxMessage) -> bool:
        for when in (
            message.created_at,
            message.not_before,
            message.next_attempt_at,
            message.sent_at,
            message.last_attempt_at,
        ):
            _aware(when)
        if message.id in self._s.outbox:
            return False
        self._s.outbox[message.id] = _copy(message)
        return True

    def get(self, message_id: str) -> OutboxMessage | None:
        return _copy(self._s.outbox.get(message_id))

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        _aware(now)
        found = sorted(
            (m for m in self._s.outbox.values() if m.is_due(now)),
            key=lambda m: (m.created_at, m.id),
        )
        return _copy(found[: max(limit, 0)])

    def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        _aware(now)
        _aware(until)
        stored = self._s.outbox.get(message_id)
        if stored is None or not stored.is_due(now):
            return False
        self._s.outbox[message_id] = dataclasses.replace(stored, next_attempt_at=until)
        return True

    def _stored(self, message_id: str) -> OutboxMessage:
        stored = self._s.outbox.get(message_id)
        if stored is None:
            raise NotFound(f"outbox message {message_id} does not exist")
        return stored

    def defer(self, message_id: str, until: datetime) -> None:
        _aware(until)
        stored = self._stored(message_id)
        if _pending(stored):
            self._s.outbox[message_id] = dataclasses.replace(stored, not_before=until)

    def mark_sent(self, message_id: str, at: datetime) -> None:
        _aware(at)
        stored = self._stored(message_id)
        if stored.sent_at is None:
            self._s.outbox[message_id] = dataclasses.replace(
                stored,
                sent_at=at,
                last_attempt_at=at,
                attempts=stored.attempts + 1,
                next_attempt_at=None,
            )

    def mark_failed(
        self, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
    ) -> None:
        _aware(at)
        _aware(next_attempt_at)
        stored = self._stored(message_id)
        if _pending(stored):
            self._s.outbox[message_id] = dataclasses.replace(
                stored,
                last_attempt_at=at,
                attempts=stored.attempts + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
            )

    def list_for_alert(self, alert_id: str) -> list[OutboxMessage]:
        found = [m for m in self._s.outbox.values() if m.alert_id == alert_id]
        return _copy(sorted(found, key=lambda m: (m.created_at, m.id)))


class FakeNoticeRepository(_FakeRepository, NoticeRepository):
    def add(self, notice: Notice) -> None:
        _aware(notice.starts_at)
        if notice.id in self._s.notices:
            raise Conflict(f"notice {notice.id} already exists")
        self._s.notices[notice.id] = _copy(notice)

    def get(self, notice_id: str) -> Notice | None:
        return _copy(self._s.notices.get(notice_id))

    def update(self, notice: Notice) -> None:
        stored = self._s.notices.get(notice.id)
        if stored is None:
            raise NotFound(f"notice {notice.id} does not exist")
        self._s.notices[notice.id] = _copy(replace(notice, created_at=stored.created_at))

    def list_for_municipality(self, code: str) -> list[Notice]:
        found = [n for n in self._s.notices.values() if n.municipality_code == code]
        return _copy(sorted(found, key=lambda n: (n.starts_at, n.id)))

    def speakers_for(self, elder_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, set[str]] = {elder_id: set() for elder_id in dict.fromkeys(elder_ids)}
        for binding in self._s.bindings.values():
            if binding.elder_id in found:
                found[binding.elder_id].add(binding.alexa_user_id)
        return {elder_id: sorted(users) for elder_id, users in found.items()}


class FakeNoticeDeliveryRepository(_FakeRepository, NoticeDeliveryRepository):
    def mark_heard(self, delivery: NoticeDelivery) -> bool:
        _aware(delivery.heard_at)
        key = (delivery.notice_id, delivery.elder_id, delivery.occurrence)
        if key in self._s.notice_deliveries:
            return False
        if delivery.notice_id not in self._s.notices or delivery.elder_id not in self._s.elders:
            raise NotFound("notice delivery: a record it refers to does not exist")
        self._s.notice_deliveries[key] = _copy(delivery)
        return True

    def record_safety(
        self, notice_id: str, elder_id: str, occurrence: str, safety: Safety, at: datetime
    ) -> None:
        _aware(at)
        key = (notice_id, elder_id, occurrence)
        stored = self._s.notice_deliveries.get(key)
        if stored is None:
            raise NotFound(f"notice delivery {notice_id}/{elder_id}/{occurrence} does not exist")
        self._s.notice_deliveries[key] = replace(stored, safety=Safety(safety), safety_at=at)

    def list_for_elder(self, elder_id: str, notice_ids: Collection[str]) -> list[NoticeDelivery]:
        wanted = set(notice_ids)
        found = [
            d
            for d in self._s.notice_deliveries.values()
            if d.elder_id == elder_id and d.notice_id in wanted
        ]
        return _copy(sorted(found, key=lambda d: (d.notice_id, d.occurrence)))

    def list_for_notice(self, notice_id: str) -> list[NoticeDelivery]:
        found = [d for d in self._s.notice_deliveries.values() if d.notice_id == notice_id]
        return _copy(sorted(found, key=lambda d: (d.elder_id, d.occurrence)))


class FakeSessionRepository(_FakeRepository, SessionRepository):
    def add(self, session: StaffSession) -> None:
        _aware(session.created_at)
        _aware(session.last_seen_at)
        if session.id in self._s.sessions:
            raise Conflict("session already exists")
        self._s.sessions[session.id] = _copy(session)

    def get(self, session_id: str) -> StaffSession | None:
        return _copy(self._s.sessions.get(session_id))

    def save(self, session: StaffSession) -> None:
        _aware(session.last_seen_at)
        stored = self._s.sessions.get(session.id)
        if stored is None:
            raise NotFound("session does not exist")
        self._s.sessions[session.id] = dataclasses.replace(
            stored,
            user_id=session.user_id,
            data=_copy(session.data),
            last_seen_at=session.last_seen_at,
        )

    def delete(self, session_id: str) -> bool:
        return self._s.sessions.pop(session_id, None) is not None

    def _delete_where(self, expired: Callable[[StaffSession], bool]) -> int:
        gone = [k for k, s in self._s.sessions.items() if expired(s)]
        for key in gone:
            del self._s.sessions[key]
        return len(gone)

    def delete_expired(self, idle_before: datetime, created_before: datetime) -> int:
        _aware(idle_before)
        _aware(created_before)
        return self._delete_where(
            lambda s: s.last_seen_at < idle_before or s.created_at < created_before
        )

    def delete_for_user(self, user_id: str) -> int:
        return self._delete_where(lambda s: s.user_id == user_id)


class FakeLoginFailureRepository(_FakeRepository, LoginFailureRepository):
    def add(self, key: str, at: datetime) -> None:
        _aware(at)
        self._s.login_failures.append((key, at))

    def count_since(self, key: str, since: datetime) -> int:
        _aware(since)
        return sum(1 for k, at in self._s.login_failures if k == key and at >= since)

    def reserve(self, limits: Mapping[str, int], at: datetime, since: datetime) -> bool:
        _aware(at)
        if any(self.count_since(key, since) >= limit for key, limit in limits.items()):
            return False
        for key in sorted(limits):
            self.add(key, at)
        return True

    def release(self, key: str, at: datetime) -> bool:
        failures = self._s.login_failures
        if (key, at) not in failures:
            return False
        failures.remove((key, at))
        return True

    def _forget(self, gone: Callable[[str, datetime], bool]) -> int:
        before = len(self._s.login_failures)
        self._s.login_failures = [(k, at) for k, at in self._s.login_failures if not gone(k, at)]
        return before - len(self._s.login_failures)

    def clear(self, key: str) -> int:
        return self._forget(lambda k, _at: k == key)

    def prune(self, before: datetime) -> int:
        _aware(before)
        return self._forget(lambda _k, at: at < before)


class FakeJobRunRepository(_FakeRepository, JobRunRepository):
    def last_run(self, name: str) -> datetime | None:
        at = self._s.job_runs.get(name)
        return None if at is None else at.astimezone(UTC)

    def mark(self, name: str, at: datetime) -> None:
        _aware(at)
        recorded = self._s.job_runs.get(name)
        if recorded is None or recorded < at:
            self._s.job_runs[name] = at

    def claim(self, name: str, at: datetime, stale_before: datetime) -> bool:
        _aware(at)
        _aware(stale_before)
        recorded = self._s.job_runs.get(name)
        if recorded is None or recorded >= stale_before:
            return False
        self._s.job_runs[name] = at
        return True


class FakeAuditRepository(_FakeRepository, AuditRepository):
    def add(self, entry: AuditEntry) -> None:
        _aware(entry.at)
        self._s.audit.append(_copy(entry))

    def _ordered(self, keep: Callable[[AuditEntry], bool]) -> list[AuditEntry]:
        found = [(e.at, i, e) for i, e in enumerate(self._s.audit) if keep(e)]
        return [_copy(e) for _at, _i, e in sorted(found, key=lambda x: (x[0], x[1]))]

    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        return self._ordered(lambda e: e.elder_id == elder_id)

    def list_since(self, since: datetime) -> list[AuditEntry]:
        _aware(since)
        return self._ordered(lambda e: e.at >= since)


class FakeApiTokenRepository(_FakeRepository, ApiTokenRepository):
    def add(self, token: ApiToken) -> None:
        _aware(token.created_at)
        _aware(token.revoked_at)
        if token.id in self._s.api_tokens:
            raise Conflict("api token already exists")
        if token.user_id not in self._s.users:
            raise NotFound("api token: a record it refers to does not exist")
        self._s.api_tokens[token.id] = _copy(token)

    def get(self, token_id: str) -> ApiToken | None:
        return _copy(self._s.api_tokens.get(token_id))

    def revoke(self, token_id: str, at: datetime) -> None:
        _aware(at)
        token = self._s.api_tokens.get(token_id)
        if token is None:
            raise NotFound("api token does not exist")
        if token.revoked_at is None:
            self._s.api_tokens[token_id] = dataclasses.replace(token, revoked_at=at)

    def list_for_user(self, user_id: str) -> list[ApiToken]:
        found = [t for t in self._s.api_tokens.values() if t.user_id == user_id]
        return _copy(sorted(found, key=lambda t: (t.created_at, t.id)))


class FakeBoardRepository(_FakeRepository, BoardRepository):
    def center_board(self, center_id: str, day: date, since: date) -> list[BoardEntry]:
        entries = []
        for elder_day in self._uow.elders.center_day(center_id, day):
            elder = elder_day.elder
            opened = [
                c.started_at
                for c in self._s.checkins.values()
                if c.elder_id == elder.id and since <= c.date <= day
            ]
            bound = [b.bound_at for b in self._s.bindings.values() if b.elder_id == elder.id]
            entries.append(
                BoardEntry(
                    elder=elder,
                    checkins=elder_day.checkins,
                    last_checkin_at=max(opened) if opened else None,
                    bound_at=min(bound) if bound else None,
                )
            )
        return entries

    def center_away(
        self, center_id: str, start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        ids = [e.id for e in self._s.elders.values() if e.center_id == center_id]
        found = self._uow.away.active_for_elders(ids, start, end)
        return {elder_id: periods for elder_id, periods in found.items() if periods}


class FakeLineInboxRepository(_FakeRepository, LineInboxRepository):
    def add_if_absent(self, event: InboxEvent) -> bool:
        _aware(event.received_at)
        _aware(event.processed_at)
        if event.id in self._s.line_inbox:
            return False
        self._s.line_inbox[event.id] = _copy(event)
        return True

    def get(self, event_id: str) -> InboxEvent | None:
        return _copy(self._s.line_inbox.get(event_id))

    def pending(self, limit: int, max_attempts: int) -> list[InboxEvent]:
        if limit < 1:
            return []
        found = [
            e
            for e in self._s.line_inbox.values()
            if e.processed_at is None and e.attempts < max_attempts
        ]
        return _copy(sorted(found, key=lambda e: (e.received_at, e.id))[:limit])

    def mark_processed(self, event_id: str, at: datetime) -> bool:
        _aware(at)
        event = self._s.line_inbox.get(event_id)
        if event is None:
            raise NotFound(f"LINE event {event_id} does not exist")
        if event.processed_at is not None:
            return False
        self._s.line_inbox[event_id] = dataclasses.replace(event, processed_at=at, payload={})
        return True

    def mark_failed(self, event_id: str, error: str) -> None:
        event = self._s.line_inbox.get(event_id)
        if event is None:
            raise NotFound(f"LINE event {event_id} does not exist")
        self._s.line_inbox[event_id] = dataclasses.replace(
            event, attempts=event.attempts + 1, last_error=error
        )

    def erase_given_up(self, max_attempts: int, received_before: datetime) -> int:
        _aware(received_before)
        given_up = [
            e
            for e in self._s.line_inbox.values()
            if e.processed_at is None
            and e.attempts >= max_attempts
            and e.received_at < received_before
            and e.payload
        ]
        for event in given_up:
            self._s.line_inbox[event.id] = dataclasses.replace(event, payload={})
        return len(given_up)


class FakeFamilyRepository(_FakeRepository, FamilyRepository):
    def add_link_code(self, code: LinkCode) -> None:
        _aware(code.expires_at)
        if code.code in self._s.link_codes:
            raise Conflict(f"link code for {code.elder_id} already exists")
        if code.elder_id not in self._s.elders:
            raise NotFound("link code: a record it refers to does not exist")
        self._s.link_codes[code.code] = _copy(code)

    def get_link_code(self, code: str) -> LinkCode | None:
        return _copy(self._s.link_codes.get(code))

    def mark_link_code_used(self, code: str, at: datetime) -> bool:
        _aware(at)
        found = self._s.link_codes.get(code)
        if found is None or found.used_at is not None:
            return False
        self._s.link_codes[code] = dataclasses.replace(found, used_at=at)
        return True

    def add_message_if_absent(self, message: FamilyMessage) -> bool:
        _aware(message.received_at)
        _aware(message.heard_at)
        if message.id in self._s.family_messages:
            return False
        if message.elder_id not in self._s.elders or message.sender_id not in self._s.recipients:
            raise NotFound(f"family message {message.id}: a record it refers to does not exist")
        self._s.family_messages[message.id] = _copy(message)
        return True

    def get_message(self, message_id: str) -> FamilyMessage | None:
        return _copy(self._s.family_messages.get(message_id))

    def unheard_for_elder(self, elder_id: str) -> list[FamilyMessage]:
        found = [
            m
            for m in self._s.family_messages.values()
            if m.elder_id == elder_id and m.heard_at is None
        ]
        return _copy(sorted(found, key=lambda m: (m.received_at, m.id)))

    def mark_heard(self, message_ids: Sequence[str], at: datetime) -> int:
        _aware(at)
        marked = 0
        for message_id in dict.fromkeys(message_ids):
            message = self._s.family_messages.get(message_id)
            if message is not None and message.heard_at is None:
                self._s.family_messages[message_id] = dataclasses.replace(message, heard_at=at)
                marked += 1
        return marked

    def count_sends(self, month: str, count: int) -> MonthlySends:
        current = self._s.line_sends.get(month, MonthlySends(month))
        self._s.line_sends[month] = dataclasses.replace(current, sent=current.sent + count)
        return _copy(self._s.line_sends[month])

    def sends(self, month: str) -> MonthlySends:
        return _copy(self._s.line_sends.get(month, MonthlySends(month)))

    def mark_quota_warned(self, month: str, at: datetime) -> bool:
        _aware(at)
        current = self._s.line_sends.get(month, MonthlySends(month))
        if current.warned_at is not None:
            return False
        self._s.line_sends[month] = dataclasses.replace(current, warned_at=at)
        return True

    def set_summary(self, subscription: SummarySubscription) -> None:
        _aware(subscription.since)
        self._s.line_summaries[subscription.line_user_id] = _copy(subscription)

    def get_summary(self, line_user_id: str) -> SummarySubscription | None:
        return _copy(self._s.line_summaries.get(line_user_id))

    def remove_summary(self, line_user_id: str) -> bool:
        return self._s.line_summaries.pop(line_user_id, None) is not None

    def list_summaries(self) -> list[SummarySubscription]:
        return _copy([self._s.line_summaries[k] for k in sorted(self._s.line_summaries)])


class FakeContactRepository(_FakeRepository, ContactRepository):
    def get(self, elder_id: str) -> ElderContacts | None:
        return _copy(self._s.contacts.get(elder_id))

    def save(self, contacts: ElderContacts) -> None:
        _aware(contacts.updated_at)
        if contacts.elder_id not in self._s.elders:
            raise NotFound(f"elder {contacts.elder_id} does not exist")
        self._s.contacts[contacts.elder_id] = _copy(contacts)

    def delete(self, elder_id: str) -> bool:
        return self._s.contacts.pop(elder_id, None) is not None


class FakeConfigVersionRepository(_FakeRepository, ConfigVersionRepository):
    def add(self, version: ConfigVersion) -> None:
        _aware(version.published_at)
        key = (ConfigKind(version.kind).value, version.municipality_code, version.version)
        if key in self._s.config_versions:
            raise Conflict(f"{key} already exists")
        if version.municipality_code not in self._s.municipalities:
            raise NotFound(f"{key}: a record it refers to does not exist")
        self._s.config_versions[key] = _copy(version)

    def get(self, kind: ConfigKind, code: str, version: int) -> ConfigVersion | None:
        return _copy(self._s.config_versions.get((ConfigKind(kind).value, code, version)))

    def list_for(self, kind: ConfigKind, code: str) -> list[ConfigVersion]:
        found = [
            v
            for (k, c, _n), v in self._s.config_versions.items()
            if k == ConfigKind(kind).value and c == code
        ]
        return _copy(sorted(found, key=lambda v: v.version, reverse=True))

    def latest(self, kind: ConfigKind, code: str) -> ConfigVersion | None:
        found = self.list_for(kind, code)
        return found[0] if found else None

    def latest_all(self, kind: ConfigKind) -> list[ConfigVersion]:
        codes = sorted({c for (k, c, _n) in self._s.config_versions if k == ConfigKind(kind).value})
        return [v for c in codes if (v := self.latest(kind, c)) is not None]


class FakePrivacyRepository(_FakeRepository, PrivacyRepository):
    def pairing_codes_for(self, elder_id: str) -> list[PairingCode]:
        found = [c for c in self._s.pairing_codes.values() if c.elder_id == elder_id]
        return _copy(sorted(found, key=lambda c: (c.expires_at, c.code)))

    def revoke_pairing_codes(self, elder_id: str, at: datetime) -> int:
        _aware(at)
        revoked = 0
        for code in self.pairing_codes_for(elder_id):
            if code.used_at is None:
                self._s.pairing_codes[code.code] = replace(code, used_at=at)
                revoked += 1
        return revoked

    def link_codes_for(self, elder_id: str) -> list[LinkCode]:
        found = [c for c in self._s.link_codes.values() if c.elder_id == elder_id]
        return _copy(sorted(found, key=lambda c: (c.expires_at, c.code)))

    def revoke_link_codes(self, elder_id: str, at: datetime) -> int:
        _aware(at)
        revoked = 0
        for code in self.link_codes_for(elder_id):
            if code.used_at is None:
                self._s.link_codes[code.code] = replace(code, used_at=at)
                revoked += 1
        return revoked

    def alerts_for(self, elder_id: str) -> list[Alert]:
        found = [a for a in self._s.alerts.values() if a.elder_id == elder_id]
        return _copy(sorted(found, key=lambda a: (a.created_at, a.id)))

    def family_messages_for(self, elder_id: str) -> list[FamilyMessage]:
        found = [m for m in self._s.family_messages.values() if m.elder_id == elder_id]
        return _copy(sorted(found, key=lambda m: (m.received_at, m.id)))

    def erase_elder_records(self, elder_id: str) -> dict[str, int]:
        s = self._s
        counts: dict[str, int] = {}
        answers = [i for i, a in enumerate(s.answers) if a.elder_id == elder_id]
        for i in answers:
            s.answers[i] = replace(s.answers[i], raw="", request_id=None)
        counts["answers"] = len(answers)
        events = [k for k, e in s.events.items() if e.elder_id == elder_id]
        for k in events:
            s.events[k] = replace(s.events[k], detail={})
        counts["events"] = len(events)
        for name, table in (
            ("bindings", s.bindings),
            ("pairing_codes", s.pairing_codes),
            ("link_codes", s.link_codes),
            ("family_messages", s.family_messages),
        ):
            keys = [k for k, v in table.items() if v.elder_id == elder_id]
            for k in keys:
                del table[k]
            counts[name] = len(keys)
        members = [k for k, r in s.recipients.items() if r.elder_id == elder_id]
        for k in members:
            s.recipients[k] = replace(s.recipients[k], name="", address="", active=False)
        counts["recipients"] = len(members)
        alerts = {a.id for a in s.alerts.values() if a.elder_id == elder_id}
        messages = [
            k
            for k, m in s.outbox.items()
            if m.recipient_id in members or (m.alert_id is not None and m.alert_id in alerts)
        ]
        for k in messages:
            s.outbox[k] = replace(s.outbox[k], subject="", body="", last_error=None)
        counts["outbox"] = len(messages)
        return counts


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
        self.away = FakeAwayRepository(self)
        self.readings = FakeReadingRepository(self)
        self.alerts = FakeAlertRepository(self)
        self.recipients = FakeRecipientRepository(self)
        self.outbox = FakeOutboxRepository(self)
        self.notices = FakeNoticeRepository(self)
        self.notice_deliveries = FakeNoticeDeliveryRepository(self)
        self.sessions = FakeSessionRepository(self)
        self.login_failures = FakeLoginFailureRepository(self)
        self.audit = FakeAuditRepository(self)
        self.api_tokens = FakeApiTokenRepository(self)
        self.board = FakeBoardRepository(self)
        self.line_inbox = FakeLineInboxRepository(self)
        self.family = FakeFamilyRepository(self)
        self.config_versions = FakeConfigVersionRepository(self)
        self.privacy = FakePrivacyRepository(self)
        self.contacts = FakeContactRepository(self)
        self.job_runs = FakeJobRunRepository(self)

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


class FakeChannel:
    """An outbound channel for unit tests: records what it sends, fails when told to.

    ``fail_with`` holds errors to raise, one per call, before sending succeeds again
    (``None`` in the list means "send this one"). ``sent`` lists (message, recipient)
    pairs in the order sent; ``calls`` counts every call, failed or not.
    """

    def __init__(self, name: str = "email", fail_with: Iterable[Exception | None] = ()) -> None:
        self.name = name
        self.fail_with: list[Exception | None] = list(fail_with)
        self.sent: list[tuple[OutboxMessage, Recipient]] = []
        self.calls = 0

    def fail_next(self, *errors: Exception | None) -> None:
        self.fail_with.extend(errors)

    def down(self, times: int = 1) -> None:
        """Fail the next ``times`` sends as a channel that is down (retryable)."""
        self.fail_next(*[ChannelError("connection refused", retryable=True)] * times)

    def send(self, message: OutboxMessage, recipient: Recipient) -> None:
        self.calls += 1
        if self.fail_with:
            error = self.fail_with.pop(0)
            if error is not None:
                raise error
        self.sent.append((_copy(message), _copy(recipient)))

    @property
    def sent_ids(self) -> list[str]:
        return [message.id for message, _ in self.sent]


class FakeRemindersApi:
    """The Reminders API for unit tests: keeps what it is asked to create, fails when told to.

    ``fail_with`` holds the reasons (``ReminderError``) of the next calls to fail, one per call.
    ``created`` lists (session, body) in order; ``deleted`` the alert tokens deleted.
    """

    def __init__(self) -> None:
        self.created: list[tuple[Any, dict[str, Any]]] = []
        self.deleted: list[str] = []
        self.fail_with: list[str] = []
        self.live: set[str] = set()

    def _maybe_fail(self) -> None:
        from backend.channels.reminders import ReminderError

        if self.fail_with:
            raise ReminderError(self.fail_with.pop(0))

    def create(self, session: Any, body: dict[str, Any]) -> str:
        self._maybe_fail()
        self.created.append((session, copy.deepcopy(body)))
        token = f"amzn1.alert.fake-{len(self.created)}"
        self.live.add(token)
        return token

    def delete(self, session: Any, alert_token: str) -> None:
        from backend.channels.reminders import ReminderError

        self._maybe_fail()
        if alert_token not in self.live:
            raise ReminderError("gone", 404)
        self.live.discard(alert_token)
        self.deleted.append(alert_token)
