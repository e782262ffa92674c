"""SQL repositories: the ports of ``backend.ports`` over one SQLAlchemy connection."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)

from backend.domain.errors import NotFound
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
    UserRepository,
)
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    PerDialect,
    SqlRepository,
    batches,
    by_code_point,
    code_point,
    dialect_insert,
    grouped_by_elder,
    ids_in,
    mapping,
    on_conflict_insert,
    translated,
)
from backend.stores.sql.codecs import (
    alert_change_from_row,
    alert_change_to_row,
    alert_from_row,
    alert_to_row,
    answer_from_row,
    answer_to_row,
    away_from_row,
    away_to_row,
    binding_from_row,
    binding_to_row,
    center_from_row,
    center_to_row,
    checkin_from_row,
    checkin_to_row,
    elder_from_row,
    elder_to_row,
    event_from_row,
    event_to_row,
    municipality_from_row,
    municipality_to_row,
    normalize_login,
    outbox_from_row,
    outbox_to_row,
    pairing_code_from_row,
    pairing_code_to_row,
    reading_to_row,
    recipient_from_row,
    recipient_to_row,
    user_from_row,
    user_to_row,
)
from backend.stores.sql.column_types import UtcDateTime, optional_utc, to_utc
from backend.stores.sql.readers import (
    answer_reader,
    checkin_reader,
    mapped,
    reading_reader,
)

# Statements of the check-in's hot path, built once (building a select() costs more than
# running it on SQLite); SQLAlchemy caches their compiled form.
_GET_BINDING = select(t.device_bindings).where(
    t.device_bindings.c.alexa_user_id == bindparam("alexa_user_id"),
    t.device_bindings.c.device_id == bindparam("device_id"),
)
_GET_ELDER = select(t.elders).where(t.elders.c.id == bindparam("id"))
_GET_ELDER_BY_DEVICE = (
    select(t.elders)
    .join(t.device_bindings, t.device_bindings.c.elder_id == t.elders.c.id)
    .where(
        t.device_bindings.c.alexa_user_id == bindparam("alexa_user_id"),
        t.device_bindings.c.device_id == bindparam("device_id"),
    )
)
_GET_CHECKIN = select(t.checkins).where(
    t.checkins.c.elder_id == bindparam("elder_id"),
    t.checkins.c.date == bindparam("day"),
    t.checkins.c.slot == bindparam("slot"),
)
_GET_CHECKIN_WITH_ANSWERED = (
    select(t.checkins, t.answers.c.question_id.label("answered_question_id"))
    .outerjoin(t.answers, t.answers.c.checkin_id == t.checkins.c.id)
    .where(
        t.checkins.c.elder_id == bindparam("elder_id"),
        t.checkins.c.date == bindparam("day"),
        t.checkins.c.slot == bindparam("slot"),
    )
)
_SET_CHECKIN_STATUS = (
    update(t.checkins)
    .where(t.checkins.c.id == bindparam("checkin_id"))
    .values(status=bindparam("status"), completed_at=bindparam("completed_at"))
)
_LIST_ANSWERS_FOR_CHECKIN = (
    select(t.answers)
    .where(t.answers.c.checkin_id == bindparam("checkin_id"))
    .order_by(t.answers.c.id)
)
_ADD_ANSWER = PerDialect(
    lambda d: on_conflict_insert(d, t.answers, ("checkin_id", "question_id"), t.answers.c.id)
)


def _upsert_binding(dialect_name: str) -> Any:
    stmt = dialect_insert(dialect_name, t.device_bindings)
    return stmt.on_conflict_do_update(
        index_elements=["alexa_user_id", "device_id"],
        set_={"elder_id": stmt.excluded.elder_id, "bound_at": stmt.excluded.bound_at},
    )


_BIND = PerDialect(_upsert_binding)


_aw, _rd, _al, _ch = t.away_periods.c, t.readings.c, t.alerts.c, t.alert_changes.c
_LIST_AWAY_FOR_ELDER = PerDialect(
    lambda d: (
        select(t.away_periods)
        .where(_aw.elder_id == bindparam("elder_id"))
        .order_by(_aw.starts_at, code_point(d, _aw.id))
    )
)
_ACTIVE_AWAY = PerDialect(
    lambda d: (
        select(t.away_periods)
        .where(
            ids_in(_aw.elder_id),
            _aw.starts_at < bindparam("end"),
            or_(_aw.ends_at.is_(None), _aw.ends_at > bindparam("start")),
        )
        .order_by(_aw.starts_at, code_point(d, _aw.id))
    )
)
_END_AWAY = (
    update(t.away_periods)
    .where(_aw.id == bindparam("period_id"))
    .values(ends_at=bindparam("ends_at"))
)
_READING_KEY = ("elder_id", "kind", "measured_at")
_ADD_READINGS = PerDialect(lambda d: on_conflict_insert(d, t.readings, _READING_KEY, _rd.elder_id))
_LIST_READINGS = (
    select(t.readings)
    .where(
        ids_in(_rd.elder_id),
        _rd.kind == bindparam("kind"),
        _rd.measured_at >= bindparam("start"),
        _rd.measured_at < bindparam("end"),
    )
    .order_by(_rd.measured_at)
)
_ALERT_KEY = ("elder_id", "rule", "period")
_ADD_ALERT = PerDialect(lambda d: on_conflict_insert(d, t.alerts, _ALERT_KEY, _al.id))
_GET_ALERT = select(t.alerts).where(_al.id == bindparam("alert_id"))
_GET_ALERT_BY_KEY = select(t.alerts).where(
    _al.elder_id == bindparam("elder_id"),
    _al.rule == bindparam("rule"),
    _al.period == bindparam("period"),
)
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
_UPDATE_ALERT = (
    update(t.alerts)
    .where(_al.id == bindparam("alert_id"))
    .values({name: bindparam(name) for name in _ALERT_MUTABLE})
)
# Most urgent first; an unknown severity (none is written) would sort last.
_SEVERITY_RANK = case(
    {severity.value: rank for rank, severity in enumerate(ALERT_SEVERITY_ORDER)},
    value=_al.severity,
    else_=len(ALERT_SEVERITY_ORDER),
)
_LIST_ALERTS_FOR_CENTER = PerDialect(
    lambda d: (
        select(t.alerts)
        .join(t.elders, t.elders.c.id == _al.elder_id)
        .where(
            t.elders.c.center_id == bindparam("center_id"),
            _al.status.in_(bindparam("statuses", expanding=True)),
        )
        .order_by(_SEVERITY_RANK, _al.created_at, code_point(d, _al.id))
    )
)
_LIST_OPEN_ALERTS_OLDER_THAN = PerDialect(
    lambda d: (
        select(t.alerts)
        .where(_al.status == AlertStatus.OPEN.value, _al.created_at <= bindparam("at"))
        .order_by(_al.created_at, code_point(d, _al.id))
    )
)
# substr() rather than LIKE: SQLite's LIKE ignores ASCII case, and "%" or "_" in a
# prefix would need escaping.
_EXISTING_ALERT_KEYS = select(_al.elder_id, _al.rule, _al.period).where(
    ids_in(_al.elder_id),
    func.substr(_al.period, 1, bindparam("prefix_length", type_=Integer)) == bindparam("prefix"),
)
_ALERT_HISTORY = (
    select(t.alert_changes).where(_ch.alert_id == bindparam("alert_id")).order_by(_ch.at, _ch.id)
)
_LIST_CHECKINS_FOR_ELDERS = PerDialect(
    lambda d: (
        select(t.checkins)
        .where(
            ids_in(t.checkins.c.elder_id),
            t.checkins.c.date >= bindparam("start"),
            t.checkins.c.date <= bindparam("end"),
        )
        .order_by(t.checkins.c.date, t.checkins.c.started_at, code_point(d, t.checkins.c.id))
    )
)
_BOUND_SINCE = (
    select(t.device_bindings.c.elder_id, func.min(t.device_bindings.c.bound_at).label("since"))
    .where(ids_in(t.device_bindings.c.elder_id))
    .group_by(t.device_bindings.c.elder_id)
)
_LIST_EVENTS_FOR_ELDERS = PerDialect(
    lambda d: (
        select(t.events)
        .where(ids_in(t.events.c.elder_id), t.events.c.at >= bindparam("since"))
        .order_by(t.events.c.at, code_point(d, t.events.c.id))
    )
)
_LIST_ANSWERS_FOR_ELDERS = (
    select(t.answers)
    .where(
        ids_in(t.answers.c.elder_id),
        t.answers.c.date >= bindparam("start"),
        t.answers.c.date <= bindparam("end"),
    )
    .order_by(t.answers.c.date, t.answers.c.answered_at, t.answers.c.id)
)
_LATEST_OPENED = (
    select(_al.elder_id, _al.rule, func.max(_al.created_at, type_=UtcDateTime).label("latest"))
    .where(ids_in(_al.elder_id), _al.rule.in_(bindparam("rules", expanding=True)))
    .group_by(_al.elder_id, _al.rule)
)
_LIST_ANSWERS_TO_QUESTIONS_FOR_ELDERS = _LIST_ANSWERS_FOR_ELDERS.where(
    t.answers.c.question_id.in_(bindparam("question_ids", expanding=True))
)


class SqlMunicipalityRepository(SqlRepository, MunicipalityRepository):
    """Municipalities in the ``municipalities`` table."""

    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""
        self._insert(
            insert(t.municipalities),
            municipality_to_row(municipality),
            f"municipality {municipality.code}",
        )

    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""
        row = self._connection.execute(
            select(t.municipalities).where(t.municipalities.c.code == code)
        ).first()
        return None if row is None else municipality_from_row(mapping(row))


class SqlCenterRepository(SqlRepository, CenterRepository):
    """Care centers in the ``care_centers`` table."""

    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""
        self._insert(insert(t.care_centers), center_to_row(center), f"center {center.id}")

    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""
        row = self._connection.execute(
            select(t.care_centers).where(t.care_centers.c.id == center_id)
        ).first()
        return None if row is None else center_from_row(mapping(row))

    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name."""
        c = t.care_centers.c
        rows = self._connection.execute(
            select(t.care_centers)
            .where(c.municipality_code == code)
            .order_by(
                by_code_point(self._connection, c.name), by_code_point(self._connection, c.id)
            )
        )
        return [center_from_row(mapping(row)) for row in rows]


