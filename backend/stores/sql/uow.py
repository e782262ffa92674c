"""Engine construction and the SQL unit of work."""

from __future__ import annotations

import sqlite3
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from backend.domain.errors import StoreBusy
from backend.ports import AbstractUnitOfWork, lock_first_asked
from backend.stores.sql.alert_repositories import (
    SqlAlertRepository,
    SqlOutboxRepository,
    SqlRecipientRepository,
)
from backend.stores.sql.board_repositories import SqlBoardRepository
from backend.stores.sql.checkin_repositories import (
    SqlAnswerRepository,
    SqlAwayRepository,
    SqlCheckInRepository,
    SqlEventRepository,
    SqlReadingRepository,
)
from backend.stores.sql.config_repositories import SqlConfigVersionRepository
from backend.stores.sql.contact_repositories import SqlContactRepository
from backend.stores.sql.elder_repositories import (
    SqlCenterRepository,
    SqlDeviceRepository,
    SqlElderRepository,
    SqlMunicipalityRepository,
)
from backend.stores.sql.family_repositories import SqlFamilyRepository, SqlLineInboxRepository
from backend.stores.sql.job_run_repositories import SqlJobRunRepository
from backend.stores.sql.notice_repositories import (
    SqlNoticeDeliveryRepository,
    SqlNoticeRepository,
)
from backend.stores.sql.privacy_repositories import SqlPrivacyRepository
from backend.stores.sql.staff_repositories import (
    SqlApiTokenRepository,
    SqlAuditRepository,
    SqlLoginFailureRepository,
    SqlSessionRepository,
    SqlUserRepository,
)

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Return an engine for the URL; SQLite gets WAL, foreign keys and a busy timeout.

    PostgreSQL sessions run in UTC unless the URL sets ``options`` itself. Errors and
    logs never show statement parameters (``hide_parameters``): they carry personal data.
    """
    kwargs["hide_parameters"] = True
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql" and "options" not in url.query:
        # Timestamps come back in UTC with datetime.UTC itself as tzinfo (psycopg maps the
        # session time zone "UTC" to it): no conversion on read, and fast comparisons with
        # the UTC times the services compute (a zoneinfo tzinfo compared ~50x slower).
        connect_args = {"options": "-c TimeZone=UTC", **kwargs.pop("connect_args", {})}
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine, is_file=is_sqlite_file(url.database))
    return engine


def is_sqlite_file(database: str | None) -> bool:
    """Return whether the SQLite database is a file (not in memory)."""
    return (
        bool(database) and database != ":memory:" and not str(database).startswith("file::memory:")
    )


def configure_sqlite_connection(dbapi_connection: Any, *, is_file: bool) -> None:
    """Set up a new sqlite3 connection: no driver transactions, WAL, foreign keys, busy wait."""
    # Let SQLAlchemy emit BEGIN itself (the sqlite3 driver's legacy transaction
    # control skips BEGIN before SELECT and SAVEPOINT, which breaks both).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        if is_file:
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the file; a power cut may lose the
            # last commits, an application crash loses nothing (sqlite.org/wal.html).
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
    finally:
        cursor.close()


def _configure_sqlite(engine: Engine, *, is_file: bool) -> None:
    """Install connect/begin hooks so SQLite has real transactions and savepoints."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_sqlite_connection(dbapi_connection, is_file=is_file)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Straight to the driver: through exec_driver_sql this BEGIN cost as much as the
        # INSERT of a webhook acknowledgement (a deferred BEGIN takes no lock, cannot fail).
        # A unit run again after StoreBusy takes the write lock first (waiting up to the
        # busy timeout): no other writer can then commit between its reads and its writes.
        begin = "BEGIN IMMEDIATE" if lock_first_asked() else "BEGIN"
        driver = connection.connection.driver_connection
        assert driver is not None, "a connection that begins is open"
        driver.execute(begin)


def _is_busy(err: Exception) -> bool:
    # SQLite answers "database is locked" when a deferred transaction cannot take the
    # write lock (WAL mode does not wait for it): the whole unit must be tried again.
    message = str(getattr(err, "orig", None) or err).lower()
    return "database is locked" in message or "database is busy" in message


class SqlUnitOfWork(AbstractUnitOfWork):
    """One connection and transaction over every SQL repository.

    The unit may be entered again after it exits; each ``with`` block gets a fresh
    connection. Work not committed when the block exits is rolled back.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        """Open a connection and transaction and build the repositories."""
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        connection = self._engine.connect()
        try:
            connection.begin()
        except BaseException as err:
            connection.close()
            # BEGIN IMMEDIATE still locked out after the busy timeout (the driver's error).
            if isinstance(err, sqlite3.OperationalError | OperationalError) and _is_busy(err):
                raise StoreBusy("the database is busy; try again") from err
            raise
        self._connection = connection
        self.municipalities = SqlMunicipalityRepository(connection)
        self.centers = SqlCenterRepository(connection)
        self.elders = SqlElderRepository(connection)
        self.devices = SqlDeviceRepository(connection)
        self.checkins = SqlCheckInRepository(connection)
        self.answers = SqlAnswerRepository(connection)
        self.events = SqlEventRepository(connection)
        self.users = SqlUserRepository(connection)
        self.away = SqlAwayRepository(connection)
        self.readings = SqlReadingRepository(connection)
        self.alerts = SqlAlertRepository(connection)
        self.recipients = SqlRecipientRepository(connection)
        self.outbox = SqlOutboxRepository(connection)
        self.notices = SqlNoticeRepository(connection)
        self.notice_deliveries = SqlNoticeDeliveryRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.login_failures = SqlLoginFailureRepository(connection)
        self.audit = SqlAuditRepository(connection)
        self.api_tokens = SqlApiTokenRepository(connection)
        self.board = SqlBoardRepository(connection)
        self.line_inbox = SqlLineInboxRepository(connection)
        self.family = SqlFamilyRepository(connection)
        self.config_versions = SqlConfigVersionRepository(connection)
        self.contacts = SqlContactRepository(connection)
        self.privacy = SqlPrivacyRepository(connection)
        self.job_runs = SqlJobRunRepository(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and close the connection."""
        connection = self._connection
        if connection is None:
            return
        self._connection = None
        try:
            connection.rollback()
        finally:
            connection.close()
        if isinstance(exc, OperationalError) and _is_busy(exc):
            raise StoreBusy("the database is busy; try again") from exc

    @property
    def connection(self) -> Connection:
        """Return the open connection (only inside ``with``)."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open; use it in a with block")
        return self._connection

    def commit(self) -> None:
        """Commit the transaction; later work in the block runs in a new transaction."""
        try:
            self.connection.commit()
        except OperationalError as err:
            if _is_busy(err):
                raise StoreBusy("the database is busy; try again") from err
            raise

    def rollback(self) -> None:
        """Roll back the transaction; later work in the block runs in a new transaction."""
        self.connection.rollback()
