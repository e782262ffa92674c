"""The repositories over the one table; keys and access patterns in docs/dynamodb.md."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from backend.domain.errors import Conflict, NotFound
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
)
from backend.ports import (
    ALERT_SEVERITY_ORDER,
    AlertRepository,
    AnswerRepository,
    AwayRepository,
    CenterRepository,
    CheckInRepository,
    DeviceRepository,
    ElderRepository,
    EventRepository,
    MunicipalityRepository,
    OutboxRepository,
    ReadingRepository,
    RecipientRepository,
)
from backend.stores.dynamodb.codec import aware, decode, encode, iso
from backend.stores.dynamodb.table import HIGH, PK, SK, TableSession, next_seq

T = TypeVar("T")

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


def item(kind: str, pk: str, sk: str, obj: Any, **keys: str | None) -> dict[str, Any]:
    """Return the stored item of ``obj`` with its keys (``None`` index keys are left out)."""
    stored = encode(obj)
    stored.update({PK: pk, SK: sk, "t": kind})
    stored.update({name: value for name, value in keys.items() if value is not None})
    return stored


def by_elder(elder_ids: Sequence[str], fetch: Callable[[str], list[T]]) -> dict[str, list[T]]:
    """Return one key per distinct asked elder id, in asked order (one Query per elder)."""
    return {elder_id: fetch(elder_id) for elder_id in dict.fromkeys(elder_ids)}


class DynamoRepository:
    """A repository reading and writing through the unit's table session."""

    def __init__(self, session: TableSession) -> None:
        self._s = session

    def _get(self, cls: type[T], pk: str, sk: str) -> T | None:
        found = self._s.get(pk, sk)
        return decode(cls, found) if found is not None else None

    def _query(self, cls: type[T], hash_value: str, sort: Any = None, **kw: Any) -> list[T]:
        return [decode(cls, found) for found in self._s.query(hash_value, sort, **kw)]

    def _exists(self, pk: str, sk: str) -> bool:
        return self._s.get(pk, sk) is not None


# --- municipalities and centers ----------------------------------------------------------


def _muni_pk(code: str) -> str:
    return f"MUNI#{code}"


class DynamoMunicipalityRepository(DynamoRepository, MunicipalityRepository):
    """Municipalities: MUNI#<code> / #MUNI (GetItem)."""

    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""
        pk = _muni_pk(municipality.code)
        if self._exists(pk, "#MUNI"):
            raise Conflict(f"municipality {municipality.code} already exists")
        self._s.put(item("municipality", pk, "#MUNI", municipality))

    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""
        return self._get(Municipality, _muni_pk(code), "#MUNI")


