"""What every command shares: the settings, their errors, the demo skill's id."""

from __future__ import annotations

from typing import Any

import click

from backend.settings import ConfigError, Settings

DEMO_SKILL_ID = "amzn1.ask.skill.mimamori-demo"


def load_settings(**overrides: Any) -> Settings:
    """Return the settings (environment, then ``overrides``), or a usage error."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as err:
        raise click.ClickException(f"設定が正しくありません: {err}") from err


def config_failure(err: ConfigError) -> click.ClickException:
    """Return the error that tells the operator which setting is missing or wrong."""
    return click.ClickException(str(err))
