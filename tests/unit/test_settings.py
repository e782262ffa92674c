"""Settings: read from MIMAMORI_* once; a missing secret names its variable."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import ConfigError, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "DATABASE_URL",
        "STORE",
        "SECRET_KEY",
        "ALEXA_SKILL_ID",
        "ALEXA_VERIFY_SIGNATURE",
        "TIMEZONE",
    ):
        monkeypatch.delenv(f"MIMAMORI_{name}", raising=False)


def test_defaults_are_the_embedded_mode():
    settings = Settings()
    assert settings.store == "sql"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.alexa_verify_signature is True
    assert settings.timezone == "Asia/Tokyo"


def test_settings_come_from_prefixed_environment_variables(monkeypatch):
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("MIMAMORI_ALEXA_VERIFY_SIGNATURE", "false")
    settings = Settings()
    assert settings.database_url == "sqlite:///x.db"
    assert settings.alexa_verify_signature is False


def test_a_missing_secret_names_the_variable():
    with pytest.raises(ConfigError, match="MIMAMORI_SECRET_KEY, MIMAMORI_ALEXA_SKILL_ID"):
        Settings().require_for_web()


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone"):
        Settings(timezone="Mars/Olympus")


def test_serve_without_secrets_stops_with_a_clear_message():
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0
    assert "MIMAMORI_SECRET_KEY" in result.output


def test_the_help_lists_the_public_commands():
    result = CliRunner().invoke(main, ["--help"])
    for verb in ("serve", "demo", "talk", "db", "questions"):
        assert verb in result.output
