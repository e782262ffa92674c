"""The composition root: build the services from settings."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from backend.channels.reminders import AlexaReminders
from backend.media import MediaLinks, MediaStore, build_media_store
from backend.ports import AbstractUnitOfWork, LineInboxWriter
from backend.services.context import Services
from backend.services.published import PublishedSets, published_engagement, published_policies
from backend.settings import ConfigError, Settings
from questions.loader import SETS_DIR, load_sets
from questions.model import QuestionSet

if TYPE_CHECKING:
    from sqlalchemy import Engine


def utc_now() -> datetime:
    """Return the current time (aware, UTC)."""
    return datetime.now(UTC)


_engines: list[Engine] = []  # every engine sql_engine made, for release_clients


@cache
def sql_engine(database_url: str) -> Engine:
    """Return the process's engine of the URL (one engine per URL)."""
    from backend.stores.sql.uow import make_engine

    engine = make_engine(database_url)
    _engines.append(engine)
    return engine


def release_clients(*, close: bool = True) -> None:
    """Let go of the process's pooled database connections and AWS clients.

    A server's master calls it before forking its workers (``close=True``: closes them);
    a forked worker calls it first (``close=False``: forgets the inherited ones without
    touching them, SQLAlchemy's advice for forks). Engines stay usable: their next
    connection is new; DynamoDB units of work get a new client.
    """
    for engine in _engines:
        engine.dispose(close=close)
    dynamodb_uow_factory.cache_clear()


@cache
def sql_uow_factory(database_url: str) -> Callable[[], AbstractUnitOfWork]:
    """Return a factory of SQL units of work sharing one engine (one engine per URL)."""
    from backend.stores.sql.uow import SqlUnitOfWork

    engine = sql_engine(database_url)
    return lambda: SqlUnitOfWork(engine)


@cache
def dynamodb_uow_factory(table: str, endpoint_url: str | None) -> Callable[[], AbstractUnitOfWork]:
    """Return a factory of DynamoDB units of work sharing one client (one per table)."""
    from backend.stores.dynamodb.table import make_client
    from backend.stores.dynamodb.uow import DynamoUnitOfWork

    client = make_client(endpoint_url)
    return lambda: DynamoUnitOfWork(client, table)


def store_uow_factory(settings: Settings) -> Callable[[], AbstractUnitOfWork]:
    """Return the unit-of-work factory of the store that ``MIMAMORI_STORE`` names."""
    if settings.store == "dynamodb":
        return dynamodb_uow_factory(settings.dynamodb_table, settings.aws_endpoint_url)
    if settings.store != "sql":
        raise ConfigError(f"MIMAMORI_STORE={settings.store} は使えません（sql か dynamodb）")
    return sql_uow_factory(settings.database_url)


def prepare_store(settings: Settings) -> str:
    """Create or migrate the store to the newest schema (idempotent); return where it is."""
    if settings.store == "dynamodb":
        from backend.stores.dynamodb.table import create_table, make_client

        create_table(make_client(settings.aws_endpoint_url), settings.dynamodb_table)
        return f"DynamoDB table {settings.dynamodb_table}"
    from backend.stores.sql.migrate import upgrade

    upgrade(settings.database_url)
    return settings.database_url


@cache
def sql_line_inbox_writer(database_url: str) -> LineInboxWriter | None:
    """Return the LINE webhook's own inbox writer of the URL (None: the store has none)."""
    from backend.stores.sql.inbox_writer import line_inbox_writer

    return line_inbox_writer(sql_engine(database_url))


def bootstrap(
    settings: Settings,
    *,
    uow: Callable[[], AbstractUnitOfWork] | None = None,
    clock: Callable[[], datetime] | None = None,
    question_sets: Callable[[], dict[str, QuestionSet]] | None = None,
) -> Services:
    """Return the services wired to the store, question sets and clock in ``settings``."""
    writer = None
    if uow is None:
        uow = store_uow_factory(settings)
        if settings.store == "sql":
            writer = sql_line_inbox_writer(settings.database_url)
    return Services(
        uow=uow,
        # A version published from the dashboard takes precedence over the file.
        question_sets=question_sets or PublishedSets(uow, cache(lambda: load_sets(SETS_DIR))),
        clock=clock or utc_now,
        tz=settings.tz,
        media_links=media_links(settings),
        media=media_store(settings),
        line_inbox_writer=writer,
        password_checks=threading.BoundedSemaphore(settings.password_checks_at_once),
        # A policy published from the dashboard takes precedence over the file, as for sets.
        policies=published_policies(uow),
        # Engagement published from the dashboard takes precedence over the file, too.
        engagement=published_engagement(uow),
        reminders=AlexaReminders(timeout=settings.alexa_timeout),
    )


def media_store(settings: Settings) -> MediaStore:
    """Return the media store of ``MIMAMORI_MEDIA_URL`` (no I/O until used)."""
    try:
        return build_media_store(settings.media_url, endpoint_url=settings.aws_endpoint_url)
    except ValueError as err:
        raise ConfigError(str(err)) from err


def media_links(settings: Settings) -> MediaLinks | None:
    """Return the signer of short-lived media links (None without MIMAMORI_SECRET_KEY)."""
    if settings.secret_key is None or not settings.secret_key.get_secret_value():
        return None
    secret = hashlib.sha256(b"media-links\n" + settings.secret_key.get_secret_value().encode())
    return MediaLinks(secret.digest(), settings.public_url or "")
