"""Hostile bodies over real HTTP: deeply nested JSON and chunked bodies past the size limit.

The whole app runs on a real port (``tests.live_app``); every refused request must leave
every table as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backend.services import demo, staff_auth
from backend.web import MAX_BODY_BYTES
from tests.alexa_fixtures import load_envelope
from tests.clock import FakeClock
from tests.line import sign, signed, webhook_body
from tests.live_app import SKILL_ID, LiveApp, live_app

JST = ZoneInfo("Asia/Tokyo")
MONDAY_0730 = datetime(2026, 11, 23, 7, 30, tzinfo=JST)
CHUNK = 16 * 1024


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(Path(tmp_path_factory.mktemp("hostile")), FakeClock(MONDAY_0730)) as live:
        yield live


def launch_body() -> bytes:
    envelope = load_envelope(
        "launch_request",
        skill_id=SKILL_ID,
        user_id=demo.alexa_user_id("demo-1"),
        device_id=demo.alexa_device_id("demo-1"),
        timestamp=MONDAY_0730,
    )
    return json.dumps(envelope, ensure_ascii=False).encode("utf-8")


def padded(body: bytes, size: int) -> bytes:
    """The JSON body, padded with trailing spaces (still valid JSON) to exactly size bytes."""
    assert len(body) <= size
    return body + b" " * (size - len(body))


def chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def line_headers(raw: bytes) -> dict[str, str]:
    return {"X-Line-Signature": sign(raw), "Content-Type": "application/json"}


ALEXA_JSON = {"Content-Type": "application/json"}
NESTED = [
    pytest.param(b"[" * 100_000, id="100000 open brackets"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100000 nested lists"),
    pytest.param(b'{"a":' * 40_000 + b"1" + b"}" * 40_000, id="40000 nested objects"),
    pytest.param(b'{"events":' + b"[" * 900 + b"]" * 900 + b"}", id="900 nested lists"),
]


class TestDeeplyNestedJson:
    @pytest.mark.parametrize("body", NESTED)
    def test_on_the_line_webhook_with_a_valid_signature_gets_400_and_stores_nothing(
        self, app: LiveApp, body: bytes
    ) -> None:
        before = app.snapshot()

        answer = app.post("/line/webhook", body, line_headers(body))

        assert answer.status == 400
        assert app.snapshot() == before

    @pytest.mark.parametrize("body", NESTED)
    def test_on_the_alexa_endpoint_without_verification_gets_400_and_stores_nothing(
        self, app: LiveApp, body: bytes
    ) -> None:
        before = app.snapshot()

        answer = app.post("/alexa", body, ALEXA_JSON)

        assert answer.status == 400
        assert app.snapshot() == before

    def test_inside_a_real_alexa_envelope_gets_400_and_stores_nothing(self, app: LiveApp) -> None:
        envelope = json.loads(launch_body())
        envelope["request"]["deep"] = json.loads("[" * 200 + "]" * 200)
        body = json.dumps(envelope).encode()
        before = app.snapshot()

        answer = app.post("/alexa", body, ALEXA_JSON)

        assert answer.status == 400
        assert app.snapshot() == before


class TestAChunkedBody:
    def test_to_the_alexa_endpoint_past_the_limit_gets_413_and_stores_nothing(
        self, app: LiveApp
    ) -> None:
        body = padded(launch_body(), MAX_BODY_BYTES + 1)
        before = app.snapshot()

        answer = app.post("/alexa", chunks(body), ALEXA_JSON)

        assert answer.status == 413
        assert app.snapshot() == before

    def test_to_the_alexa_endpoint_at_the_limit_is_served(self, app: LiveApp) -> None:
        body = padded(launch_body(), MAX_BODY_BYTES)

        answer = app.post("/alexa", chunks(body), ALEXA_JSON)

        assert answer.status == 200
        assert answer.json()["response"]["outputSpeech"]["ssml"]

    def test_to_the_line_webhook_past_the_limit_gets_413_and_stores_nothing(
        self, app: LiveApp
    ) -> None:
        raw, _ = signed(webhook_body("text_message"))
        body = padded(raw, MAX_BODY_BYTES + 1)
        before = app.snapshot()

        answer = app.post("/line/webhook", chunks(body), line_headers(body))

        assert answer.status == 413
        assert app.snapshot() == before

    def test_to_the_line_webhook_at_the_limit_is_accepted(self, app: LiveApp) -> None:
        raw, _ = signed(webhook_body("verify"))
        body = padded(raw, MAX_BODY_BYTES)

        answer = app.post("/line/webhook", chunks(body), line_headers(body))

        assert answer.status == 200

    def test_to_the_login_form_past_the_limit_gets_413(self, app: LiveApp) -> None:
        form = b"login=demo-staff&password=" + b"x" * MAX_BODY_BYTES
        before = app.snapshot()

        answer = app.post(
            "/login", chunks(form), {"Content-Type": "application/x-www-form-urlencoded"}
        )

        assert answer.status == 413
        assert app.snapshot() == before

    def test_to_the_json_api_past_the_limit_gets_413_and_resolves_nothing(
        self, app: LiveApp
    ) -> None:
        token, _ = staff_auth.create_api_token(app.services, demo.DEMO_STAFF_LOGIN, "edge")
        body = padded(json.dumps({"outcome": "対応不要", "note": ""}).encode(), MAX_BODY_BYTES + 1)
        before = app.snapshot()

        answer = app.post(
            "/api/v1/alerts/any/resolve",
            chunks(body),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

        assert answer.status == 413
        assert answer.json()["error"]["code"]
        assert app.snapshot() == before


class TestDeeplyNestedJsonToTheApi:
    def test_gets_400_and_resolves_nothing(self, app: LiveApp) -> None:
        token, _ = staff_auth.create_api_token(app.services, demo.DEMO_STAFF_LOGIN, "deep")
        body = b"[" * 100_000
        before = app.snapshot()

        answer = app.post(
            "/api/v1/alerts/any/resolve",
            body,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

        assert answer.status == 400
        assert answer.json()["error"]["code"] == "bad_request"
        assert app.snapshot() == before
