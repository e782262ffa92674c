"""Sign-in on the fake store: password hashes run a bounded number at a time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from backend.bootstrap import bootstrap
from backend.services import staff_auth
from backend.services.context import Services
from tests.clock import FakeClock
from tests.dashboard_world import (
    ADMIN,
    NOW,
    OPERATOR,
    OTHER_STAFF,
    PASSWORD,
    STAFF,
    world_services,
)
from tests.e2e.test_alexa_endpoint import IsolatedSettings


@pytest.fixture
def services() -> Services:
    return world_services(password_checks=threading.BoundedSemaphore(2))[1]


class HeldHashes:
    """A password check that waits until released, counting how many run at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, _hash: str, _password: str) -> bool:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.entered.release()
        self.release.wait()
        with self.lock:
            self.running -= 1
        return True


def test_no_more_password_hashes_run_at_once_than_the_bound(services, monkeypatch):
    held = HeldHashes()
    monkeypatch.setattr(staff_auth, "password_matches", held)
    logins = [STAFF, OTHER_STAFF, ADMIN, OPERATOR, "guess.one", "guess.two"]
    with ThreadPoolExecutor(max_workers=len(logins)) as pool:
        signing_in = [
            pool.submit(staff_auth.authenticate, services, login, PASSWORD, f"10.0.0.{n}")
            for n, login in enumerate(logins)
        ]
        for _ in range(2):
            assert held.entered.acquire(timeout=10)
        # Four more sign-ins are waiting; none may start hashing while two are running.
        assert not held.entered.acquire(timeout=0.3)
        held.release.set()
        outcomes = []
        for future in signing_in:
            try:
                outcomes.append(future.result().id)
            except staff_auth.LoginRefused:
                outcomes.append(None)
    assert held.most == 2
    assert outcomes.count(None) == 2  # the unknown logins, checked against the dummy hash


def test_the_bound_comes_from_the_settings():
    services = bootstrap(
        IsolatedSettings(database_url="sqlite://", password_checks_at_once=3), clock=FakeClock(NOW)
    )
    acquired = [services.password_checks.acquire(blocking=False) for _ in range(4)]
    assert acquired == [True, True, True, False]
