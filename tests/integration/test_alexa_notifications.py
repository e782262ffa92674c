"""Proactive Events nudges against a local HTTP server that checks what it receives.

The server plays both Login with Amazon (client credentials → token) and the Proactive
Events API, and validates each event against the documented
``AMAZON.MessageAlert.Activated`` schema. Publishing a 災害 notice on SQLite queues one
message per targeted speaker; the outbox sends it, retrying 429 and 5xx answers.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.bootstrap import bootstrap
from backend.channels import build_channels
from backend.channels.alexa import EVENT_NAME
from backend.services import notices as notice_service
from backend.services.outbox import deliver_due
from backend.settings import Settings
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from notices.model import Audience, Priority
from tests.builders import jst, make_binding, make_elder, make_notice, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite

JST = ZoneInfo("Asia/Tokyo")
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "s3cret"
ISO_MS = "%Y-%m-%dT%H:%M:%S.%fZ"


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
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
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


@pytest.fixture
def alexa() -> Iterator[FakeAlexa]:
    fake = FakeAlexa()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def world(tmp_path):
    url = fresh_sqlite(tmp_path)
    engine = make_engine(url)
    clock = FakeClock(jst(datetime(2026, 11, 23).date(), 7, 0))
    svc = bootstrap(Settings(database_url=url), uow=lambda: SqlUnitOfWork(engine), clock=clock)
    with svc.uow() as uow:
        seed(
            uow, make_elder("elder-1", district="北地区"), make_elder("elder-2", district="南地区")
        )
        uow.devices.bind(
            make_binding(
                alexa_user_id="amzn1.ask.account.A",
                device_id="amzn1.ask.device.A",
                elder_id="elder-1",
            )
        )
        uow.devices.bind(
            make_binding(
                alexa_user_id="amzn1.ask.account.B",
                device_id="amzn1.ask.device.B",
                elder_id="elder-2",
            )
        )
        uow.commit()
    yield svc, clock
    engine.dispose()


def channels_for(alexa: FakeAlexa):
    return build_channels(
        smtp_url=None,
        alexa_client_id=CLIENT_ID,
        alexa_client_secret=CLIENT_SECRET,
        alexa_api_base=alexa.base,
        alexa_token_url=alexa.base + "/auth/O2/token",
    )


def test_a_disaster_notice_nudges_each_targeted_speaker_once_with_a_valid_event(world, alexa):
    svc, _ = world
    notice = make_notice(
        "032158/quake",
        priority=Priority.DISASTER,
        audience=Audience(districts=("北地区",)),
        starts_at=jst(datetime(2026, 11, 23).date(), 6),
    )
    notice_service.create(svc, notice)
    report = deliver_due(svc, channels_for(alexa))
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert alexa.problems == []
    (event,) = alexa.events
    assert event["relevantAudience"]["payload"]["user"] == "amzn1.ask.account.A"
    group = event["event"]["payload"]["messageGroup"]
    assert group["urgency"] == "URGENT"
    assert group["count"] == 1
    assert group["creator"]["name"]  # the municipality's name
    # Publishing again and a second sweep send nothing more.
    notice_service.publish(svc, notice.id)
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    assert len(alexa.events) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_retried_through_the_outbox(world, alexa, status):
    svc, clock = world
    notice_service.create(
        svc, make_notice("032158/important", priority=Priority.IMPORTANT, starts_at=clock())
    )
    alexa.answers = [status]
    first = deliver_due(svc, channels_for(alexa), rand=lambda: 0.0)
    assert (first.sent, first.retried) == (1, 1)
    clock.tick(timedelta(minutes=1))
    second = deliver_due(svc, channels_for(alexa), rand=lambda: 0.0)
    assert second.sent == 1
    users = sorted(e["relevantAudience"]["payload"]["user"] for e in alexa.events)
    assert users == ["amzn1.ask.account.A", "amzn1.ask.account.B"]
    assert alexa.problems == []


def test_a_refused_event_is_given_up_and_a_normal_notice_nudges_nobody(world, alexa):
    svc, clock = world
    notice_service.create(svc, make_notice("032158/normal", starts_at=clock()))
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    notice_service.create(
        svc,
        make_notice(
            "032158/important",
            priority=Priority.IMPORTANT,
            starts_at=clock(),
            audience=Audience(elders=("elder-2",)),
        ),
    )
    alexa.answers = [403]
    report = deliver_due(svc, channels_for(alexa))
    assert (report.sent, report.failed) == (0, 1)
    clock.tick(timedelta(hours=2))
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    assert alexa.events == []