class SqlElderRepository(SqlRepository, ElderRepository):
    """Elders in the ``elders`` table."""

    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""
        self._insert(insert(t.elders), elder_to_row(elder), f"elder {elder.id}")

    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""
        row = self._connection.execute(_GET_ELDER, {"id": elder_id}).first()
        return None if row is None else elder_from_row(mapping(row))

    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""
        values = elder_to_row(elder)
        del values["id"]
        with translated(self._connection, f"elder {elder.id}"):
            result = self._connection.execute(
                update(t.elders).where(t.elders.c.id == elder.id).values(**values)
            )
        if result.rowcount != 1:
            raise NotFound(f"elder {elder.id} does not exist")

    def list_for_center(self, center_id: str) -> list[Elder]:
        """Return the center's elders ordered by kana."""
        c = t.elders.c
        rows = self._connection.execute(
            select(t.elders)
            .where(c.center_id == center_id)
            .order_by(
                by_code_point(self._connection, c.kana), by_code_point(self._connection, c.id)
            )
        )
        return [elder_from_row(mapping(row)) for row in rows]

    def list_for_municipality(self, code: str) -> list[Elder]:
        """Return the municipality's elders (every center) ordered by kana, then id."""
        c = t.elders.c
        rows = self._connection.execute(
            select(t.elders)
            .where(c.municipality_code == code)
            .order_by(
                by_code_point(self._connection, c.kana), by_code_point(self._connection, c.id)
            )
        )
        return [elder_from_row(mapping(row)) for row in rows]

    def list_all(self) -> list[Elder]:
        """Return every elder ordered by id."""
        rows = self._connection.execute(
            select(t.elders).order_by(by_code_point(self._connection, t.elders.c.id))
        )
        return [elder_from_row(mapping(row)) for row in rows]

    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana."""
        elders = self.list_for_center(center_id)
        ci, el = t.checkins.c, t.elders.c
        rows = self._connection.execute(
            select(t.checkins)
            .join(t.elders, el.id == ci.elder_id)
            .where(and_(el.center_id == center_id, ci.date == day))
            .order_by(ci.started_at, by_code_point(self._connection, ci.id))
        )
        by_elder: dict[str, list[CheckIn]] = {}
        for row in rows:
            checkin = checkin_from_row(mapping(row))
            by_elder.setdefault(checkin.elder_id, []).append(checkin)
        return [ElderDay(elder=e, checkins=tuple(by_elder.get(e.id, ()))) for e in elders]


class SqlDeviceRepository(SqlRepository, DeviceRepository):
    """Speaker bindings (``device_bindings``) and pairing codes (``pairing_codes``)."""

    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""
        values = binding_to_row(binding)
        what = f"binding of elder {binding.elder_id}"
        self._insert(_BIND.get(self._connection), values, what)

    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""
        row = self._connection.execute(
            _GET_BINDING, {"alexa_user_id": alexa_user_id, "device_id": device_id}
        ).first()
        return None if row is None else binding_from_row(mapping(row))

    def bound_since(self, elder_ids: Sequence[str]) -> dict[str, datetime]:
        """Return when each asked elder's first speaker was bound (elders with none are absent)."""
        found: dict[str, datetime] = {}
        ids = list(dict.fromkeys(elder_ids))
        for batch in batches(ids):
            rows = self._connection.execute(_BOUND_SINCE, {"elder_ids": batch})
            for row in rows:
                found[row.elder_id] = to_utc(row.since)
        return found

    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""
        row = self._connection.execute(
            _GET_ELDER_BY_DEVICE, {"alexa_user_id": alexa_user_id, "device_id": device_id}
        ).first()
        return None if row is None else elder_from_row(mapping(row))

    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""
        self._insert(insert(t.pairing_codes), pairing_code_to_row(code), "pairing code")

    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""
        row = self._connection.execute(
            select(t.pairing_codes).where(t.pairing_codes.c.code == code)
        ).first()
        return None if row is None else pairing_code_from_row(mapping(row))

    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used; return False if it was already used (or is unknown)."""
        c = t.pairing_codes.c
        result = self._connection.execute(
            update(t.pairing_codes)
            .where(and_(c.code == code, c.used_at.is_(None)))
            .values(used_at=to_utc(at))
        )
        return result.rowcount == 1


class SqlCheckInRepository(SqlRepository, CheckInRepository):
    """Check-ins in the ``checkins`` table."""

    def add(self, checkin: CheckIn) -> None:
        """Add a check-in; raise Conflict if (elder, date, slot) exists."""
        self._insert(
            insert(t.checkins),
            checkin_to_row(checkin),
            f"check-in {checkin.id} ({checkin.elder_id} {checkin.date} {checkin.slot})",
        )

    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        """Return the elder's check-in of that date and slot, or None."""
        row = self._connection.execute(
            _GET_CHECKIN, {"elder_id": elder_id, "day": day, "slot": str(slot)}
        ).first()
        return None if row is None else checkin_from_row(mapping(row))

    def get_with_answered(
        self, elder_id: str, day: date, slot: str
    ) -> tuple[CheckIn, frozenset[str]] | None:
        """Return the check-in and the ids of the questions it has answers for (one lookup)."""
        rows = self._connection.execute(
            _GET_CHECKIN_WITH_ANSWERED, {"elder_id": elder_id, "day": day, "slot": str(slot)}
        ).all()
        if not rows:
            return None
        answered = frozenset(
            row.answered_question_id for row in rows if row.answered_question_id is not None
        )
        return checkin_from_row(mapping(rows[0])), answered

    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        """Update a check-in's status; raise NotFound if absent."""
        result = self._connection.execute(
            _SET_CHECKIN_STATUS,
            {
                "checkin_id": checkin_id,
                "status": CheckInStatus(status).value,
                "completed_at": optional_utc(completed_at),
            },
        )
        if result.rowcount != 1:
            raise NotFound(f"check-in {checkin_id} does not exist")

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[CheckIn]:
        """Return the elder's check-ins with start <= date <= end, oldest first."""
        c = t.checkins.c
        rows = self._connection.execute(
            select(t.checkins)
            .where(and_(c.elder_id == elder_id, c.date >= start, c.date <= end))
            .order_by(c.date, c.started_at, by_code_point(self._connection, c.id))
        )
        return [checkin_from_row(mapping(row)) for row in rows]

    def list_for_elders(
        self, elder_ids: Sequence[str], start: date, end: date
    ) -> dict[str, list[CheckIn]]:
        """Return each asked elder's check-ins with start <= date <= end, oldest first."""
        return grouped_by_elder(
            self._connection,
            _LIST_CHECKINS_FOR_ELDERS.get(self._connection),
            elder_ids,
            {"start": start, "end": end},
            checkin_reader,
        )


