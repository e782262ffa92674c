"""SQL repositories of the dashboard: sessions, failed logins, audit log, API tokens."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection

from backend.domain.errors import NotFound
from backend.domain.model import AwayPeriod, CheckIn, CheckInStatus, Elder, ElderStatus
from backend.domain.staff import ApiToken, AuditEntry, BoardEntry, StaffSession
from backend.ports import (
    ApiTokenRepository,
    AuditRepository,
    BoardRepository,
    LoginFailureRepository,
    SessionRepository,
)
from backend.stores.sql import tables as t
from backend.stores.sql.base import PerDialect, SqlRepository, code_point, mapping
from backend.stores.sql.codecs import away_from_row, consent_from_json
from backend.stores.sql.column_types import sqlite_utc, to_utc
from backend.stores.sql.staff_codecs import (
    api_token_from_row,
    api_token_to_row,
    audit_from_row,
    audit_to_row,
    session_from_row,
    session_to_row,
)


class SqlSessionRepository(SqlRepository, SessionRepository):
    """Dashboard sessions in the ``staff_sessions`` table."""

    def add(self, session: StaffSession) -> None:
        """Add a session; raise Conflict if the id exists."""
        self._insert(insert(t.staff_sessions), session_to_row(session), "session")

    def get(self, session_id: str) -> StaffSession | None:
        """Return the session, or None."""
        row = self._connection.execute(
            select(t.staff_sessions).where(t.staff_sessions.c.id == session_id)
        ).first()
        return None if row is None else session_from_row(mapping(row))

    def save(self, session: StaffSession) -> None:
        """Replace the stored session's user_id, data and last_seen_at; raise NotFound if absent."""
        row = session_to_row(session)
        result = self._connection.execute(
            update(t.staff_sessions)
            .where(t.staff_sessions.c.id == session.id)
            .values(user_id=row["user_id"], data=row["data"], last_seen_at=row["last_seen_at"])
        )
        if result.rowcount != 1:
            raise NotFound("session does not exist")

    def delete(self, session_id: str) -> bool:
        """Delete the session; return True if it existed."""
        result = self._connection.execute(
            delete(t.staff_sessions).where(t.staff_sessions.c.id == session_id)
        )
        return result.rowcount == 1

    def delete_expired(self, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions idle before ``idle_before`` or created before ``created_before``."""
        c = t.staff_sessions.c
        result = self._connection.execute(
            delete(t.staff_sessions).where(
                or_(
                    c.last_seen_at < to_utc(idle_before),
                    c.created_at < to_utc(created_before),
                )
            )
        )
        return result.rowcount

    def delete_for_user(self, user_id: str) -> int:
        """Delete every session of the user; return how many were deleted."""
        result = self._connection.execute(
            delete(t.staff_sessions).where(t.staff_sessions.c.user_id == user_id)
        )
        return result.rowcount


class SqlLoginFailureRepository(SqlRepository, LoginFailureRepository):
    """Failed logins in the ``login_failures`` table."""

    def add(self, key: str, at: datetime) -> None:
        """Record one failed login under ``key``."""
        self._connection.execute(insert(t.login_failures), {"key": key, "at": to_utc(at)})

    def count_since(self, key: str, since: datetime) -> int:
        """Return how many failures ``key`` has at or after ``since``."""
        c = t.login_failures.c
        return self._connection.execute(
            select(func.count()).where(c.key == key, c.at >= to_utc(since))
        ).scalar_one()

    def reserve(self, limits: Mapping[str, int], at: datetime, since: datetime) -> bool:
        """Record a failure under every key if each has room; atomic across processes.

        The rows go in first, then the keys are counted: on SQLite the insert takes the
        database's write lock, so the count sees every reservation committed before and
        none can commit until this one does. PostgreSQL (read committed) would let two
        transactions count at once, so each key's advisory lock is taken first (in key
        order: no deadlock), held to the end of the transaction. Without room the rows
        are rolled back to a savepoint.
        """
        keys = sorted(limits)
        if self._connection.dialect.name == "postgresql":
            for key in keys:
                self._connection.execute(
                    select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
                )
        c = t.login_failures.c
        savepoint = self._connection.begin_nested()
        self._connection.execute(
            insert(t.login_failures), [{"key": key, "at": to_utc(at)} for key in keys]
        )
        counts: dict[str, int] = dict(
            self._connection.execute(
                select(c.key, func.count())
                .where(c.key.in_(keys), c.at >= to_utc(since))
                .group_by(c.key)
            ).all()
        )
        if any(counts.get(key, 0) > limits[key] for key in keys):
            savepoint.rollback()
            return False
        savepoint.commit()
        return True

    def release(self, key: str, at: datetime) -> bool:
        """Forget one failure of ``key`` recorded at ``at``."""
        c = t.login_failures.c
        one = select(c.id).where(c.key == key, c.at == to_utc(at)).limit(1).scalar_subquery()
        result = self._connection.execute(delete(t.login_failures).where(c.id == one))
        return result.rowcount == 1

    def clear(self, key: str) -> int:
        """Forget every failure of ``key``."""
        result = self._connection.execute(
            delete(t.login_failures).where(t.login_failures.c.key == key)
        )
        return result.rowcount

    def prune(self, before: datetime) -> int:
        """Forget every failure before ``before``."""
        result = self._connection.execute(
            delete(t.login_failures).where(t.login_failures.c.at < to_utc(before))
        )
        return result.rowcount


class SqlAuditRepository(SqlRepository, AuditRepository):
    """The append-only ``audit_log`` table."""

    def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        self._connection.execute(insert(t.audit_log), audit_to_row(entry))

    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        """Return the entries about the elder, oldest first."""
        c = t.audit_log.c
        rows = self._connection.execute(
            select(t.audit_log).where(c.elder_id == elder_id).order_by(c.at, c.id)
        )
        return [audit_from_row(mapping(row)) for row in rows]

    def list_since(self, since: datetime) -> list[AuditEntry]:
        """Return every entry at or after ``since``, oldest first."""
        c = t.audit_log.c
        rows = self._connection.execute(
            select(t.audit_log).where(c.at >= to_utc(since)).order_by(c.at, c.id)
        )
        return [audit_from_row(mapping(row)) for row in rows]


class SqlApiTokenRepository(SqlRepository, ApiTokenRepository):
    """API tokens in the ``api_tokens`` table."""

    def add(self, token: ApiToken) -> None:
        """Add a token; raise Conflict if the id exists, NotFound if the user does not."""
        self._insert(insert(t.api_tokens), api_token_to_row(token), "api token")

    def get(self, token_id: str) -> ApiToken | None:
        """Return the token, or None."""
        row = self._connection.execute(
            select(t.api_tokens).where(t.api_tokens.c.id == token_id)
        ).first()
        return None if row is None else api_token_from_row(mapping(row))

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at ``at`` unless it already is; raise NotFound if absent."""
        c = t.api_tokens.c
        if self.get(token_id) is None:
            raise NotFound("api token does not exist")
        self._connection.execute(
            update(t.api_tokens)
            .where(c.id == token_id, c.revoked_at.is_(None))
            .values(revoked_at=to_utc(at))
        )

    def list_for_user(self, user_id: str) -> list[ApiToken]:
        """Return the user's tokens by ``created_at``, then id."""
        c = t.api_tokens.c
        rows = self._connection.execute(
            select(t.api_tokens).where(c.user_id == user_id).order_by(c.created_at, c.id)
        )
        return [api_token_from_row(mapping(row)) for row in rows]


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
