"""A local stand-in for Login with Amazon and the Proactive Events API that checks each request."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from backend.channels import build_channels
from backend.channels.alexa import EVENT_NAME

JST = ZoneInfo("Asia/Tokyo")
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "s3cret"
ISO_MS = "%Y-%m-%dT%H:%M:%S.%fZ"
SLOW_FOR = 30.0  # far longer than any timeout a test sets


def _instant(text: str) -> datetime:
    assert len(text) == 24, text  # 2026-11-23T07:30:00.000Z
    assert text.endswith("Z"), text
    return datetime.strptime(text, ISO_MS).replace(tzinfo=UTC)


def check_event(body: dict[str, Any]) -> None:
    """Assert the body follows the Proactive Events schema for AMAZON.MessageAlert.Activated."""
    assert set(body) <= {
        "timestamp",
        "referenceId",
        "expiryTime",
        "event",
        "localizedAttributes",
        "relevantAudience",
    }, body
    start, expiry = _instant(body["timestamp"]), _instant(body["expiryTime"])
    assert start < expiry <= start + timedelta(hours=24)
    assert isinstance(body["referenceId"], str)
    assert 0 < len(body["referenceId"]) <= 100
    event = body["event"]
    assert set(event) == {"name", "payload"}
    assert event["name"] == EVENT_NAME
    payload = event["payload"]
    assert set(payload) == {"state", "messageGroup"}
    assert payload["state"]["status"] in ("UNREAD", "FLAGGED")
    assert payload["state"].get("freshness", "NEW") in ("NEW", "OVERDUE")
    group = payload["messageGroup"]
    assert set(group) <= {"creator", "count", "urgency"}
    assert isinstance(group["creator"]["name"], str)
    assert group["creator"]["name"]
    assert isinstance(group["count"], int)
    assert group["count"] >= 1
    assert group.get("urgency", "URGENT") == "URGENT"
    audience = body["relevantAudience"]
    assert audience["type"] == "Unicast"
    assert audience["payload"]["user"].startswith("amzn1.ask.account.")


class FakeAlexa:
    """The local stand-in: a token endpoint and the events endpoint."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.token_requests = 0
        self.answers: list[int] = []  # statuses to answer events with, then 202
        self.problems: list[str] = []
        # Requests ("token", "event") answered late: each takes one and waits SLOW_FOR
        # seconds (or until shutdown) before it is handled.
        self.slow: dict[str, int] = {}
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                kind = "token" if self.path == "/auth/O2/token" else "event"
                if fake.slow.get(kind, 0) > 0:
                    fake.slow[kind] -= 1
                    fake.release.wait(SLOW_FOR)
                    return  # the client gave up long ago
                try:
                    status, answer = fake.handle(self.path, self.headers, body)
                except AssertionError as err:
                    fake.problems.append(str(err))
                    status, answer = 400, {"message": "schema"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/auth/O2/token":
            assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
            form = dict(urllib.parse.parse_qsl(body.decode()))
            assert form == {
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scope": "alexa::proactive_events",
            }
            self.token_requests += 1
            return 200, {"access_token": f"Atc|token-{self.token_requests}", "expires_in": 3600}
        assert path == "/v1/proactiveEvents/", path
        assert headers["Authorization"].startswith("Bearer Atc|token-")
        assert headers["Content-Type"] == "application/json"
        event = json.loads(body)
        check_event(event)
        if self.answers:
            return self.answers.pop(0), {"message": "busy"}
        self.events.append(event)
        return 202, {}


@contextmanager
def serving(fake: Any) -> Iterator[Any]:
    """Serve a local fake (its ``server`` and ``release``) while the block runs."""
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        fake.server.shutdown()
        fake.server.server_close()


@contextmanager
def running_alexa() -> Iterator[FakeAlexa]:
    """Serve a FakeAlexa on a free local port while the block runs."""
    with serving(FakeAlexa()) as fake:
        yield fake


def channels_for(alexa: FakeAlexa):
    return build_channels(
        smtp_url=None,
        alexa_client_id=CLIENT_ID,
        alexa_client_secret=CLIENT_SECRET,
        alexa_api_base=alexa.base,
        alexa_token_url=alexa.base + "/auth/O2/token",
    )
