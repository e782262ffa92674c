"""Every branch of the check-in conversation, through the skill, on the fake store."""

from __future__ import annotations

from datetime import timedelta

from backend.domain.model import AnswerSource, CheckInStatus, ElderStatus, EventKind
from tests.builders import jst, make_binding, make_elder, make_pairing_code, seed
from tests.fakes import FakeUnitOfWork
from tests.speaker import DEVICE_ID, USER_ID
from tests.unit.conftest import MONDAY, TUESDAY, stored

MORNING_QUESTIONS = ["condition", "sleep", "medication", "breakfast", "blood_pressure", "weight"]


def answer_all_but_weight(speaker):
    for text in ["元気だよ", "ぐっすり", "飲んだよ", "食べたよ", "上が130で下が80", "はい"]:
        speaker.say(text)


def checkin_status(store):
    (checkin,) = store.state.checkins.values()
    return checkin.status


class TestOpening:
    def test_a_morning_open_greets_by_name_and_asks_the_first_due_question(self, speaker):
        reply = speaker.open()
        assert reply.speech.startswith("山田 花子さん、おはようございます。")
        assert "むっつ" in reply.speech
        assert reply.speech.endswith(
            "今日の体調はいかがですか。元気、まあまあ、悪い、のどれでしょう。"
        )
        assert not reply.end

    def test_the_greeting_follows_the_time_of_day(self, speaker, clock):
        clock.set(jst(MONDAY, 18, 0))
        reply = speaker.open()
        assert "こんばんは" in reply.speech
        assert "お薬は飲みましたか" in reply.speech  # medication is asked morning and evening

    def test_opening_the_window_is_recorded_before_any_answer(self, speaker, store):
        speaker.open()
        assert checkin_status(store) is CheckInStatus.STARTED
        assert store.state.answers == []

    def test_before_the_first_slot_nothing_is_asked(self, speaker, clock, store):
        clock.set(jst(MONDAY, 5, 0))
        reply = speaker.open()
        assert "6時ごろ" in reply.speech
        assert reply.end
        assert store.state.checkins == {}

    def test_only_due_questions_are_asked(self, speaker, clock, store):
        clock.set(jst(TUESDAY, 7, 30))
        reply = speaker.open()
        assert "いつつ" in reply.speech  # weekly weight is due on Mondays only
        answer_all_but_weight(speaker)
        assert "weight" not in stored(store)
        assert checkin_status(store) is CheckInStatus.COMPLETED

    def test_an_elder_without_consent_is_not_asked_and_nothing_is_stored(self, skill, clock, store):
        from tests.speaker import Speaker

        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder(consent=None))
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.commit()
        reply = Speaker(skill, clock).open()
        assert "お休み" in reply.speech
        assert reply.end
        assert store.state.checkins == {}

    def test_a_suspended_elder_is_not_asked(self, skill, clock, store):
        from tests.speaker import Speaker

        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder(status=ElderStatus.SUSPENDED))
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.commit()
        assert Speaker(skill, clock).open().end
        assert store.state.checkins == {}


class TestAnswers:
    def test_each_answer_is_stored_the_moment_it_is_given(self, speaker, store):
        speaker.open()
        speaker.say("元気だよ")
        answer = stored(store)["condition"]
        assert answer.value == "good"
        assert answer.raw == "元気"
        assert answer.source is AnswerSource.VOICE
        assert answer.question_version == 1
        assert answer.date == MONDAY

    def test_ordinary_phrasings_are_understood(self, speaker, store):
        speaker.open()
        speaker.say("ちょっと腰が痛くて")
        speaker.say("あんまり眠れなかった")
        speaker.say("まだ")
        speaker.say("まだ")  # after a meal question 「まだ」 means not eaten
        answers = stored(store)
        assert answers["condition"].value == "bad"
        assert answers["sleep"].value == "slept_poorly"
        assert answers["medication"].value is False
        assert answers["breakfast"].value == "not_ate"

    def test_a_concerning_answer_gets_a_kind_word_not_a_scolding(self, speaker):
        speaker.open()
        reply = speaker.say("具合が悪い")
        assert reply.speech.startswith("それは心配ですね。")

    def test_yes_and_no_answer_a_yes_no_question_and_a_meal_question(self, speaker, store):
        speaker.open()
        speaker.say("元気")
        speaker.say("よく眠れた")
        speaker.say("はい")
        speaker.say("いいえ")
        assert stored(store)["medication"].value is True
        assert stored(store)["breakfast"].value == "not_ate"

    def test_a_yes_to_an_open_question_is_asked_again_kindly(self, speaker, store):
        speaker.open()
        reply = speaker.say("はい")
        assert "聞き取れませんでした" not in reply.speech  # something was heard
        assert "「元気」、「まあまあ」、「悪い」の、どれかで" in reply.speech
        assert "画面のボタン" in reply.speech
        assert store.state.answers == []

    def test_completing_every_question_thanks_and_ends(self, speaker, store):
        speaker.open()
        answer_all_but_weight(speaker)
        speaker.say("52キロ")
        reply = speaker.say("はい")
        assert "おしまい" in reply.speech
        assert reply.end
        assert list(stored(store)) == MORNING_QUESTIONS
        assert checkin_status(store) is CheckInStatus.COMPLETED


