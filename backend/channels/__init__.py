"""Outbound channels: the port through which queued notifications leave the system.

A channel sends one ``OutboxMessage`` to one ``Recipient`` and either returns (the
message was handed over: an SMTP server accepted it, an API answered 2xx) or raises
``ChannelError``. ``retryable`` tells the outbox whether to try again later (the channel
is down, busy or misconfigured) or to give the message up (this message or address is
refused for good); ``timed_out`` that the channel did not answer within its timeout
(the outbox then leaves the channel's other non-urgent messages for the next sweep, so
one slow channel never holds up the rest). Implementations:
``backend.channels.email.EmailChannel`` (SMTP),
``backend.channels.alexa.AlexaNotificationChannel`` (Proactive Events) and
``family_line.channel.LineChannel`` (LINE push). Unit tests use ``tests.fakes.FakeChannel``.

This module stays light (no network client is imported here), so services can depend
on the port without loading any channel implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from backend.domain.model import OutboxMessage, Recipient


class ChannelError(Exception):
    """A send failed; ``retryable`` False means it will never succeed for this message.

    The message text is stored as the outbox message's ``last_error``: it must carry no
    address and no message content (personal data), only what went wrong.
    """

    def __init__(self, detail: str = "", *, retryable: bool, timed_out: bool = False) -> None:
        super().__init__(detail or ("retryable failure" if retryable else "permanent failure"))
        self.retryable = retryable or timed_out
        self.timed_out = timed_out


@runtime_checkable
class Channel(Protocol):
    """An outbound channel (the port): ``name`` matches ``OutboxMessage.channel``."""

    name: str

    def send(self, message: OutboxMessage, recipient: Recipient) -> None:
        """Hand the message over to the recipient's address; raise ChannelError on failure."""
        ...


def build_channels(
    *,
    smtp_url: str | None,
    alexa_client_id: str | None = None,
    alexa_client_secret: str | None = None,
    alexa_api_base: str | None = None,
    alexa_token_url: str | None = None,
    alexa_live: bool = True,
    alexa_timeout: float | None = None,
    smtp_timeout: float | None = None,
) -> dict[str, Channel]:
    """Return the channels configured by the settings, by name (none configured: empty).

    An e-mail channel is built when ``smtp_url`` (``MIMAMORI_SMTP_URL``) is set; the
    Alexa notification channel when the skill's client id and secret
    (``MIMAMORI_ALEXA_CLIENT_ID``, ``MIMAMORI_ALEXA_CLIENT_SECRET``) are. The timeouts
    (seconds; ``MIMAMORI_ALEXA_TIMEOUT``, ``MIMAMORI_SMTP_TIMEOUT``) default to each
    channel's own; an SMTP URL's ``?timeout=`` wins over ``smtp_timeout``.
    """
    channels: dict[str, Channel] = {}
    if smtp_url:
        from backend.channels.email import EmailChannel

        email = EmailChannel.from_url(smtp_url, default_timeout=smtp_timeout)
        channels[email.name] = email
    if alexa_client_id and alexa_client_secret:
        from backend.channels import alexa

        channel = alexa.AlexaNotificationChannel(
            alexa_client_id,
            alexa_client_secret,
            api_base=alexa_api_base or alexa.API_BASE,
            token_url=alexa_token_url or alexa.TOKEN_URL,
            live=alexa_live,
            timeout=alexa_timeout or alexa.DEFAULT_TIMEOUT,
        )
        channels[channel.name] = channel
    return channels


__all__ = ["Channel", "ChannelError", "build_channels"]
