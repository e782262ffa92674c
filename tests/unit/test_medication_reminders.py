"""The medication reminder set by voice: offered once, set only with consent, removed on request."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.channels.reminders import daily_rule, first_time, reminder_body
from backend.domain import reminders
from backend.domain.model import EventKind
from backend.services.context import Services
from questions.engagement_files import Engagement, engagement_off
from questions.loader import load_sets
from skill.builder import build_skill
from skill.reminder_prompts import format_clock
from tests.builders import jst, make_binding, make_elder, seed
from tests.fakes import FakeRemindersApi, FakeUnitOfWork
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID, Speaker
from tests.unit.conftest import MONDAY

OFFER = "お薬の時間に、このスピーカーでお知らせしましょうか。"
BREAKFAST = "朝ごはんは食べましたか。"
_SETS = load_sets()


@pytest.fixture
def api() -> FakeRemindersApi:
    return FakeRemindersApi()


def offered(code: str) -> Engagement:
    """Return a municipality's engagement with the reminder offer turned on (and nothing else)."""
    return replace(engagement_off(code), medication_reminder=True)


@pytest.fixture
def services(store, clock, api) -> Services:
    return Services(
        uow=lambda: FakeUnitOfWork(store),
        question_sets=lambda: _SETS,
        clock=clock,
        tz=ZoneInfo("Asia/Tokyo"),
        reminders=api,
        engagement=offered,
    )


@pytest.fixture
def one_slot_elder(store):
    """An elder of 303445, asked about medication in the morning only (from 07:00)."""
    elder = make_elder(municipality_code="303445")
    with FakeUnitOfWork(store) as uow:
        seed(uow, elder)
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.commit()
    return elder


def granted(skill, clock) -> Speaker:
    return Speaker(skill, clock, granted=True)


def to_medication(speaker: Speaker) -> None:
    """Open and answer until the medication question is asked (032158: 体調, 睡眠, then 服薬)."""
    speaker.open()
    speaker.say("元気")
    reply = speaker.say("#1")
    assert reply.speech.endswith("お薬は飲みましたか。")


def reminder_events(store) -> list[dict]:
    found = sorted(
        (e for e in store.state.events.values() if e.kind is EventKind.REMINDER),
        key=lambda e: e.at,
    )
    return [e.detail for e in found]


def actions(store) -> list[str]:
    return [d["action"] for d in reminder_events(store)]


