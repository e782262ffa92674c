"""What the elder says in their own words, through the skill: the understanding step at work.

Words that match no sample arrive, as from Alexa's catch-all, as the unmatched raw value of the
answer slot; the backend understands them (tests/unit/test_understanding.py has the rules).
"""

from __future__ import annotations

import pytest

from backend.domain.model import EventKind
from backend.envelopes import builtin_intent
from notices.model import Recurrence
from tests.builders import jst, make_notice, make_recipient
from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import TUESDAY, stored
from tests.unit.test_family_relay_dialogue import FAMILY_USER, relay


def events(store, kind):
    return [e for e in store.state.events.values() if e.kind is kind]


def answer_intent(words, resolved=None):
    """An AnswerIntent as Alexa sends it, resolved to ``resolved`` or unmatched."""
    status = {"code": "ER_SUCCESS_MATCH" if resolved else "ER_SUCCESS_NO_MATCH"}
    authority = {"authority": "amzn1.er-authority.echo-sdk.x.ANSWER", "status": status}
    if resolved:
        authority["values"] = [{"value": {"name": resolved, "id": resolved}}]
    slot = {"name": "answer", "value": words, "confirmationStatus": "NONE", "source": "USER"}
    slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return {"name": "AnswerIntent", "confirmationStatus": "NONE", "slots": {"answer": slot}}


def send(speaker, intent):
    return speaker._exchange(speaker.session.intent(intent, speaker.clock()))


class TestEmergencyOnEveryTurn:
    @pytest.mark.parametrize(
        "words",
        ["えーとね、胸がずっと痛いんです", "苦しくてたまりません", "救急車を呼んでもらえますか"],
    )
    def test_an_emergency_in_words_during_a_question_tells_to_call_119(self, speaker, store, words):
        speaker.open()
        reply = speaker.say(words)
        assert "119" in reply.speech
        assert reply.end
        assert len(events(store, EventKind.EMERGENCY)) == 1
        assert store.state.answers == []

    def test_an_emergency_that_alexa_resolved_to_an_answer_is_still_an_emergency(
        self, speaker, store
    ):
        speaker.open()
        reply = send(speaker, answer_intent("胸が痛い", resolved="bad"))
        assert "119" in reply.speech
        assert len(events(store, EventKind.EMERGENCY)) == 1
        assert "condition" not in stored(store)

    def test_an_emergency_in_dialect_that_alexa_resolved_to_an_answer_is_still_an_emergency(
        self, speaker, store
    ):
        speaker.open()  # the elder lives in 奥州市 (岩手県南): いでえ is 痛い
        reply = send(speaker, answer_intent("胸いでえ", resolved="bad"))
        assert "119" in reply.speech
        assert len(events(store, EventKind.EMERGENCY)) == 1
        assert "condition" not in stored(store)

    def test_an_answer_alexa_resolved_in_dialect_is_stored_when_it_is_no_emergency(
        self, speaker, store
    ):
        speaker.open()
        reply = send(speaker, answer_intent("あんべわりい", resolved="bad"))
        assert "119" not in reply.speech
        assert stored(store)["condition"].value == "bad"

    def test_an_emergency_while_a_notice_is_offered_is_caught(self, speaker, store):
        with FakeUnitOfWork(store) as uow:
            uow.notices.add(
                make_notice(
                    "032158/gomi",
                    title="ごみ",
                    speech="今日はごみの日です。",
                    recurrence=Recurrence(weekdays=(0,)),
                )
            )
            uow.commit()
        offer = speaker.open()
        assert "お知らせ" in offer.speech
        reply = speaker.say("息が苦しいんです")
        assert "119" in reply.speech
        assert len(events(store, EventKind.EMERGENCY)) == 1

    def test_an_emergency_while_a_family_message_is_offered_is_caught(
        self, speaker, services, store, family_member
    ):
        relay(services, "ev1", text="お母さん、日曜日に行くね。")
        offer = speaker.open()
        assert "メッセージ" in offer.speech
        reply = speaker.say("転んで起き上がれないの")
        assert "119" in reply.speech
        assert len(events(store, EventKind.EMERGENCY)) == 1

    def test_ordinary_words_about_help_are_not_an_emergency(self, speaker, store):
        speaker.open()
        reply = speaker.say("近所の人に助けてもらってるから元気です")
        assert events(store, EventKind.EMERGENCY) == []
        assert stored(store)["condition"].value == "good"
        assert not reply.end


class TestWorryingAnswersAreKept:
    def test_a_worrying_answer_resolved_to_another_questions_value_is_stored(self, speaker, store):
        speaker.open()
        send(speaker, answer_intent("元気がない", resolved="low"))  # a 気分 value, asked 体調
        assert stored(store)["condition"].value == "bad"

    def test_a_worrying_answer_in_words_is_stored(self, speaker, store):
        speaker.open()
        reply = speaker.say("なんだか元気が出なくてね")
        assert stored(store)["condition"].value == "bad"
        assert reply.speech.startswith("それは心配ですね。")


