"""体操 notices in the conversation, on the fake store: in the window, once a day, kind answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from backend.domain.model import EventKind
from backend.services.exercise_dialogue import ExerciseAnswer, answer_of
from notices.model import Audience, NoticeStatus
from questions.engagement_files import engagement_for
from skill.builder import build_skill
from tests.builders import jst, make_away, make_exercise, make_notice
from tests.fakes import FakeUnitOfWork
from tests.speaker import SKILL_ID, Speaker
from tests.unit.conftest import MONDAY, TUESDAY

FRIDAY = date(2026, 11, 27)
INVITE = "いきいき百歳体操の時間です。ご一緒にいかがですか。"
CLOSING = "今日の分は、これでおしまいです。ありがとうございました。"
SCOLDING = ("ダメ", "だめ", "いけません", "なぜ", "どうして", "必ず", "ちゃんと", "べき")


@pytest.fixture
def publish(store):
    def add(*notices):
        with FakeUnitOfWork(store) as uow:
            for notice in notices:
                uow.notices.add(notice)
            uow.commit()

    return add


def exercise_events(store):
    return [e for e in store.state.events.values() if e.kind is EventKind.EXERCISE]


def checked_in(speaker, reply=None):
    """Answer the check-in with the first button of each question until it closes."""
    reply = reply or speaker.open()
    for _ in range(20):
        if reply.end or INVITE in reply.speech:
            return reply
        reply = speaker.say("#1")
    raise AssertionError("the check-in did not close")


@pytest.fixture
def tuesday_ten(clock):
    clock.set(jst(TUESDAY, 10, 15))  # the morning check-in is still to do


def test_the_invitation_follows_the_check_in_before_its_closing_words(
    speaker, publish, store, tuesday_ten
):
    publish(make_exercise())
    opened = speaker.open()
    assert "体操" not in opened.speech  # the check-in comes first
    last = checked_in(speaker)
    assert last.speech.endswith(INVITE)
    assert "おしまい" not in last.speech  # the closing words wait for the answer
    assert not last.end
    assert [b["label"] for b in last.screen["buttons"]] == ["やった", "今日はやめとく"]
    assert last.screen["title"] == "いきいき百歳体操"
    (delivery,) = store.state.notice_deliveries.values()
    assert delivery.occurrence == "2026-11-24"
    done = speaker.say("やった")
    assert done.speech == "よかったです。おつかれさまでした。" + CLOSING
    assert done.end
    (event,) = exercise_events(store)
    assert event.detail == {
        "notice_id": "032158/taiso",
        "title": "いきいき百歳体操",
        "occurrence": "2026-11-24",
        "answer": "done",
    }
    assert store.state.alerts == {}


def test_opened_after_the_morning_check_in_the_invitation_comes_after_the_greeting(
    speaker, publish, store, clock
):
    publish(make_exercise())
    clock.set(jst(TUESDAY, 7, 30))
    assert checked_in(speaker).speech.endswith(CLOSING)  # not yet its time
    clock.set(jst(TUESDAY, 10, 45))  # the morning check-in is done: nothing to ask
    speaker.new_session()
    opened = speaker.open()
    assert opened.speech == "山田 花子さん、おはようございます。" + INVITE
    later = speaker.say("今日はやめとく")
    assert (
        later.speech == "わかりました。今日は、ゆっくりなさってくださいね。またお話ししましょうね。"
    )
    assert not any(word in later.speech for word in SCOLDING)
    (event,) = exercise_events(store)
    assert event.detail["answer"] == "not_today"
    assert store.state.alerts == {}


@pytest.mark.parametrize(
    "when",
    [jst(TUESDAY, 9, 50), jst(TUESDAY, 11, 30), jst(TUESDAY, 15), jst(MONDAY, 10, 15)],
    ids=["before the window", "at its end", "in the afternoon", "on Monday"],
)
def test_no_invitation_outside_the_window_or_on_other_days(speaker, publish, clock, store, when):
    publish(make_exercise())
    clock.set(when)
    reply = checked_in(speaker)
    assert "体操" not in reply.speech
    speaker.new_session()
    assert "体操" not in speaker.open().speech
    assert store.state.notice_deliveries == {}


def test_the_invitation_is_read_once_a_day_even_when_it_was_not_answered(
    speaker, publish, clock, store, tuesday_ten
):
    publish(make_exercise())
    assert INVITE in checked_in(speaker).speech
    speaker.end()  # silence: the session closes, nothing is recorded
    clock.set(jst(TUESDAY, 10, 50))
    speaker.new_session()
    assert "体操" not in speaker.open().speech
    assert exercise_events(store) == []
    clock.set(jst(FRIDAY, 10, 50))
    speaker.new_session()
    assert INVITE in checked_in(speaker).speech  # its next day


@pytest.mark.parametrize(
    ("button", "thanks", "answer"),
    [
        ("#1", "よかったです。おつかれさまでした。", "done"),  # やった
        ("#2", "わかりました。今日は、ゆっくりなさってくださいね。", "not_today"),  # 今日はやめとく
    ],
)
def test_the_buttons_answer_like_the_words(
    speaker, publish, store, tuesday_ten, button, thanks, answer
):
    publish(make_exercise())
    checked_in(speaker)
    touched = speaker.say(button)
    assert touched.speech == thanks + CLOSING
    assert [e.detail["answer"] for e in exercise_events(store)] == [answer]


@pytest.mark.parametrize(
    ("said", "thanks", "answer"),
    [
        ("はい", "いいですね。無理のないように、楽しんでくださいね。", "going"),
        ("これからやる", "いいですね。無理のないように、楽しんでくださいね。", "going"),
        ("やりました", "よかったです。おつかれさまでした。", "done"),
        ("いいえ", "わかりました。今日は、ゆっくりなさってくださいね。", "not_today"),
        ("今日はお休み", "わかりました。今日は、ゆっくりなさってくださいね。", "not_today"),
    ],
)
def test_each_answer_is_thanked_and_kept(
    speaker, publish, store, tuesday_ten, said, thanks, answer
):
    publish(make_exercise())
    checked_in(speaker)
    reply = speaker.say(said)
    assert reply.speech == thanks + CLOSING
    assert [e.detail["answer"] for e in exercise_events(store)] == [answer]


@pytest.mark.parametrize("said", ["えーと", "ストップ"])
def test_other_words_simply_go_on_and_record_nothing(speaker, publish, store, tuesday_ten, said):
    publish(make_exercise())
    checked_in(speaker)
    reply = speaker.say(said)
    assert reply.end
    assert "体操" not in reply.speech
    assert exercise_events(store) == []


def test_help_after_the_invitation_says_which_words_answer_it(speaker, publish, tuesday_ten):
    publish(make_exercise())
    checked_in(speaker)
    hint = speaker.say("使い方を教えて")
    assert "「やった」" in hint.speech
    assert "「今日はやめとく」" in hint.speech
    assert not hint.end
    assert [b["label"] for b in hint.screen["buttons"]] == ["やった", "今日はやめとく"]
    assert speaker.say("やった").end


def test_emergency_words_after_the_invitation_are_an_emergency_first(
    speaker, publish, store, tuesday_ten
):
    publish(make_exercise())
    checked_in(speaker)
    reply = speaker.say("胸が痛い")
    assert "119番" in reply.speech
    kinds = {e.kind for e in store.state.events.values()}
    assert EventKind.EMERGENCY in kinds
    assert EventKind.EXERCISE not in kinds


def test_a_replayed_answer_is_kept_once(speaker, publish, store, tuesday_ten):
    publish(make_exercise())
    checked_in(speaker)
    first = speaker.say("やった")
    assert speaker.replay_last().speech == first.speech
    assert len(exercise_events(store)) == 1


def test_an_exercise_is_no_new_notice_in_the_offer_and_follows_the_notices_read_later(
    speaker, publish, tuesday_ten
):
    publish(
        make_exercise(), make_notice("032158/clinic", title="健康相談", speech="健康相談です。")
    )
    opened = speaker.open()
    assert "新しいお知らせが1件あります" in opened.speech
    later = speaker.say("あとで")
    assert "体操" not in later.speech
    last = checked_in(speaker, later)
    assert "お知らせは、以上です。" + INVITE in last.speech


def test_the_municipality_s_own_words_follow_the_invitation(speaker, publish, tuesday_ten):
    publish(make_exercise(speech="椅子を用意して、ゆっくり始めましょう。"))
    last = checked_in(speaker)
    assert last.speech.endswith(INVITE + "椅子を用意して、ゆっくり始めましょう。")


@pytest.mark.parametrize(
    "notice",
    [
        make_exercise(audience=Audience(districts=("南地区",))),
        make_exercise(status=NoticeStatus.DRAFT),
    ],
    ids=["another district", "a draft"],
)
def test_only_a_published_exercise_for_the_elder_is_read(speaker, publish, tuesday_ten, notice):
    publish(notice)
    assert "体操" not in checked_in(speaker).speech


def test_no_invitation_while_the_elder_is_away(speaker, publish, store, tuesday_ten):
    publish(make_exercise())
    with FakeUnitOfWork(store) as uow:
        uow.away.add(make_away(start=jst(TUESDAY - timedelta(days=1), 9)))
        uow.commit()
    assert "体操" not in speaker.open().speech


@pytest.mark.parametrize(
    ("words", "answer"),
    [
        ("やった", ExerciseAnswer.DONE),
        ("体操やったよ", ExerciseAnswer.DONE),
        ("終わりました", ExerciseAnswer.DONE),
        ("これからやります", ExerciseAnswer.GOING),
        ("はい", ExerciseAnswer.GOING),
        ("今日はやめとく", ExerciseAnswer.NOT_TODAY),
        ("やってない", ExerciseAnswer.NOT_TODAY),
        ("今日はしない", ExerciseAnswer.NOT_TODAY),
        ("やらなかった", ExerciseAnswer.NOT_TODAY),
        ("結構です", ExerciseAnswer.NOT_TODAY),
        ("いやいや、ちゃんとやったよ", ExerciseAnswer.DONE),
        ("えーと", None),
        ("", None),
    ],
)
def test_answer_words(words, answer):
    assert answer_of(words) is answer


def test_where_engagement_is_on_the_topic_and_stamp_follow_the_answer(
    services, clock, elder, publish, tuesday_ten
):
    publish(make_exercise())
    speaker = Speaker(build_skill(replace(services, engagement=engagement_for), SKILL_ID), clock)
    assert checked_in(speaker).speech.endswith(INVITE)
    reply = speaker.say("やった")
    assert reply.speech.startswith(
        "よかったです。おつかれさまでした。今日の分は、これでおしまいです。"
    )
    assert "今日のスタンプを押しました。" in reply.speech
