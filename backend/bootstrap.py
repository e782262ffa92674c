"""The composition root: build the services from settings."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from backend.channels import Channel, build_channels
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

    from backend.services.line_inbox import ProcessReport
    from family_line.api import LineApi
    from family_line.events import LineContext
    from skill.verifier import AlexaRequestVerifier

logger = logging.getLogger(__name__)


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
    """Return the services wired to the store, question sets, clock and channels in ``settings``.

    Nothing is connected here: stores, channels and LINE reach out at their first use.
    """
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
        channels=lambda: outbox_channels(settings),
        line=family_line(settings),
    )


def outbox_channels(settings: Settings) -> dict[str, Channel]:
    """Return the outbox's e-mail and Alexa channels that the settings configure."""
    secret = settings.alexa_client_secret
    return build_channels(
        smtp_url=settings.smtp_url,
        alexa_client_id=settings.alexa_client_id,
        alexa_client_secret=secret.get_secret_value() if secret else None,
        alexa_api_base=settings.alexa_api_base,
        alexa_token_url=settings.alexa_token_url,
        alexa_live=settings.alexa_events_stage == "live",
        alexa_timeout=settings.alexa_timeout,
        smtp_timeout=settings.smtp_timeout,
    )


def family_line(settings: Settings) -> LazyFamilyLine | None:
    """Return LINE of the settings (None: its channel secret or access token is not set)."""
    secret, token = settings.line_channel_secret, settings.line_channel_access_token
    if not (secret and secret.get_secret_value() and token and token.get_secret_value()):
        return None
    return LazyFamilyLine(
        secret.get_secret_value(),
        token.get_secret_value(),
        settings.line_api_base,
        timeout=settings.line_timeout,
    )


class LazyFamilyLine:
    """LINE of one channel (the ``FamilyLine`` port): ``family_line`` is imported at first use.

    The skill's cold start never pays for it (the skill's Lambda package has no
    ``family_line`` at all).
    """

    def __init__(
        self, channel_secret: str, access_token: str, api_base: str, *, timeout: float
    ) -> None:
        self.channel_secret = channel_secret
        self._access_token = access_token
        self._api_base = api_base
        self._timeout = timeout

    def api(self) -> LineApi:
        """Return a client of the LINE Messaging API (no I/O until called)."""
        from family_line.api import LineApi

        return LineApi(self._access_token, self._api_base, timeout=self._timeout)

    def context(self, svc: Services) -> LineContext:
        """Return the services, LINE API and media store that event processing uses."""
        from family_line.events import LineContext

        return LineContext(svc, self.api(), svc.media)

    def channel(self, svc: Services) -> Channel:
        """Return the outbox's LINE channel; every accepted push is counted for the quota."""
        from backend.services import family
        from family_line.channel import LineChannel

        return LineChannel(self.api(), lambda count: family.record_line_sends(svc, count))

    def process_pending(
        self,
        svc: Services,
        *,
        received_before: datetime | None = None,
        accepted_here: bool = False,
    ) -> ProcessReport:
        """Process the stored events still pending (``family_line.inbox.process_pending``)."""
        from family_line.inbox import process_pending

        return process_pending(
            self.context(svc), received_before=received_before, accepted_here=accepted_here
        )


def alexa_verifier(settings: Settings) -> AlexaRequestVerifier | None:
    """Return the checker of Alexa's request signatures (None: switched off, development only)."""
    if not settings.alexa_verify_signature:
        logger.warning("Alexa request signature verification is OFF (development only)")
        return None
    from skill.verifier import AlexaRequestVerifier

    return AlexaRequestVerifier(skill_id=settings.alexa_skill_id or "")


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