class DynamoCenterRepository(DynamoRepository, CenterRepository):
    """Centers: CENTER#<id> / #CENTER; by municipality on gsi1 (Query)."""

    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""
        pk = f"CENTER#{center.id}"
        if self._exists(pk, "#CENTER"):
            raise Conflict(f"center {center.id} already exists")
        self._s.put(
            item(
                "center",
                pk,
                "#CENTER",
                center,
                gsi1pk=f"MUNI#{center.municipality_code}#CENTERS",
                gsi1sk=center.id,
            )
        )

    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""
        return self._get(CareCenter, f"CENTER#{center_id}", "#CENTER")

    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name, then id."""
        found = self._query(CareCenter, f"MUNI#{code}#CENTERS", index="gsi1")
        return sorted(found, key=lambda c: (c.name, c.id))


# --- elders ----------------------------------------------------------------------------


def _elder_pk(elder_id: str) -> str:
    return f"ELDER#{elder_id}"


def _elder_item(elder: Elder) -> dict[str, Any]:
    return item(
        "elder",
        _elder_pk(elder.id),
        "#ELDER",
        elder,
        gsi1pk=f"CENTER#{elder.center_id}#ELDERS",
        gsi1sk=elder.id,
        gsi2pk=f"MUNI#{elder.municipality_code}#ELDERS",
        gsi2sk=elder.id,
        gsi3pk="ELDERS",
        gsi3sk=elder.id,
    )


def _checkin_sk(day: date, slot: str) -> str:
    return f"CHECKIN#{day.isoformat()}#{slot}"


def _checkins_between(
    session: TableSession, elder_id: str, start: date, end: date
) -> list[CheckIn]:
    sort = ("between", f"CHECKIN#{start.isoformat()}", f"CHECKIN#{end.isoformat()}#{HIGH}")
    found = [decode(CheckIn, i) for i in session.query(_elder_pk(elder_id), sort)]
    return sorted(found, key=lambda c: (c.date, c.started_at, c.id))


class DynamoElderRepository(DynamoRepository, ElderRepository):
    """Elders: ELDER#<id> / #ELDER; by center (gsi1), municipality (gsi2), all (gsi3)."""

    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""
        if self._exists(_elder_pk(elder.id), "#ELDER"):
            raise Conflict(f"elder {elder.id} already exists")
        self._s.put(_elder_item(elder))

    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""
        return self._get(Elder, _elder_pk(elder_id), "#ELDER")

    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""
        if not self._exists(_elder_pk(elder.id), "#ELDER"):
            raise NotFound(f"elder {elder.id} does not exist")
        self._s.put(_elder_item(elder))

    def list_for_center(self, center_id: str) -> list[Elder]:
        """Return the center's elders ordered by kana, then id."""
        found = self._query(Elder, f"CENTER#{center_id}#ELDERS", index="gsi1")
        return sorted(found, key=lambda e: (e.kana, e.id))

    def list_for_municipality(self, code: str) -> list[Elder]:
        """Return the municipality's elders (every center) ordered by kana, then id."""
        found = self._query(Elder, f"MUNI#{code}#ELDERS", index="gsi2")
        return sorted(found, key=lambda e: (e.kana, e.id))

    def list_all(self) -> list[Elder]:
        """Return every elder ordered by id."""
        return sorted(self._query(Elder, "ELDERS", index="gsi3"), key=lambda e: e.id)

    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana."""
        return [
            ElderDay(elder=elder, checkins=tuple(_checkins_between(self._s, elder.id, day, day)))
            for elder in self.list_for_center(center_id)
        ]


# --- devices -----------------------------------------------------------------------------


def _binding_pk(alexa_user_id: str, device_id: str) -> str:
    return f"DEVICE#{alexa_user_id}#{device_id}"


def pairing_item(code: PairingCode) -> dict[str, Any]:
    """Return the stored pairing code: PAIRING#<code>, by elder and expiry on gsi1."""
    return item(
        "pairing",
        f"PAIRING#{code.code}",
        "#PAIRING",
        code,
        gsi1pk=f"ELDER#{code.elder_id}#PAIRING",
        gsi1sk=f"{iso(code.expires_at)}#{code.code}",
    )


def bindings_of(session: TableSession, elder_id: str) -> list[DeviceBinding]:
    """Return the elder's speaker bindings, earliest first."""
    found = session.query(f"ELDER#{elder_id}#BINDINGS", index="gsi1")
    return [decode(DeviceBinding, i) for i in found]


