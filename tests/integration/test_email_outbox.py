"""The outbox over a real SQL store and a real local SMTP server (aiosmtpd on 127.0.0.1).

The server is down, then up: nothing is lost, nothing is sent twice. Replies the server
chooses (4xx, 5xx, AUTH, STARTTLS, implicit TLS, silence) are sorted into retryable and
permanent failures as ``backend.channels.email`` documents.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, text

from backend.bootstrap import bootstrap
from backend.channels.email import EmailChannel
from backend.domain.model import OutboxMessage, Recipient
from backend.services.context import Services
from backend.services.outbox import DeliveryReport, deliver_due
from backend.settings import Settings
from backend.stores.sql import migrate, tables
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.builders import (
    DAY,
    jst,
    make_center_inbox,
    make_elder,
    make_outbox_message,
    make_recipient,
    seed,
)
from tests.clock import FakeClock
from tests.databases import fresh_postgres

SUBJECT = "【至急】山田 花子さん：「助けて」と話されました"
BODY = (
    "見守り市北地域包括支援センター 御中\n\n"
    "山田 花子さん（北地区）がスマートスピーカーに「助けて」と話されました。\n"
    "ご本人には119番への通報をお願いしています。至急ご確認ください。\n"
)


# --- the store -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this module (dropped at the end)."""
    with fresh_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
        migrate.upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    if request.param == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(jst(DAY, 10))


@pytest.fixture
def services(engine: Engine, clock: FakeClock) -> Services:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    return bootstrap(settings, uow=lambda: SqlUnitOfWork(engine), clock=clock)


def queue(services: Services, *objects: Recipient | OutboxMessage) -> None:
    with services.uow() as uow:
        seed(uow, make_elder())
        for obj in objects:
            if isinstance(obj, Recipient):
                uow.recipients.add(obj)
            else:
                assert uow.outbox.add_if_absent(obj) is True
        uow.commit()


def stored(services: Services, message_id: str) -> OutboxMessage:
    with services.uow() as uow:
        message = uow.outbox.get(message_id)
    assert message is not None
    return message


# --- the SMTP server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it accepts and answers as told."""

    received: list[Any] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        """Return (envelope recipients, parsed message) for each accepted e-mail."""
        parsed = []
        for envelope in self.received:
            message = message_from_bytes(envelope.original_content, policy=default_policy)
            assert isinstance(message, EmailMessage)
            parsed.append((list(envelope.rcpt_tos), message))
        return parsed


@contextmanager
def smtp_server(inbox: Inbox, port: int, **kwargs: Any) -> Iterator[Controller]:
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def email_channel(port: int, query: str = "", **kwargs: Any) -> EmailChannel:
    return EmailChannel.from_url(
        f"smtp://127.0.0.1:{port}?from=mimamori@example.jp&helo=localhost{query}", **kwargs
    )


def center_inbox() -> Recipient:
    return make_center_inbox(address="kita-center@example.jp")


def alert_message(message_id: str, clock: FakeClock, **kw: Any) -> OutboxMessage:
    return make_outbox_message(
        message_id, created_at=clock(), subject=SUBJECT, body=BODY, urgent=True, **kw
    )


# --- the tests -----------------------------------------------------------------------


class TestServerDownThenUp:
    def test_nothing_is_lost_while_the_server_is_down_and_nothing_is_sent_twice(
        self, services: Services, clock: FakeClock
    ) -> None:
        port = free_port()
        channels = {"email": email_channel(port)}
        queue(
            services,
            center_inbox(),
            make_recipient(address="taro@example.jp"),
            alert_message("alert-1/0/inbox-1", clock, recipient_id="inbox-1"),
            alert_message("alert-1/0/recipient-1", clock, recipient_id="recipient-1"),
        )

        # The server is down: connection refused; both stay queued with a next attempt.
        report = deliver_due(services, channels)
        assert report == DeliveryReport(retried=2)
        for message_id in ("alert-1/0/inbox-1", "alert-1/0/recipient-1"):
            message = stored(services, message_id)
            assert message.attempts == 1
            assert message.sent_at is None
            assert message.next_attempt_at is not None
            assert clock() < message.next_attempt_at <= clock() + timedelta(minutes=1)
            assert message.last_error is not None
            assert "ConnectionRefusedError" in message.last_error
        assert deliver_due(services, channels) == DeliveryReport()  # not due yet

        inbox = Inbox()
        with smtp_server(inbox, port):
            clock.tick(timedelta(minutes=1))
            assert deliver_due(services, channels) == DeliveryReport(sent=2)
            clock.tick(timedelta(hours=2))
            assert deliver_due(services, channels) == DeliveryReport()

        got = inbox.messages()
        assert sorted(rcpt for rcpt, _ in got) == [["kita-center@example.jp"], ["taro@example.jp"]]
        for _, message in got:
            assert message["Subject"] == SUBJECT
            assert message.get_content() == BODY
            assert message["From"] == "mimamori@example.jp"
            assert message["Importance"] == "high"
        assert len({message["Message-ID"] for _, message in got}) == 2
        for message_id in ("alert-1/0/inbox-1", "alert-1/0/recipient-1"):
            message = stored(services, message_id)
            assert message.sent_at == clock() - timedelta(hours=2)
            assert message.attempts == 2

    def test_a_server_that_never_answers_times_out_and_is_retried(
        self, services: Services, clock: FakeClock
    ) -> None:
        queue(services, center_inbox(), alert_message("m-1", clock, recipient_id="inbox-1"))
        with socket.socket() as silent:  # accepts connections (backlog), never greets
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)
            channel = email_channel(silent.getsockname()[1], "&timeout=0.3")
            assert deliver_due(services, {"email": channel}) == DeliveryReport(retried=1)
        message = stored(services, "m-1")
        assert message.last_error is not None
        assert "Timeout" in message.last_error or "timed out" in message.last_error


