"""POST /line/webhook end to end: signed bodies, the durable inbox, processing, media links."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend import jobs
from backend.bootstrap import bootstrap
from backend.dashboard.sessions import COOKIE_NAME
from backend.domain.family import InboxEvent
from backend.domain.model import AlertStatus, Outcome
from backend.services import family
from backend.services.context import Services
from backend.services.line_inbox import GIVEN_UP_RETENTION, MAX_ATTEMPTS
from backend.web import create_app
from tests.builders import jst, make_alert, make_elder, make_outbox_message, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    FAMILY_USER,
    LocalLine,
    event_of,
    line_settings,
    local_line,
    signed,
    webhook_body,
)
from tests.unit.conftest import MONDAY

JPEG = b"\xff\xd8\xff\xe0 a tiny photo \xff\xd9"


@dataclass
class Env:
    client: Any
    services: Services
    settings: Any
    line: LocalLine
    clock: FakeClock
    media: Path

    def post(self, body: dict[str, Any], *, secret: str = CHANNEL_SECRET, raw: bytes | None = None):
        data, headers = signed(body, secret)
        if raw is not None:
            data = raw
        response = self.client.post("/line/webhook", data=data, headers=headers)
        response.close()  # the server has sent it: processing runs now (call_on_close)
        return response

    def inbox(self) -> list[Any]:
        with self.services.uow() as uow:
            return uow.line_inbox.pending(100, 100)

    def stored(self, event_id: str) -> Any:
        with self.services.uow() as uow:
            return uow.line_inbox.get(event_id)


@pytest.fixture
def env(tmp_path: Path):
    clock = FakeClock(jst(MONDAY, 7, 30))
    with local_line() as line:
        settings = line_settings(
            database_url=fresh_sqlite(tmp_path),
            alexa_skill_id="amzn1.ask.skill.test",
            alexa_verify_signature=False,
            secret_key="k" * 32,
            line_channel_secret=CHANNEL_SECRET,
            line_channel_access_token=ACCESS_TOKEN,
            line_api_base=line.url,
            media_url=f"file://{tmp_path / 'media'}",
        )
        services = bootstrap(settings, clock=clock)
        with services.uow() as uow:
            seed(uow, make_elder())
            uow.commit()
        app = create_app(settings, services)
        yield Env(app.test_client(), services, settings, line, clock, tmp_path / "media")
        assert line.problems == []


def link(env: Env) -> None:
    family.issue_link_code(
        env.services, "elder-1", name="はなこ", relation="長女", random_code=lambda: "482913"
    )
    assert env.post(webhook_body("text_code")).status_code == 200


class TestRefused:
    def test_a_bad_signature_is_refused_and_nothing_is_stored(self, env: Env) -> None:
        response = env.post(webhook_body("text_message"), secret="not-the-secret")
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid signature"}
        assert env.stored("01JDTEXT0000000000000000001") is None
        assert env.line.received == []

    def test_a_missing_signature_is_refused(self, env: Env) -> None:
        raw = json.dumps(webhook_body("follow")).encode()
        response = env.client.post("/line/webhook", data=raw)
        assert response.status_code == 400
        assert env.inbox() == []

    def test_a_signed_body_that_is_not_json_is_refused(self, env: Env) -> None:
        raw = b"{not json"
        response = env.client.post(
            "/line/webhook", data=raw, headers={"X-Line-Signature": _sign(raw)}
        )
        assert response.status_code == 400
        assert response.get_json() == {"error": "malformed body"}

    def test_a_body_with_one_event_lacking_its_id_stores_nothing(self, env: Env) -> None:
        body = webhook_body("text_message")
        body["events"].append(dict(webhook_body("follow")["events"][0]))
        del body["events"][1]["webhookEventId"]
        assert env.post(body).status_code == 400
        assert env.stored("01JDTEXT0000000000000000001") is None

    def test_an_oversized_body_is_refused(self, env: Env) -> None:
        body = webhook_body("text_message", text="あ" * 200_000)
        assert env.post(body).status_code == 413
        assert env.inbox() == []

    def test_the_console_s_verification_body_is_acknowledged(self, env: Env) -> None:
        response = env.post(webhook_body("verify"))
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok", "stored": 0}

    def test_the_webhook_neither_reads_nor_sets_a_dashboard_session(
        self, env: Env, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def no_session(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("a session was loaded for the webhook")

        monkeypatch.setattr("backend.services.staff_auth.load_session", no_session)
        env.client.set_cookie(COOKIE_NAME, "a-staff-session-token")
        data, headers = signed(webhook_body("follow"), CHANNEL_SECRET)
        response = env.client.post("/line/webhook", data=data, headers=headers)
        response.close()
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        assert env.stored("01JDFOLLOW00000000000000001") is not None


class TestInbox:
    def test_an_event_is_acknowledged_stored_processed_and_its_payload_dropped(
        self, env: Env
    ) -> None:
        response = env.post(webhook_body("follow"))
        assert response.get_json() == {"status": "ok", "stored": 1}
        event = env.stored("01JDFOLLOW00000000000000001")
        assert event.processed_at is not None
        assert event.payload == {}
        (reply,) = env.line.replies
        assert reply.body["replyToken"] == "rt-01JDFOLLOW00000000000000001"
        assert reply.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"

    def test_duplicates_and_redeliveries_are_stored_and_relayed_once(self, env: Env) -> None:
        link(env)
        for name in ("text_message", "text_message", "text_message_redelivered"):
            assert env.post(webhook_body(name)).status_code == 200
        with env.services.uow() as uow:
            assert len(uow.family.unheard_for_elder("elder-1")) == 1
        assert len(env.line.replies) == 2  # the code, then the message: once

    def test_a_crash_after_the_ack_loses_nothing_the_job_processes_it(
        self, env: Env, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        link(env)

        def crash(ctx, event):
            raise RuntimeError("the worker died")

        monkeypatch.setattr("family_line.inbox.dispatch", crash)
        assert env.post(webhook_body("text_message")).status_code == 200
        (pending,) = env.inbox()
        assert (pending.attempts, pending.last_error) == (1, "RuntimeError")
        monkeypatch.undo()
        report = jobs.process_line_inbox(env.settings, env.clock.now + timedelta(minutes=1))
        assert report.processed == 1
        assert env.inbox() == []
        with env.services.uow() as uow:
            (message,) = uow.family.unheard_for_elder("elder-1")
        assert message.text == "お母さん、今度の日曜日に孫と行くね。"

    def test_the_webhook_s_own_run_leaves_an_event_another_process_stored_to_the_job(
        self, env: Env
    ) -> None:
        theirs = event_of("follow", webhookEventId="01JDTHEIRS0000000000000001")
        with env.services.uow() as uow:  # what another gunicorn worker stored a moment ago
            uow.line_inbox.add_if_absent(
                InboxEvent(theirs["webhookEventId"], "follow", theirs, env.clock.now)
            )
            uow.commit()
        ours = webhook_body("follow", webhookEventId="01JDOURS00000000000000001", replyToken="rt-o")
        assert env.post(ours).status_code == 200
        assert env.stored("01JDOURS00000000000000001").processed_at is not None
        assert [e.id for e in env.inbox()] == ["01JDTHEIRS0000000000000001"]
        assert [r.body["replyToken"] for r in env.line.replies] == ["rt-o"]
        report = jobs.process_line_inbox(env.settings, env.clock.now + timedelta(minutes=1))
        assert report.processed == 1
        assert env.inbox() == []

    def test_an_event_given_up_on_keeps_its_message_text_a_week_then_none(
        self, env: Env, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        link(env)
        monkeypatch.setattr("family_line.inbox.dispatch", lambda ctx, event: 1 / 0)
        env.post(webhook_body("text_message"))  # the first failure
        for minute in range(1, MAX_ATTEMPTS):
            jobs.process_line_inbox(env.settings, env.clock.now + timedelta(minutes=minute))
        with env.services.uow() as uow:  # given up on after MAX_ATTEMPTS failures
            assert uow.line_inbox.pending(100, MAX_ATTEMPTS) == []

        def stored_text() -> str:
            with env.services.uow() as uow:
                rows = uow.connection.exec_driver_sql("SELECT payload FROM line_inbox").all()
            return " ".join(json.loads(payload).__repr__() for (payload,) in rows)

        text = "お母さん、今度の日曜日に孫と行くね。"
        week = env.clock.now + GIVEN_UP_RETENTION
        report = jobs.process_line_inbox(env.settings, week - timedelta(minutes=1))
        assert report.erased == 0
        assert text in stored_text()
        report = jobs.process_line_inbox(env.settings, week + timedelta(minutes=1))
        assert report.erased == 1
        assert text not in stored_text()
        (given_up,) = [e for e in _all_events(env) if e.attempts]
        assert (given_up.payload, given_up.attempts, given_up.last_error) == (
            {},
            MAX_ATTEMPTS,
            "ZeroDivisionError",
        )

    def test_the_scheduled_run_leaves_fresh_events_to_the_webhook_s_own_run(
        self, env: Env, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("family_line.inbox.dispatch", lambda ctx, event: 1 / 0)
        env.post(webhook_body("follow"))
        monkeypatch.undo()
        report = jobs.process_line_inbox(env.settings, env.clock.now)
        assert report.processed == 0
        assert len(env.inbox()) == 1


class TestPhotos:
    def test_a_photo_is_downloaded_from_line_and_served_through_a_short_lived_link(
        self, env: Env
    ) -> None:
        link(env)
        env.line.content["510000000000000003"] = (JPEG, "image/jpeg")
        env.post(webhook_body("image"))
        (download,) = env.line.requests_to("/v2/bot/message/510000000000000003/content")
        assert download.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
        assert (env.media / "line/510000000000000003.jpg").read_bytes() == JPEG
        with env.services.uow() as uow:
            (photo,) = uow.family.unheard_for_elder("elder-1")
        url = env.services.media_links.url_for(photo.media_key, env.clock.now)
        response = env.client.get(url)
        assert response.status_code == 200
        assert response.data == JPEG
        assert response.mimetype == "image/jpeg"

    def test_a_tampered_or_expired_link_is_refused(self, env: Env) -> None:
        link(env)
        env.line.content["510000000000000003"] = (JPEG, "image/jpeg")
        env.post(webhook_body("image"))
        url = env.services.media_links.url_for("line/510000000000000003.jpg", env.clock.now)
        assert env.client.get(url.replace("sig=", "sig=0")).status_code == 403
        assert (
            env.client.get(url.replace("510000000000000003", "510000000000000004")).status_code
            == 403
        )
        env.clock.tick(timedelta(minutes=11))
        assert env.client.get(url).status_code == 403

    def test_a_photo_line_no_longer_has_is_answered_kindly(self, env: Env) -> None:
        link(env)
        env.post(webhook_body("image"))  # the local LINE has no such content: 404
        assert "受け取れませんでした" in env.line.reply_texts()[-1]


def _all_events(env: Env) -> list[Any]:
    with env.services.uow() as uow:
        ids = uow.connection.exec_driver_sql("SELECT id FROM line_inbox").scalars().all()
        return [uow.line_inbox.get(event_id) for event_id in ids]


def _sign(raw: bytes) -> str:
    from tests.line import sign

    return sign(raw)


class TestAlertsToFamily:
    def test_an_alert_is_pushed_as_flex_and_claimed_and_resolved_from_line(self, env: Env) -> None:
        link(env)
        member_id = family.link_id("elder-1", FAMILY_USER)
        message_id = "0" * 31 + "1"
        with env.services.uow() as uow:
            uow.alerts.add_if_absent(make_alert("a1"))
            uow.outbox.add_if_absent(
                make_outbox_message(
                    message_id, recipient_id=member_id, channel="line", alert_id="a1"
                )
            )
            uow.commit()
        assert jobs.deliver_outbox(env.settings, env.clock.now).sent == 1
        (push,) = env.line.pushes
        (flex,) = push.body["messages"]
        assert flex["type"] == "flex"
        assert flex["altText"].startswith("【みまもり】山田 花子さん")
        (button,) = flex["contents"]["footer"]["contents"]
        assert button["action"]["label"] == "私が確認します"

        def press(data: str, event_id: str) -> None:
            body = webhook_body("postback", webhookEventId=event_id)
            body["events"][0]["postback"] = {"data": data}
            assert env.post(body).status_code == 200

        press(button["action"]["data"], "01JDCLAIM000000000000000001")
        with env.services.uow() as uow:
            alert = uow.alerts.get("a1")
        assert (alert.status, alert.claimed_by) == (AlertStatus.CLAIMED, f"family:{member_id}")
        reply = env.line.replies[-1].body["messages"][0]
        outcomes = {i["action"]["label"]: i["action"]["data"] for i in reply["quickReply"]["items"]}
        press(outcomes["訪問した"], "01JDRESOLVE0000000000000001")
        with env.services.uow() as uow:
            alert = uow.alerts.get("a1")
            history = [c.action for c in uow.alerts.history("a1")]
        assert (alert.status, alert.outcome) == (AlertStatus.RESOLVED, Outcome.VISITED)
        assert history == ["claimed", "resolved"]


class TestEndToEnd:
    def test_a_member_links_sends_a_photo_and_the_elder_s_next_session_shows_it(
        self, env: Env
    ) -> None:
        from urllib.parse import urlsplit

        from backend.envelopes import AlexaSession
        from backend.talk import Conversation
        from tests.builders import make_binding
        from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID

        with env.services.uow() as uow:
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.commit()
        link(env)
        env.line.content["510000000000000003"] = (JPEG, "image/jpeg")
        env.post(webhook_body("image"))

        def over_http(envelope: dict[str, Any]) -> dict[str, Any]:
            response = env.client.post("/alexa", json=envelope)
            assert response.status_code == 200
            return response.get_json()

        elder = Conversation(AlexaSession(SKILL_ID, USER_ID, DEVICE_ID), over_http, env.clock)
        assert elder.open().speech.endswith(
            "おはようございます。はなこさんからメッセージが届いています。お聞きになりますか。"
        )
        reply = elder.say("はい")
        assert reply.speech.startswith("はなこさんから写真が届きました。画面をご覧ください。")
        (directive,) = reply.raw["response"]["directives"]
        url = urlsplit(directive["datasources"]["family"]["url"])
        assert url.path == "/media/line/510000000000000003.jpg"
        photo = env.client.get(f"{url.path}?{url.query}")
        assert (photo.status_code, photo.data) == (200, JPEG)
        env.clock.tick(timedelta(minutes=11))
        assert env.client.get(f"{url.path}?{url.query}").status_code == 403
