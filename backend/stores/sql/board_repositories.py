"""SQL repository of the today board: a whole center with the day's check-ins in one query."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    cast,
    null,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from backend.domain.model import AwayPeriod, CheckIn, CheckInStatus, Elder, ElderStatus
from backend.domain.staff import BoardEntry
from backend.ports import (
    BoardRepository,
)
from backend.stores.sql import tables as t
from backend.stores.sql.base import PerDialect, SqlRepository, code_point, mapping
from backend.stores.sql.codecs import away_from_row, consent_from_json
from backend.stores.sql.column_types import sqlite_utc, to_utc


class SqlBoardRepository(SqlRepository, BoardRepository):
    """The today board in one query (elders, the day's check-ins, last opening, pairing)."""

    def center_board(self, center_id: str, day: date, since: date) -> list[BoardEntry]:
        """Return every elder of the center with the day's check-ins, last opening, pairing."""
        sql, params = _board_driver_sql(self._connection, center_id, day, since)
        # The driver's own rows: 5,000 elders are 5,000 rows whose few timestamps are
        # converted here (SQLAlchemy's rows and result processors were ~30 % of the read).
        result = self._connection.exec_driver_sql(sql, params)
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
        utc = sqlite_utc if self._connection.dialect.name == "sqlite" else _aware_utc
        elder_of = _board_elder
        statuses = _CHECKIN_STATUSES
        new_checkin = _new_entry
        entries: list[BoardEntry] = []
        previous = None
        for row in rows:  # an elder's rows are consecutive (ordered by elder)
            elder_id = row[0]
            checkin = None
            if row[_BOARD_CHECKIN] is not None:
                checkin_id, slot, status, started, completed = row[_BOARD_CHECKIN:]
                checkin = new_checkin(CheckIn)  # frozen: filled directly, as the entries
                checkin.__dict__.update(
                    id=checkin_id,
                    elder_id=elder_id,
                    date=day,  # joined on the day
                    slot=slot,
                    status=statuses[status],
                    started_at=utc(started),
                    completed_at=utc(completed),
                )
            if elder_id == previous:  # a second check-in of the day for the same elder
                entry = entries[-1]
                entry.__dict__["checkins"] = (*entry.checkins, checkin)
                continue
            previous = elder_id
            entry = _new_entry(BoardEntry)  # frozen: filled directly, ~2x faster than __init__
            entry.__dict__.update(
                elder=elder_of(row[:_BOARD_BOUND]),
                checkins=() if checkin is None else (checkin,),
                last_checkin_at=utc(row[_BOARD_LAST]),
                bound_at=utc(row[_BOARD_BOUND]),
            )
            entries.append(entry)
        return entries

    def center_away(
        self, center_id: str, start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return the periods of the center's elders overlapping ``[start, end)``, by elder."""
        result = self._connection.execute(
            _CENTER_AWAY.get(self._connection),
            {"center_id": center_id, "start": to_utc(start), "end": to_utc(end)},
        )
        found: dict[str, list[AwayPeriod]] = {}
        for row in result:
            period = away_from_row(mapping(row))
            found.setdefault(period.elder_id, []).append(period)
        return found


_el, _ci, _db, _aw = t.elders.c, t.checkins.c, t.device_bindings.c, t.away_periods.c
# Elders read for the board, by their stored row (JSON as text): a board is read again and
# again with most elders unchanged, and parsing consent documents was most of its cost. An
# elder is frozen and equal rows make equal elders, so a hit is the very elder a miss would
# build. Bounded: cleared when it grows past _BOARD_ELDERS_MAX rows.
_board_elders: dict[tuple[Any, ...], Elder] = {}
_new_entry = object.__new__
_BOARD_ELDERS_MAX = 100_000
_ELDER_STATUSES = {s.value: s for s in ElderStatus}


def _board_elder(raw: tuple[Any, ...]) -> Elder:
    """Return the elder of an ``elders`` row whose consent and overrides are JSON text."""
    elder = _board_elders.get(raw)
    if elder is None:
        elder_id, name, kana, code, center_id, district, status, consent, overrides = raw
        elder = Elder(
            elder_id, name, kana, code, center_id, district, _ELDER_STATUSES[status],
            None if consent is None else consent_from_json(json.loads(consent)),
            dict(json.loads(overrides) or {}),
        )  # fmt: skip
        if len(_board_elders) >= _BOARD_ELDERS_MAX:
            _board_elders.clear()
        _board_elders[raw] = elder
    return elder


_last_ci = t.checkins.alias("last_checkin")
_CHECKIN_STATUSES = {s.value: s for s in CheckInStatus}
# One row per elder and check-in of the day (one row with NULL check-in columns if none).
# The first binding and the latest check-in opened are read from the elder row, where
# triggers keep them (migration 0013): the latest of all the elder's check-ins is the latest
# in the window when it is dated in the window; otherwise (a check-in dated after the day or
# before the window has the latest start) the elder's index is walked as before
# (checkins (elder_id, started_at, date), migration 0011). No check-in at all: NULL.
_CENTER_BOARD = PerDialect(
    lambda d: (
        select(
            _el.id,
            _el.name,
            _el.kana,
            _el.municipality_code,
            _el.center_id,
            _el.district,
            _el.status,
            cast(_el.consent, Text).label("consent"),
            cast(_el.overrides, Text).label("overrides"),
            _el.bound_since,
            case(
                (_el.last_checkin_date.is_(None), null()),
                (
                    and_(
                        _el.last_checkin_date >= bindparam("since"),
                        _el.last_checkin_date <= bindparam("day"),
                    ),
                    _el.last_checkin_at,
                ),
                else_=select(_last_ci.c.started_at)
                .where(
                    _last_ci.c.elder_id == _el.id,
                    _last_ci.c.date >= bindparam("since"),
                    _last_ci.c.date <= bindparam("day"),
                )
                .order_by(_last_ci.c.started_at.desc())
                .limit(1)
                .scalar_subquery(),
            ).label("last_at"),
            _ci.id.label("checkin_id"),
            _ci.slot,
            _ci.status.label("checkin_status"),
            _ci.started_at,
            _ci.completed_at,
        )
        .select_from(
            t.elders.outerjoin(
                t.checkins, and_(_ci.elder_id == _el.id, _ci.date == bindparam("day"))
            )
        )
        .where(_el.center_id == bindparam("center_id"))
        .order_by(
            code_point(d, _el.kana),
            code_point(d, _el.id),
            _ci.started_at,
            code_point(d, _ci.id),
        )
    )
)
_BOARD_BOUND = 9
_BOARD_LAST = _BOARD_BOUND + 1
_BOARD_CHECKIN = _BOARD_BOUND + 2
_board_sql: dict[tuple[str, str], tuple[str, tuple[str, ...] | None, dict, dict]] = {}


def _board_driver_sql(
    connection: Connection, center_id: str, day: date, since: date
) -> tuple[str, Any]:
    """Return the board's query as driver SQL and its parameters (bound as SQLAlchemy would)."""
    dialect = connection.dialect
    key = (dialect.name, dialect.paramstyle)
    if key not in _board_sql:
        compiled = _CENTER_BOARD.get(connection).compile(dialect=dialect)
        processors = {
            name: bind.type.bind_processor(dialect) for name, bind in compiled.binds.items()
        }
        # The statement's own parameters (the lookup's LIMIT); ours are replaced below.
        constants = compiled.construct_params({"center_id": "", "day": day, "since": since})
        positions = tuple(compiled.positiontup) if compiled.positiontup else None
        _board_sql[key] = (str(compiled), positions, processors, constants)
    sql, positions, processors, constants = _board_sql[key]
    values = {**constants, "center_id": center_id, "day": day, "since": since}
    bound = {
        name: value if (process := processors.get(name)) is None else process(value)
        for name, value in values.items()
    }
    return sql, bound if positions is None else tuple(bound[name] for name in positions)


def _aware_utc(value: datetime | None) -> datetime | None:
    """Return a stored aware timestamp in UTC (already so when the session is in UTC)."""
    if value is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


_CENTER_AWAY = PerDialect(
    lambda d: (
        select(t.away_periods)
        .join(t.elders, _el.id == _aw.elder_id)
        .where(
            # SQLite would walk the center's 5,000 elders for a few periods: the center is
            # compared as an expression (no index), the periods found by their end instead.
            (_el.center_id.concat("") if d == "sqlite" else _el.center_id)
            == bindparam("center_id"),
            _aw.starts_at < bindparam("end"),
            or_(_aw.ends_at.is_(None), _aw.ends_at > bindparam("start")),
        )
        .order_by(_aw.starts_at, code_point(d, _aw.id))
    )
)