class TestServerReplies:
    @pytest.mark.parametrize(
        ("rcpt_reply", "data_reply", "report", "error"),
        [
            ("550 5.1.1 <taro@example.jp>: no such user", None, DeliveryReport(failed=1), "550"),
            ("451 4.7.1 try again later", None, DeliveryReport(retried=1), "451"),
            (None, "554 5.7.1 message rejected", DeliveryReport(failed=1), "554"),
            (None, "452 4.3.1 insufficient storage", DeliveryReport(retried=1), "452"),
        ],
    )
    def test_5xx_to_the_recipient_or_content_gives_up_and_4xx_retries(
        self,
        services: Services,
        clock: FakeClock,
        rcpt_reply: str | None,
        data_reply: str | None,
        report: DeliveryReport,
        error: str,
    ) -> None:
        port = free_port()
        queue(services, make_recipient(), alert_message("m-1", clock))
        inbox = Inbox(rcpt_reply=rcpt_reply, data_reply=data_reply)
        with smtp_server(inbox, port):
            assert deliver_due(services, {"email": email_channel(port)}) == report
        message = stored(services, "m-1")
        assert message.attempts == 1
        assert message.given_up is (report.failed == 1)
        assert message.last_error is not None
        assert message.last_error.startswith(f"SMTP {error}")
        assert "taro@example.jp" not in message.last_error
        assert inbox.received == []

    def test_a_login_refused_is_retried_until_the_settings_are_fixed(
        self, services: Services, clock: FakeClock
    ) -> None:
        port = free_port()
        queue(services, center_inbox(), alert_message("m-1", clock, recipient_id="inbox-1"))

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            ok = isinstance(auth_data, LoginPassword) and (
                auth_data.login,
                auth_data.password,
            ) == (b"mimamori", b"p@ss:w0rd/")
            return AuthResult(success=ok, handled=False)

        inbox = Inbox()
        auth = {"authenticator": authenticator, "auth_require_tls": False}
        wrong = EmailChannel.from_url(
            f"smtp://mimamori:wrong@127.0.0.1:{port}?from=mimamori@example.jp&helo=localhost"
        )
        right = EmailChannel.from_url(
            f"smtp://mimamori:p%40ss%3Aw0rd%2F@127.0.0.1:{port}"
            "?from=mimamori@example.jp&helo=localhost"
        )
        with smtp_server(inbox, port, **auth):
            assert deliver_due(services, {"email": wrong}) == DeliveryReport(retried=1)
            assert "SMTP 535" in (stored(services, "m-1").last_error or "")
            clock.tick(timedelta(minutes=1))
            assert deliver_due(services, {"email": right}) == DeliveryReport(sent=1)
        assert len(inbox.received) == 1


# --- TLS -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _server_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    return context


def _client_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(tls_files[0]))


class TestTls:
    def test_starttls_then_send(
        self, services: Services, clock: FakeClock, tls_files: tuple[Path, Path]
    ) -> None:
        port = free_port()
        queue(services, center_inbox(), alert_message("m-1", clock, recipient_id="inbox-1"))
        inbox = Inbox()
        tls = {"tls_context": _server_context(tls_files), "require_starttls": True}
        with smtp_server(inbox, port, **tls):
            plain = email_channel(port)
            assert deliver_due(services, {"email": plain}) == DeliveryReport(retried=1)
            clock.tick(timedelta(minutes=1))
            secure = email_channel(port, "&starttls=1", ssl_context=_client_context(tls_files))
            assert deliver_due(services, {"email": secure}) == DeliveryReport(sent=1)
        ((_, message),) = inbox.messages()
        assert message["Subject"] == SUBJECT

    def test_implicit_tls_with_an_untrusted_certificate_waits_then_sends(
        self, services: Services, clock: FakeClock, tls_files: tuple[Path, Path]
    ) -> None:
        port = free_port()
        queue(services, center_inbox(), alert_message("m-1", clock, recipient_id="inbox-1"))
        inbox = Inbox()
        url = f"smtps://127.0.0.1:{port}?from=mimamori@example.jp&helo=localhost"
        with smtp_server(inbox, port, ssl_context=_server_context(tls_files)):
            untrusted = EmailChannel.from_url(url)  # the system CAs do not know this one
            assert deliver_due(services, {"email": untrusted}) == DeliveryReport(retried=1)
            assert "SSL" in (stored(services, "m-1").last_error or "")
            clock.tick(timedelta(minutes=1))
            trusted = EmailChannel.from_url(url, ssl_context=_client_context(tls_files))
            assert deliver_due(services, {"email": trusted}) == DeliveryReport(sent=1)
        assert len(inbox.received) == 1