class TestTheOffer:
    def test_the_medication_answer_brings_the_offer_and_the_check_in_waits_one_turn(
        self, speaker, store
    ):
        to_medication(speaker)
        reply = speaker.say("飲んだ")
        assert reply.speech == "ありがとうございます。" + OFFER
        assert BREAKFAST not in reply.speech
        assert not reply.end
        assert [b["label"] for b in reply.screen["buttons"]] == ["はい", "いいえ"]
        assert store.state.answers[-1].question_id == "medication"  # stored before the offer
        assert actions(store) == ["offered"]

    def test_a_no_goes_on_with_the_next_question_and_the_offer_is_never_made_again(
        self, skill, speaker, store, clock, api
    ):
        to_medication(speaker)
        speaker.say("まだ")
        reply = speaker.say("いいえ")
        assert reply.speech == "わかりました。お知らせは、しないでおきますね。" + BREAKFAST
        assert actions(store) == ["offered", "declined"]
        clock.tick(timedelta(days=1))
        again = Speaker(skill, clock)
        to_medication(again)
        reply = again.say("飲んだ")
        assert OFFER not in reply.speech
        assert BREAKFAST in reply.speech
        assert api.created == []

    def test_help_while_the_offer_waits_says_how_to_answer_and_asks_again(self, speaker, store):
        to_medication(speaker)
        speaker.say("飲んだ")
        reply = speaker.say("使い方を教えて")
        assert reply.speech.startswith("お知らせするときは「はい」、いらないときは「いいえ」")
        assert reply.speech.endswith(OFFER)
        reply = speaker.say("いいえ")
        assert reply.speech.endswith(BREAKFAST)
        assert actions(store) == ["offered", "declined"]

    @pytest.mark.parametrize("words", ["なんだか胸が痛いです", "胸が痛い"])
    def test_an_emergency_said_to_the_offer_is_an_emergency_first(self, speaker, store, words):
        to_medication(speaker)
        speaker.say("飲んだ")
        reply = speaker.say(words)
        assert "119番に電話してください" in reply.speech
        assert reply.end
        assert [e.kind for e in store.state.events.values()].count(EventKind.EMERGENCY) == 1

    def test_a_touch_on_the_no_button_is_a_no(self, speaker, store):
        to_medication(speaker)
        speaker.say("飲んだ")
        reply = speaker.say("#2")
        assert reply.speech.startswith("わかりました。お知らせは、しないでおきますね。")
        assert actions(store) == ["offered", "declined"]

    def test_unclear_words_are_asked_once_more_then_taken_for_a_no(self, speaker, store):
        to_medication(speaker)
        speaker.say("飲んだ")
        reply = speaker.say("ええと")
        assert reply.speech.endswith(OFFER)
        reply = speaker.say("ええと")
        assert reply.speech.endswith(BREAKFAST)
        assert actions(store) == ["offered", "declined"]

    def test_the_offer_after_the_last_question_keeps_the_closing_for_after_the_answer(
        self, skill, clock, store
    ):
        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder(overrides={"remove": ["breakfast", "blood_pressure", "weight"]}))
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.commit()
        speaker = Speaker(skill, clock)
        to_medication(speaker)
        reply = speaker.say("飲んだ")
        assert reply.speech == OFFER
        assert not reply.end
        reply = speaker.say("いいえ")
        assert reply.speech.endswith("今日の分は、これでおしまいです。ありがとうございました。")
        assert reply.end

    def test_no_offer_is_made_where_the_municipality_has_not_turned_it_on(
        self, services, store, clock, elder
    ):
        skill = build_skill(replace(services, engagement=engagement_off), SKILL_ID)
        speaker = Speaker(skill, clock)
        to_medication(speaker)
        reply = speaker.say("飲んだ")
        assert reply.speech == "ありがとうございます。" + BREAKFAST
        assert actions(store) == []

    def test_no_offer_is_made_where_the_deployment_has_no_reminders(
        self, services, store, clock, elder
    ):
        speaker = Speaker(build_skill(replace(services, reminders=None), SKILL_ID), clock)
        to_medication(speaker)
        reply = speaker.say("飲んだ")
        assert reply.speech == "ありがとうございます。" + BREAKFAST
        assert actions(store) == []

    def test_the_elder_can_ask_where_the_offer_is_off(self, services, store, clock, api, elder):
        skill = build_skill(replace(services, engagement=engagement_off), SKILL_ID)
        speaker = Speaker(skill, clock, granted=True)
        speaker.open()
        speaker.say("薬の時間に教えて")
        reply = speaker.say("8時")
        assert reply.speech.startswith("毎日、朝8時に")
        assert len(api.created) == 1


