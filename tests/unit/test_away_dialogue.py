"""Away periods by voice: 「しばらく入院します」 → until when → confirm; 「ただいま」 → おかえりなさい."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.domain.model import AwayKind
from tests.builders import jst
from tests.unit.conftest import MONDAY

JST = jst().tzinfo


def periods(store):
    return list(store.state.away.values())


class TestDeclaringByVoice:
    def test_an_away_declaration_asks_until_when_then_reads_it_back(self, speaker, store):
        speaker.open()
        reply = speaker.say("しばらく入院します")
        assert reply.speech.startswith("入院ですね。いつまでのご予定ですか。")
        assert not reply.end
        reply = speaker.say("12月1日まで")
        assert reply.speech == "入院で、12月1日まで、見守りをお休みにします。よろしいですか。"
        assert periods(store) == []
        reply = speaker.say("はい")
        assert "お大事に" in reply.speech
        assert reply.end
        (period,) = periods(store)
        assert period.kind is AwayKind.HOSPITAL
        assert period.set_by == "elder"
        assert period.start == jst(MONDAY, 7, 30)
        assert period.end == datetime(2026, 12, 2, tzinfo=JST)

    def test_a_date_said_with_the_declaration_goes_straight_to_the_read_back(self, speaker, store):
        speaker.open()
        reply = speaker.say("来週の月曜まで旅行に行きます")
        assert reply.speech == "旅行で、11月30日まで、見守りをお休みにします。よろしいですか。"

    def test_not_knowing_the_end_makes_an_open_ended_period(self, speaker, store):
        speaker.open()
        speaker.say("しばらく入院します")
        reply = speaker.say("わからない")
        assert "お戻りになったら「ただいま」と言ってください" in reply.speech
        speaker.say("はい")
        (period,) = periods(store)
        assert period.end is None

    def test_a_no_at_the_read_back_stores_nothing_and_the_check_in_goes_on(self, speaker, store):
        speaker.open()
        speaker.say("しばらく入院します")
        speaker.say("明日まで")
        reply = speaker.say("いいえ")
        assert reply.speech.startswith("わかりました。お休みにはしません。")
        assert reply.speech.endswith("のどれでしょう。")
        assert periods(store) == []
        speaker.say("元気")
        assert [a.question_id for a in store.state.answers] == ["condition"]

    def test_a_week_or_a_month_ends_after_its_last_day(self, speaker, store):
        speaker.open()
        speaker.say("旅行に行きます")
        reply = speaker.say("来週まで")
        assert "12月6日（日曜日）まで" in reply.speech
        speaker.say("はい")
        assert periods(store)[0].end == datetime(2026, 12, 7, tzinfo=JST)


class TestWhileAwayAndBack:
    def declare(self, speaker, until="明日まで"):
        speaker.open()
        speaker.say("しばらく入院します")
        speaker.say(until)
        speaker.say("はい")
        speaker.new_session()

    def test_opening_during_the_period_asks_nothing(self, speaker, store):
        self.declare(speaker)
        reply = speaker.open()
        assert "お休みしています" in reply.speech
        assert "体調" not in reply.speech

    def test_tadaima_ends_the_period_and_welcomes_the_elder(self, speaker, store, clock):
        self.declare(speaker, until="来週まで")
        clock.tick(timedelta(days=1))
        reply = speaker.say("ただいま")
        assert "おかえりなさい。" in reply.speech
        assert "体調はいかがですか" in reply.speech
        assert periods(store)[0].end == clock()

    def test_the_first_open_after_the_period_ends_says_okaerinasai_once(
        self, speaker, store, clock
    ):
        self.declare(speaker)
        clock.set(jst(MONDAY + timedelta(days=2), 7, 30))
        first = speaker.open()
        assert "おかえりなさい。" in first.speech
        speaker.say("ストップ")
        speaker.new_session()
        assert "おかえりなさい" not in speaker.open().speech

    def test_a_date_out_of_context_is_not_understood(self, speaker, store):
        speaker.open()
        reply = speaker.say("12月1日まで")
        assert reply.speech.startswith("すみません、うまく聞き取れませんでした。")
        assert periods(store) == []