class SqlAnswerRepository(SqlRepository, AnswerRepository):
    """Answers in the ``answers`` table, at most one per check-in and question."""

    def add(self, answer: Answer) -> bool:
        """Store an answer; return False (storing nothing) if that question is answered."""
        values = answer_to_row(answer)
        what = f"answer {answer.checkin_id}/{answer.question_id}"
        stmt = _ADD_ANSWER.get(self._connection)
        # RETURNING tells reliably whether a row went in (rowcount does not on
        # every driver once the dialect adds RETURNING for the surrogate key).
        with translated(self._connection, what):
            inserted = self._connection.execute(stmt, values).first()
        return inserted is not None

    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        """Return the check-in's answers in the order given."""
        rows = self._connection.execute(_LIST_ANSWERS_FOR_CHECKIN, {"checkin_id": checkin_id})
        return [answer_from_row(mapping(row)) for row in rows]

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        """Return the elder's answers with start <= date <= end, oldest first."""
        c = t.answers.c
        rows = self._connection.execute(
            select(t.answers)
            .where(and_(c.elder_id == elder_id, c.date >= start, c.date <= end))
            .order_by(c.date, c.answered_at, c.id)
        )
        return [answer_from_row(mapping(row)) for row in rows]

    def list_for_elders(
        self,
        elder_ids: Sequence[str],
        start: date,
        end: date,
        question_ids: Collection[str] | None = None,
    ) -> dict[str, list[Answer]]:
        """Return each asked elder's answers with start <= date <= end, oldest first."""
        params: dict[str, Any] = {"start": start, "end": end}
        stmt = _LIST_ANSWERS_FOR_ELDERS
        if question_ids is not None:
            stmt = _LIST_ANSWERS_TO_QUESTIONS_FOR_ELDERS
            params["question_ids"] = sorted(question_ids)
        return grouped_by_elder(self._connection, stmt, elder_ids, params, answer_reader)

    def latest_value(self, elder_id: str, question_id: str, before: date) -> Answer | None:
        """Return the elder's newest non-skipped answer to the question dated before ``before``."""
        c = t.answers.c
        row = self._connection.execute(
            select(t.answers)
            .where(
                and_(
                    c.elder_id == elder_id,
                    c.question_id == question_id,
                    c.date < before,
                    c.skipped.is_(None),
                )
            )
            .order_by(c.date.desc(), c.answered_at.desc(), c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else answer_from_row(mapping(row))


class SqlEventRepository(SqlRepository, EventRepository):
    """Events in the ``events`` table."""

    def add(self, event: Event) -> None:
        """Store an event; raise Conflict if the id exists."""
        self._insert(insert(t.events), event_to_row(event), f"event {event.id}")

    def exists(self, event_id: str) -> bool:
        """Return True if an event with this id is stored."""
        c = t.events.c
        found = self._connection.execute(select(c.id).where(c.id == event_id)).first()
        return found is not None

    def list_for_elder(self, elder_id: str) -> list[Event]:
        """Return the elder's events, oldest first."""
        c = t.events.c
        rows = self._connection.execute(
            select(t.events)
            .where(c.elder_id == elder_id)
            .order_by(c.at, by_code_point(self._connection, c.id))
        )
        return [event_from_row(mapping(row)) for row in rows]

    def list_for_elders(self, elder_ids: Sequence[str], since: datetime) -> dict[str, list[Event]]:
        """Return each asked elder's events at or after ``since``, oldest first (one query)."""
        return grouped_by_elder(
            self._connection,
            _LIST_EVENTS_FOR_ELDERS.get(self._connection),
            elder_ids,
            {"since": to_utc(since)},
            mapped(event_from_row),
        )


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


class SqlAwayRepository(SqlRepository, AwayRepository):
    """Away periods in the ``away_periods`` table."""

    def add(self, period: AwayPeriod) -> None:
        """Add an away period; raise Conflict if the id exists."""
        self._insert(insert(t.away_periods), away_to_row(period), f"away period {period.id}")

    def list_for_elder(self, elder_id: str) -> list[AwayPeriod]:
        """Return the elder's periods ordered by start, then id."""
        rows = self._connection.execute(
            _LIST_AWAY_FOR_ELDER.get(self._connection), {"elder_id": elder_id}
        )
        return [away_from_row(mapping(row)) for row in rows]

    def active_for_elders(
        self, elder_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return each asked elder's periods overlapping ``[start, end)``."""
        return grouped_by_elder(
            self._connection,
            _ACTIVE_AWAY.get(self._connection),
            elder_ids,
            {"start": to_utc(start), "end": to_utc(end)},
            mapped(away_from_row),
        )

    def end_period(self, period_id: str, at: datetime) -> None:
        """Set the period's end to ``at``; raise NotFound if absent."""
        result = self._connection.execute(
            _END_AWAY, {"period_id": period_id, "ends_at": to_utc(at)}
        )
        if result.rowcount != 1:
            raise NotFound(f"away period {period_id} does not exist")


class SqlReadingRepository(SqlRepository, ReadingRepository):
    """Device readings in the ``readings`` table, keyed by (elder, kind, measured_at)."""

    def add_many(self, readings: Iterable[Reading]) -> int:
        """Store the readings not stored yet; return how many were new."""
        rows = [reading_to_row(reading) for reading in readings]  # refuses naive first
        if not rows:
            return 0
        stmt = _ADD_READINGS.get(self._connection)
        # One savepoint on every dialect: the rows may go in as several statements, and
        # a failure (an unknown elder) must leave none of them.
        with translated(self._connection, "readings", atomic=True):
            return len(self._connection.execute(stmt, rows).all())

    def list_for_elders(
        self, elder_ids: Sequence[str], kind: ReadingKind, start: datetime, end: datetime
    ) -> dict[str, list[Reading]]:
        """Return each asked elder's readings of ``kind`` in ``[start, end)``, oldest first."""
        return grouped_by_elder(
            self._connection,
            _LIST_READINGS,
            elder_ids,
            {"kind": ReadingKind(kind).value, "start": to_utc(start), "end": to_utc(end)},
            reading_reader,
        )


class SqlAlertRepository(SqlRepository, AlertRepository):
    """Alerts in ``alerts`` (unique per elder, rule and period) and ``alert_changes``."""

    def add_if_absent(self, alert: Alert) -> bool:
        """Store the alert unless its key exists; return whether it was stored."""
        values = alert_to_row(alert)
        what = f"alert {alert.id} ({alert.key})"
        stmt = _ADD_ALERT.get(self._connection)
        # ON CONFLICT on the key only: a concurrent unit's insert of the same key
        # makes this one wait for it, then do nothing; a taken id still raises.
        with translated(self._connection, what):
            inserted = self._connection.execute(stmt, values).first()
        return inserted is not None

    def get(self, alert_id: str) -> Alert | None:
        """Return the alert, or None."""
        row = self._connection.execute(_GET_ALERT, {"alert_id": alert_id}).first()
        return None if row is None else alert_from_row(mapping(row))

    def get_by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        """Return the alert with this key, or None."""
        row = self._connection.execute(
            _GET_ALERT_BY_KEY, {"elder_id": elder_id, "rule": rule, "period": period}
        ).first()
        return None if row is None else alert_from_row(mapping(row))

    def update(self, alert: Alert) -> None:
        """Replace the stored alert's mutable fields; raise NotFound if absent."""
        row = alert_to_row(alert)
        params = {name: row[name] for name in _ALERT_MUTABLE}
        result = self._connection.execute(_UPDATE_ALERT, {**params, "alert_id": alert.id})
        if result.rowcount != 1:
            raise NotFound(f"alert {alert.id} does not exist")

    def list_for_center(self, center_id: str, statuses: Collection[AlertStatus]) -> list[Alert]:
        """Return the center's alerts with one of ``statuses``, most urgent first."""
        wanted = sorted({AlertStatus(status).value for status in statuses})
        if not wanted:
            return []
        rows = self._connection.execute(
            _LIST_ALERTS_FOR_CENTER.get(self._connection),
            {"center_id": center_id, "statuses": wanted},
        )
        return [alert_from_row(mapping(row)) for row in rows]

    def list_unresolved_older_than(self, at: datetime) -> list[Alert]:
        """Return every open alert with ``created_at <= at``, oldest first."""
        rows = self._connection.execute(
            _LIST_OPEN_ALERTS_OLDER_THAN.get(self._connection), {"at": to_utc(at)}
        )
        return [alert_from_row(mapping(row)) for row in rows]

    def existing_keys(
        self, elder_ids: Sequence[str], period_prefix: str
    ) -> set[tuple[str, str, str]]:
        """Return the asked elders' alert keys whose period starts with ``period_prefix``."""
        ids = list(dict.fromkeys(elder_ids))
        keys: set[tuple[str, str, str]] = set()
        for batch in batches(ids):
            rows = self._connection.execute(
                _EXISTING_ALERT_KEYS,
                {
                    "elder_ids": batch,
                    "prefix": period_prefix,
                    "prefix_length": len(period_prefix),
                },
            )
            keys.update((row.elder_id, row.rule, row.period) for row in rows)
        return keys

    def latest_opened(
        self, elder_ids: Sequence[str], rules: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        """Return the latest ``created_at`` per (elder id, rule) of these elders and rules."""
        ids = list(dict.fromkeys(elder_ids))
        found: dict[tuple[str, str], datetime] = {}
        for batch in batches(ids):
            rows = self._connection.execute(
                _LATEST_OPENED,
                {"elder_ids": batch, "rules": sorted(rules)},
            )
            found.update(((row.elder_id, row.rule), row.latest) for row in rows)
        return found

    def add_change(self, change: AlertChange) -> None:
        """Append an entry to the alert's history (NotFound if the alert does not exist)."""
        self._insert(
            insert(t.alert_changes),
            alert_change_to_row(change),
            f"history of alert {change.alert_id}",
        )

    def history(self, alert_id: str) -> list[AlertChange]:
        """Return the alert's history oldest first (by ``at``, then the order added)."""
        rows = self._connection.execute(_ALERT_HISTORY, {"alert_id": alert_id})
        return [alert_change_from_row(mapping(row)) for row in rows]


# --- recipients and the outbox --------------------------------------------------------

_rc, _ob = t.recipients.c, t.outbox_messages.c
_GET_RECIPIENT = select(t.recipients).where(_rc.id == bindparam("recipient_id"))
_RECIPIENT_FIELDS = tuple(col.name for col in t.recipients.columns if col.name != "id")
_UPDATE_RECIPIENT = (
    update(t.recipients)
    .where(_rc.id == bindparam("recipient_id"))
    .values({name: bindparam(name) for name in _RECIPIENT_FIELDS})
)
_LIST_CENTER_RECIPIENTS = PerDialect(
    lambda d: (
        select(t.recipients)
        .where(_rc.center_id == bindparam("center_id"), _rc.elder_id.is_(None))
        .order_by(code_point(d, _rc.name), code_point(d, _rc.id))
    )
)
_LIST_ELDER_RECIPIENTS = PerDialect(
    lambda d: (
        select(t.recipients)
        .where(_rc.elder_id == bindparam("elder_id"))
        .order_by(code_point(d, _rc.name), code_point(d, _rc.id))
    )
)
_LIST_ADDRESS_RECIPIENTS = PerDialect(
    lambda d: (
        select(t.recipients)
        .where(_rc.channel == bindparam("channel"), _rc.address == bindparam("address"))
        .order_by(code_point(d, _rc.id))
    )
)
_ADD_OUTBOX = PerDialect(lambda d: on_conflict_insert(d, t.outbox_messages, ("id",), _ob.id))
_GET_OUTBOX = select(t.outbox_messages).where(_ob.id == bindparam("message_id"))
# Neither sent nor given up (given up: tried, and no next attempt).
_PENDING = and_(_ob.sent_at.is_(None), or_(_ob.next_attempt_at.is_not(None), _ob.attempts == 0))
_DUE = and_(
    _ob.sent_at.is_(None),
    _ob.not_before <= bindparam("now"),
    or_(
        _ob.next_attempt_at <= bindparam("now"),
        and_(_ob.next_attempt_at.is_(None), _ob.attempts == 0),
    ),
)
_LIST_DUE = PerDialect(
    lambda d: (
        select(t.outbox_messages)
        .where(_DUE)
        .order_by(_ob.created_at, code_point(d, _ob.id))
        .limit(bindparam("limit", type_=Integer))
    )
)
_CLAIM_OUTBOX = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _DUE)
    .values(next_attempt_at=bindparam("until"))
)
_DEFER_OUTBOX = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _PENDING)
    .values(not_before=bindparam("until"))
)
_MARK_OUTBOX_SENT = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _ob.sent_at.is_(None))
    .values(
        sent_at=bindparam("at"),
        last_attempt_at=bindparam("at"),
        attempts=_ob.attempts + 1,
        next_attempt_at=None,
    )
)
_MARK_OUTBOX_FAILED = (
    update(t.outbox_messages)
    .where(_ob.id == bindparam("message_id"), _PENDING)
    .values(
        last_attempt_at=bindparam("at"),
        attempts=_ob.attempts + 1,
        last_error=bindparam("error"),
        next_attempt_at=bindparam("next_attempt_at"),
    )
)
_LIST_OUTBOX_FOR_ALERT = PerDialect(
    lambda d: (
        select(t.outbox_messages)
        .where(_ob.alert_id == bindparam("alert_id"))
        .order_by(_ob.created_at, code_point(d, _ob.id))
    )
)
_OUTBOX_EXISTS = select(_ob.id).where(_ob.id == bindparam("message_id"))


