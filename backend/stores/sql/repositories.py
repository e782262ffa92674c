"""SQL repositories: the ports of ``backend.ports`` over one SQLAlchemy connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

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
    AnswerRepository,
    CenterRepository,
    CheckInRepository,
    DeviceRepository,
    ElderRepository,
    EventRepository,
    MunicipalityRepository,
    UserRepository,
)
from backend.stores.sql import tables as t

_PG_UNIQUE_VIOLATION = "23505"
_PG_FOREIGN_KEY_VIOLATION = "23503"
_SQLITE_KEY_ERRORS = {"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"}


def _violation(err: IntegrityError) -> str | None:
    """Return "key" (primary/unique), "reference" (foreign key) or None (anything else)."""
    orig = err.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return {_PG_UNIQUE_VIOLATION: "key", _PG_FOREIGN_KEY_VIOLATION: "reference"}.get(sqlstate)
    if isinstance(orig, sqlite3.IntegrityError):
        name = getattr(orig, "sqlite_errorname", "")
        if name in _SQLITE_KEY_ERRORS:
            return "key"
        return "reference" if name == "SQLITE_CONSTRAINT_FOREIGNKEY" else None
    message = str(orig).lower()
    if "foreign key" in message:
        return "reference"
    return "key" if "unique" in message or "duplicate" in message else None


@contextmanager
def _translated(connection: Connection, what: str) -> Iterator[None]:
    """Run a write in a SAVEPOINT; turn key violations into domain errors.

    The savepoint keeps the outer transaction usable after the violation (PostgreSQL
    aborts the whole transaction on an error otherwise). Other integrity errors (NOT
    NULL, ...) are bugs and propagate unchanged.
    """
    # SQLite undoes just the failed statement and keeps the transaction: no savepoint needed.
    guard = nullcontext() if connection.dialect.name == "sqlite" else connection.begin_nested()
    try:
        with guard:
            yield
    except IntegrityError as err:
        kind = _violation(err)
        if kind == "reference":
            raise NotFound(f"{what}: a record it refers to does not exist") from err
        if kind == "key":
            raise Conflict(f"{what} already exists") from err
        raise


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
_ADD_ANSWER = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(t.answers)
    .on_conflict_do_nothing(index_elements=["checkin_id", "question_id"])
    .returning(t.answers.c.id)
    for dialect in (sqlite, postgresql)
}


def _dialect_insert(connection: Connection, table: Table) -> Any:
    """Return an INSERT supporting ON CONFLICT for SQLite/PostgreSQL, else None."""
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    return None


def _mapping(row: Any) -> Mapping[str, Any]:
    return row._mapping


def _by_code_point(connection: Connection, column: Any) -> Any:
    """Order text by code point, as SQLite and Python do, whatever the database collation."""
    if connection.dialect.name == "postgresql":
        return column.collate("C")
    return column


class _SqlRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _insert(self, stmt: Insert, values: Mapping[str, Any], what: str) -> None:
        with _translated(self._connection, what):
            self._connection.execute(stmt, dict(values))


class SqlMunicipalityRepository(_SqlRepository, MunicipalityRepository):
    """Municipalities in the ``municipalities`` table."""

    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""
        self._insert(
            insert(t.municipalities),
            t.municipality_to_row(municipality),
            f"municipality {municipality.code}",
        )

    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""
        row = self._connection.execute(
            select(t.municipalities).where(t.municipalities.c.code == code)
        ).first()
        return None if row is None else t.municipality_from_row(_mapping(row))


class SqlCenterRepository(_SqlRepository, CenterRepository):
    """Care centers in the ``care_centers`` table."""

    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""
        self._insert(insert(t.care_centers), t.center_to_row(center), f"center {center.id}")

    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""
        row = self._connection.execute(
            select(t.care_centers).where(t.care_centers.c.id == center_id)
        ).first()
        return None if row is None else t.center_from_row(_mapping(row))

    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name."""
        c = t.care_centers.c
        rows = self._connection.execute(
            select(t.care_centers)
            .where(c.municipality_code == code)
            .order_by(
                _by_code_point(self._connection, c.name), _by_code_point(self._connection, c.id)
            )
        )
        return [t.center_from_row(_mapping(row)) for row in rows]