class TestNumbers:
    def go_to_weight(self, speaker):
        speaker.open()
        answer_all_but_weight(speaker)

    def test_blood_pressure_is_read_back_and_stored_on_yes(self, speaker, store):
        speaker.open()
        for text in ["元気", "ぐっすり", "飲んだ", "食べた"]:
            speaker.say(text)
        reply = speaker.say("上が135で下が85")
        assert reply.speech == "上が135、下が85ですね。よろしいですか。"
        assert "blood_pressure" not in stored(store)
        speaker.say("はい")
        answer = stored(store)["blood_pressure"]
        assert answer.value == {"systolic": 135, "diastolic": 85}
        assert answer.raw == "上が135、下が85"

    def test_a_no_to_the_read_back_asks_again_and_stores_nothing(self, speaker, store):
        self.go_to_weight(speaker)
        speaker.say("62キロ")
        reply = speaker.say("いいえ")
        assert "もう一度" in reply.speech
        assert "weight" not in stored(store)
        speaker.say("52キロ")
        speaker.say("はい")
        assert stored(store)["weight"].value == 52

    def test_agreeing_words_confirm_a_read_back(self, speaker, store):
        self.go_to_weight(speaker)
        speaker.say("52キロ")
        speaker.say("大丈夫")
        assert stored(store)["weight"].value == 52

    def test_weight_with_decimals_in_every_spoken_form(self, speaker):
        self.go_to_weight(speaker)
        for text in ["52.5キロ", "52点5キロ", "52キロ5分", "五十二キロ五分", "52キロ500"]:
            reply = speaker.say(text)
            assert reply.speech == "52.5キロですね。よろしいですか。", text
            speaker.say("いいえ")

    def test_a_decimal_weight_is_stored_as_a_decimal(self, speaker, store):
        self.go_to_weight(speaker)
        speaker.say("52キロ5分")
        speaker.say("はい")
        assert stored(store)["weight"].value == 52.5

    def test_an_impossible_blood_pressure_is_asked_again_never_stored(self, speaker, store):
        speaker.open()
        for text in ["元気", "ぐっすり", "飲んだ", "食べた"]:
            speaker.say(text)
        reply = speaker.say("上が300で下が85")
        assert "聞き間違えたかもしれません" in reply.speech
        reply = speaker.say("上が80で下が120")
        assert "聞き間違えたかもしれません" in reply.speech
        assert "blood_pressure" not in stored(store)

    def test_a_weight_far_from_the_last_is_asked_again_then_read_back(self, speaker, store, clock):
        self.go_to_weight(speaker)
        speaker.say("52キロ")
        speaker.say("はい")
        clock.set(jst(MONDAY + timedelta(days=7), 7, 30))
        speaker.new_session()
        speaker.open()
        answer_all_but_weight(speaker)
        reply = speaker.say("58キロ")
        assert "前回とだいぶ違う" in reply.speech
        reply = speaker.say("58キロ")
        assert reply.speech == "58キロですね。よろしいですか。"
        speaker.say("はい")
        weights = [a.value for a in store.state.answers if a.question_id == "weight"]
        assert weights == [52, 58]

    def test_a_weight_out_of_human_range_is_asked_again(self, speaker, store):
        self.go_to_weight(speaker)
        reply = speaker.say("520キロ")
        assert "もう一度" in reply.speech
        assert "weight" not in stored(store)