class SqlRecipientRepository(SqlRepository, RecipientRepository):
    """Notification recipients in the ``recipients`` table."""

    def add(self, recipient: Recipient) -> None:
        """Add a recipient; raise Conflict if the id exists."""
        self._insert(insert(t.recipients), recipient_to_row(recipient), f"recipient {recipient.id}")

    def get(self, recipient_id: str) -> Recipient | None:
        """Return the recipient, or None."""
        row = self._connection.execute(_GET_RECIPIENT, {"recipient_id": recipient_id}).first()
        return None if row is None else recipient_from_row(mapping(row))

    def update(self, recipient: Recipient) -> None:
        """Replace the stored recipient; raise NotFound if absent."""
        row = recipient_to_row(recipient)
        params = {name: row[name] for name in _RECIPIENT_FIELDS}
        with translated(self._connection, f"recipient {recipient.id}"):
            result = self._connection.execute(
                _UPDATE_RECIPIENT, {**params, "recipient_id": recipient.id}
            )
        if result.rowcount != 1:
            raise NotFound(f"recipient {recipient.id} does not exist")

    def list_for_center(self, center_id: str) -> list[Recipient]:
        """Return the center's own recipients ordered by name, then id."""
        rows = self._connection.execute(
            _LIST_CENTER_RECIPIENTS.get(self._connection), {"center_id": center_id}
        )
        return [recipient_from_row(mapping(row)) for row in rows]

    def list_for_elder(self, elder_id: str) -> list[Recipient]:
        """Return the elder's recipients ordered by name, then id."""
        rows = self._connection.execute(
            _LIST_ELDER_RECIPIENTS.get(self._connection), {"elder_id": elder_id}
        )
        return [recipient_from_row(mapping(row)) for row in rows]

    def list_for_address(self, channel: str, address: str) -> list[Recipient]:
        """Return the recipients with this channel and address, by id."""
        rows = self._connection.execute(
            _LIST_ADDRESS_RECIPIENTS.get(self._connection),
            {"channel": channel, "address": address},
        )
        return [recipient_from_row(mapping(row)) for row in rows]


