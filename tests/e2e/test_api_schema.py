"""Schemathesis against /api/v1/openapi.json: generated requests, no server errors, answers
that match the document. The app runs in-process (WSGI) on a migrated SQLite file with the
demo data and the alerts a missed Sunday and Monday morning open.

The schema is loaded from the document itself (a pure function), not through schemathesis'
lazy ``from_fixture``: that path reaches into pytest's private ``Function._nodeid``, which
pytest 9.1 removed. A separate test checks that the app serves exactly this document."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backend.bootstrap import bootstrap
from backend.dashboard.openapi import document
from backend.services import alerts, demo, staff_auth
from backend.web import create_app
from questions.policy import policy_for
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.e2e.test_alexa_endpoint import IsolatedSettings

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory):
    clock = FakeClock(datetime(2026, 11, 22, 5, tzinfo=JST))
    settings = IsolatedSettings(
        database_url=fresh_sqlite(Path(tmp_path_factory.mktemp("api"))),
        alexa_skill_id="amzn1.ask.skill.test",
        secret_key="schema-test-secret-" * 2,
    )
    services = bootstrap(settings, clock=clock)
    demo.seed(services)
    clock.set(datetime(2026, 11, 23, 12, tzinfo=JST))
    alerts.sweep(services, cache(policy_for))
    token, _ = staff_auth.create_api_token(services, demo.DEMO_STAFF_LOGIN, "schemathesis")
    app = create_app(settings, services)
    APP_UNDER_TEST.app = app
    return app, token


class _AppUnderTest:
    """A WSGI app forwarding to the app the module fixture builds (the schema exists before it)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


APP_UNDER_TEST = _AppUnderTest()
schema = schemathesis.openapi.from_dict(document())
schema.app = APP_UNDER_TEST


def test_the_app_serves_the_document_the_api_is_tested_against(api) -> None:
    app, token = api
    served = app.test_client().get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}
    )
    assert served.status_code == 200
    assert served.get_json() == document()


@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    derandomize=True,  # the same requests every run: CI stays reproducible
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(case, api) -> None:
    # Unknown query parameters are ignored, as most APIs do: not a "negative data" failure.
    _, token = api
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.negative_data_rejection],
    )
