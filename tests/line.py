"""LINE test helpers: signed webhook fixtures and a local server standing in for LINE's API."""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import hmac
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "line"
CHANNEL_SECRET = "test-channel-secret"
ACCESS_TOKEN = "test-access-token"
FAMILY_USER = "U4af4980629a1b2c3d4e5f60718293a4b"
OTHER_USER = "U0000000000000000000000000000b0b0"


def webhook_body(name: str, **changes: Any) -> dict[str, Any]:
    """Return a fixture body; ``changes`` replace fields of its first event (``text`` the text)."""
    body = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    event = body["events"][0] if body["events"] else {}
    for key, value in changes.items():
        if key == "text":
            event["message"]["text"] = value
        elif key == "user":
            event["source"]["userId"] = value
        else:
            event[key] = value
    return body


def event_of(name: str, **changes: Any) -> dict[str, Any]:
    """Return the first event of a fixture."""
    return copy.deepcopy(webhook_body(name, **changes)["events"][0])


def sign(raw: bytes, secret: str = CHANNEL_SECRET) -> str:
    """Return the X-Line-Signature of a raw body."""
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def signed(body: dict[str, Any], secret: str = CHANNEL_SECRET) -> tuple[bytes, dict[str, str]]:
    """Return the raw body and headers of a signed webhook request."""
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return raw, {"X-Line-Signature": sign(raw, secret), "Content-Type": "application/json"}


@dataclass
class Received:
    """One request the local LINE server got."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class LocalLine:
    """State of the local LINE API: what it received and what it answers."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    content: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    push_statuses: list[int] = field(default_factory=list)  # answered in turn, then 200
    accepted_keys: set[str] = field(default_factory=set)
    transcoding: dict[str, str] = field(default_factory=dict)  # video id -> status
    problems: list[str] = field(default_factory=list)  # what the server found wrong
    # Requests ("push", "reply", "content") answered late: each takes one, is handled (a
    # push accepted) at once, and answered only after SLOW_FOR seconds or at shutdown.
    slow: dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def requests_to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    @property
    def pushes(self) -> list[Received]:
        return self.requests_to("/v2/bot/message/push")

    @property
    def replies(self) -> list[Received]:
        return self.requests_to("/v2/bot/message/reply")

    def reply_texts(self) -> list[str]:
        return [m["text"] for r in self.replies for m in r.body["messages"]]


SLOW_FOR = 30.0  # far longer than any timeout a test sets


def _late(state: LocalLine, kind: str) -> bool:
    """Take one slow answer of ``kind`` if any is left (then wait before answering)."""
    if state.slow.get(kind, 0) < 1:
        return False
    state.slow[kind] -= 1
    return True


_CONTENT = re.compile(r"^/v2/bot/message/([^/]+)/content$")
_TRANSCODING = re.compile(r"^/v2/bot/message/([^/]+)/content/transcoding$")


def _handler(state: LocalLine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes = b"{}", headers: dict | None = None) -> None:
            # The client may have given up waiting (a timeout under test).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._write(status, body, headers)

        def _write(self, status: int, body: bytes, headers: dict | None) -> None:
            self.send_response(status)
            self.send_header(
                "Content-Type", (headers or {}).pop("Content-Type", "application/json")
            )
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                state.problems.append(f"{self.path}: bad Authorization header")
                self._answer(401, b'{"message":"Authentication failed"}')
                return False
            return True

        def do_GET(self) -> None:
            state.received.append(Received("GET", self.path, dict(self.headers), None))
            if not self._authorized():
                return
            ready = _TRANSCODING.match(self.path)
            if ready is not None:
                status = state.transcoding.get(ready.group(1), "succeeded")
                self._answer(200, json.dumps({"status": status}).encode())
                return
            match = _CONTENT.match(self.path)
            if match is None or match.group(1) not in state.content:
                self._answer(404, b'{"message":"Not found"}')
                return
            data, content_type = state.content[match.group(1)]
            if _late(state, "content"):
                state.release.wait(SLOW_FOR)
            self._answer(200, data, {"Content-Type": content_type})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
                state.problems.append(f"{self.path}: body is not JSON")
            state.received.append(Received("POST", self.path, dict(self.headers), body))
            if not self._authorized():
                return
            if self.path == "/v2/bot/message/reply":
                if "X-Line-Retry-Key" in self.headers:
                    state.problems.append("reply with a retry key (LINE answers 400)")
                if _late(state, "reply"):
                    state.release.wait(SLOW_FOR)
                self._answer(200, b'{"sentMessages":[]}')
            elif self.path == "/v2/bot/message/push":
                self._push()
            else:
                self._answer(404, b'{"message":"Not found"}')

        def _push(self) -> None:
            key = self.headers.get("X-Line-Retry-Key")
            try:
                uuid.UUID(key or "")
            except ValueError:
                state.problems.append(f"push without a UUID retry key: {key!r}")
                self._answer(400, b'{"message":"Invalid retry key"}')
                return
            if key in state.accepted_keys:
                self._answer(409, b'{"message":"duplicate"}', {"x-line-accepted-request-id": "r-1"})
                return
            late = _late(state, "push")
            status = state.push_statuses.pop(0) if state.push_statuses else 200
            if status == 200:
                state.accepted_keys.add(key)
                if late:  # accepted, but the answer comes too late
                    state.release.wait(SLOW_FOR)
                self._answer(200, b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}')
            else:
                self._answer(status, b'{"message":"scripted failure"}')

    return Handler


@contextmanager
def local_line() -> Iterator[LocalLine]:
    """Run a local LINE API (messaging and content) on a free port."""
    state = LocalLine()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def line_settings(**values: Any) -> Any:
    """Return Settings built from ``values`` only (never from the environment)."""
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

    from backend.settings import Settings

    class IsolatedSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

    return IsolatedSettings(**values)
