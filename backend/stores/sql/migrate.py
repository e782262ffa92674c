"""Schema migrations with Alembic, configured in code (no alembic.ini needed)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config

from backend.stores.sql.uow import make_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """Return an Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade the database at ``database_url`` to ``revision`` (default: the newest)."""
    _run(database_url, lambda config: command.upgrade(config, revision))
    log.info("database upgraded to %s", revision)


def downgrade(database_url: str, revision: str) -> None:
    """Downgrade the database at ``database_url`` to ``revision`` (e.g. ``base``)."""
    _run(database_url, lambda config: command.downgrade(config, revision))
    log.info("database downgraded to %s", revision)


def _run(database_url: str, action: Callable[[Config], None]) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config)
    finally:
        engine.dispose()
