"""The web app's Lambda handler invoked with API Gateway HTTP API (payload 2.0) events."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

import backend.bootstrap
from backend import lambda_http
from backend.bootstrap import bootstrap
from backend.settings import Settings
from tests.aws_local import body_of, http_event
from tests.dashboard_world import NOW, PASSWORD, STAFF, csrf_token, populate
from tests.databases import fresh_sqlite
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, local_line, signed, webhook_body

HOST = "abcdef1234.execute-api.ap-northeast-1.amazonaws.com"


def invoke(event: dict) -> dict:
    answer = lambda_http.handler(event, None)
    return json.loads(json.dumps(answer))  # the runtime serialises what we return


@pytest.fixture
def line():
    with local_line() as server:
        yield server
        assert server.problems == []


@pytest.fixture
def env(tmp_path, monkeypatch, line):
    url = fresh_sqlite(tmp_path)
    with bootstrap(Settings(database_url=url)).uow() as uow:
        populate(uow)
        uow.commit()
    for name, value in {
        "DATABASE_URL": url,
        "SECRET_KEY": "k" * 32,
        "ALEXA_SKILL_ID": "amzn1.ask.skill.http-test",
        "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE": line.url,
        "MEDIA_URL": f"file://{tmp_path / 'media'}",
    }.items():
        monkeypatch.setenv(f"MIMAMORI_{name}", value)
    monkeypatch.setattr(lambda_http, "_handler", None)
    return Settings()


def stored(settings: Settings, event_id: str):
    with bootstrap(settings).uow() as uow:
        return uow.line_inbox.get(event_id)


def test_the_health_check_answers_through_the_http_api(env):
    answer = invoke(http_event("GET", "/healthz"))
    assert answer["statusCode"] == 200
    assert json.loads(body_of(answer)) == {"status": "ok"}
    assert answer["headers"]["content-type"] == "application/json"


@pytest.mark.parametrize("base64_body", [False, True])
def test_a_signed_line_webhook_is_stored_processed_and_answered(env, line, base64_body):
    raw, headers = signed(webhook_body("follow"))
    answer = invoke(
        http_event("POST", "/line/webhook", body=raw, headers=headers, base64_body=base64_body)
    )
    assert answer["statusCode"] == 200
    assert json.loads(body_of(answer)) == {"status": "ok", "stored": 1}
    event = stored(env, "01JDFOLLOW00000000000000001")
    assert event.processed_at is not None  # processed inside the invocation
    (reply,) = line.replies
    assert reply.body["replyToken"] == "rt-01JDFOLLOW00000000000000001"


def test_a_webhook_with_a_bad_signature_is_refused_and_nothing_is_stored(env, line):
    raw, _headers = signed(webhook_body("follow"))
    answer = invoke(
        http_event("POST", "/line/webhook", body=raw, headers={"X-Line-Signature": "AAAA"})
    )
    assert answer["statusCode"] == 400
    assert json.loads(body_of(answer)) == {"error": "invalid signature"}
    assert stored(env, "01JDFOLLOW00000000000000001") is None
    assert line.received == []


def cookie_pair(answer: dict, name: str) -> str:
    (cookie,) = [c for c in answer.get("cookies", []) if c.startswith(name + "=")]
    return cookie.split(";", 1)[0]


def test_a_staff_member_signs_in_and_sees_the_board_through_the_http_api(env, monkeypatch):
    monkeypatch.setattr(backend.bootstrap, "utc_now", lambda: NOW)
    page = invoke(http_event("GET", "/login"))
    assert page["statusCode"] == 200
    assert page["headers"]["content-type"].startswith("text/html")
    (cookie,) = page["cookies"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    form = urlencode(
        {"csrf_token": csrf_token(body_of(page).decode()), "login": STAFF, "password": PASSWORD}
    ).encode()
    signed_in = invoke(
        http_event(
            "POST",
            "/login",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                # over HTTPS Flask-WTF wants a same-origin Referer, as browsers send it
                "Referer": f"https://{HOST}/login",
            },
            # before sign-in the CSRF token lives in a signed visitor cookie, no stored session
            cookies=[cookie_pair(page, "mimamori_visitor")],
        )
    )
    assert signed_in["statusCode"] == 302
    session = cookie_pair(signed_in, "mimamori_session")
    board = invoke(http_event("GET", "/", cookies=[session]))
    assert board["statusCode"] == 200
    assert "山田 花子" in body_of(board).decode("utf-8")


def test_the_json_api_wants_a_token(env):
    answer = invoke(http_event("GET", "/api/v1/board"))
    assert answer["statusCode"] == 401


def test_a_missing_secret_key_stops_the_function_with_the_variable_named(env, monkeypatch):
    from backend.settings import ConfigError

    monkeypatch.delenv("MIMAMORI_SECRET_KEY")
    with pytest.raises(ConfigError, match="MIMAMORI_SECRET_KEY"):
        invoke(http_event("GET", "/healthz"))