class TestAnswersInTheirOwnWords:
    def test_polite_past_negative_extra_words_and_numbers(self, speaker, store):
        speaker.open()
        speaker.say("えーと、今日はまあまあでございます")
        speaker.say("今朝は7時に起きてぐっすりでした")
        speaker.say("飲んでいません")
        speaker.say("食べませんでした")
        speaker.say("上が130くらいで下が85")
        speaker.say("はい")
        reply = speaker.say("約52キロ")
        assert "52" in reply.speech  # read back before it is stored
        speaker.say("はい")
        answers = stored(store)
        assert answers["condition"].value == "so_so"
        assert answers["sleep"].value == "slept_well"
        assert answers["medication"].value is False
        assert answers["breakfast"].value == "not_ate"
        assert answers["blood_pressure"].value == {"systolic": 130, "diastolic": 85}
        assert answers["weight"].value == 52
        assert answers["sleep"].raw == "今朝は7時に起きてぐっすりでした"

    def test_the_dialect_of_the_municipality_is_understood(self, speaker, store):
        speaker.open()  # the elder lives in 奥州市 (岩手県南)
        speaker.say("なんともねえ")
        speaker.say("寝らいねがった")
        speaker.say("まんだ飲んでねえ")
        answers = stored(store)
        assert answers["condition"].value == "good"
        assert answers["sleep"].value == "slept_poorly"
        assert answers["medication"].value is False

    def test_a_farewell_ends_kindly_and_keeps_the_answers(self, speaker, store):
        speaker.open()
        speaker.say("元気")
        reply = speaker.say("じゃあね、またね")
        assert reply.end
        assert "記録しました" in reply.speech
        assert list(stored(store)) == ["condition"]


class TestAwayWithADate:
    def test_hospital_from_tomorrow_pauses_watching_from_tomorrow(self, speaker, store):
        speaker.open()
        reply = speaker.say("明日から入院します")
        assert "明日" in reply.speech or "11月24日" in reply.speech
        speaker.say("わからない")
        speaker.say("はい")
        (period,) = (
            store.state.away.values() if isinstance(store.state.away, dict) else store.state.away
        )
        assert period.start == jst(TUESDAY, 0, 0)


class TestRepair:
    def test_a_first_miss_offers_the_choices_and_the_buttons(self, speaker):
        speaker.open()
        reply = speaker.say("ラジオをつけて")
        assert "聞き取れませんでした" not in reply.speech
        assert "「元気」、「まあまあ」、「悪い」の、どれかで" in reply.speech
        assert "画面のボタン" in reply.speech

    def test_a_second_miss_moves_on_kindly_and_keeps_the_words_for_staff(self, speaker, store):
        speaker.open()
        speaker.say("ラジオをつけて")
        reply = speaker.say("テレビの音が大きい")
        assert "あとで伺いますね" in reply.speech
        assert reply.speech.endswith("昨夜はよく眠れましたか。")
        (unheard,) = events(store, EventKind.UNHEARD)
        assert unheard.detail["question_id"] == "condition"
        assert unheard.detail["words"] == ["ラジオをつけて", "テレビの音が大きい"]
        assert "condition" not in stored(store)

    def test_nothing_heard_says_so(self, speaker):
        speaker.open()
        reply = send(speaker, builtin_intent("AMAZON.FallbackIntent"))
        assert reply.speech.startswith("すみません、うまく聞き取れませんでした。")


@pytest.fixture
def family_member(store, elder):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient("line-1", channel="line", address=FAMILY_USER, name="はなこ")
        )
        uow.commit()


class TestEmergencyInAMessageToFamily:
    def test_help_said_as_a_message_to_family_is_an_emergency(self, speaker, store, family_member):
        speaker.open()
        reply = speaker.say("胸が苦しいから助けてと伝えて")
        assert "119" in reply.speech
        assert len(events(store, EventKind.EMERGENCY)) == 1

    def test_an_emergency_said_in_dialect_as_a_message_to_family_is_an_emergency(
        self, speaker, store, family_member
    ):
        speaker.open()  # 奥州市: せづねえ is 苦しい
        reply = speaker.say("胸がせづねえと伝えて")
        assert "119" in reply.speech
        assert len(events(store, EventKind.EMERGENCY)) == 1

    def test_an_ordinary_message_is_relayed_as_before(self, speaker, store, family_member):
        speaker.open()
        reply = speaker.say("日曜日を楽しみにしていますと伝えて")
        assert "119" not in reply.speech
        assert events(store, EventKind.EMERGENCY) == []
