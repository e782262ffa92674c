"""The issue's "done when": a signed webhook posted to `mimamori demo` is heard in `mimamori talk`.

Runs the demo server as a separate process on a free port (LINE configured, its API a
local server that checks what it gets), posts signed bodies with the devtool as the
README shows, and talks to the demo elder in-process on the same database.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.bootstrap import bootstrap
from backend.cli import main
from backend.services import family
from backend.services.demo import alexa_device_id, alexa_user_id
from backend.settings import Settings
from family_line import devtool
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, local_line

ROOT = Path(__file__).resolve().parents[2]
STARTUP_WAIT = 90.0  # the demo seeds and starts on a shared, busy machine: be patient
POLL = 0.1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(ready, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"the demo server exited before {what}:\n{output}")
        if ready():
            return
        time.sleep(POLL)
    pytest.fail(f"timed out waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def demo_env(tmp_path, monkeypatch):
    for name in ("ALEXA_SKILL_ID", "SECRET_KEY", "STORE", "PUBLIC_URL"):
        monkeypatch.delenv(f"MIMAMORI_{name}", raising=False)
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", f"sqlite:///{tmp_path / 'mimamori.db'}")
    monkeypatch.setenv("MIMAMORI_MEDIA_URL", f"file://{tmp_path / 'media'}")
    monkeypatch.setenv("MIMAMORI_LINE_CHANNEL_SECRET", CHANNEL_SECRET)
    monkeypatch.setenv("MIMAMORI_LINE_CHANNEL_ACCESS_TOKEN", ACCESS_TOKEN)
    monkeypatch.chdir(tmp_path)
    with local_line() as line:
        monkeypatch.setenv("MIMAMORI_LINE_API_BASE", line.url)
        yield line


def test_a_signed_webhook_to_the_demo_server_is_heard_by_the_demo_elder(demo_env, capsys, tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "demo", "--port", str(port)],
            cwd=ROOT,  # this checkout's code, as `python -m` from the project root
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until(lambda: _healthy(url), "the demo server", server, log)

        # The README's steps: a link code for the demo elder, then signed webhook bodies.
        assert (
            devtool.main(
                ["code", "--elder", "demo-elder-1", "--name", "明美", "--relation", "長女"]
            )
            == 0
        )
        code = re.search(r"リンクコード (\d{6})", capsys.readouterr().out).group(1)
        webhook = url + "/line/webhook"
        assert devtool.main(["send", "--text", code, "--url", webhook]) == 0
        assert devtool.main(["send", "--text", "お母さん、日曜日に行くね。", "--url", webhook]) == 0

        svc = bootstrap(Settings())
        user, device = alexa_user_id("demo-1"), alexa_device_id("demo-1")
        _wait_until(
            lambda: family.unheard(svc, user, device), "the message to be kept", server, log
        )
        assert any("とつながりました" in text for text in demo_env.reply_texts())

        result = CliRunner().invoke(
            main, ["talk", "--device", "demo-1"], input="はい\n", catch_exceptions=False
        )
        assert "明美さんからメッセージが届いています。お聞きになりますか。" in result.output
        assert "明美さんからのメッセージです。「お母さん、日曜日に行くね。」" in result.output
        assert family.unheard(svc, user, device) == []
        assert demo_env.problems == []
    finally:
        server.terminate()
        server.wait(timeout=30)