class DynamoDeviceRepository(DynamoRepository, DeviceRepository):
    """Bindings DEVICE#<user>#<device> and PAIRING#<code> items (both by elder on gsi1)."""

    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""
        aware(binding.bound_at)
        pk = _binding_pk(binding.alexa_user_id, binding.device_id)
        self._s.put(
            item(
                "binding",
                pk,
                "#BINDING",
                binding,
                gsi1pk=f"ELDER#{binding.elder_id}#BINDINGS",
                gsi1sk=f"{iso(binding.bound_at)}#{pk}",
            )
        )

    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""
        return self._get(DeviceBinding, _binding_pk(alexa_user_id, device_id), "#BINDING")

    def bound_since(self, elder_ids: Sequence[str]) -> dict[str, datetime]:
        """Return when each asked elder's first speaker was bound (elders with none are absent)."""
        found = {}
        for elder_id in dict.fromkeys(elder_ids):
            bindings = bindings_of(self._s, elder_id)
            if bindings:
                found[elder_id] = min(b.bound_at for b in bindings)
        return found

    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""
        binding = self.get_binding(alexa_user_id, device_id)
        if binding is None:
            return None
        return self._get(Elder, _elder_pk(binding.elder_id), "#ELDER")

    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""
        aware(code.expires_at)
        aware(code.used_at)
        pk = f"PAIRING#{code.code}"
        if self._exists(pk, "#PAIRING"):
            raise Conflict("pairing code already exists")
        self._s.put(pairing_item(code))

    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""
        return self._get(PairingCode, f"PAIRING#{code}", "#PAIRING")

    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it."""
        aware(at)
        stored = self.get_pairing_code(code)
        if stored is None or stored.used_at is not None:
            return False
        self._s.put(pairing_item(dataclasses.replace(stored, used_at=at)))
        return True


# --- check-ins and answers -------------------------------------------------------------


class DynamoCheckInRepository(DynamoRepository, CheckInRepository):
    """Check-ins in the elder's partition (CHECKIN#<date>#<slot>), with an id pointer."""

    def add(self, checkin: CheckIn) -> None:
        """Add a check-in; raise Conflict if (elder, date, slot) exists."""
        aware(checkin.started_at)
        aware(checkin.completed_at)
        sk = _checkin_sk(checkin.date, str(checkin.slot))
        pointer = f"CHECKIN#{checkin.id}"
        if self._exists(_elder_pk(checkin.elder_id), sk) or self._exists(pointer, "#CHECKIN"):
            raise Conflict(f"check-in {checkin.id} already exists")
        self._s.put(item("checkin", _elder_pk(checkin.elder_id), sk, checkin))
        self._s.put(
            {PK: pointer, SK: "#CHECKIN", "t": "checkin-id", "elder_id": checkin.elder_id, "at": sk}
        )

    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        """Return the elder's check-in of that date and slot, or None."""
        return self._get(CheckIn, _elder_pk(elder_id), _checkin_sk(day, str(slot)))

    def get_with_answered(
        self, elder_id: str, day: date, slot: str
    ) -> tuple[CheckIn, frozenset[str]] | None:
        """Return the check-in and the ids of the questions it has answers for (one lookup)."""
        checkin = self.get(elder_id, day, slot)
        if checkin is None:
            return None
        answers = self._s.query(f"CHECKIN#{checkin.id}", ("begins", "ANSWER#"))
        return checkin, frozenset(a["question_id"] for a in answers)

    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        """Update a check-in's status; raise NotFound if absent."""
        aware(completed_at)
        pointer = self._s.get(f"CHECKIN#{checkin_id}", "#CHECKIN")
        stored = (
            self._get(CheckIn, _elder_pk(pointer["elder_id"]), pointer["at"]) if pointer else None
        )
        if pointer is None or stored is None:
            raise NotFound(f"check-in {checkin_id} does not exist")
        changed = dataclasses.replace(
            stored, status=CheckInStatus(status), completed_at=completed_at
        )
        self._s.put(item("checkin", _elder_pk(stored.elder_id), pointer["at"], changed))

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[CheckIn]:
        """Return the elder's check-ins with start <= date <= end, oldest first."""
        return _checkins_between(self._s, elder_id, start, end)

    def list_for_elders(
        self, elder_ids: Sequence[str], start: date, end: date
    ) -> dict[str, list[CheckIn]]:
        """Return each asked elder's check-ins with start <= date <= end, as ``list_for_elder``."""
        return by_elder(elder_ids, lambda e: _checkins_between(self._s, e, start, end))


PER_QUESTION_QUERIES = 4  # up to this many questions: one Query per question (gsi2)


def _question_partition(elder_id: str, question_id: str) -> str:
    return f"ELDER#{elder_id}#Q#{question_id}"


def _answer_order(found: Iterable[dict[str, Any]]) -> list[Answer]:
    rows = sorted(found, key=lambda i: (i["date"], i["answered_at"], i["seq"]))
    return [decode(Answer, row) for row in rows]


