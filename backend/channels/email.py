"""The e-mail channel: queued notifications sent over SMTP (smtplib), UTF-8 throughout.

Configured by one URL (``MIMAMORI_SMTP_URL``)::

    smtp://user:pass@host:587?from=mimamori@example.jp&starttls=1
    smtps://user:pass@host?from=mimamori@example.jp          (implicit TLS, port 465)
    smtp://host:25?from=%E3%81%BF%E3%81%BE%E3%82%82%E3%82%8A%20%3Cmimamori@example.jp%3E

Query parameters: ``from`` (required; an address, optionally with a display name),
``starttls`` (``1``/``0``; only with ``smtp://``), ``helo`` (the name given in EHLO;
default: this host's name) and ``timeout`` (seconds per network operation; default
``MIMAMORI_SMTP_TIMEOUT``, 10).
User and password are percent-decoded. The default port is 465 for ``smtps``, 587 for
``smtp`` with STARTTLS and 25 otherwise.

Failures are sorted for the outbox: a refused connection, a timeout, a 4xx reply or a
problem of the server or of our own configuration (EHLO, STARTTLS, AUTH, MAIL FROM) is
*retryable* — the message waits until the server or the settings are fixed. Only a 5xx
reply to this message's recipient (RCPT) or content (DATA), or an address that cannot
be sent to, is *permanent*. Error texts keep the server's reply with every address
replaced by ``<address>``; logs carry outbox message ids only, never an address or a
body (personal data).
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from backend.channels import ChannelError
from backend.domain.model import OutboxMessage, Recipient

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
_KNOWN_PARAMS = {"from", "starttls", "helo", "timeout"}
_ADDRESS_LIKE = re.compile(r"<?[^\s<>@]+@[^\s<>]+>?")
_ERROR_TEXT_MAX = 300


class EmailChannel:
    """Send outbox messages as e-mail through one SMTP server (a new connection per message).

    The password never appears in ``repr``; no network I/O happens before ``send``.
    """

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        implicit_tls: bool = False,
        starttls: bool = False,
        helo: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if implicit_tls and starttls:
            raise ValueError("SMTP URL: starttls is for smtp://, smtps:// is TLS already")
        display_name, addr_spec = parseaddr(sender)
        try:
            self._from = Address(display_name=display_name, addr_spec=addr_spec)
        except (ValueError, IndexError) as err:
            raise ValueError(f"SMTP URL: 'from' is not an e-mail address: {sender!r}") from err
        if not self._from.username or not self._from.domain:
            raise ValueError(f"SMTP URL: 'from' is not an e-mail address: {sender!r}")
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._implicit_tls = implicit_tls
        self._starttls = starttls
        self._helo = helo
        self._timeout = timeout
        self._ssl_context = ssl_context

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        default_timeout: float | None = None,
    ) -> EmailChannel:
        """Return the channel an ``smtp://`` or ``smtps://`` URL describes; ValueError if bad.

        ``ssl_context`` replaces the default (system CAs, host name checked) for TLS;
        ``default_timeout`` (``MIMAMORI_SMTP_TIMEOUT``) applies when the URL has no
        ``timeout`` parameter.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL: the scheme must be smtp or smtps, not {scheme!r}")
        if not parts.hostname:
            raise ValueError("SMTP URL: no host")
        try:
            port = parts.port
        except ValueError as err:
            raise ValueError("SMTP URL: the port is not a number from 0 to 65535") from err
        params = parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(params) - _KNOWN_PARAMS)
        if unknown:
            raise ValueError(f"SMTP URL: unknown parameter(s) {', '.join(unknown)}")
        for key, values in params.items():
            if len(values) > 1:
                raise ValueError(f"SMTP URL: parameter {key} given more than once")
        query = {key: values[0] for key, values in params.items()}
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        if not (username or "").isascii() or not (password or "").isascii():
            # smtplib sends AUTH credentials as ASCII only.
            raise ValueError("SMTP URL: the user name and password must be ASCII")
        if not query.get("from"):
            raise ValueError("SMTP URL: the sender is missing (add ?from=address)")
        starttls = _flag(query.get("starttls", "0"), "starttls")
        implicit_tls = scheme == "smtps"
        if port is None:
            port = 465 if implicit_tls else 587 if starttls else 25
        try:
            timeout = float(query.get("timeout", default_timeout or DEFAULT_TIMEOUT))
        except ValueError as err:
            raise ValueError("SMTP URL: timeout must be a number of seconds") from err
        if not timeout > 0:
            raise ValueError("SMTP URL: timeout must be a number of seconds above 0")
        return cls(
            parts.hostname,
            port,
            sender=query["from"],
            username=username,
            password=password,
            implicit_tls=implicit_tls,
            starttls=starttls,
            helo=query.get("helo") or None,
            timeout=timeout,
            ssl_context=ssl_context,
        )

    def __repr__(self) -> str:
        scheme = "smtps" if self._implicit_tls else "smtp"
        tls = " starttls" if self._starttls else ""
        return f"<EmailChannel {scheme}://{self._host}:{self._port}{tls}>"

    def compose(self, message: OutboxMessage, recipient: Recipient) -> EmailMessage:
        """Return the e-mail of a message (UTF-8, base64 body); ChannelError if unsendable.

        An address that is not one, or a line break in the subject or a name, can never
        be sent: a permanent ChannelError.
        """
        try:
            to = Address(display_name=recipient.name, addr_spec=recipient.address)
        except (ValueError, IndexError):
            raise ChannelError("invalid e-mail address", retryable=False) from None
        try:
            return self._compose(message, to)
        except ValueError:
            raise ChannelError(
                "the message cannot be put into an e-mail", retryable=False
            ) from None

    def _compose(self, message: OutboxMessage, to: Address) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._from
        email["To"] = to
        email["Subject"] = message.subject
        email["Date"] = format_datetime(message.created_at)
        # The same outbox message always gets the same Message-ID, so a resend after a
        # crash can be recognised as a duplicate by mail software.
        digest = hashlib.sha256(message.id.encode("utf-8")).hexdigest()[:32]
        email["Message-ID"] = f"<mimamori.{digest}@{self._from.domain}>"
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
        if message.urgent:
            email["Importance"] = "high"
            email["X-Priority"] = "1"
        email.set_content(message.body, charset="utf-8", cte="base64")
        return email

    def send(self, message: OutboxMessage, recipient: Recipient) -> None:
        """Send the message; return once the server accepted it, else raise ChannelError."""
        email = self.compose(message, recipient)
        smtp = self._open()
        try:
            self._transmit(smtp, email, recipient.address)
        finally:
            _close_quietly(smtp)
        log.info("outbox message %s accepted by the SMTP server", message.id)

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _open(self) -> smtplib.SMTP:
        """Connect, say EHLO, start TLS and log in as configured."""
        try:
            if self._implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self._host,
                    self._port,
                    local_hostname=self._helo,
                    timeout=self._timeout,
                    context=self._context(),
                )
            else:
                smtp = smtplib.SMTP(
                    self._host, self._port, local_hostname=self._helo, timeout=self._timeout
                )
        except (smtplib.SMTPException, OSError) as err:
            raise _channel_error("connect", err) from None
        try:
            smtp.ehlo()
            if self._starttls:
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self._username is not None:
                smtp.login(self._username, self._password or "")
        except (smtplib.SMTPException, OSError) as err:
            _close_quietly(smtp)
            raise _channel_error("session", err) from None
        return smtp

    def _transmit(self, smtp: smtplib.SMTP, email: EmailMessage, address: str) -> None:
        try:
            smtp.send_message(email, from_addr=self._from.addr_spec, to_addrs=[address])
        except (smtplib.SMTPException, OSError) as err:
            raise _channel_error("send", err) from None


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"SMTP URL: {name} must be 1 or 0, not {value!r}")


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """Say QUIT and close; a failure here changes nothing (the message is sent or not)."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _redacted(text: Any) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    cleaned = _ADDRESS_LIKE.sub("<address>", " ".join(str(text).split()))
    return cleaned[:_ERROR_TEXT_MAX]


def _reply(stage: str, code: int, text: Any, *, permanent_5xx: bool) -> ChannelError:
    retryable = not (permanent_5xx and 500 <= code < 600)
    return ChannelError(f"SMTP {code} ({stage}): {_redacted(text)}", retryable=retryable)


def _channel_error(stage: str, err: Exception) -> ChannelError:
    """Sort an smtplib or socket error into a retryable or permanent ChannelError."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        # One recipient per message: its refusal is about this message's address.
        code, text = next(iter(err.recipients.values()), (421, b"refused"))
        return _reply("RCPT", code, text, permanent_5xx=True)
    if isinstance(err, smtplib.SMTPDataError):
        return _reply("DATA", err.smtp_code, err.smtp_error, permanent_5xx=True)
    if isinstance(err, smtplib.SMTPNotSupportedError):
        # While sending: the address needs SMTPUTF8, which this server lacks. Before:
        # STARTTLS or AUTH is missing (our configuration, fixable).
        return ChannelError(
            f"SMTP not supported ({stage}): {_redacted(err)}", retryable=stage != "send"
        )
    if isinstance(err, smtplib.SMTPResponseException):
        # EHLO, STARTTLS, AUTH or MAIL FROM refused: the server's or our configuration's
        # problem, not this message's; it waits until fixed.
        return _reply(stage, err.smtp_code, err.smtp_error, permanent_5xx=False)
    return ChannelError(
        f"{stage}: {type(err).__name__}: {_redacted(err)}",
        retryable=True,
        # smtplib reports a reply that never came as "server disconnected" (from the timeout).
        timed_out=isinstance(err, TimeoutError) or isinstance(err.__context__, TimeoutError),
    )
