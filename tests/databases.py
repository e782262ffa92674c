"""Throwaway databases for integration tests: a migrated SQLite file or PostgreSQL database."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from backend.stores.sql import migrate

POSTGRES_URL_VAR = "MIMAMORI_TEST_POSTGRES_URL"


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """Yield the URL of a new, migrated PostgreSQL database (dropped afterwards); skip without one."""
    base = os.environ.get(POSTGRES_URL_VAR)
    if not base:
        pytest.skip(f"{POSTGRES_URL_VAR} not set")
    name = f"mimamori_test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def fresh_sqlite(folder: Path) -> str:
    """Return the URL of a new, migrated SQLite file in ``folder``."""
    url = f"sqlite:///{folder / 'mimamori.db'}"
    migrate.upgrade(url)
    return url
