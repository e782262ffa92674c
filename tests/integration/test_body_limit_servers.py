"""The body limit holds whatever WSGI server runs the app: werkzeug's and gunicorn.

Real sockets: ``http.client`` sends chunked bodies (no Content-Length) and declared ones to
``tests.body_limit_app`` served by each server on a free port.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from backend.web import MAX_BODY_BYTES
from tests import body_limit_app
from tests.aws_local import free_port

CHUNK = 16 * 1024
START_ATTEMPTS = 200


@contextmanager
def werkzeug_server() -> Iterator[int]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, body_limit_app.create(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextmanager
def gunicorn_server() -> Iterator[int]:
    pytest.importorskip("gunicorn")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "tests.body_limit_app:create()",
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(START_ATTEMPTS):  # wait until it listens (or has died)
            if process.poll() is not None:
                pytest.fail("gunicorn did not start")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


SERVERS = [
    pytest.param(werkzeug_server, id="werkzeug"),
    pytest.param(gunicorn_server, id="gunicorn"),
]


def post(port: int, body: bytes, *, chunked: bool) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if chunked:
            pieces = (body[i : i + CHUNK] for i in range(0, len(body), CHUNK))
            connection.request("POST", "/echo", body=pieces, encode_chunked=True)
        else:
            connection.request("POST", "/echo", body=body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("server", SERVERS)
class TestTheBodyLimit:
    def test_a_chunked_body_one_byte_over_gets_413(self, server) -> None:
        with server() as port:
            status, _ = post(port, b"x" * (MAX_BODY_BYTES + 1), chunked=True)

        assert status == 413

    def test_a_chunked_body_at_the_limit_is_read_whole(self, server) -> None:
        with server() as port:
            status, body = post(port, b"x" * MAX_BODY_BYTES, chunked=True)

        assert status == 200
        assert body.strip() == b'{"read":%d}' % MAX_BODY_BYTES

    def test_a_declared_body_one_byte_over_gets_413(self, server) -> None:
        with server() as port:
            status, _ = post(port, b"x" * (MAX_BODY_BYTES + 1), chunked=False)

        assert status == 413
