"""Settings read once from ``MIMAMORI_*`` environment variables."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "MIMAMORI_"
DEFAULT_MAX_BODY_BYTES = 256 * 1024


class ConfigError(RuntimeError):
    """A setting that the chosen mode needs is missing or wrong."""


def _present(value: object) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return value not in (None, "")


class Settings(BaseSettings):
    """Every setting of a deployment; build once and pass it in."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str = "sqlite:///mimamori.db"
    store: Literal["sql", "dynamodb"] = "sql"
    dynamodb_table: str = "mimamori"
    aws_endpoint_url: str | None = None
    media_url: str = "file://media"
    alexa_skill_id: str | None = None
    alexa_verify_signature: bool = True
    line_channel_secret: SecretStr | None = None
    line_channel_access_token: SecretStr | None = None
    line_api_base: str = "https://api.line.me"
    public_url: str | None = None  # where the Echo Show fetches media (/media/...) from
    smtp_url: str | None = None
    secret_key: SecretStr | None = None
    timezone: str = "Asia/Tokyo"
    # Proactive Events (notice nudges): the skill's client id and secret from the
    # developer console's Permissions page; tests point the URLs at a local server.
    alexa_client_id: str | None = None
    alexa_client_secret: SecretStr | None = None
    alexa_api_base: str = "https://api.fe.amazonalexa.com"
    alexa_token_url: str = "https://api.amazon.com/auth/O2/token"
    alexa_events_stage: Literal["live", "development"] = "live"
    # Seconds an outbound call may take before it counts as a retryable failure (the
    # outbox tries again later; one slow channel never holds up the others).
    line_timeout: float = Field(default=5.0, gt=0, le=120)
    alexa_timeout: float = Field(default=5.0, gt=0, le=120)
    smtp_timeout: float = Field(default=10.0, gt=0, le=120)  # per SMTP operation
    # Dashboard sessions (server-side; the cookie holds only a random id).
    session_cookie_secure: bool = True  # false only for a demo on http://127.0.0.1
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=24 * 7)
    # `mimamori serve`: gunicorn (gthread workers), or waitress where gunicorn cannot run
    # (Windows). Each worker process builds its own services after the fork.
    web_server: Literal["auto", "gunicorn", "waitress"] = "auto"
    web_workers: int = Field(default=1, ge=1, le=64)
    web_threads: int = Field(default=8, ge=1, le=256)
    web_timeout_seconds: int = Field(default=30, ge=1, le=3600)
    web_keepalive_seconds: int = Field(default=5, ge=1, le=300)
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=64 * 1024 * 1024)
    access_log: bool = True  # to standard error; signed /media query strings are redacted
    # Password checks (Argon2id, 64 MiB each) run at once per process; more sign-ins wait.
    password_checks_at_once: int = Field(default=2, ge=1, le=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @property
    def tz(self) -> ZoneInfo:
        """Return the deployment's time zone."""
        return ZoneInfo(self.timezone)

    def require(self, *names: str, purpose: str) -> None:
        """Raise ConfigError naming each missing variable that ``purpose`` needs."""
        missing = [
            f"{ENV_PREFIX}{name.upper()}"
            for name in names
            if getattr(self, name) in (None, "")
            or (
                isinstance(getattr(self, name), SecretStr)
                and not getattr(self, name).get_secret_value()
            )
        ]
        if missing:
            raise ConfigError(f"{purpose} には {', '.join(missing)} の設定が必要です")

    def require_for_skill(self) -> None:
        """Check what serving the Alexa skill needs."""
        self.require("alexa_skill_id", purpose="Alexa スキル（/alexa）")

    def require_for_web(self) -> None:
        """Check what ``mimamori serve`` needs."""
        self.require("secret_key", "alexa_skill_id", purpose="mimamori serve")