class TestSettingIt:
    def test_yes_with_the_permission_sets_it_at_the_one_medication_slot_start(
        self, skill, clock, store, api, one_slot_elder
    ):
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("元気")  # 303445: 体調, then 服薬
        reply = speaker.say("飲んだ")
        assert reply.speech.endswith(OFFER)
        reply = speaker.say("はい")
        assert reply.speech.startswith("毎日、朝7時に、お薬の時間をお知らせしますね。")
        assert reply.speech.endswith(BREAKFAST)
        ((session, body),) = api.created
        assert session.api_endpoint == "https://api.fe.amazonalexa.com"
        assert session.api_access_token == "local-talk"
        assert body["trigger"]["recurrence"]["recurrenceRules"] == [daily_rule(time(7, 0))]
        assert body["trigger"]["scheduledTime"] == "2026-11-24T07:00:00.000"  # 7:30 now: tomorrow
        assert body["alertInfo"]["spokenInfo"]["content"] == [
            {"locale": "ja-JP", "text": "お薬の時間です。"}
        ]
        assert reminder_events(store)[-1] == {
            "action": "set",
            "alert_token": "amzn1.alert.fake-1",
            "time": "07:00",
            "set_by": "elder",
        }

    def test_with_two_medication_slots_the_time_is_asked_and_taken(
        self, skill, clock, store, api, elder
    ):
        speaker = granted(skill, clock)
        to_medication(speaker)
        speaker.say("飲んだ")
        reply = speaker.say("はい")
        assert reply.speech == "何時にお知らせしましょうか。「朝8時」のように教えてください。"
        reply = speaker.say("夜7時半")
        assert reply.speech.startswith("毎日、夜7時半に、お薬の時間をお知らせしますね。")
        assert api.created[0][1]["trigger"]["recurrence"]["recurrenceRules"] == [
            "FREQ=DAILY;BYHOUR=19;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"
        ]
        assert reminders.current(store.state.events.values()).time == "19:30"

    def test_an_emergency_said_instead_of_the_time_is_an_emergency_first(
        self, skill, clock, store, api, elder
    ):
        speaker = granted(skill, clock)
        to_medication(speaker)
        speaker.say("飲んだ")
        speaker.say("はい")
        reply = speaker.say("さっきから胸が苦しくて")
        assert "119番に電話してください" in reply.speech
        assert api.created == []

    def test_a_time_not_understood_is_asked_once_more_then_left_kindly(
        self, skill, clock, store, api, elder
    ):
        speaker = granted(skill, clock)
        to_medication(speaker)
        speaker.say("飲んだ")
        speaker.say("はい")
        reply = speaker.say("ええと")
        assert reply.speech.startswith("すみません、うまく聞き取れませんでした。")
        reply = speaker.say("ええと")
        assert "「薬の時間に教えて」" in reply.speech
        assert reply.speech.endswith(BREAKFAST)
        assert api.created == []

    def test_without_the_permission_alexa_is_asked_by_voice_then_accepted_sets_it(
        self, speaker, store, api
    ):
        to_medication(speaker)
        speaker.say("飲んだ")
        speaker.say("はい")
        reply = speaker.say("8時")
        assert reply.speech == "では、このスピーカーでお知らせしてよいか、確かめますね。"
        response = reply.raw["response"]
        assert "reprompt" not in response
        assert "shouldEndSession" not in response
        (directive,) = speaker.directives()  # no screen with Alexa's own question
        assert directive["type"] == "Connections.SendRequest"
        assert directive["name"] == "AskFor"
        assert directive["payload"] == {
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [
                {
                    "permissionScope": "alexa::alerts:reminders:skill:readwrite",
                    "consentLevel": "ACCOUNT",
                }
            ],
        }
        assert api.created == []
        reply = speaker.answer_permission("ACCEPTED")
        assert reply.speech.startswith("毎日、朝8時に、お薬の時間をお知らせしますね。")
        assert reply.speech.endswith(BREAKFAST)
        assert len(api.created) == 1
        assert actions(store) == ["offered", "set"]

    def test_the_permission_answer_in_a_new_session_still_knows_the_time_and_the_question(
        self, speaker, store, api
    ):
        to_medication(speaker)
        speaker.say("飲んだ")
        speaker.say("はい")
        speaker.say("8時")
        speaker.session.attributes = {}  # Alexa may resume without the session attributes
        reply = speaker.answer_permission("ACCEPTED")
        assert reply.speech.startswith("毎日、朝8時に")
        assert reply.speech.endswith(BREAKFAST)
        assert len(api.created) == 1

    @pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
    def test_a_permission_not_given_sets_nothing_and_the_check_in_goes_on(
        self, speaker, store, api, status
    ):
        to_medication(speaker)
        speaker.say("飲んだ")
        speaker.say("はい")
        speaker.say("8時")
        reply = speaker.answer_permission(status)
        assert reply.speech.startswith("わかりました。お知らせは、")
        assert reply.speech.endswith(BREAKFAST)
        assert not reply.end
        assert api.created == []
        assert reminders.current(store.state.events.values()) is None

    @pytest.mark.parametrize(
        ("reason", "said"),
        [
            ("unauthorized", "お知らせの許可がなくて"),
            ("forbidden", "お知らせの許可がなくて"),
            ("busy", "いまはお知らせを設定できませんでした"),
            ("unavailable", "いまはお知らせを設定できませんでした"),
            ("timeout", "いまはお知らせを設定できませんでした"),
            ("refused", "いまはお知らせを設定できませんでした"),
        ],
    )
    def test_an_api_error_is_a_gentle_line_and_nothing_is_stored_as_set(
        self, skill, clock, store, api, one_slot_elder, reason, said
    ):
        api.fail_with.append(reason)
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("元気")
        speaker.say("飲んだ")
        reply = speaker.say("はい")
        assert reply.speech.startswith("すみません、")
        assert said in reply.speech
        assert reply.speech.endswith(BREAKFAST)
        assert not reply.end
        assert reminders.current(store.state.events.values()) is None
        assert reminder_events(store)[-1] == {"action": "failed", "reason": reason, "time": "07:00"}

    def test_a_replayed_yes_creates_the_reminder_once(
        self, skill, clock, store, api, one_slot_elder
    ):
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("元気")
        speaker.say("飲んだ")
        speaker.say("はい")
        reply = speaker.replay_last()
        assert reply.speech.startswith("毎日、朝7時に")
        assert len(api.created) == 1
        assert actions(store) == ["offered", "set"]