class DynamoAnswerRepository(DynamoRepository, AnswerRepository):
    """Answers in the check-in's partition; by elder and date on gsi1, per question on gsi2."""

    def add(self, answer: Answer) -> bool:
        """Store an answer; return False (storing nothing) if that question is answered."""
        aware(answer.answered_at)
        pk, sk = f"CHECKIN#{answer.checkin_id}", f"ANSWER#{answer.question_id}"
        if self._exists(pk, sk):
            return False
        seq = next_seq()
        stored = item(
            "answer",
            pk,
            sk,
            answer,
            gsi1pk=f"ELDER#{answer.elder_id}#ANSWERS",
            gsi1sk=f"{answer.date.isoformat()}#{seq}",
            gsi2pk=_question_partition(answer.elder_id, answer.question_id),
            gsi2sk=f"{answer.date.isoformat()}#{iso(answer.answered_at)}#{seq}",
        )
        stored["seq"] = seq
        self._s.put(stored)
        return True

    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        """Return the check-in's answers in the order given."""
        found = self._s.query(f"CHECKIN#{checkin_id}", ("begins", "ANSWER#"))
        return [decode(Answer, i) for i in sorted(found, key=lambda i: i["seq"])]

    def _between(self, elder_id: str, start: date, end: date) -> list[dict[str, Any]]:
        sort = ("between", start.isoformat(), f"{end.isoformat()}#{HIGH}")
        return self._s.query(f"ELDER#{elder_id}#ANSWERS", sort, index="gsi1")

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        """Return the elder's answers with start <= date <= end, oldest first."""
        return _answer_order(self._between(elder_id, start, end))

    def list_for_elders(
        self,
        elder_ids: Sequence[str],
        start: date,
        end: date,
        question_ids: Collection[str] | None = None,
    ) -> dict[str, list[Answer]]:
        """Return each asked elder's answers with start <= date <= end, as ``list_for_elder``."""
        wanted = None if question_ids is None else sorted(set(question_ids))
        sort = ("between", start.isoformat(), f"{end.isoformat()}#{HIGH}")

        def fetch(elder_id: str) -> list[Answer]:
            if wanted is not None and len(wanted) <= PER_QUESTION_QUERIES:
                found = [
                    i
                    for question_id in wanted
                    for i in self._s.query(
                        _question_partition(elder_id, question_id), sort, index="gsi2"
                    )
                ]
                return _answer_order(found)
            found = self._between(elder_id, start, end)
            return _answer_order(i for i in found if wanted is None or i["question_id"] in wanted)

        return by_elder(elder_ids, fetch)

    def latest_value(self, elder_id: str, question_id: str, before: date) -> Answer | None:
        """Return the elder's newest non-skipped answer to the question dated before ``before``."""
        found = self._s.newest(
            _question_partition(elder_id, question_id),
            ("lt", before.isoformat()),
            index="gsi2",
            keep=lambda i: "skipped" not in i,
        )
        return decode(Answer, found) if found is not None else None


# --- events ----------------------------------------------------------------------------


class DynamoEventRepository(DynamoRepository, EventRepository):
    """Events in the elder's partition (EVENT#<at>#<id>), with an id marker."""

    def add(self, event: Event) -> None:
        """Store an event; raise Conflict if the id exists."""
        aware(event.at)
        if self._exists(f"EVENT#{event.id}", "#EVENT"):
            raise Conflict(f"event {event.id} already exists")
        sk = f"EVENT#{iso(event.at)}#{event.id}"
        self._s.put(item("event", _elder_pk(event.elder_id), sk, event))
        self._s.put({PK: f"EVENT#{event.id}", SK: "#EVENT", "t": "event-id", "at": sk})

    def exists(self, event_id: str) -> bool:
        """Return True if an event with this id is stored (its id marker)."""
        return self._exists(f"EVENT#{event_id}", "#EVENT")

    def _since(self, elder_id: str, since: str) -> list[Event]:
        found = self._query(
            Event, _elder_pk(elder_id), ("between", f"EVENT#{since}", f"EVENT#{HIGH}")
        )
        return sorted(found, key=lambda e: (e.at, e.id))

    def list_for_elder(self, elder_id: str) -> list[Event]:
        """Return the elder's events, oldest first (by ``at``, then id)."""
        return self._since(elder_id, "")

    def list_for_elders(self, elder_ids: Sequence[str], since: datetime) -> dict[str, list[Event]]:
        """Return each asked elder's events at or after ``since``, oldest first (one query)."""
        start = iso(since)
        return by_elder(elder_ids, lambda e: self._since(e, start))


