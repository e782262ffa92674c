"""After a completed check-in: today's topic, the stamp, the quiz by voice or touch, opting out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from backend.domain.engagement import quiz_for
from backend.domain.model import CheckIn, CheckInStatus, EventKind
from questions.engagement_files import engagement_for
from tests.builders import ELDER_ID, jst
from tests.fakes import FakeUnitOfWork
from tests.speaker import Speaker
from tests.unit.conftest import MONDAY
from tests.unit.test_checkin_dialogue import answer_all_but_weight
from tests.unit.test_manner import Walk


@pytest.fixture
def services(services):
    return replace(services, engagement=engagement_for)


@pytest.fixture
def todays_quiz():
    (question,) = quiz_for(ELDER_ID, MONDAY, engagement_for("032158"))
    return question


def complete(speaker):
    speaker.open()
    answer_all_but_weight(speaker)
    speaker.say("52キロ")
    return speaker.say("はい")


def quiz_events(store):
    return [e for e in store.state.events.values() if e.kind is EventKind.QUIZ]


class TestAfterTheCheckIn:
    def test_the_closing_is_followed_by_todays_topic_the_stamp_and_the_quiz_offer(self, speaker):
        reply = complete(speaker)
        assert "おしまい" in reply.speech
        assert reply.speech.endswith(
            "今日の分は、これでおしまいです。今日は勤労感謝の日です。"
            "今日のスタンプを押しました。今日のクイズを、一つ出してもいいですか。"
        )
        assert not reply.end

    def test_a_streak_is_said_and_the_stamp_card_is_shown(self, speaker, store):
        with FakeUnitOfWork(store) as uow:
            for back in (1, 2):
                day = MONDAY - dt.timedelta(days=back)
                at = jst(day, 7)
                uow.checkins.add(
                    CheckIn(f"c{back}", ELDER_ID, day, "morning", CheckInStatus.COMPLETED, at, at)
                )
            uow.commit()
        reply = complete(speaker)
        assert "3日つづけて、お話しできましたね。" in reply.speech
        directive = reply.raw["response"]["directives"][0]
        assert directive["datasources"]["stamps"]["message"] == "3日つづけて、お話しできました"
        stamped = [d["day"] for d in directive["datasources"]["stamps"]["days"] if d["stamped"]]
        assert stamped == ["21", "22", "23"]
        assert directive["document"]["description"].startswith("The month's stamp card")

    def test_no_thanks_to_the_quiz_ends_kindly_and_nothing_is_recorded(self, speaker, store):
        complete(speaker)
        reply = speaker.say("いいえ")
        assert (
            reply.speech == "わかりました。クイズは、また今度に。今日も、ありがとうございました。"
        )
        assert reply.end
        assert quiz_events(store) == []

    def test_a_partial_check_in_gets_no_topic_and_no_quiz(self, speaker):
        speaker.open()
        reply = speaker.say("ストップ")
        assert "クイズ" not in reply.speech
        assert "勤労感謝" not in reply.speech


class TestTheQuiz:
    def test_a_right_answer_by_voice_is_praised_and_recorded(self, speaker, store, todays_quiz):
        complete(speaker)
        reply = speaker.say("はい")
        assert reply.speech.startswith(todays_quiz.ask)
        assert [b["label"] for b in reply.screen["buttons"]] == list(todays_quiz.choices)
        reply = speaker.say(todays_quiz.answer)
        assert reply.speech.startswith("正解です。")
        assert reply.speech.endswith("また明日も、お話ししましょうね。")
        assert reply.end
        assert [e.detail["verdict"] for e in quiz_events(store)] == ["right"]

    def test_a_wrong_answer_by_touch_is_told_the_answer_without_scolding(
        self, speaker, store, todays_quiz
    ):
        complete(speaker)
        speaker.say("はい")
        wrong = next(i for i, c in enumerate(todays_quiz.choices) if c != todays_quiz.answer)
        reply = speaker.say(f"#{wrong + 1}")
        assert reply.speech.startswith(f"正解は、{todays_quiz.answer}でした。")
        assert "残念" not in reply.speech
        assert "違います" not in reply.speech
        assert [e.detail["verdict"] for e in quiz_events(store)] == ["wrong"]

    def test_words_that_are_no_choice_are_asked_once_more_then_the_answer_is_said(
        self, speaker, store, todays_quiz
    ):
        complete(speaker)
        speaker.say("はい")
        reply = speaker.say("なんだったかなあ")
        assert reply.speech.startswith("もう一度、答えを教えてください。")
        assert not reply.end
        reply = speaker.say("うーん")
        assert reply.speech.startswith(f"答えは、{todays_quiz.answer}です。")
        assert [e.detail["verdict"] for e in quiz_events(store)] == ["unclear"]

    def test_an_emergency_said_as_a_quiz_answer_is_an_emergency(self, speaker, store):
        complete(speaker)
        speaker.say("はい")
        reply = speaker.say("胸が痛い")
        assert "119" in reply.speech
        assert any(e.kind is EventKind.EMERGENCY for e in store.state.events.values())
        assert quiz_events(store) == []

    def test_the_quiz_is_offered_once_a_day(self, speaker, todays_quiz):
        complete(speaker)
        speaker.say("はい")
        speaker.say(todays_quiz.answer)
        speaker.new_session()
        reply = speaker.open()
        assert "クイズ" not in reply.speech
        reply = speaker.say("クイズ")
        assert reply.speech == "今日のクイズは、もうおしまいです。また明日、お楽しみに。"


class TestChoosing:
    def test_an_elder_who_says_no_quiz_gets_none_until_asking_for_one(self, speaker, clock):
        speaker.open()
        reply = speaker.say("クイズはいらない")
        assert reply.speech.startswith("わかりました。クイズは、お休みにします。")
        speaker.new_session()
        reply = complete(speaker)
        assert "クイズ" not in reply.speech
        assert "勤労感謝の日" in reply.speech  # the topic and the stamp stay
        assert reply.end
        speaker.new_session()
        speaker.open()
        reply = speaker.say("クイズ")
        assert "でしょう。" in reply.speech


class TestTheOffer:
    @pytest.mark.parametrize("words", ["お願いします", "んだ", "やってみます", "出してください"])
    def test_yes_in_other_words_or_dialect_starts_the_quiz(self, speaker, todays_quiz, words):
        complete(speaker)
        reply = speaker.say(words)
        assert reply.speech.startswith(todays_quiz.ask)

    # 「いいよ」 reaches the skill as the answer いい, as 「今日はいい」 (a polite no) does.
    @pytest.mark.parametrize("words", ["今日はいい", "いいよ", "また今度", "52キロ", "疲れた"])
    def test_other_words_decline_kindly_and_never_restart_the_check_in(self, speaker, words):
        complete(speaker)
        reply = speaker.say(words)
        assert (
            reply.speech == "わかりました。クイズは、また今度に。今日も、ありがとうございました。"
        )
        assert reply.end

    def test_an_emergency_said_to_the_offer_is_an_emergency(self, speaker, store):
        complete(speaker)
        reply = speaker.say("息が苦しいです")
        assert "119" in reply.speech
        assert any(e.kind is EventKind.EMERGENCY for e in store.state.events.values())


class TestManner:
    """The manner bar of test_manner, over every path of engagement (it is off there)."""

    @pytest.mark.parametrize("answer", ["#1", "#2", "わからない", "んだ"])
    def test_each_weekday_morning_and_evening_with_the_quiz_meets_the_bar(
        self, skill, clock, elder, answer
    ):
        problems = []
        for offset in range(7):
            for hour in (7, 18):
                clock.set(jst(MONDAY + dt.timedelta(days=offset), hour, 30))
                walk = Walk(Speaker(skill, clock), f"day+{offset} {hour}h {answer}")
                walk.open()
                walk.to_the_end(answer if answer.startswith("#") else "#1")
                problems += walk.problems
        assert problems == []

    def test_declining_opting_out_and_a_second_open_meet_the_bar(self, skill, clock, elder):
        walk = Walk(Speaker(skill, clock), "decline")
        walk.open()
        for _ in range(20):
            if walk.last.speech.endswith("いいですか。") and "クイズ" in walk.last.speech:
                break
            walk.say("#1" if (walk.last.screen or {}).get("buttons") else "はい")
        walk.say("いいえ")
        walk2 = Walk(Speaker(skill, clock), "quiz off")  # 「アレクサ、みまもりでクイズはいらない」
        walk2.say("クイズはいらない")
        assert walk.problems + walk2.problems == []
