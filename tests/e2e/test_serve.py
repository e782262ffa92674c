"""``mimamori serve`` as a real process: a production WSGI server, not Flask's development one.

Each server kind (gunicorn, waitress) is started once per module on a free port with a
migrated SQLite file, LINE configured, a small body limit and an https public address,
then probed over real sockets.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from backend.web_headers import SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY
from tests.aws_local import free_port
from tests.databases import fresh_sqlite
from tests.http_probes import response_probes
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, LocalLine, local_line, signed, webhook_body

ROOT = Path(__file__).resolve().parents[2]
STARTUP_WAIT = 90.0  # a shared, busy machine: be patient
BODY_LIMIT = 4096
WORKERS = 2
SECRET_QUERY = "exp=1893456000&sig=c2VjcmV0LXNpZ25hdHVyZQ"


@dataclass
class Served:
    kind: str  # MIMAMORI_WEB_SERVER
    process: subprocess.Popen
    port: int
    log: Path
    database_url: str
    line: LocalLine

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def children(self) -> list[int]:
        """Return the pids of the server process's child processes (from /proc)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                found.append(int(entry.name))
        return found


def _healthy(served: Served) -> bool:
    try:
        return served.request("GET", "/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module", params=["gunicorn", "waitress"])
def served(request, tmp_path_factory) -> Iterator[Served]:
    with local_line() as line:
        yield from _serve(request.param, tmp_path_factory.mktemp(f"serve-{request.param}"), line)


def _serve(kind: str, folder: Path, line: LocalLine) -> Iterator[Served]:
    port = free_port()
    database_url = fresh_sqlite(folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMAMORI_")}
    env.update(
        PYTHONPATH=str(ROOT),
        MIMAMORI_DATABASE_URL=database_url,
        MIMAMORI_MEDIA_URL=f"file://{folder / 'media'}",
        MIMAMORI_SECRET_KEY="s" * 32,
        MIMAMORI_ALEXA_SKILL_ID="amzn1.ask.skill.serve-test",
        MIMAMORI_LINE_CHANNEL_SECRET=CHANNEL_SECRET,
        MIMAMORI_LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        MIMAMORI_LINE_API_BASE=line.url,
        MIMAMORI_PUBLIC_URL="https://mimamori.example.jp",
        MIMAMORI_WEB_SERVER=kind,
        MIMAMORI_WEB_WORKERS=str(WORKERS),
        MIMAMORI_WEB_THREADS="4",
        MIMAMORI_MAX_BODY_BYTES=str(BODY_LIMIT),
    )
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(kind, process, port, log, database_url, line)
    try:
        deadline = time.monotonic() + STARTUP_WAIT
        while not _healthy(served):
            if process.poll() is not None:
                pytest.fail(f"mimamori serve exited:\n{served.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"mimamori serve did not answer:\n{served.output()}")
            time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=60)


PROBES = response_probes(BODY_LIMIT)  # every kind of response: JSON, HTML, static, errors


@pytest.mark.parametrize("probe", PROBES.values(), ids=PROBES.keys())
def test_every_kind_of_response_carries_the_security_headers(served: Served, probe) -> None:
    method, path, body, status = probe
    got, headers, _ = served.request(method, path, body, {"Content-Type": "application/json"})
    assert got == status
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    assert headers.get("Strict-Transport-Security") == STRICT_TRANSPORT_SECURITY  # https public
    assert headers.get("Server", "mimamori") == "mimamori"  # no software name, no version


def test_the_production_server_serves_not_the_development_one(served: Served) -> None:
    status, headers, body = served.request("GET", "/healthz")
    assert (status, body) == (200, b'{"status":"ok"}\n')
    assert headers["Server"] == "mimamori"  # Werkzeug's names itself and Python's version
    output = served.output()
    assert "development server" not in output
    assert "Running on http" not in output  # Werkzeug's banner
    if served.kind == "gunicorn":  # a master and its worker processes
        assert len(served.children()) == WORKERS
        deadline = time.monotonic() + STARTUP_WAIT  # each worker logs once it runs
        while served.output().count("Booting worker") < WORKERS:
            assert time.monotonic() < deadline, served.output()
            time.sleep(0.1)
        assert served.output().count("Booting worker") == WORKERS
    else:
        assert "（Alexa: POST /alexa、waitress）" in output


def test_concurrent_requests_are_served_while_a_client_stalls(served: Served) -> None:
    stalled = socket.create_connection(("127.0.0.1", served.port))
    try:
        stalled.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _: served.request("GET", "/healthz")[0], range(32)))
        assert statuses == [200] * 32
    finally:
        stalled.close()


def test_a_body_over_the_limit_is_refused_before_the_skill_reads_it(served: Served) -> None:
    status, headers, _ = served.request(
        "POST", "/line/webhook", b"{" + b" " * BODY_LIMIT + b"}", {"X-Line-Signature": "x"}
    )
    assert status == 413
    assert headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_the_access_log_keeps_no_signature_of_a_media_link(served: Served) -> None:
    status, _, _ = served.request("GET", f"/media/line/510000000000000003.jpg?{SECRET_QUERY}")
    assert status == 403
    if served.kind == "waitress":
        pytest.skip("waitress writes no access log")
    deadline = time.monotonic() + STARTUP_WAIT
    while "/media/line/510000000000000003.jpg" not in served.output():
        assert time.monotonic() < deadline, served.output()
        time.sleep(0.1)
    output = served.output()
    assert "GET /media/line/510000000000000003.jpg?[redacted] HTTP/1.1" in output
    assert "c2VjcmV0LXNpZ25hdHVyZQ" not in output
    assert "1893456000" not in output


def test_webhooks_posted_at_once_to_the_workers_are_stored_once_and_answered(
    served: Served,
) -> None:
    ids = [f"01JSERVE{served.kind[:4].upper()}{n:014d}" for n in range(12)]
    bodies = [webhook_body("follow", webhookEventId=i, replyToken=f"rt-{i}") for i in ids]
    requests = [signed(body) for body in bodies] * 2  # each event delivered twice

    def post(request) -> int:
        raw, headers = request
        return served.request("POST", "/line/webhook", raw, headers)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(post, requests)) == [200] * len(requests)

    engine = create_engine(served.database_url)
    try:
        deadline = time.monotonic() + STARTUP_WAIT
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT id, processed_at FROM line_inbox WHERE id LIKE '01JSERVE%'")
                ).all()
            if len(rows) == len(ids) and all(processed for _, processed in rows):
                break
            assert time.monotonic() < deadline, rows
            time.sleep(0.1)
    finally:
        engine.dispose()
    assert sorted(event_id for event_id, _ in rows) == ids  # stored once each
    replies = [r.body["replyToken"] for r in served.line.requests_to("/v2/bot/message/reply")]
    # Every member greeted once: no worker processes an event another worker stored.
    assert sorted(replies) == sorted(f"rt-{i}" for i in ids)
    assert served.line.problems == []