# --- away periods and readings ---------------------------------------------------------


def _away_item(period: AwayPeriod) -> dict[str, Any]:
    return item(
        "away",
        f"AWAY#{period.id}",
        "#AWAY",
        period,
        gsi1pk=f"ELDER#{period.elder_id}#AWAY",
        gsi1sk=f"{iso(period.start)}#{period.id}",
    )


class DynamoAwayRepository(DynamoRepository, AwayRepository):
    """Away periods: AWAY#<id>; by elder and start on gsi1."""

    def add(self, period: AwayPeriod) -> None:
        """Add an away period; raise Conflict if the id exists."""
        aware(period.start)
        aware(period.end)
        aware(period.created_at)
        if self._exists(f"AWAY#{period.id}", "#AWAY"):
            raise Conflict(f"away period {period.id} already exists")
        self._s.put(_away_item(period))

    def _starting_before(self, elder_id: str, end: str | None) -> list[AwayPeriod]:
        sort = ("lt", end) if end is not None else None
        found = self._query(AwayPeriod, f"ELDER#{elder_id}#AWAY", sort, index="gsi1")
        return sorted(found, key=lambda p: (p.start, p.id))

    def list_for_elder(self, elder_id: str) -> list[AwayPeriod]:
        """Return the elder's periods, past and present, ordered by start, then id."""
        return self._starting_before(elder_id, None)

    def active_for_elders(
        self, elder_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return each asked elder's periods overlapping the window ``[start, end)``."""
        aware(start)
        aware(end)

        def fetch(elder_id: str) -> list[AwayPeriod]:
            found = self._starting_before(elder_id, iso(end))
            return [p for p in found if p.start < end and (p.end is None or start < p.end)]

        return by_elder(elder_ids, fetch)

    def end_period(self, period_id: str, at: datetime) -> None:
        """Set the period's end to ``at`` (replacing any end it had); raise NotFound if absent."""
        aware(at)
        stored = self._get(AwayPeriod, f"AWAY#{period_id}", "#AWAY")
        if stored is None:
            raise NotFound(f"away period {period_id} does not exist")
        self._s.put(_away_item(dataclasses.replace(stored, end=at)))


def _reading_sk(kind: str, at: str) -> str:
    return f"READING#{kind}#{at}"


class DynamoReadingRepository(DynamoRepository, ReadingRepository):
    """Readings in the elder's partition, keyed READING#<kind>#<measured_at UTC>."""

    def add_many(self, readings: Iterable[Reading]) -> int:
        """Store the readings not stored yet; return how many were new."""
        given = list(readings)
        for reading in given:
            aware(reading.measured_at)
        groups: dict[tuple[str, str], list[Reading]] = {}
        for reading in given:
            groups.setdefault((reading.elder_id, ReadingKind(reading.kind).value), []).append(
                reading
            )
        added = 0
        for (elder_id, kind), group in groups.items():
            stamps = [iso(r.measured_at) for r in group]
            sort = ("between", _reading_sk(kind, min(stamps)), _reading_sk(kind, max(stamps)))
            taken = {i[SK] for i in self._s.query(_elder_pk(elder_id), sort)}
            for reading, stamp in zip(group, stamps, strict=True):
                sk = _reading_sk(kind, stamp)
                if sk in taken:
                    continue
                taken.add(sk)
                self._s.put(item("reading", _elder_pk(elder_id), sk, reading))
                added += 1
        return added

    def list_for_elders(
        self, elder_ids: Sequence[str], kind: ReadingKind, start: datetime, end: datetime
    ) -> dict[str, list[Reading]]:
        """Return each asked elder's readings of ``kind`` with start <= measured_at < end."""
        aware(start)
        aware(end)
        wanted = ReadingKind(kind).value
        sort = ("between", _reading_sk(wanted, iso(start)), _reading_sk(wanted, iso(end)))

        def fetch(elder_id: str) -> list[Reading]:
            found = self._query(Reading, _elder_pk(elder_id), sort)
            return sorted((r for r in found if r.measured_at < end), key=lambda r: r.measured_at)

        return by_elder(elder_ids, fetch)


# --- alerts ----------------------------------------------------------------------------


def _alert_key(elder_id: str, rule: str, period: str) -> str:
    return f"ALERTKEY#{elder_id}#{rule}#{period}"


def _alert_item(alert: Alert) -> dict[str, Any]:
    open_ = AlertStatus(alert.status) == AlertStatus.OPEN
    return item(
        "alert",
        f"ALERT#{alert.id}",
        "#ALERT",
        alert,
        gsi1pk=f"ELDER#{alert.elder_id}#ALERTS",
        gsi1sk=f"{alert.period}#{alert.rule}",
        gsi2pk="ALERTS#open" if open_ else None,
        gsi2sk=f"{iso(alert.created_at)}#{alert.id}" if open_ else None,
    )


class DynamoAlertRepository(DynamoRepository, AlertRepository):
    """Alerts ALERT#<id> with their history, an ALERTKEY pointer; gsi1 by elder, gsi2 open."""

    def add_if_absent(self, alert: Alert) -> bool:
        """Store the alert unless one with its key (elder, rule, period) exists."""
        for when in (alert.created_at, alert.claimed_at, alert.resolved_at):
            aware(when)
        key = _alert_key(alert.elder_id, alert.rule, alert.period)
        if self._exists(key, "#KEY"):
            return False
        stored = self.get(alert.id)
        if stored is not None:
            if (stored.elder_id, stored.rule, stored.period) == (
                alert.elder_id,
                alert.rule,
                alert.period,
            ):
                # Another unit stored this very alert between our two reads: it exists.
                return False
            raise Conflict(f"alert {alert.id} already exists")
        self._s.put(_alert_item(alert))
        self._s.put({PK: key, SK: "#KEY", "t": "alert-key", "alert_id": alert.id})
        return True

    def get(self, alert_id: str) -> Alert | None:
        """Return the alert, or None."""
        return self._get(Alert, f"ALERT#{alert_id}", "#ALERT")

    def get_by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        """Return the alert with this key, or None."""
        pointer = self._s.get(_alert_key(elder_id, rule, period), "#KEY")
        return self.get(pointer["alert_id"]) if pointer else None

    def update(self, alert: Alert) -> None:
        """Replace the stored alert's mutable fields with this one's; raise NotFound if absent."""
        for when in (alert.created_at, alert.claimed_at, alert.resolved_at):
            aware(when)
        stored = self.get(alert.id)
        if stored is None:
            raise NotFound(f"alert {alert.id} does not exist")
        changes = {name: getattr(alert, name) for name in _ALERT_MUTABLE}
        self._s.put(_alert_item(dataclasses.replace(stored, **changes)))

    def _of_elder(self, elder_id: str, period_prefix: str = "") -> list[Alert]:
        sort = ("begins", period_prefix) if period_prefix else None
        return self._query(Alert, f"ELDER#{elder_id}#ALERTS", sort, index="gsi1")

    def list_for_center(self, center_id: str, statuses: Collection[AlertStatus]) -> list[Alert]:
        """Return the alerts with one of ``statuses`` of the center's elders."""
        wanted = {AlertStatus(status) for status in statuses}
        if not wanted:
            return []
        elders = self._s.query(f"CENTER#{center_id}#ELDERS", index="gsi1")
        found = [
            a for e in elders for a in self._of_elder(e["id"]) if AlertStatus(a.status) in wanted
        ]
        return sorted(found, key=lambda a: (_SEVERITY_RANK[a.severity], a.created_at, a.id))

    def list_unresolved_older_than(self, at: datetime) -> list[Alert]:
        """Return every open (unclaimed) alert with ``created_at <= at``, of every center."""
        found = self._query(Alert, "ALERTS#open", ("le", f"{iso(at)}#{HIGH}"), index="gsi2")
        return sorted(found, key=lambda a: (a.created_at, a.id))

    def existing_keys(
        self, elder_ids: Sequence[str], period_prefix: str
    ) -> set[tuple[str, str, str]]:
        """Return the (elder_id, rule, period) keys of the asked elders' alerts by period prefix."""
        return {
            (a.elder_id, a.rule, a.period)
            for elder_id in dict.fromkeys(elder_ids)
            for a in self._of_elder(elder_id, period_prefix)
            if a.period.startswith(period_prefix)
        }

    def latest_opened(
        self, elder_ids: Sequence[str], rules: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        """Return the latest ``created_at`` per (elder id, rule) of these elders and rules."""
        wanted = set(rules)
        found: dict[tuple[str, str], datetime] = {}
        for elder_id in dict.fromkeys(elder_ids):
            for a in self._of_elder(elder_id):
                key = (a.elder_id, a.rule)
                if a.rule in wanted and (key not in found or a.created_at > found[key]):
                    found[key] = a.created_at
        return found

    def add_change(self, change: AlertChange) -> None:
        """Append an entry to the alert's history."""
        aware(change.at)
        sk = f"CHANGE#{iso(change.at)}#{next_seq()}"
        self._s.put(item("alert-change", f"ALERT#{change.alert_id}", sk, change))

    def history(self, alert_id: str) -> list[AlertChange]:
        """Return the alert's history oldest first (by ``at``, then the order added)."""
        return self._query(AlertChange, f"ALERT#{alert_id}", ("begins", "CHANGE#"))


# --- recipients and the outbox ---------------------------------------------------------


def recipient_item(recipient: Recipient) -> dict[str, Any]:
    """Return the stored recipient: RECIPIENT#<id>, by owner on gsi1, by address on gsi2."""
    owner = (
        f"CENTER#{recipient.center_id}#RECIPIENTS"
        if recipient.elder_id is None
        else f"ELDER#{recipient.elder_id}#RECIPIENTS"
    )
    return item(
        "recipient",
        f"RECIPIENT#{recipient.id}",
        "#RECIPIENT",
        recipient,
        gsi1pk=owner,
        gsi1sk=recipient.id,
        gsi2pk=f"ADDRESS#{recipient.channel}#{recipient.address}",
        gsi2sk=recipient.id,
    )


class DynamoRecipientRepository(DynamoRepository, RecipientRepository):
    """Recipients: RECIPIENT#<id>; by owner on gsi1, by address on gsi2."""

    def add(self, recipient: Recipient) -> None:
        """Add a recipient; raise Conflict if the id exists."""
        if self._exists(f"RECIPIENT#{recipient.id}", "#RECIPIENT"):
            raise Conflict(f"recipient {recipient.id} already exists")
        self._s.put(recipient_item(recipient))

    def get(self, recipient_id: str) -> Recipient | None:
        """Return the recipient (active or not), or None."""
        return self._get(Recipient, f"RECIPIENT#{recipient_id}", "#RECIPIENT")

    def update(self, recipient: Recipient) -> None:
        """Replace the stored recipient with this one; raise NotFound if absent."""
        if not self._exists(f"RECIPIENT#{recipient.id}", "#RECIPIENT"):
            raise NotFound(f"recipient {recipient.id} does not exist")
        self._s.put(recipient_item(recipient))

    def _listed(self, partition: str, index: str) -> list[Recipient]:
        return self._query(Recipient, partition, index=index)

    def list_for_center(self, center_id: str) -> list[Recipient]:
        """Return the center's own recipients (``elder_id`` None), active or not."""
        found = self._listed(f"CENTER#{center_id}#RECIPIENTS", "gsi1")
        return sorted(found, key=lambda r: (r.name, r.id))

    def list_for_elder(self, elder_id: str) -> list[Recipient]:
        """Return the elder's recipients (family and others), active or not, by name, then id."""
        found = self._listed(f"ELDER#{elder_id}#RECIPIENTS", "gsi1")
        return sorted(found, key=lambda r: (r.name, r.id))

    def list_for_address(self, channel: str, address: str) -> list[Recipient]:
        """Return the recipients with this channel and address, active or not, by id."""
        found = self._listed(f"ADDRESS#{channel}#{address}", "gsi2")
        return sorted(found, key=lambda r: r.id)


def outbox_item(message: OutboxMessage) -> dict[str, Any]:
    """Return the stored message: pending on gsi1, by alert on gsi2, by recipient on gsi3."""
    pending = message.sent_at is None and not message.given_up
    order = f"{iso(message.created_at)}#{message.id}"
    return item(
        "outbox",
        f"OUTBOX#{message.id}",
        "#OUTBOX",
        message,
        gsi1pk="OUTBOX#pending" if pending else None,
        gsi1sk=order if pending else None,
        gsi2pk=f"ALERT#{message.alert_id}#OUTBOX" if message.alert_id else None,
        gsi2sk=order if message.alert_id else None,
        gsi3pk=f"RECIPIENT#{message.recipient_id}#OUTBOX",
        gsi3sk=order,
    )


class DynamoOutboxRepository(DynamoRepository, OutboxRepository):
    """The outbox: OUTBOX#<id>; pending ones on gsi1, by alert on gsi2, recipient on gsi3."""

    def add_if_absent(self, message: OutboxMessage) -> bool:
        """Queue the message unless one with its id exists; return True if stored."""
        for when in (
            message.created_at,
            message.not_before,
            message.next_attempt_at,
            message.sent_at,
            message.last_attempt_at,
        ):
            aware(when)
        if self._exists(f"OUTBOX#{message.id}", "#OUTBOX"):
            return False
        self._s.put(outbox_item(message))
        return True

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return the message, or None."""
        return self._get(OutboxMessage, f"OUTBOX#{message_id}", "#OUTBOX")

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Return at most ``limit`` messages due at ``now``, oldest first."""
        aware(now)
        if limit < 1:
            return []
        found = self._query(OutboxMessage, "OUTBOX#pending", index="gsi1")
        due = sorted((m for m in found if m.is_due(now)), key=lambda m: (m.created_at, m.id))
        return due[:limit]

    def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        """Take a due message for sending: set its ``next_attempt_at`` to ``until``."""
        aware(now)
        aware(until)
        stored = self.get(message_id)
        if stored is None or not stored.is_due(now):
            return False
        self._s.put(outbox_item(dataclasses.replace(stored, next_attempt_at=until)))
        return True

    def _stored(self, message_id: str) -> OutboxMessage:
        stored = self.get(message_id)
        if stored is None:
            raise NotFound(f"outbox message {message_id} does not exist")
        return stored

    def defer(self, message_id: str, until: datetime) -> None:
        """Set a pending message's ``not_before`` to ``until`` (counting no attempt)."""
        aware(until)
        stored = self._stored(message_id)
        if stored.sent_at is None and not stored.given_up:
            self._s.put(outbox_item(dataclasses.replace(stored, not_before=until)))

    def mark_sent(self, message_id: str, at: datetime) -> None:
        """Record a successful send at ``at``: ``sent_at`` and ``last_attempt_at`` are ``at``."""
        aware(at)
        stored = self._stored(message_id)
        if stored.sent_at is None:
            sent = dataclasses.replace(
                stored,
                sent_at=at,
                last_attempt_at=at,
                attempts=stored.attempts + 1,
                next_attempt_at=None,
            )
            self._s.put(outbox_item(sent))

    def mark_failed(
        self, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Record a failed attempt at ``at``: attempts grow by one, ``last_error`` is ``error``."""
        aware(at)
        aware(next_attempt_at)
        stored = self._stored(message_id)
        if stored.sent_at is None and not stored.given_up:
            failed = dataclasses.replace(
                stored,
                last_attempt_at=at,
                attempts=stored.attempts + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
            )
            self._s.put(outbox_item(failed))

    def list_for_alert(self, alert_id: str) -> list[OutboxMessage]:
        """Return the messages queued for an alert, by ``created_at``, then id."""
        found = self._query(OutboxMessage, f"ALERT#{alert_id}#OUTBOX", index="gsi2")
        return sorted(found, key=lambda m: (m.created_at, m.id))
