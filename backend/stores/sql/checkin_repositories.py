"""SQL repositories of an elder's days: check-ins, answers, events, away periods, readings."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)

from backend.domain.errors import NotFound
from backend.domain.model import (
    Answer,
    AwayPeriod,
    CheckIn,
    CheckInStatus,
    Event,
    Reading,
    ReadingKind,
)
from backend.ports import (
    AnswerRepository,
    AwayRepository,
    CheckInRepository,
    EventRepository,
    ReadingRepository,
)
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    PerDialect,
    SqlRepository,
    by_code_point,
    code_point,
    grouped_by_elder,
    ids_in,
    mapping,
    on_conflict_insert,
    translated,
    untyped,
)
from backend.stores.sql.codecs import (
    answer_from_row,
    answer_to_row,
    away_from_row,
    away_to_row,
    checkin_from_row,
    checkin_to_row,
    event_from_row,
    event_to_row,
    reading_to_row,
)
from backend.stores.sql.column_types import optional_utc, to_utc
from backend.stores.sql.readers import (
    answer_reader,
    checkin_reader,
    mapped,
    reading_reader,
)

# Statements of the check-in's hot path, built once (building a select() costs more than
# running it on SQLite); SQLAlchemy caches their compiled form.
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


_aw, _rd = t.away_periods.c, t.readings.c
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
# The sweep's bulk reads select untyped columns for their positional readers (``readers``)
# and order by elder first: one elder's rows are then built one after the other, close
# together in memory for the rules that read them (and SQLite reads them in index order).
_LIST_READINGS = PerDialect(
    lambda d: (
        select(*untyped(t.readings))
        .where(
            ids_in(_rd.elder_id),
            _rd.kind == bindparam("kind"),
            _rd.measured_at >= bindparam("start"),
            _rd.measured_at < bindparam("end"),
        )
        .order_by(code_point(d, _rd.elder_id), _rd.measured_at)
    )
)
_LIST_CHECKINS_FOR_ELDERS = PerDialect(
    lambda d: (
        select(*untyped(t.checkins))
        .where(
            ids_in(t.checkins.c.elder_id),
            t.checkins.c.date >= bindparam("start"),
            t.checkins.c.date <= bindparam("end"),
        )
        .order_by(
            code_point(d, t.checkins.c.elder_id),
            t.checkins.c.date,
            t.checkins.c.started_at,
            code_point(d, t.checkins.c.id),
        )
    )
)
_LIST_EVENTS_FOR_ELDERS = PerDialect(
    lambda d: (
        select(t.events)
        .where(ids_in(t.events.c.elder_id), t.events.c.at >= bindparam("since"))
        .order_by(t.events.c.at, code_point(d, t.events.c.id))
    )
)
_LIST_ANSWERS_FOR_ELDERS = PerDialect(
    lambda d: (
        select(*untyped(t.answers))
        .where(
            ids_in(t.answers.c.elder_id),
            t.answers.c.date >= bindparam("start"),
            t.answers.c.date <= bindparam("end"),
        )
        .order_by(
            code_point(d, t.answers.c.elder_id),
            t.answers.c.date,
            t.answers.c.answered_at,
            t.answers.c.id,
        )
    )
)
_LIST_ANSWERS_TO_QUESTIONS_FOR_ELDERS = PerDialect(
    lambda d: _LIST_ANSWERS_FOR_ELDERS.get_for(d).where(
        t.answers.c.question_id.in_(bindparam("question_ids", expanding=True))
    )
)


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
        stmt = _LIST_ANSWERS_FOR_ELDERS.get(self._connection)
        if question_ids is not None:
            stmt = _LIST_ANSWERS_TO_QUESTIONS_FOR_ELDERS.get(self._connection)
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
            _LIST_READINGS.get(self._connection),
            elder_ids,
            {"kind": ReadingKind(kind).value, "start": to_utc(start), "end": to_utc(end)},
            reading_reader,
        )
