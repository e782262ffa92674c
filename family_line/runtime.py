"""Build what processing LINE events needs from the settings (no I/O until used)."""

from __future__ import annotations

from backend.media import MediaStore, build_media_store
from backend.services import family
from backend.services.context import Services
from backend.settings import Settings
from family_line.api import LineApi
from family_line.channel import LineChannel
from family_line.events import LineContext


def line_configured(settings: Settings) -> bool:
    """Return True when the LINE channel secret and access token are both set."""
    secret, token = settings.line_channel_secret, settings.line_channel_access_token
    return bool(secret and secret.get_secret_value() and token and token.get_secret_value())


def line_api(settings: Settings) -> LineApi:
    """Return the LINE API client of the settings."""
    settings.require("line_channel_access_token", purpose="LINE")
    token = settings.line_channel_access_token
    assert token is not None
    return LineApi(token.get_secret_value(), settings.line_api_base, timeout=settings.line_timeout)


def line_context(settings: Settings, services: Services) -> LineContext:
    """Return the services, LINE API and media store that event processing uses."""
    return LineContext(services, line_api(settings), _media(settings, services))


def line_channel(settings: Settings, services: Services) -> LineChannel:
    """Return the outbox's LINE channel; every accepted push is counted for the quota."""
    return LineChannel(line_api(settings), lambda count: family.record_line_sends(services, count))


def _media(settings: Settings, services: Services) -> MediaStore:
    """Return the services' media store (built from the settings when not wired)."""
    if services.media is not None:
        return services.media
    return build_media_store(settings.media_url, endpoint_url=settings.aws_endpoint_url)