class SqlElderRepository(_SqlRepository, ElderRepository):
    """Elders in the ``elders`` table."""

    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""
        self._insert(insert(t.elders), t.elder_to_row(elder), f"elder {elder.id}")

    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""
        row = self._connection.execute(_GET_ELDER, {"id": elder_id}).first()
        return None if row is None else t.elder_from_row(_mapping(row))

    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""
        values = t.elder_to_row(elder)
        del values["id"]
        with _translated(self._connection, f"elder {elder.id}"):
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
                _by_code_point(self._connection, c.kana), _by_code_point(self._connection, c.id)
            )
        )
        return [t.elder_from_row(_mapping(row)) for row in rows]

    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana."""
        elders = self.list_for_center(center_id)
        ci, el = t.checkins.c, t.elders.c
        rows = self._connection.execute(
            select(t.checkins)
            .join(t.elders, el.id == ci.elder_id)
            .where(and_(el.center_id == center_id, ci.date == day))
            .order_by(ci.started_at, _by_code_point(self._connection, ci.id))
        )
        by_elder: dict[str, list[CheckIn]] = {}
        for row in rows:
            checkin = t.checkin_from_row(_mapping(row))
            by_elder.setdefault(checkin.elder_id, []).append(checkin)
        return [ElderDay(elder=e, checkins=tuple(by_elder.get(e.id, ()))) for e in elders]


class SqlDeviceRepository(_SqlRepository, DeviceRepository):
    """Speaker bindings (``device_bindings``) and pairing codes (``pairing_codes``)."""

    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""
        values = t.binding_to_row(binding)
        what = f"binding of elder {binding.elder_id}"
        stmt = _dialect_insert(self._connection, t.device_bindings)
        if stmt is not None:
            stmt = stmt.on_conflict_do_update(
                index_elements=["alexa_user_id", "device_id"],
                set_={"elder_id": stmt.excluded.elder_id, "bound_at": stmt.excluded.bound_at},
            )
            self._insert(stmt, values, what)
            return
        c = t.device_bindings.c
        with _translated(self._connection, what):
            result = self._connection.execute(
                update(t.device_bindings)
                .where(
                    and_(
                        c.alexa_user_id == binding.alexa_user_id,
                        c.device_id == binding.device_id,
                    )
                )
                .values(elder_id=values["elder_id"], bound_at=values["bound_at"])
            )
            if result.rowcount == 0:
                self._connection.execute(insert(t.device_bindings), values)

    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""
        row = self._connection.execute(
            _GET_BINDING, {"alexa_user_id": alexa_user_id, "device_id": device_id}
        ).first()
        return None if row is None else t.binding_from_row(_mapping(row))

    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""
        row = self._connection.execute(
            _GET_ELDER_BY_DEVICE, {"alexa_user_id": alexa_user_id, "device_id": device_id}
        ).first()
        return None if row is None else t.elder_from_row(_mapping(row))

    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""
        self._insert(insert(t.pairing_codes), t.pairing_code_to_row(code), "pairing code")

    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""
        row = self._connection.execute(
            select(t.pairing_codes).where(t.pairing_codes.c.code == code)
        ).first()
        return None if row is None else t.pairing_code_from_row(_mapping(row))

    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used; return False if it was already used (or is unknown)."""
        c = t.pairing_codes.c
        result = self._connection.execute(
            update(t.pairing_codes)
            .where(and_(c.code == code, c.used_at.is_(None)))
            .values(used_at=t.to_utc(at))
        )
        return result.rowcount == 1