class TestAskingAndRemoving:
    def test_the_elder_can_ask_for_it_after_saying_no(self, skill, clock, store, api, elder):
        speaker = granted(skill, clock)
        to_medication(speaker)
        speaker.say("飲んだ")
        speaker.say("いいえ")
        reply = speaker.say("薬の時間に教えて")
        assert reply.speech.startswith("何時にお知らせしましょうか。")
        reply = speaker.say("朝8時")
        assert reply.speech.startswith("毎日、朝8時に")
        assert reply.speech.endswith(BREAKFAST)  # the question that was waiting
        assert len(api.created) == 1

    def test_asking_again_when_one_is_set_says_when_it_rings(self, skill, clock, api, elder):
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("薬の時間に教えて")
        speaker.say("8時")
        reply = speaker.say("薬の時間に教えて")
        assert reply.speech.startswith("お薬のお知らせは、毎日、朝8時に、もうしていますよ。")
        assert len(api.created) == 1

    def test_saying_it_is_not_wanted_deletes_it_and_records_the_removal(
        self, skill, clock, store, api, elder
    ):
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("薬の時間に教えて")
        speaker.say("8時")
        reply = speaker.say("お薬のお知らせはいらない")
        assert reply.speech.startswith("わかりました。お薬のお知らせは、やめにしました。")
        assert api.deleted == ["amzn1.alert.fake-1"]
        assert reminders.current(store.state.events.values()) is None
        assert reminder_events(store)[-1] == {
            "action": "removed",
            "alert_token": "amzn1.alert.fake-1",
            "time": "08:00",
        }

    def test_a_reminder_already_removed_in_the_alexa_app_is_recorded_as_removed(
        self, skill, clock, store, api, elder
    ):
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("薬の時間に教えて")
        speaker.say("8時")
        api.live.clear()
        reply = speaker.say("お薬のお知らせはいらない")
        assert reply.speech.startswith("わかりました。お薬のお知らせは、やめにしました。")
        assert reminders.current(store.state.events.values()) is None

    def test_a_failed_delete_keeps_it_recorded_as_set(self, skill, clock, store, api, elder):
        speaker = granted(skill, clock)
        speaker.open()
        speaker.say("薬の時間に教えて")
        speaker.say("8時")
        api.fail_with.append("unavailable")
        reply = speaker.say("お薬のお知らせはいらない")
        assert reply.speech.startswith("すみません、いまはお知らせをやめられませんでした。")
        assert reminders.current(store.state.events.values()).time == "08:00"

    def test_not_wanted_before_any_offer_means_it_is_never_offered(self, speaker, store, api):
        speaker.open()
        reply = speaker.say("お薬のお知らせはいらない")
        assert reply.speech.startswith("わかりました。お薬のお知らせは、いまはしていません。")
        speaker.say("元気")
        speaker.say("#1")
        reply = speaker.say("飲んだ")
        assert OFFER not in reply.speech
        assert actions(store) == ["declined"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("8時", time(8, 0)),
        ("朝8時", time(8, 0)),
        ("朝の八時", time(8, 0)),
        ("夜7時半", time(19, 30)),
        ("午後七時三十分", time(19, 30)),
        ("お昼の12時", time(12, 0)),
        ("お昼の1時", time(13, 0)),
        ("夕方5時", time(17, 0)),
        ("21時", time(21, 0)),
        ("ええと", None),
        ("25時", None),
    ],
)
def test_a_time_said_aloud_is_read_as_a_clock_time(words, expected):
    assert reminders.said_time(words) == expected


@pytest.mark.parametrize(
    ("hhmm", "said"),
    [
        ("07:00", "朝7時"),
        ("08:30", "朝8時半"),
        ("12:00", "お昼の12時"),
        ("13:15", "お昼の1時15分"),
        ("17:00", "夕方5時"),
        ("19:30", "夜7時半"),
        ("02:00", "夜中の2時"),
    ],
)
def test_the_time_is_said_back_the_way_an_elder_says_it(hhmm, said):
    assert format_clock(hhmm) == said


