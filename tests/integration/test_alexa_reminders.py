"""The medication reminder posted by the skill to a local Reminders API that checks each request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time

import pytest

from backend.bootstrap import bootstrap
from backend.channels.reminders import (
    AlexaReminders,
    InSession,
    ReminderError,
    reminder_body,
)
from backend.domain import reminders
from backend.settings import Settings
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from questions.engagement_files import engagement_for
from skill.builder import build_skill
from tests.alexa_reminders_local import ACCESS_TOKEN, PATH, FakeReminders, running_reminders
from tests.builders import jst, make_binding, make_elder, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID, Speaker

MONDAY = datetime(2026, 11, 23).date()


@pytest.fixture
def alexa() -> Iterator[FakeReminders]:
    with running_reminders() as fake:
        yield fake


@pytest.fixture
def world(tmp_path):
    url = fresh_sqlite(tmp_path)
    engine = make_engine(url)
    clock = FakeClock(jst(MONDAY, 7, 30))
    svc = bootstrap(
        Settings(database_url=url, alexa_timeout=0.5),
        uow=lambda: SqlUnitOfWork(engine),
        clock=clock,
    )
    # The municipality turns the offer on in its engagement file (medication_reminder: true).
    svc = replace(
        svc, engagement=lambda code: replace(engagement_for(code), medication_reminder=True)
    )
    with svc.uow() as uow:
        # Asked about medication in the morning only (06:00): the reminder's time is clear.
        morning = {"schedules": {"medication": {"slots": ["morning"]}}}
        seed(uow, make_elder("elder-1", overrides=morning))
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.commit()
    yield svc, clock
    engine.dispose()


def speaker_for(svc, clock, alexa: FakeReminders) -> Speaker:
    skill = build_skill(svc, SKILL_ID)
    return Speaker(
        skill, clock, granted=True, api_endpoint=alexa.base, api_access_token=ACCESS_TOKEN
    )


def in_force(svc):
    with svc.uow() as uow:
        return reminders.current(uow.events.list_for_elder("elder-1"))


def test_yes_to_the_offer_posts_a_daily_reminder_that_the_api_accepts(world, alexa):
    svc, clock = world
    speaker = speaker_for(svc, clock, alexa)
    speaker.open()
    speaker.say("元気")
    speaker.say("#1")
    speaker.say("飲んだ")
    reply = speaker.say("はい")
    assert alexa.problems == []
    assert alexa.requests == [("POST", PATH)]
    ((token, body),) = alexa.reminders.items()
    assert body["trigger"]["scheduledTime"] == "2026-11-24T06:00:00.000"
    assert body["alertInfo"]["spokenInfo"]["content"][0]["text"] == "お薬の時間です。"
    assert reply.speech.startswith("毎日、朝6時に、お薬の時間をお知らせしますね。")
    found = in_force(svc)
    assert (found.alert_token, found.time, found.set_by) == (token, "06:00", "elder")


def test_not_wanted_deletes_the_reminder_with_the_in_session_token(world, alexa):
    svc, clock = world
    speaker = speaker_for(svc, clock, alexa)
    speaker.open()
    speaker.say("薬の時間に教えて")
    (token,) = alexa.reminders
    reply = speaker.say("お薬のお知らせはいらない")
    assert alexa.problems == []
    assert alexa.requests[-1] == ("DELETE", f"{PATH}/{token}")
    assert alexa.reminders == {}
    assert reply.speech.startswith("わかりました。お薬のお知らせは、やめにしました。")
    assert in_force(svc) is None


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_an_api_refusal_is_a_gentle_line_and_nothing_is_recorded_as_set(world, alexa, status):
    svc, clock = world
    alexa.answers.append(status)
    speaker = speaker_for(svc, clock, alexa)
    speaker.open()
    reply = speaker.say("薬の時間に教えて")
    assert alexa.problems == []
    assert reply.speech.startswith("すみません、")
    assert "今日の体調はいかがですか。" in reply.speech  # the check-in goes on
    assert not reply.end
    assert in_force(svc) is None


def test_a_reminders_api_that_does_not_answer_in_time_does_not_hold_up_the_turn(world, alexa):
    svc, clock = world
    alexa.slow = 1
    speaker = speaker_for(svc, clock, alexa)
    speaker.open()
    reply = speaker.say("薬の時間に教えて")
    assert reply.speech.startswith("すみません、いまはお知らせを設定できませんでした。")
    assert in_force(svc) is None
    with svc.uow() as uow:
        (event,) = [e for e in uow.events.list_for_elder("elder-1") if "reason" in e.detail]
    assert event.detail == {"action": "failed", "reason": "timeout", "time": "06:00"}


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (401, "unauthorized"),
        (403, "forbidden"),
        (429, "busy"),
        (500, "unavailable"),
        (400, "refused"),
    ],
)
def test_the_client_names_each_refusal(alexa, status, reason):
    alexa.answers.append(status)
    client = AlexaReminders(timeout=1.0)
    body = reminder_body(time(8, 0), jst(MONDAY, 7, 30), "お薬の時間です。")
    with pytest.raises(ReminderError) as caught:
        client.create(InSession(alexa.base, ACCESS_TOKEN), body)
    assert caught.value.reason == reason
    assert caught.value.status == status
    assert ACCESS_TOKEN not in str(caught.value)


def test_deleting_a_reminder_already_gone_is_reported_as_gone(alexa):
    client = AlexaReminders(timeout=1.0)
    with pytest.raises(ReminderError) as caught:
        client.delete(InSession(alexa.base, ACCESS_TOKEN), "amzn1.alert.unknown")
    assert caught.value.reason == "gone"
    assert alexa.problems == []


def test_a_refused_connection_is_unavailable(alexa):
    base = alexa.base
    alexa.server.shutdown()
    alexa.server.server_close()
    body = reminder_body(time(8, 0), jst(MONDAY, 7, 30), "お薬の時間です。")
    with pytest.raises(ReminderError) as caught:
        AlexaReminders(timeout=1.0).create(InSession(base, ACCESS_TOKEN), body)
    assert caught.value.reason == "unavailable"


@pytest.mark.parametrize(
    "endpoint", ["http://api.fe.amazonalexa.com", "ftp://127.0.0.1", "http://10.0.0.1:8080"]
)
def test_an_endpoint_neither_https_nor_loopback_is_never_called(alexa, endpoint):
    body = reminder_body(time(8, 0), jst(MONDAY, 7, 30), "お薬の時間です。")
    with pytest.raises(ReminderError) as caught:
        AlexaReminders(timeout=1.0).create(InSession(endpoint, ACCESS_TOKEN), body)
    assert caught.value.reason == "refused"
    assert alexa.requests == []
