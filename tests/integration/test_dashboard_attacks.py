"""Attacks on the dashboard from loopback: the app over a real port on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from threading import Barrier

import pytest

from tests.browser_urls import same_site
from tests.dashboard_world import NOW, STAFF
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


# --- concurrent guesses at one account's password ---------------------------------------------


def _failures(site: Served, key: str) -> int:
    with site.services.uow() as uow:
        return uow.login_failures.count_since(key, NOW - timedelta(hours=1))


def test_fifteen_wrong_passwords_at_once_are_checked_five_times_and_refused_ten(site: Served):
    attempts = 15
    forms = [site.login_form() for _ in range(attempts)]
    start = Barrier(attempts)

    def guess(n: int) -> int:
        client, token = forms[n]
        start.wait()
        answer = client.post(
            site.url + "/login",
            data={"login": STAFF, "password": f"guess-{n}", "csrf_token": token},
            allow_redirects=False,
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = Counter(pool.map(guess, range(attempts)))
    assert statuses == {401: 5, 429: 10}
    assert _failures(site, f"login:{STAFF}") == 5
    # Even the right password is refused now: the account is locked for the window.
    assert site.log_in(STAFF).status_code == 429


def test_a_good_password_takes_its_reservation_back(site: Served):
    for _ in range(3):
        assert site.log_in(STAFF, password="wrong").status_code == 401
    assert site.log_in(STAFF).status_code == 302
    assert _failures(site, f"login:{STAFF}") == 0
    assert _failures(site, "ip:127.0.0.1") == 3


# --- reads that wrote -------------------------------------------------------------------------


def _session_rows(site: Served) -> int:
    from sqlalchemy import func, select

    from backend.stores.sql import tables

    with site.services.uow() as uow:
        return uow.connection.execute(  # type: ignore[attr-defined]
            select(func.count()).select_from(tables.staff_sessions)
        ).scalar_one()


def test_anonymous_login_pages_store_no_session(site: Served):
    for _ in range(20):
        site.login_form()
    assert _session_rows(site) == 0
    site.signed_in(STAFF)
    assert _session_rows(site) == 1


def test_a_failed_sign_in_shows_its_message_from_the_visitor_cookie(site: Served):
    answer = site.log_in(STAFF, password="wrong")
    assert answer.status_code == 401
    assert "ログインIDまたはパスワードが違います" in answer.text
    assert _session_rows(site) == 0
