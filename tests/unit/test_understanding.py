"""The understanding layer: normalisation, negation and tense, numbers, emergencies."""

from __future__ import annotations

import pytest

from backend.domain.conversation import ReplyKind
from backend.domain.understanding import MeaningKind, understand
from backend.domain.understanding.text import normalise, quantities
from questions.loader import load_sets

_SETS = load_sets()
OSHU = _SETS["032158"]
KUDOYAMA = _SETS["303445"]


def question(qid):
    return OSHU.question(qid) or KUDOYAMA.question(qid)


def value_of(qid, text, lexicon=None):
    kwargs = {"lexicon": lexicon} if lexicon is not None else {}
    meaning = understand(text, question(qid), **kwargs)
    assert meaning.kind is MeaningKind.ANSWER, (text, meaning)
    return meaning.reply.value


class TestNormalisation:
    def test_fillers_that_open_an_utterance_are_dropped(self):
        assert normalise("えーと、元気です") == "元気です"
        assert normalise("あのね、うーん、まあ元気") == "元気"

    def test_an_utterance_that_is_only_a_filler_is_kept(self):
        assert normalise("そうですね") == "そうですね"

    def test_full_width_digits_and_half_width_kana_are_folded(self):
        assert normalise("５２ｷﾛ") == "52キロ"

    @pytest.mark.parametrize(
        ("text", "value", "approximate"),
        [
            ("約52キロ", 52.0, True),
            ("52キロ半", 52.5, False),
            ("五十二点五キロ", 52.5, False),
            ("五十二キロ五百", 52.5, False),
            ("52.5キロくらい", 52.5, True),
            ("1時間半", 90.0, False),
            ("一時間三十分", 90.0, False),
            ("三千歩くらい", 3000.0, True),
        ],
    )
    def test_numbers_are_read_with_their_unit_and_approximation(self, text, value, approximate):
        (found,) = quantities(text)
        assert found.value == value
        assert found.approximate is approximate

    def test_numerals_inside_words_stay_words(self):
        assert quantities("一睡もできなかった") == []


class TestNegationAndTense:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("飲みました", True),
            ("飲んでいません", False),
            ("飲まなかった", False),
            ("飲んでないわけじゃない", True),
            ("飲まへんかった", False),
            ("飲み忘れました", False),
            ("これから飲みます", False),
            ("毎朝ちゃんと飲んでます", True),
        ],
    )
    def test_any_form_of_the_verb_answers_a_yes_no_question(self, text, value):
        assert value_of("medication", text) is value

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("眠れませんでした", "slept_poorly"),
            ("よく寝られました", "slept_well"),
            ("今朝は7時に起きてぐっすりでした", "slept_well"),
            ("夜中に何度も目が覚めました", "slept_poorly"),
            ("一睡もできなかった", "slept_poorly"),
        ],
    )
    def test_sleep(self, text, value):
        assert value_of("sleep", text) == value

    def test_a_worrying_answer_in_words_of_another_question_is_kept(self):
        assert value_of("condition", "元気がない") == "bad"
        assert value_of("mood", "具合が悪いです") == "low"

    def test_the_worst_of_two_answers_is_kept(self):
        assert value_of("condition", "元気だけど腰が痛い") == "bad"


class TestEmergency:
    @pytest.mark.parametrize(
        "text",
        [
            "胸が痛いです",
            "苦しいです",
            "救急車お願いします",
            "動けません",
            "助けてください",
            "えーと、息ができないんです",
            "転んで起き上がれません",
            "急に具合が悪くなりました",
            "ろれつが回らない",
            "血が止まりません",
        ],
    )
    def test_an_emergency_said_politely_is_caught_during_any_question(self, text):
        for qid in ("condition", "medication", "weight", "blood_pressure"):
            assert understand(text, question(qid)).kind is MeaningKind.EMERGENCY, (qid, text)
        assert understand(text).kind is MeaningKind.EMERGENCY

    @pytest.mark.parametrize(
        "text",
        [
            "近所の人に助けてもらってる",
            "娘がよく助けてくれます",
            "胸は痛くないです",
            "生活が苦しい",
            "あまり動けないけど元気です",
            "救急車はいらないです",
            "先月転んだけど大丈夫",
            "腰が痛い",
        ],
    )
    def test_ordinary_words_are_not_an_emergency(self, text):
        assert understand(text, question("condition")).kind is not MeaningKind.EMERGENCY

    def test_a_fall_asked_about_is_an_answer_not_an_emergency(self):
        meaning = understand("転んだ", question("fall_this_month"))
        assert meaning.kind is MeaningKind.ANSWER
        assert meaning.reply.kind is ReplyKind.YES
        assert understand("転んだ", question("condition")).kind is MeaningKind.EMERGENCY


class TestConversation:
    def test_farewells_end_the_conversation(self):
        for text in ("またね", "じゃあね", "ほなまた", "さようなら"):
            assert understand(text, question("condition")).kind is MeaningKind.FAREWELL

    def test_an_away_phrase_with_a_date_is_understood(self):
        meaning = understand("明日から入院します", question("condition"))
        assert meaning.kind is MeaningKind.AWAY
        assert (meaning.away_kind, meaning.start) == ("hospital", "明日")

    def test_a_past_stay_in_hospital_is_not_an_away_period(self):
        assert understand("去年入院しました").kind is not MeaningKind.AWAY
