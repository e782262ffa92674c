"""The weekly absence an elder tells of (「水曜日はデイサービスです」), understood and remembered."""

from __future__ import annotations

import pytest

from backend.domain.understanding.weekly import WeeklySaid, weekly_absence
from questions.loader import parse_overrides
from tests.unit.conftest import stored


@pytest.mark.parametrize(
    ("words", "kind", "weekdays"),
    [
        ("水曜日はデイサービスです", "dayservice", ("水",)),
        ("毎週金曜日はデイケアに行ってます", "dayservice", ("金",)),
        ("火曜と土曜はデイに通っとる", "dayservice", ("火", "土")),
        ("木曜はデイやで", "dayservice", ("木",)),
        ("リハビリは月曜日です", "dayservice", ("月",)),
        ("月水金は透析です", "clinic", ("月", "水", "金")),
        ("毎週火曜日は病院の日なんです", "clinic", ("火",)),
        ("月曜日はデイ、木曜日は通院です", "other", ("月", "木")),
    ],
)
def test_a_weekday_and_an_outing_said_as_a_habit_are_understood(words, kind, weekdays):
    assert weekly_absence(words) == WeeklySaid(kind, weekdays)


@pytest.mark.parametrize(
    "words",
    [
        "明日はデイサービスです",  # one day, not a habit
        "今日はデイの日です",
        "水曜日にデイサービスに行きました",  # a past one-off
        "水曜はデイに行っとったけど",
        "水曜はデイはないです",  # negated
        "水曜日のデイサービスはやめました",
        "水曜は病院に行かへん",
        "水曜日は雨でデイを休んだ",
        "デイサービスは楽しいです",  # no weekday
        "土日は息子が来ます",  # no outing
        "毎日散歩しています",
    ],
)
def test_what_is_not_a_weekly_habit_is_not_taken_for_one(words):
    assert weekly_absence(words) is None


class TestSaidOnTheSpeaker:
    def test_the_elder_is_asked_to_confirm_then_it_is_remembered_and_the_question_resumes(
        self, speaker, store, elder
    ):
        speaker.open()
        reply = speaker.say("毎週水曜日はデイサービスに行ってます")
        assert reply.speech.startswith("毎週水曜日は、デイサービスですね。")
        assert reply.speech.endswith("よろしいですか。")
        assert parse_overrides(store.state.elders[elder.id].overrides, "o").absences == ()
        reply = speaker.say("はい")
        assert reply.speech.startswith("わかりました。覚えておきますね。")
        assert "今日の体調はいかがですか。" in reply.speech  # the question asked again
        (absence,) = parse_overrides(store.state.elders[elder.id].overrides, "o").absences
        assert (absence.weekday, absence.kind, absence.slots, absence.set_by) == (
            "水",
            "dayservice",
            (),
            "elder",
        )
        speaker.say("元気")
        assert stored(store)["condition"].value == "good"

    def test_no_keeps_the_profile_as_it_was(self, speaker, store, elder):
        speaker.open()
        speaker.say("火曜と金曜はデイに行っとる")
        reply = speaker.say("いいえ")
        assert reply.speech.startswith("わかりました。そのままにしておきますね。")
        assert parse_overrides(store.state.elders[elder.id].overrides, "o").absences == ()

    def test_another_weekday_said_later_is_added_and_the_first_kept(self, speaker, store, elder):
        speaker.open()
        speaker.say("水曜日はデイサービスです")
        speaker.say("はい")
        speaker.say("月曜日は病院です")
        speaker.say("はい")
        absences = parse_overrides(store.state.elders[elder.id].overrides, "o").absences
        assert [(a.weekday, a.kind) for a in absences] == [("月", "clinic"), ("水", "dayservice")]

    def test_anything_but_yes_or_no_reads_it_back_again(self, speaker, store, elder):
        speaker.open()
        speaker.say("水曜日はデイサービスです")
        reply = speaker.say("ラジオをつけて")
        assert reply.speech.startswith("毎週水曜日は、デイサービスですね。")
        assert parse_overrides(store.state.elders[elder.id].overrides, "o").absences == ()
