"""A store still busy after the retries: every part of the app answers 503 and Retry-After."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from backend.bootstrap import family_line
from backend.domain.errors import StoreBusy
from backend.services import staff_auth
from backend.services.context import Services
from backend.web import create_app
from tests.dashboard_world import PASSWORD, STAFF, csrf_token, world_services
from tests.e2e.test_alexa_endpoint import IsolatedSettings
from tests.fakes import FakeUnitOfWork
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, signed, webhook_body


class Switch:
    """Whether the store answers (off) or is busy for every unit of work (on).

    ``busy_after`` units of work from now, it turns busy by itself.
    """

    busy = False
    busy_after: int | None = None


@pytest.fixture
def switch() -> Switch:
    return Switch()


@pytest.fixture
def services(switch: Switch) -> Services:
    store, services = world_services()

    def uow() -> FakeUnitOfWork:
        if switch.busy_after is not None:
            switch.busy_after -= 1
            switch.busy = switch.busy or switch.busy_after < 0
        if switch.busy:
            raise StoreBusy("the database is busy; try again")
        return FakeUnitOfWork(store)

    return dataclasses.replace(services, uow=uow)


@pytest.fixture
def client(services: Services) -> FlaskClient:
    settings = IsolatedSettings(
        alexa_skill_id="amzn1.ask.skill.test",
        secret_key="test-secret-key-" * 3,
        line_channel_secret=CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
    )
    # Services built by hand: LINE comes from the composition root, as bootstrap wires it.
    services = dataclasses.replace(services, line=family_line(settings))
    return create_app(settings, services).test_client()


def assert_busy(response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0


def test_a_signed_in_page_answers_503_in_japanese(client, switch):
    page = client.get("/login")
    client.post(
        "/login", data={"csrf_token": csrf_token(page.text), "login": STAFF, "password": PASSWORD}
    )
    switch.busy = True
    for path in ("/", "/alerts", "/elders/elder-1"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert_busy(response)
        assert "混み合っています" in response.text


def test_the_login_form_needs_no_store_and_posting_it_answers_503(client, switch):
    switch.busy = True
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page.text), "login": STAFF, "password": PASSWORD}
    )
    assert_busy(response)


def test_the_json_api_answers_503_as_json(client, services, switch):
    secret, _ = staff_auth.create_api_token(services, STAFF, "集計")
    switch.busy = True
    response = client.get("/api/v1/board", headers={"Authorization": f"Bearer {secret}"})
    assert_busy(response)
    assert response.json["error"]["code"] == "busy"


def test_the_line_webhook_answers_503_so_line_delivers_again(client, switch):
    switch.busy = True
    raw, headers = signed(webhook_body("text_code"))
    response = client.post("/line/webhook", data=raw, headers=headers)
    assert_busy(response)
    assert response.json["error"]["code"] == "busy"


def test_a_store_busy_while_the_new_session_is_saved_answers_503(client, switch):
    page = client.get("/login")
    switch.busy_after = 2  # the attempt is reserved and settled; then saving the session fails
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page.text), "login": STAFF, "password": PASSWORD}
    )
    assert_busy(response)