class SqlCheckInRepository(_SqlRepository, CheckInRepository):
    """Check-ins in the ``checkins`` table."""

    def add(self, checkin: CheckIn) -> None:
        """Add a check-in; raise Conflict if (elder, date, slot) exists."""
        self._insert(
            insert(t.checkins),
            t.checkin_to_row(checkin),
            f"check-in {checkin.id} ({checkin.elder_id} {checkin.date} {checkin.slot})",
        )

    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        """Return the elder's check-in of that date and slot, or None."""
        row = self._connection.execute(
            _GET_CHECKIN, {"elder_id": elder_id, "day": day, "slot": str(slot)}
        ).first()
        return None if row is None else t.checkin_from_row(_mapping(row))

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
        return t.checkin_from_row(_mapping(rows[0])), answered

    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        """Update a check-in's status; raise NotFound if absent."""
        result = self._connection.execute(
            _SET_CHECKIN_STATUS,
            {
                "checkin_id": checkin_id,
                "status": CheckInStatus(status).value,
                "completed_at": t.optional_utc(completed_at),
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
            .order_by(c.date, c.started_at, _by_code_point(self._connection, c.id))
        )
        return [t.checkin_from_row(_mapping(row)) for row in rows]


class SqlAnswerRepository(_SqlRepository, AnswerRepository):
    """Answers in the ``answers`` table, at most one per check-in and question."""

    def add(self, answer: Answer) -> bool:
        """Store an answer; return False (storing nothing) if that question is answered."""
        values = t.answer_to_row(answer)
        what = f"answer {answer.checkin_id}/{answer.question_id}"
        stmt = _ADD_ANSWER.get(self._connection.dialect.name)
        if stmt is not None:
            # RETURNING tells reliably whether a row went in (rowcount does not on
            # every driver once the dialect adds RETURNING for the surrogate key).
            with _translated(self._connection, what):
                inserted = self._connection.execute(stmt, values).first()
            return inserted is not None
        try:
            self._insert(insert(t.answers), values, what)
        except Conflict:
            return False
        return True

    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        """Return the check-in's answers in the order given."""
        rows = self._connection.execute(_LIST_ANSWERS_FOR_CHECKIN, {"checkin_id": checkin_id})
        return [t.answer_from_row(_mapping(row)) for row in rows]

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        """Return the elder's answers with start <= date <= end, oldest first."""
        c = t.answers.c
        rows = self._connection.execute(
            select(t.answers)
            .where(and_(c.elder_id == elder_id, c.date >= start, c.date <= end))
            .order_by(c.date, c.answered_at, c.id)
        )
        return [t.answer_from_row(_mapping(row)) for row in rows]

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
        return None if row is None else t.answer_from_row(_mapping(row))


class SqlEventRepository(_SqlRepository, EventRepository):
    """Events in the ``events`` table."""

    def add(self, event: Event) -> None:
        """Store an event; raise Conflict if the id exists."""
        self._insert(insert(t.events), t.event_to_row(event), f"event {event.id}")

    def list_for_elder(self, elder_id: str) -> list[Event]:
        """Return the elder's events, oldest first."""
        c = t.events.c
        rows = self._connection.execute(
            select(t.events)
            .where(c.elder_id == elder_id)
            .order_by(c.at, _by_code_point(self._connection, c.id))
        )
        return [t.event_from_row(_mapping(row)) for row in rows]


class SqlUserRepository(_SqlRepository, UserRepository):
    """Staff users in the ``staff_users`` table (logins stored lower-cased)."""

    def add(self, user: StaffUser) -> None:
        """Add a user with its login lower-cased; raise Conflict if the id or login exists."""
        self._insert(insert(t.staff_users), t.user_to_row(user), f"user {user.id}")

    def get(self, user_id: str) -> StaffUser | None:
        """Return the user, or None."""
        row = self._connection.execute(
            select(t.staff_users).where(t.staff_users.c.id == user_id)
        ).first()
        return None if row is None else t.user_from_row(_mapping(row))

    def get_by_login(self, login: str) -> StaffUser | None:
        """Return the user with this login compared case-insensitively, or None."""
        # Lower-cased in Python, not with SQL lower(): SQLite's folds ASCII only.
        row = self._connection.execute(
            select(t.staff_users).where(t.staff_users.c.login == t.normalize_login(login))
        ).first()
        return None if row is None else t.user_from_row(_mapping(row))

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
            .order_by(_by_code_point(self._connection, c.login))
        )
        return [t.user_from_row(_mapping(row)) for row in rows]
