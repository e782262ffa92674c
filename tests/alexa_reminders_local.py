"""A local stand-in for the Alexa Reminders API that checks each request as Alexa would."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.alexa_local import serving

ACCESS_TOKEN = "Atc|in-session-token"
PATH = "/v1/alerts/reminders"
LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")  # no Z, no offset
DAILY = re.compile(r"^FREQ=DAILY;BYHOUR=(\d{1,2});BYMINUTE=(\d{1,2});BYSECOND=0;INTERVAL=1;$")
SLOW_FOR = 30.0  # far longer than any timeout a test sets


def _local(text: str) -> datetime:
    assert LOCAL_TIME.match(text), f"not a local time without offset: {text}"
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")


def check_reminder(body: dict[str, Any]) -> None:
    """Assert the body is a daily SCHEDULED_ABSOLUTE reminder in Japan time, said in ja-JP."""
    assert set(body) == {"requestTime", "trigger", "alertInfo", "pushNotification"}, body
    asked = _local(body["requestTime"])
    trigger = body["trigger"]
    assert set(trigger) == {"type", "scheduledTime", "timeZoneId", "recurrence"}, trigger
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert trigger["timeZoneId"] == "Asia/Tokyo"
    first = _local(trigger["scheduledTime"])
    assert asked < first <= asked + timedelta(days=1)
    recurrence = trigger["recurrence"]
    assert set(recurrence) == {"startDateTime", "recurrenceRules"}, recurrence
    assert recurrence["startDateTime"] == trigger["scheduledTime"]
    (rule,) = recurrence["recurrenceRules"]
    match = DAILY.match(rule)
    assert match, rule
    assert (int(match[1]), int(match[2])) == (first.hour, first.minute)
    (content,) = body["alertInfo"]["spokenInfo"]["content"]
    assert content["locale"] == "ja-JP"
    assert isinstance(content["text"], str)
    assert content["text"]
    assert body["pushNotification"] == {"status": "ENABLED"}


class FakeReminders:
    """The local stand-in: creates, lists (for the test) and deletes reminders."""

    def __init__(self) -> None:
        self.reminders: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.answers: list[int] = []  # statuses to answer the next requests with
        self.problems: list[str] = []
        self.slow = 0  # requests answered only after SLOW_FOR seconds (or shutdown)
        self.release = threading.Event()
        self._count = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append((method, self.path))
                if fake.slow > 0:
                    fake.slow -= 1
                    fake.release.wait(SLOW_FOR)
                    return  # the client gave up long ago
                try:
                    status, answer = fake.handle(method, self.path, self.headers, body)
                except AssertionError as err:
                    fake.problems.append(str(err))
                    status, answer = 400, {"code": "INVALID_REQUEST"}
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self._serve("POST")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any] | None]:
        assert headers["Authorization"] == f"Bearer {ACCESS_TOKEN}", headers["Authorization"]
        if self.answers:
            return self.answers.pop(0), {"code": "FAILED"}
        if method == "POST":
            assert path == PATH, path
            assert headers["Content-Type"] == "application/json"
            reminder = json.loads(body)
            check_reminder(reminder)
            self._count += 1
            token = f"amzn1.alert.reminder-{self._count}"
            self.reminders[token] = reminder
            return 201, {"alertToken": token, "status": "ON", "version": "1"}
        assert method == "DELETE", method
        assert path.startswith(PATH + "/"), path
        assert not body
        token = path.removeprefix(PATH + "/")
        if self.reminders.pop(token, None) is None:
            return 404, {"code": "ALERT_NOT_FOUND"}
        return 200, None


@contextmanager
def running_reminders() -> Iterator[FakeReminders]:
    """Serve a FakeReminders on a free local port while the block runs."""
    with serving(FakeReminders()) as fake:
        yield fake