class TestRepeatSkipAndHelp:
    def test_mou_ichido_repeats_what_was_said(self, speaker):
        first = speaker.open()
        again = speaker.say("もう一度")
        assert again.speech == first.speech
        assert not again.end

    def test_wakaranai_skips_without_scolding_and_is_not_asked_again(self, speaker, store):
        speaker.open()
        reply = speaker.say("わからない")
        assert reply.speech.startswith("わかりました。次にいきますね。")
        answer = stored(store)["condition"]
        assert answer.value is None
        assert answer.skipped == "unknown"
        speaker.say("ストップ")
        speaker.new_session()
        assert "体調" not in speaker.open().speech

    def test_atode_asks_the_question_at_the_next_open(self, speaker, store):
        speaker.open()
        reply = speaker.say("あとで")
        assert "あとでまた伺います" in reply.speech
        assert "condition" not in stored(store)
        for text in ["ぐっすり", "飲んだ", "食べた", "上が130で下が80", "はい", "52キロ", "はい"]:
            reply = speaker.say(text)
        assert "残りは、また次に" in reply.speech
        assert checkin_status(store) is CheckInStatus.PARTIAL
        speaker.new_session()
        reply = speaker.open()
        assert "続きから" in reply.speech
        assert "体調" in reply.speech

    def test_help_explains_how_to_answer_and_asks_again(self, speaker):
        speaker.open()
        reply = speaker.say("使い方を教えて")
        assert "「元気」「まあまあ」「悪い」のように" in reply.speech
        assert "「わからない」" in reply.speech
        assert reply.speech.endswith("のどれでしょう。")

    def test_fallback_helps_without_scolding(self, speaker, store):
        speaker.open()
        reply = speaker.say("今日の天気は")
        assert reply.speech.startswith("すみません、うまく分かりませんでした。")
        assert "「元気」" in reply.speech
        assert not reply.end
        assert store.state.answers == []


class TestSilenceStopAndResume:
    def test_the_reprompt_asks_once_more_and_says_a_kind_goodbye(self, speaker):
        reply = speaker.open()
        assert reply.reprompt.startswith("体調はいかがですか。")
        assert reply.reprompt.endswith("お返事がなければ、またあとで伺いますね。")

    def test_silence_after_the_reprompt_keeps_the_answers_as_partial(self, speaker, store):
        speaker.open()
        speaker.say("元気")
        speaker.end("EXCEEDED_MAX_REPROMPTS")
        assert checkin_status(store) is CheckInStatus.PARTIAL
        assert list(stored(store)) == ["condition"]

    def test_stop_keeps_what_was_said_and_says_goodbye(self, speaker, store):
        speaker.open()
        speaker.say("元気")
        reply = speaker.say("ストップ")
        assert "ここまでのお答えは、記録しました" in reply.speech
        assert reply.end
        assert checkin_status(store) is CheckInStatus.PARTIAL

    def test_cancel_behaves_like_stop(self, speaker, store):
        speaker.open()
        speaker.say("元気")
        assert speaker.say("キャンセル").end
        assert checkin_status(store) is CheckInStatus.PARTIAL

    def test_the_next_open_resumes_where_it_stopped(self, speaker):
        speaker.open()
        speaker.say("元気")
        speaker.say("ぐっすり")
        speaker.say("ストップ")
        speaker.new_session()
        reply = speaker.open()
        assert "続きから、あとよっつ" in reply.speech
        assert reply.speech.endswith("お薬は飲みましたか。")

    def test_an_open_after_everything_was_answered_says_so(self, speaker):
        speaker.open()
        answer_all_but_weight(speaker)
        speaker.say("52キロ")
        speaker.say("はい")
        speaker.new_session()
        reply = speaker.open()
        assert "もう伺っています" in reply.speech
        assert reply.end


class TestReplay:
    def test_a_replayed_answer_request_stores_nothing_twice(self, speaker, store):
        speaker.open()
        first = speaker.say("元気")
        again = speaker.replay_last()
        assert again.speech == first.speech
        assert len(store.state.answers) == 1

    def test_a_replayed_confirmation_stores_nothing_twice(self, speaker, store):
        speaker.open()
        answer_all_but_weight(speaker)
        speaker.say("52キロ")
        speaker.say("はい")
        speaker.replay_last()
        assert [a.question_id for a in store.state.answers].count("weight") == 1

    def test_a_replayed_emergency_is_recorded_once(self, speaker, store):
        speaker.open()
        speaker.say("助けて")
        speaker.replay_last()
        assert len(store.state.events) == 1


class TestEmergency:
    def test_emergency_words_end_the_check_in_and_say_call_119(self, speaker, store):
        speaker.open()
        speaker.say("元気")
        for words in ["助けて"]:
            reply = speaker.say(words)
            assert "119番" in reply.speech
            assert reply.end
        (event,) = store.state.events.values()
        assert event.kind is EventKind.EMERGENCY
        assert event.elder_id == "elder-1"
        assert checkin_status(store) is CheckInStatus.PARTIAL

    def test_chest_pain_and_a_fall_are_emergencies_too(self, speaker, store):
        for words in ["胸が痛い", "倒れた"]:
            speaker.new_session()
            speaker.open()
            assert "119番" in speaker.say(words).speech
        assert len(store.state.events) == 2

    def test_an_unpaired_speaker_still_says_call_119_and_stores_nothing(self, new_speaker, store):
        new_speaker.open()
        reply = new_speaker.say("助けて")
        assert "119番" in reply.speech
        assert store.state.events == {}


