"""The whole app served over a real port (werkzeug, threaded) on a real database, for attacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from werkzeug.serving import make_server

from backend.bootstrap import bootstrap
from backend.services.context import Services
from backend.web import create_app
from tests.clock import FakeClock
from tests.dashboard_world import NOW, PASSWORD, csrf_token, populate
from tests.e2e.test_alexa_endpoint import IsolatedSettings


@dataclass
class Served:
    """A running app: its base URL and the services it was built with."""

    url: str
    services: Services

    def login_form(self) -> tuple[requests.Session, str]:
        """Return a fresh browser-like client and the CSRF token of the login page."""
        client = requests.Session()
        page = client.get(self.url + "/login")
        assert page.status_code == 200
        return client, csrf_token(page.text)

    def log_in(self, login: str, password: str = PASSWORD, **params: str) -> requests.Response:
        """Post the login form (without following the redirect); return the response."""
        client, token = self.login_form()
        return client.post(
            self.url + "/login",
            params=params,
            data={"login": login, "password": password, "csrf_token": token},
            allow_redirects=False,
        )

    def signed_in(self, login: str) -> requests.Session:
        """Return a client signed in as ``login``."""
        client, token = self.login_form()
        answer = client.post(
            self.url + "/login",
            data={"login": login, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.status_code
        return client


@contextmanager
def served(database_url: str, **settings: Any) -> Iterator[Served]:
    """Serve the app with the dashboard world stored in ``database_url``."""
    config = IsolatedSettings(
        database_url=database_url,
        alexa_skill_id="amzn1.ask.skill.test",
        secret_key="attack-test-secret-" * 2,
        session_cookie_secure=False,  # plain http on 127.0.0.1
        **settings,
    )
    services = bootstrap(config, clock=FakeClock(NOW))
    with services.uow() as uow:
        populate(uow)
        uow.commit()
    server = make_server("127.0.0.1", 0, create_app(config, services), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", services)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