class SqlOutboxRepository(SqlRepository, OutboxRepository):
    """Queued notifications in the ``outbox_messages`` table, keyed by their id."""

    def add_if_absent(self, message: OutboxMessage) -> bool:
        """Queue the message unless its id exists; return whether it was stored."""
        values = outbox_to_row(message)
        what = f"outbox message {message.id}"
        stmt = _ADD_OUTBOX.get(self._connection)
        # ON CONFLICT (id): a concurrent unit's insert of the same id makes this one
        # wait for it, then do nothing.
        with translated(self._connection, what):
            inserted = self._connection.execute(stmt, values).first()
        return inserted is not None

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return the message, or None."""
        row = self._connection.execute(_GET_OUTBOX, {"message_id": message_id}).first()
        return None if row is None else outbox_from_row(mapping(row))

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Return at most ``limit`` messages due at ``now``, oldest first."""
        at = to_utc(now)
        if limit < 1:
            return []
        rows = self._connection.execute(
            _LIST_DUE.get(self._connection), {"now": at, "limit": int(limit)}
        )
        return [outbox_from_row(mapping(row)) for row in rows]

    def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        """Set a due message's ``next_attempt_at`` to ``until``; return whether it was due."""
        result = self._connection.execute(
            _CLAIM_OUTBOX,
            {"message_id": message_id, "now": to_utc(now), "until": to_utc(until)},
        )
        return result.rowcount == 1

    def defer(self, message_id: str, until: datetime) -> None:
        """Set a pending message's ``not_before`` to ``until``; NotFound if absent."""
        result = self._connection.execute(
            _DEFER_OUTBOX, {"message_id": message_id, "until": to_utc(until)}
        )
        self._found(result.rowcount, message_id)

    def mark_sent(self, message_id: str, at: datetime) -> None:
        """Record a successful send at ``at``; NotFound if absent."""
        result = self._connection.execute(
            _MARK_OUTBOX_SENT, {"message_id": message_id, "at": to_utc(at)}
        )
        self._found(result.rowcount, message_id)

    def mark_failed(
        self, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Record a failed attempt; ``next_attempt_at`` None gives up; NotFound if absent."""
        result = self._connection.execute(
            _MARK_OUTBOX_FAILED,
            {
                "message_id": message_id,
                "at": to_utc(at),
                "error": error,
                "next_attempt_at": optional_utc(next_attempt_at),
            },
        )
        self._found(result.rowcount, message_id)

    def _found(self, rowcount: int, message_id: str) -> None:
        """Raise NotFound when no row changed and the message does not exist."""
        if rowcount == 1:
            return
        exists = self._connection.execute(_OUTBOX_EXISTS, {"message_id": message_id}).first()
        if exists is None:
            raise NotFound(f"outbox message {message_id} does not exist")

    def list_for_alert(self, alert_id: str) -> list[OutboxMessage]:
        """Return the alert's messages by ``created_at``, then id."""
        rows = self._connection.execute(
            _LIST_OUTBOX_FOR_ALERT.get(self._connection), {"alert_id": alert_id}
        )
        return [outbox_from_row(mapping(row)) for row in rows]