class TestWhoIsWatching:
    def test_the_answer_comes_from_the_consent_record_then_the_question_again(self, speaker):
        speaker.open()
        reply = speaker.say("誰が見ているの")
        assert "center（answers）、family（alerts）" in reply.speech
        assert "2025年3月1日に、staff-1さんからご説明して" in reply.speech
        assert reply.speech.endswith("のどれでしょう。")


class TestPairing:
    def add_code(self, store, **kwargs):
        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder())
            uow.devices.add_pairing_code(make_pairing_code(**kwargs))
            uow.commit()

    def test_an_unpaired_device_hears_how_to_get_a_code_and_nothing_is_stored(
        self, new_speaker, store
    ):
        reply = new_speaker.open()
        assert "まだ登録されていません" in reply.speech
        assert "地域包括支援センター" in reply.speech
        assert not reply.end
        new_speaker.say("元気")
        assert store.state.checkins == {}
        assert store.state.answers == []

    def test_saying_the_code_binds_the_device_and_starts_the_check_in(
        self, new_speaker, store, clock
    ):
        self.add_code(store, code="123456", expires_at=clock() + timedelta(days=1))
        new_speaker.open()
        reply = new_speaker.say("コードは123456")
        assert reply.speech.startswith("ありがとうございます。山田 花子さんのスピーカーとして")
        assert "体調はいかがですか" in reply.speech
        assert ("amzn1.ask.account.NEW", "amzn1.ask.device.NEW") in store.state.bindings
        assert store.state.pairing_codes["123456"].used_at is not None

    def test_a_bare_six_digit_number_on_an_unpaired_device_is_a_code(
        self, new_speaker, store, clock
    ):
        self.add_code(store, code="654321", expires_at=clock() + timedelta(days=1))
        new_speaker.open()
        assert "スピーカーとして" in new_speaker.say("654321").speech

    def test_a_wrong_code_binds_nothing(self, new_speaker, store, clock):
        self.add_code(store, code="123456", expires_at=clock() + timedelta(days=1))
        new_speaker.open()
        reply = new_speaker.say("コードは111111")
        assert "見つかりませんでした" in reply.speech
        assert ("amzn1.ask.account.NEW", "amzn1.ask.device.NEW") not in store.state.bindings

    def test_an_expired_code_binds_nothing(self, new_speaker, store, clock):
        self.add_code(store, code="123456", expires_at=clock() - timedelta(minutes=1))
        new_speaker.open()
        reply = new_speaker.say("コードは123456")
        assert "有効期限が切れています" in reply.speech
        assert store.state.bindings == {}

    def test_a_used_code_cannot_bind_a_second_device(self, new_speaker, skill, store, clock):
        from tests.speaker import Speaker

        self.add_code(store, code="123456", expires_at=clock() + timedelta(days=1))
        new_speaker.open()
        new_speaker.say("コードは123456")
        other = Speaker(skill, clock, user_id="amzn1.ask.account.X", device_id="amzn1.ask.device.X")
        other.open()
        reply = other.say("コードは123456")
        assert "見つかりませんでした" in reply.speech
        assert len(store.state.bindings) == 1


class TestTouch:
    def test_a_touch_is_handled_exactly_like_the_spoken_answer(self, speaker, store):
        reply = speaker.open()
        labels = [b["label"] for b in reply.screen["buttons"]]
        assert labels == ["元気", "まあまあ", "悪い", "わからない", "あとで"]
        speaker.say("#1")
        answer = stored(store)["condition"]
        assert answer.value == "good"
        assert answer.source is AnswerSource.TOUCH

    def test_touch_confirms_a_read_back_with_big_yes_and_no_buttons(self, speaker, store):
        speaker.open()
        answer_all_but_weight(speaker)
        reply = speaker.say("52キロ")
        assert [b["label"] for b in reply.screen["buttons"]] == ["はい", "いいえ"]
        speaker.say("#1")
        assert stored(store)["weight"].value == 52

    def test_a_touch_skip_button_skips(self, speaker, store):
        speaker.open()
        speaker.say("#4")
        assert stored(store)["condition"].skipped == "unknown"

    def test_a_speaker_without_a_screen_gets_no_apl(self, skill, clock, elder):
        from tests.speaker import Speaker

        reply = Speaker(skill, clock, screen=False).open()
        directives = reply.raw["response"].get("directives") or []
        assert directives == []


class TestInterruptionsDuringAReadBack:
    def test_help_during_a_read_back_asks_afresh_and_a_yes_stores_nothing(self, speaker, store):
        speaker.open()
        answer_all_but_weight(speaker)
        speaker.say("52キロ")
        reply = speaker.say("使い方を教えて")
        assert reply.speech.endswith("今週の体重を教えてください。")
        speaker.say("はい")
        assert "weight" not in stored(store)
