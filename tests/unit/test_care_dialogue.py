"""The conversation as a caring person would hold it (issue 14): each line an elder heard."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from backend.domain import rules
from backend.domain.family import MessageKind
from backend.media import MediaLinks
from backend.services import family
from questions.policy import Policy
from skill.builder import build_skill
from tests.builders import jst, make_recipient
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER
from tests.speaker import SKILL_ID, Speaker
from tests.unit.conftest import MONDAY

FIRST_FOUR = ["元気", "ぐっすり", "飲んだ", "食べた"]


def alerts(store):
    return {a.rule: a for a in store.state.alerts.values()}


def to_blood_pressure(speaker, sleep="ぐっすり", medication="飲んだ"):
    speaker.open()
    for said in ["元気", sleep, medication, "食べた"]:
        reply = speaker.say(said)
    return reply


@pytest.fixture
def daughter(store, elder):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient(
                "line-1", channel="line", address=FAMILY_USER, name="明美", relation="娘"
            )
        )
        uow.commit()


class TestCarePhrases:
    def test_nemurenakatta_gets_a_care_phrase_not_the_same_thanks(self, speaker):
        speaker.open()
        speaker.say("元気")
        reply = speaker.say("眠れなかった")
        assert reply.speech.startswith("眠れなかったのですね。")
        assert "ありがとうございます" not in reply.speech

    def test_mada_nondenai_gets_a_gentle_medication_reminder(self, speaker):
        speaker.open()
        speaker.say("元気")
        speaker.say("ぐっすり")
        reply = speaker.say("まだ飲んでない")
        assert reply.speech.startswith("まだなのですね。このあと、忘れずに飲んでくださいね。")

    def test_the_last_answer_is_thanked_once(self, speaker, clock):
        clock.set(jst(MONDAY + timedelta(days=1), 7, 30))  # Tuesday: no weekly weight
        to_blood_pressure(speaker)
        speaker.say("上が130で下が80")
        reply = speaker.say("はい")
        assert reply.end
        assert reply.speech == "今日の分は、これでおしまいです。ありがとうございました。"


class TestBloodPressure:
    def test_185_over_125_gets_advice_to_seek_care_and_an_urgent_alert_at_once(
        self, speaker, store
    ):
        to_blood_pressure(speaker)
        speaker.say("上が185で下が125")
        reply = speaker.say("はい")
        assert "とても高い値です。今日のうちに、お医者さんに診てもらってください。" in reply.speech
        assert "センターに、すぐにお知らせしました。" in reply.speech
        assert "ありがとうございます。" not in reply.speech
        assert rules.BP_URGENT in alerts(store)
        assert alerts(store)[rules.BP_URGENT].severity.value == "urgent"  # opened by the turn

    def test_160_over_100_is_noted_for_the_months_follow_up_item_and_no_call_is_promised(
        self, speaker, store
    ):
        to_blood_pressure(speaker)
        speaker.say("上が162で下が100")
        reply = speaker.say("はい")
        assert "少し高めですね。今日は、ゆっくりお過ごしください。" in reply.speech
        assert "ご連絡します" not in reply.speech
        # The default policy groups follow-up findings: the sweep puts it in the month's item.
        assert alerts(store) == {}

    def test_160_over_100_is_an_alert_of_its_own_where_the_policy_does_not_group(
        self, services, clock, store, elder
    ):
        ungrouped = dataclasses.replace(
            services, policies=lambda code: Policy(group_follow_ups=False)
        )
        speaker = Speaker(build_skill(ungrouped, SKILL_ID), clock)
        to_blood_pressure(speaker)
        speaker.say("上が162で下が100")
        reply = speaker.say("はい")
        assert "少し高めですね。" in reply.speech
        assert set(alerts(store)) == {rules.BP_HIGH}

    def test_a_normal_pressure_raises_nothing(self, speaker, store):
        to_blood_pressure(speaker)
        speaker.say("上が130で下が80")
        speaker.say("はい")
        assert alerts(store) == {}


class TestEmergency:
    def test_tasukete_is_calm_says_who_was_told_and_the_alert_is_open_now(
        self, speaker, store, daughter
    ):
        speaker.open()
        reply = speaker.say("助けて")
        assert not reply.speech.startswith("大変です")
        assert reply.speech.startswith("わかりました。すぐに、119番に電話してください。")
        assert "センターと、娘の明美さんに、すぐにお知らせしました。" in reply.speech
        assert reply.end
        assert rules.EMERGENCY in alerts(store)
        assert {m.channel for m in store.state.outbox.values()} == {"line"}

    def test_a_replayed_emergency_opens_and_queues_nothing_twice(self, speaker, store, daughter):
        speaker.open()
        speaker.say("助けて")
        before = dict(store.state.outbox)
        speaker.replay_last()
        assert store.state.outbox == before
        assert len(store.state.alerts) == 1


class TestGreetingAndGoodbye:
    def test_tadaima_after_an_away_open_does_not_greet_again(self, speaker, services, elder):
        from backend.domain.model import AwayKind
        from backend.services import away

        away.declare(
            services, elder.id, AwayKind.TRAVEL, start=jst(MONDAY, 0), end=None, set_by="elder"
        )
        first = speaker.open()
        assert "おはようございます" in first.speech
        reply = speaker.say("ただいま")
        assert "おはようございます" not in reply.speech
        assert reply.speech.startswith("おかえりなさい。")

    def test_mou_ichido_repeats_the_question_without_the_thanks(self, speaker):
        speaker.open()
        speaker.say("元気")
        again = speaker.say("もう一度")
        assert again.speech == "昨夜はよく眠れましたか。"


class TestFamily:
    def relay(self, services, event_id, kind=MessageKind.TEXT, **kw):
        return family.relay(
            services, FAMILY_USER, event_id, kind, received_at=jst(MONDAY, 7, 0), **kw
        )

    def test_after_a_completed_check_in_the_elder_can_still_reply(
        self, speaker, services, store, daughter, clock
    ):
        clock.set(jst(MONDAY + timedelta(days=1), 7, 30))
        to_blood_pressure(speaker)
        speaker.say("上が130で下が80")
        speaker.say("はい")
        self.relay(services, "ev1", text="元気？")
        speaker.new_session()
        speaker.open()
        reply = speaker.say("はい")
        assert reply.speech.endswith("お返事をなさいますか。")
        assert not reply.end
        reply = speaker.say("はい")
        assert "明美さんへのお返事ですね" in reply.speech
        reply = speaker.say("元気ですと伝えて")
        assert "「元気です」" in reply.speech
        reply = speaker.say("はい")
        assert reply.speech == "明美さんにお伝えしました。またお話ししましょうね。"
        assert reply.end
        assert "おはようございます" not in reply.speech

    def test_the_recipient_words_are_not_part_of_the_message(
        self, speaker, services, store, daughter
    ):
        speaker.open()
        reply = speaker.say("娘に今日は元気だよと伝えて")
        assert "明美さんに、「今日は元気だよ」とお伝えします" in reply.speech

    def test_several_photos_are_shown_one_a_turn_and_marked_heard_when_shown(
        self, services, clock, store, daughter
    ):
        with_links = dataclasses.replace(
            services, media_links=MediaLinks(b"s" * 32, "https://mimamori.example.jp")
        )
        speaker = Speaker(build_skill(with_links, SKILL_ID), clock)
        for n in range(4):
            self.relay(services, f"ev{n}", kind=MessageKind.IMAGE, media_key=f"line/{n}.jpg")
        speaker.open()
        shown = []
        reply = speaker.say("はい")
        for _ in range(4):
            directive = reply.raw["response"]["directives"][0]
            shown.append(directive["datasources"]["family"]["url"].split("?")[0])
            heard = [m for m in store.state.family_messages.values() if m.heard_at is not None]
            assert len(heard) == len(shown)
            assert reply.speech.count("写真") == 1
            assert directive["datasources"]["checkin"]["buttons"]  # the answer buttons stay
            if len(shown) < 4:
                reply = speaker.say("はい")
        assert shown == [f"https://mimamori.example.jp/media/line/{n}.jpg" for n in range(4)]
        assert "今日の体調はいかがですか" in reply.speech


class TestWording:
    def test_the_away_example_date_is_never_in_the_past(self, speaker):
        speaker.open()
        reply = speaker.say("しばらく入院します")
        assert "12月1日" not in reply.speech
        assert "「来週の日曜日まで」" in reply.speech

    def test_reply_examples_are_words_not_placeholders(self, speaker, daughter):
        speaker.open()
        speaker.say("返事をする")
        reply = speaker.say("えーと")
        assert "〇〇" not in reply.speech + reply.reprompt

    def test_who_is_watching_is_short_without_nested_brackets(self, speaker, store, elder):
        speaker.open()
        reply = speaker.say("誰が見ているの")
        before_question = reply.speech.split("今日の体調")[0]
        assert "（" not in before_question
        assert "さんからご説明して" not in before_question
        assert len(before_question) <= 60

    def test_help_is_one_sentence_then_the_question(self, speaker):
        speaker.open()
        reply = speaker.say("使い方を教えて")
        assert reply.speech.count("。") <= 4  # the hint, one help sentence, the question

    def test_a_monday_check_in_is_not_counted_as_muttsu(self, speaker):
        reply = speaker.open()
        assert "むっつ" not in reply.speech
        assert "今日の様子を、少しお伺いしますね。" in reply.speech
