"""The AWS path of a family photo: LINE webhook on the HTTP Lambda → S3 → the skill Lambda's screen.

Real parts: the web and skill Lambda handlers, S3 on a local moto server, LINE's API on a
local server, a SQLite store (the DynamoDB store is tested by its own suite).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

import backend.bootstrap
import skill.lambda_function as skill_entry
from backend import lambda_http
from backend.bootstrap import bootstrap
from backend.envelopes import AlexaSession
from backend.services import family
from backend.settings import Settings
from backend.talk import Conversation
from tests.aws_local import (
    body_of,
    http_event,
    make_bucket,
    moto_server,
    s3_client,
    use_fake_credentials,
)
from tests.builders import jst, make_binding, make_elder, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, local_line, signed, webhook_body
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID
from tests.unit.conftest import MONDAY

JPEG = b"\xff\xd8\xff\xe0 a photo from the family \xff\xd9"
BUCKET = "mimamori-media-test"


@pytest.fixture
def aws(tmp_path, monkeypatch):
    clock = FakeClock(jst(MONDAY, 7, 30))
    with moto_server() as endpoint, local_line() as line:
        use_fake_credentials(monkeypatch)
        make_bucket(endpoint, BUCKET)
        url = fresh_sqlite(tmp_path)
        settings = Settings(database_url=url)
        with bootstrap(settings).uow() as uow:
            seed(uow, make_elder())
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.commit()
        for name, value in {
            "DATABASE_URL": url,
            "SECRET_KEY": "k" * 32,
            "ALEXA_SKILL_ID": SKILL_ID,
            "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
            "LINE_API_BASE": line.url,
            "MEDIA_URL": f"s3://{BUCKET}/media",
            "AWS_ENDPOINT_URL": endpoint,
        }.items():
            monkeypatch.setenv(f"MIMAMORI_{name}", value)
        monkeypatch.setattr(backend.bootstrap, "utc_now", clock)
        monkeypatch.setattr(lambda_http, "_handler", None)
        monkeypatch.setattr(skill_entry, "_handler", None)
        line.content["510000000000000003"] = (JPEG, "image/jpeg")
        yield endpoint, clock, settings
        assert line.problems == []


def webhook(body: dict) -> dict:
    raw, headers = signed(body)
    answer = lambda_http.handler(
        http_event("POST", "/line/webhook", body=raw, headers=headers), None
    )
    assert answer["statusCode"] == 200, body_of(answer)
    return answer


def test_a_family_photo_travels_through_s3_to_the_speakers_screen(aws):
    endpoint, clock, settings = aws
    family.issue_link_code(
        bootstrap(settings), "elder-1", name="はなこ", relation="長女", random_code=lambda: "482913"
    )
    webhook(webhook_body("text_code"))
    webhook(webhook_body("image"))

    head = s3_client(endpoint).head_object(Bucket=BUCKET, Key="media/line/510000000000000003.jpg")
    assert head["ServerSideEncryption"] == "AES256"

    def through_lambda(envelope: dict) -> dict:
        event = json.loads(json.dumps(envelope, ensure_ascii=False))
        return json.loads(json.dumps(skill_entry.lambda_handler(event, None)))

    elder = Conversation(AlexaSession(SKILL_ID, USER_ID, DEVICE_ID), through_lambda, clock)
    assert elder.open().speech.endswith(
        "おはようございます。はなこさんからメッセージが届いています。お聞きになりますか。"
    )
    reply = elder.say("はい")
    assert reply.speech.startswith("はなこさんから写真が届きました。画面をご覧ください。")
    (directive,) = reply.raw["response"]["directives"]
    url = directive["datasources"]["family"]["url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == endpoint  # S3 itself, not /media on the app
    assert parts.path == f"/{BUCKET}/media/line/510000000000000003.jpg"
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["600"]
    with urllib.request.urlopen(url, timeout=10) as photo:
        assert photo.read() == JPEG
        assert photo.headers["Content-Type"] == "image/jpeg"
