"""The opt-in daily summary: 「まとめ 8時」 in chat, one message per member per day, as consent allows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from backend.domain.model import AwayKind, CheckInStatus, Consent, Share
from backend.media import FolderMediaStore
from backend.services import family
from family_line.events import LineContext, dispatch
from questions.engagement_files import engagement_for
from tests.builders import jst, make_answer, make_away, make_checkin, make_consent, make_elder, seed
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER, OTHER_USER, event_of
from tests.unit.conftest import MONDAY
from tests.unit.test_line_events import RecordingLineApi

SHARED = make_consent(shares=(Share("家族", "毎日の様子"),))


@pytest.fixture
def api() -> RecordingLineApi:
    return RecordingLineApi()


@pytest.fixture
def ctx(services, api, tmp_path) -> LineContext:
    return LineContext(services, api, FolderMediaStore(tmp_path / "media"))


@pytest.fixture
def elders(store):
    with FakeUnitOfWork(store) as uow:
        seed(
            uow,
            make_elder(consent=SHARED),
            make_elder("elder-2", name="山田 一郎", kana="やまだ いちろう", consent=SHARED),
        )
        uow.commit()


def say(ctx, text, user=FAMILY_USER, n=[0]):  # noqa: B006 - a counter for fresh event ids
    n[0] += 1
    dispatch(ctx, event_of("text_message", text=text, user=user, webhookEventId=f"ev-{n[0]}"))


def link(ctx, services, elder_id="elder-1", user=FAMILY_USER, code="482913"):
    family.issue_link_code(
        services, elder_id, name="明美", relation="長女", random_code=lambda: code
    )
    say(ctx, code, user=user)


def answered(store, elder_id="elder-1", condition="good", medication=True):
    with FakeUnitOfWork(store) as uow:
        checkin_id = f"checkin-{elder_id}"
        uow.checkins.add(
            make_checkin(checkin_id, elder_id=elder_id, day=MONDAY, started_at=jst(MONDAY, 7))
        )
        for question_id, value in (("condition", condition), ("medication", medication)):
            uow.answers.add(
                make_answer(
                    checkin_id=checkin_id,
                    elder_id=elder_id,
                    day=MONDAY,
                    question_id=question_id,
                    value=value,
                    answered_at=jst(MONDAY, 7, 5),
                )
            )
        uow.commit()


def summaries(store):
    return [m for m in store.state.outbox.values() if m.channel == "line" and not m.subject]


class TestChat:
    def test_opting_in_names_the_time_and_the_elders(self, ctx, api, services, elders, store):
        link(ctx, services)
        say(ctx, "まとめ　８時")  # full-width, as phones often type
        assert api.last().startswith("毎日8時に、山田 花子さんの様子のまとめをお送りします")
        assert store.state.line_summaries[FAMILY_USER].send_at == "08:00"
        say(ctx, "まとめ")
        assert api.last().startswith("毎日8時にまとめをお送りしています")

    def test_a_new_time_replaces_the_old_one(self, ctx, api, services, elders, store):
        link(ctx, services)
        say(ctx, "まとめ 8時")
        say(ctx, "まとめ 午後7時半")
        assert store.state.line_summaries[FAMILY_USER].send_at == "19:30"

    def test_opting_out(self, ctx, api, services, elders, store):
        link(ctx, services)
        say(ctx, "まとめ 8時")
        say(ctx, "まとめ停止")
        assert api.last().startswith("毎日のまとめを止めました。")
        assert store.state.line_summaries == {}
        say(ctx, "まとめ停止")
        assert api.last().startswith("毎日のまとめは受け取っていません。")

    @pytest.mark.parametrize("words", ["まとめ 23時", "まとめ 5時", "まとめ 8じ"])
    def test_a_time_in_the_night_or_unreadable_is_answered_kindly(
        self, ctx, api, services, elders, store, words
    ):
        link(ctx, services)
        say(ctx, words)
        assert api.last().startswith("時刻がわかりませんでした。")
        assert store.state.line_summaries == {}

    def test_before_linking_the_code_is_asked_for(self, ctx, api, elders, store):
        say(ctx, "まとめ 8時")
        assert "コードを送ってください" in api.last()
        assert store.state.line_summaries == {}

    def test_a_message_that_merely_starts_with_matome_is_relayed(
        self, ctx, api, services, elders, store
    ):
        link(ctx, services)
        say(ctx, "まとめて送るね")
        assert store.state.line_summaries == {}
        assert [m.text for m in store.state.family_messages.values()] == ["まとめて送るね"]


class TestSending:
    def test_one_message_a_day_at_the_chosen_time_covering_every_elder(
        self, ctx, services, elders, store, clock
    ):
        link(ctx, services)
        link(ctx, services, "elder-2", code="111111")
        clock.set(jst(MONDAY, 6, 0))
        say(ctx, "まとめ 8時")
        answered(store)
        clock.set(jst(MONDAY, 7, 55))
        assert family.queue_daily_summaries(services) == 0  # not yet
        clock.set(jst(MONDAY, 8, 0))
        assert family.queue_daily_summaries(services) == 1
        clock.tick(timedelta(minutes=5))
        assert family.queue_daily_summaries(services) == 0  # once a day
        (message,) = summaries(store)
        assert message.body.splitlines() == [
            "山田 花子さん 今朝のチェック：体調『元気』、お薬は飲みました",
            "山田 一郎さん 今朝のチェック：まだお答えがありません",
            "（毎日のまとめは「まとめ停止」で止められます）",
        ]
        assert store.state.recipients[message.recipient_id].address == FAMILY_USER
        clock.set(jst(MONDAY + timedelta(days=1), 8, 1))
        assert family.queue_daily_summaries(services) == 1

    def test_a_time_already_past_starts_tomorrow(self, ctx, services, elders, store, clock):
        link(ctx, services)
        clock.set(jst(MONDAY, 10, 0))
        say(ctx, "まとめ 8時")
        assert family.queue_daily_summaries(services) == 0
        clock.set(jst(MONDAY + timedelta(days=1), 8, 0))
        assert family.queue_daily_summaries(services) == 1

    def test_medication_not_taken_and_away_elders_read_plainly(
        self, ctx, services, elders, store, clock
    ):
        link(ctx, services)
        link(ctx, services, "elder-2", code="111111")
        clock.set(jst(MONDAY, 6, 0))
        say(ctx, "まとめ 19時")
        answered(store, condition="bad", medication=False)
        with FakeUnitOfWork(store) as uow:
            uow.away.add(
                make_away(elder_id="elder-2", kind=AwayKind.HOSPITAL, start=jst(MONDAY, 0))
            )
            uow.commit()
        clock.set(jst(MONDAY, 19, 0))
        family.queue_daily_summaries(services)
        (message,) = summaries(store)
        assert message.body.splitlines()[:2] == [
            "山田 花子さん 今日のチェック：体調『悪い』、お薬はまだです",
            "山田 一郎さん：お休み中（入院）",
        ]

    def test_only_elders_whose_consent_shares_the_status_are_told(
        self, ctx, services, elders, store, clock
    ):
        with FakeUnitOfWork(store) as uow:
            hidden = Consent(MONDAY, "staff", (Share("center", "answers"),))
            uow.elders.update(
                make_elder("elder-2", name="山田 一郎", kana="やまだ いちろう", consent=hidden)
            )
            uow.commit()
        link(ctx, services)
        link(ctx, services, "elder-2", code="111111")
        link(ctx, services, "elder-2", user=OTHER_USER, code="222222")
        clock.set(jst(MONDAY, 6, 0))
        say(ctx, "まとめ 8時")
        say(ctx, "まとめ 8時", user=OTHER_USER)
        clock.set(jst(MONDAY, 8, 0))
        assert family.queue_daily_summaries(services) == 1  # nothing at all for OTHER_USER
        (message,) = summaries(store)
        assert "山田 一郎" not in message.body

    def test_an_unlinked_member_gets_nothing(self, ctx, services, elders, store, clock):
        link(ctx, services)
        clock.set(jst(MONDAY, 6, 0))
        say(ctx, "まとめ 8時")
        say(ctx, "解除")
        clock.set(jst(MONDAY, 8, 0))
        assert family.queue_daily_summaries(services) == 0


class TestStreak:
    def summary_after_four_days(self, ctx, services, store, clock, engagement):
        """Return the summary body after four completed days and this morning's answers."""
        link(ctx, services)
        clock.set(jst(MONDAY, 6, 0))
        say(ctx, "まとめ 8時")
        with FakeUnitOfWork(store) as uow:
            for back in range(1, 5):
                day = MONDAY - timedelta(days=back)
                uow.checkins.add(
                    make_checkin(
                        f"done-{back}",
                        elder_id="elder-1",
                        day=day,
                        started_at=jst(day, 7),
                        status=CheckInStatus.COMPLETED,
                    )
                )
            uow.commit()
        answered(store)
        clock.set(jst(MONDAY, 8, 0))
        family.queue_daily_summaries(replace(services, engagement=engagement))
        (message,) = summaries(store)
        return message.body

    def test_the_summary_says_how_many_days_running_the_elder_talked(
        self, ctx, services, elders, store, clock
    ):
        body = self.summary_after_four_days(ctx, services, store, clock, engagement_for)
        assert body.splitlines()[0] == (
            "山田 花子さん 今朝のチェック：体調『元気』、お薬は飲みました"
            "（4日つづけてお話ししています）"
        )

    def test_no_streak_where_the_municipality_has_engagement_off(
        self, ctx, services, elders, store, clock
    ):
        assert engagement_for("032158").enabled  # on for this municipality, off below
        off = lambda code: engagement_for(code, Path("/nowhere"))  # noqa: E731
        body = self.summary_after_four_days(ctx, services, store, clock, off)
        assert "つづけて" not in body
