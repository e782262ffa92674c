"""Family on LINE end to end over real HTTP: link, photo, the elder's session, a spoken reply.

A live server (the whole app, real SQLite, a real port) receives signed webhook bodies; a
local HTTP server stands in for LINE's messaging and content APIs and checks every request
(token, JSON, the push's X-Line-Retry-Key), another for Alexa's Proactive Events API. The
elder's side posts request envelopes to ``POST /alexa`` as the Echo Show would.
"""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from backend import jobs
from backend.bootstrap import bootstrap
from backend.envelopes import AlexaSession
from backend.services import family
from backend.services.context import Services
from backend.talk import Conversation, http_sender
from backend.web import create_app
from family_line.inbox import process_pending
from tests.alexa_local import CLIENT_ID, CLIENT_SECRET, FakeAlexa
from tests.builders import jst, make_binding, make_elder, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    FAMILY_USER,
    LocalLine,
    line_settings,
    local_line,
    signed,
    webhook_body,
)
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID
from tests.unit.conftest import MONDAY

JPEG = b"\xff\xd8\xff\xe0 a photo of the grandchildren \xff\xd9"
PHOTO_ID = "510000000000000003"


@dataclass
class Live:
    url: str
    services: Services
    settings: Any
    line: LocalLine
    alexa: FakeAlexa
    clock: FakeClock

    def post_webhook(self, body: dict[str, Any]) -> int:
        """POST a signed body as LINE would; then make sure its events were processed."""
        data, headers = signed(body)
        request = urllib.request.Request(
            self.url + "/line/webhook", data=data, headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
        # The server processes right after answering; this waits for that run (one
        # processor at a time) and processes whatever it has not reached yet.
        process_pending(self.services.line.context(self.services))
        return status

    def get(self, path_and_query: str) -> tuple[int, bytes, str]:
        try:
            with urllib.request.urlopen(self.url + path_and_query, timeout=10) as response:
                return response.status, response.read(), response.headers["Content-Type"]
        except urllib.error.HTTPError as err:
            return err.code, b"", ""


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    clock = FakeClock(jst(MONDAY, 7, 30))
    alexa = FakeAlexa()
    alexa_thread = threading.Thread(target=alexa.server.serve_forever, daemon=True)
    alexa_thread.start()
    with local_line() as line:
        settings = line_settings(
            database_url=fresh_sqlite(tmp_path),
            alexa_skill_id=SKILL_ID,
            alexa_verify_signature=False,  # the envelopes are not signed by Amazon here
            alexa_client_id=CLIENT_ID,
            alexa_client_secret=CLIENT_SECRET,
            alexa_api_base=alexa.base,
            alexa_token_url=alexa.base + "/auth/O2/token",
            secret_key="k" * 32,
            line_channel_secret=CHANNEL_SECRET,
            line_channel_access_token=ACCESS_TOKEN,
            line_api_base=line.url,
            media_url=f"file://{tmp_path / 'media'}",
        )
        services = bootstrap(settings, clock=clock)
        with services.uow() as uow:
            seed(uow, make_elder())
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.commit()
        server = make_server("127.0.0.1", 0, create_app(settings, services), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Live(f"http://127.0.0.1:{server.port}", services, settings, line, alexa, clock)
        finally:
            server.shutdown()
            thread.join()
            alexa.server.shutdown()
            alexa.server.server_close()
        assert line.problems == []
        assert alexa.problems == []


def test_link_photo_session_reply_and_push(live: Live) -> None:
    # 1. Staff issue a code for the welcome letter; the daughter sends it in LINE.
    family.issue_link_code(
        live.services, "elder-1", name="明美", relation="長女", random_code=lambda: "482913"
    )
    assert live.post_webhook(webhook_body("text_code")) == 200
    assert "山田 花子さんとつながりました" in live.line.reply_texts()[-1]

    # 2. She sends a photo: downloaded at once from LINE's content API, answered for free.
    live.line.content[PHOTO_ID] = (JPEG, "image/jpeg")
    assert live.post_webhook(webhook_body("image")) == 200
    (download,) = live.line.requests_to(f"/v2/bot/message/{PHOTO_ID}/content")
    assert download.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert live.line.reply_texts()[-1].startswith("写真をお預かりしました。")
    assert live.line.pushes == []  # replies only so far: no quota used

    # 3. The speaker is nudged (Proactive Events) through the outbox.
    assert jobs.deliver_outbox(live.settings, live.clock()).sent == 1
    (nudge,) = live.alexa.events
    assert nudge["event"]["payload"]["messageGroup"]["creator"]["name"] == "明美さん"
    assert nudge["relevantAudience"]["payload"]["user"] == USER_ID

    # 4. The elder's next session offers it; はい shows the photo by a short-lived link.
    session = AlexaSession(SKILL_ID, USER_ID, DEVICE_ID)
    elder = Conversation(session, http_sender(live.url + "/alexa"), live.clock)
    assert elder.open().speech.endswith(
        "おはようございます。明美さんからメッセージが届いています。お聞きになりますか。"
    )
    shown = elder.say("はい")
    assert shown.speech.startswith("明美さんから写真が届きました。画面をご覧ください。")
    (directive,) = shown.raw["response"]["directives"]
    assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
    url = urlsplit(directive["datasources"]["family"]["url"])
    assert url.path == f"/media/line/{PHOTO_ID}.jpg"
    assert live.get(f"{url.path}?{url.query}") == (200, JPEG, "image/jpeg")
    assert live.get(url.path)[0] == 403  # unsigned: refused

    # 5. The elder replies by voice: read back, confirmed.
    asked = elder.say("返事をする")
    assert asked.speech.startswith("明美さんへのお返事ですね。")
    read_back = elder.say("写真ありがとうと伝えて")
    assert read_back.speech == "明美さんに、「写真ありがとう」とお伝えします。よろしいですか。"
    done = elder.say("はい")
    assert done.speech.startswith("明美さんにお伝えしました。")

    # 6. The outbox pushes it to her on LINE, with a retry key; a 500 is retried with the same key.
    live.line.push_statuses = [500]
    assert jobs.deliver_outbox(live.settings, live.clock()).retried == 1
    live.clock.tick(timedelta(minutes=2))
    assert jobs.deliver_outbox(live.settings, live.clock()).sent == 1
    first, second = live.line.pushes
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"]
    uuid.UUID(second.headers["X-Line-Retry-Key"])
    assert second.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert second.body["to"] == FAMILY_USER
    (text,) = second.body["messages"]
    assert text == {
        "type": "text",
        "text": "山田 花子さんからのお返事（スピーカーより）\n\n写真ありがとう",
    }
    assert jobs.deliver_outbox(live.settings, live.clock()).sent == 0  # nothing twice
    assert json.loads(json.dumps(live.line.pushes[-1].body))["to"] == FAMILY_USER

    # 7. The link expires with the photo link: ten minutes later it is refused.
    live.clock.tick(timedelta(minutes=11))
    assert live.get(f"{url.path}?{url.query}")[0] == 403