def test_the_first_reminder_is_today_when_its_time_is_still_to_come_else_tomorrow():
    assert first_time(time(8, 0), jst(MONDAY, 7, 30)).isoformat() == "2026-11-23T08:00:00"
    assert first_time(time(7, 0), jst(MONDAY, 7, 30)).isoformat() == "2026-11-24T07:00:00"
    assert first_time(time(7, 30), jst(MONDAY, 7, 30)).isoformat() == "2026-11-24T07:30:00"


def test_the_body_is_local_time_without_offset_in_japan_every_day():
    body = reminder_body(time(8, 0), jst(MONDAY, 7, 30), "お薬の時間です。")
    assert body == {
        "requestTime": "2026-11-23T07:30:00.000",
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": "2026-11-23T08:00:00.000",
            "timeZoneId": "Asia/Tokyo",
            "recurrence": {
                "startDateTime": "2026-11-23T08:00:00.000",
                "recurrenceRules": ["FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0;INTERVAL=1;"],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": "ja-JP", "text": "お薬の時間です。"}]}},
        "pushNotification": {"status": "ENABLED"},
    }


class TestEnvelopesAsAlexaSendsThem:
    def send(self, skill, clock, name: str, edit=None) -> dict:
        from backend.talk import in_process_sender
        from tests.alexa_fixtures import load_envelope

        envelope = load_envelope(
            name, skill_id=SKILL_ID, user_id=USER_ID, device_id=DEVICE_ID, timestamp=clock.now
        )
        if edit is not None:
            edit(envelope)
        return in_process_sender(skill)(envelope)["response"]

    def test_the_intent_asks_the_time_where_medication_is_asked_twice_a_day(
        self, skill, clock, api, elder
    ):
        response = self.send(skill, clock, "medication_reminder_intent")
        assert "何時にお知らせしましょうか" in response["outputSpeech"]["ssml"]  # 032158: 朝と晩

    def test_the_intent_without_the_permission_asks_for_it_by_voice(
        self, skill, clock, api, one_slot_elder
    ):
        response = self.send(skill, clock, "medication_reminder_intent")
        (ask,) = [d for d in response["directives"] if d["type"] == "Connections.SendRequest"]
        assert ask["name"] == "AskFor"
        assert ask["token"].startswith("mimamori.reminder:")
        assert "shouldEndSession" not in response
        assert api.created == []

    def test_the_intent_with_the_permission_posts_with_the_requests_endpoint_and_token(
        self, skill, clock, api, one_slot_elder
    ):
        def grant(envelope):
            envelope["context"]["System"]["user"]["permissions"] = {
                "consentToken": "fixture-consent-token",
                "scopes": {"alexa::alerts:reminders:skill:readwrite": {"status": "GRANTED"}},
            }

        response = self.send(skill, clock, "medication_reminder_intent", grant)
        assert "毎日、朝7時に" in response["outputSpeech"]["ssml"]
        ((session, _),) = api.created
        assert (session.api_endpoint, session.api_access_token) == (
            "https://api.fe.amazonalexa.com",
            "fixture-api-access-token",
        )

    def test_a_denied_permission_answer_sets_nothing(self, skill, clock, api, store, elder):
        response = self.send(skill, clock, "connections_response_ask_for_denied")
        assert "お知らせは、しないでおきますね" in response["outputSpeech"]["ssml"]
        assert api.created == []
        assert actions(store) == ["declined"]

    def test_an_accepted_permission_answer_sets_the_time_its_token_carries(
        self, skill, clock, api, store, elder
    ):
        def accept(envelope):
            envelope["request"]["payload"]["status"] = "ACCEPTED"

        response = self.send(skill, clock, "connections_response_ask_for_denied", accept)
        assert "毎日、朝8時に" in response["outputSpeech"]["ssml"]
        assert api.created[0][1]["trigger"]["scheduledTime"] == "2026-11-23T08:00:00.000"
        assert actions(store) == ["set"]


def test_a_municipality_turns_the_offer_on_in_its_engagement_file(tmp_path):
    from questions.engagement_files import engagement_for

    folder = tmp_path / "engagement"
    folder.mkdir()
    (folder / "032158.yaml").write_text(
        'municipality_code: "032158"\nmedication_reminder: true\n', encoding="utf-8"
    )
    assert engagement_for("032158", folder).medication_reminder is True
    assert engagement_for("032158", folder).enabled is False  # the quiz and topics stay off
    assert engagement_for("303445", folder).medication_reminder is False
    assert engagement_for("032158").medication_reminder is False  # the shipped sample: off
