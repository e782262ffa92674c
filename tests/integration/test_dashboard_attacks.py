"""Attacks on the dashboard from loopback: the app over a real port on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_urls import same_site
from tests.dashboard_world import STAFF
from tests.databases import fresh_postgres, fresh_sqlite
from tests.served import Served, served
from tests.unit.test_login_redirect import HOSTILE


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield fresh_sqlite(tmp_path)
    else:
        with fresh_postgres() as url:
            yield url


@pytest.fixture
def site(database_url: str) -> Iterator[Served]:
    with served(database_url) as running:
        yield running


# --- open redirect after sign-in --------------------------------------------------------------


def test_signing_in_with_a_hostile_next_lands_on_the_board(site: Served):
    for target in [t for t in HOSTILE if t]:
        answer = site.log_in(STAFF, next=target)
        assert answer.status_code == 302, repr(target)
        location = answer.headers["Location"]
        assert location == "/", (target, location)
        assert same_site(location, site.url + "/login")


def test_signing_in_with_a_path_of_the_site_lands_there(site: Served):
    answer = site.log_in(STAFF, next="/alerts/alert-own")
    assert answer.headers["Location"] == "/alerts/alert-own"
