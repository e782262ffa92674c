"""Engagement after the check-in: files, today's topic, the quiz, stamps, the elder's choices."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.engagement import (
    TopicKind,
    Verdict,
    judge,
    month_card,
    nth_weekday,
    quiz_for,
    streak,
    topic_for,
)
from backend.domain.model import CheckIn, CheckInStatus, EventKind
from backend.services import engagement as service
from questions.engagement_files import (
    TERMS,
    EngagementFileError,
    engagement_for,
    load_calendar,
    load_municipal_text,
    load_quiz,
    load_solar_terms,
)
from questions.loader import parse_overrides
from tests.builders import make_elder, seed
from tests.fakes import FakeUnitOfWork

OSHU = "032158"
JST = dt.timezone(dt.timedelta(hours=9))
KUDOYAMA = "303445"


@pytest.fixture
def oshu():
    return engagement_for(OSHU)


class TestShippedFiles:
    def test_the_shipped_calendar_quiz_and_terms_load(self):
        assert len(load_calendar().seasons) == 24
        assert len(load_quiz().quiz) >= 20
        assert set(load_solar_terms()) == set(range(2024, 2051))

    @pytest.mark.parametrize(
        ("year", "term", "day"),
        [
            (2025, "立春", dt.date(2025, 2, 3)),  # 節分 was on 2 February that year
            (2025, "冬至", dt.date(2025, 12, 22)),  # at 00:03 JST: a date line case
            (2026, "春分", dt.date(2026, 3, 20)),
            (2026, "秋分", dt.date(2026, 9, 23)),
            (2027, "春分", dt.date(2027, 3, 21)),
            (2024, "冬至", dt.date(2024, 12, 21)),
        ],
    )
    def test_solar_terms_fall_on_the_dates_the_observatory_publishes(self, year, term, day):
        assert load_solar_terms()[year][term] == day

    def test_every_year_has_the_terms_in_order_about_fifteen_days_apart(self):
        for year, terms in load_solar_terms().items():
            assert tuple(terms) == TERMS, year
            days = list(terms.values())
            gaps = [(b - a).days for a, b in itertools.pairwise(days)]
            assert all(14 <= gap <= 16 for gap in gaps), (year, gaps)

    def test_engagement_is_off_without_a_municipal_file(self, tmp_path):
        engagement = engagement_for("012025", tmp_path)
        assert not engagement.enabled
        assert engagement.questions  # the shipped quiz is there once turned on

    def test_the_sample_sets_choose_on_for_oshu_and_off_for_kudoyama(self):
        assert engagement_for(OSHU).enabled
        assert not engagement_for(KUDOYAMA).enabled
        assert any(q.kind == "地元" for q in engagement_for(KUDOYAMA).questions)


class TestMunicipalFileErrors:
    def report(self, text: str, name: str = f"{OSHU}.yaml") -> str:
        path = Path("questions/engagement") / name
        with pytest.raises(EngagementFileError) as err:
            load_municipal_text(text, path)
        return err.value.report()

    def test_a_quiz_answer_that_is_not_a_choice_is_reported_with_its_line(self):
        text = (
            'municipality_code: "032158"\nenabled: true\nquestions:\n'
            "  - {id: x, kind: 地元, ask: 問題です。, choices: [柿, 梨], answer: 桃}\n"
        )
        assert self.report(text) == (
            f"questions/engagement/{OSHU}.yaml:4: questions[0]: answer '桃' が choices にありません"
        )

    def test_a_placeholder_or_ascii_in_spoken_text_is_refused(self):
        text = (
            'municipality_code: "032158"\ndays:\n'
            '  - {date: "05-01", name: 町の日, say: "今日は〇〇の日です。"}\n'
            '  - {date: "05-02", name: 町の日, say: "Today is the day."}\n'
        )
        report = self.report(text)
        assert f"{OSHU}.yaml:3: days[0]: 読み上げられない文字 '〇' があります" in report
        assert f"{OSHU}.yaml:4: days[1]: 読み上げられない文字 'T' があります" in report

    def test_an_impossible_date_and_a_day_given_two_ways_are_refused(self):
        text = (
            'municipality_code: "032158"\ndays:\n'
            '  - {date: "02-30", name: あ, say: "今日です。"}\n'
            '  - {date: "03-01", month: 3, nth: 1, weekday: 月, name: い, say: "今日です。"}\n'
            '  - {month: 3, nth: 1, name: う, say: "今日です。"}\n'
        )
        report = self.report(text)
        assert "days[0]: 02-30 という日付はありません" in report
        assert "days[1]: date、month/nth/weekday、term のどれか一つで日を書いてください" in report
        assert "days[2]: month、nth、weekday の三つをそろえて書いてください" in report

    def test_a_misspelt_key_a_wrong_code_and_a_shipped_id_are_each_reported(self):
        text = (
            'municipality_code: "303445"\nenable: true\nquestions:\n'
            "  - {id: nanakusa, kind: 地元, ask: 問題です。, choices: [柿, 梨], answer: 柿}\n"
        )
        report = self.report(text)
        assert f"{OSHU}.yaml:2: enable: この項目は使えません（綴りを確かめてください）" in report
        text = text.replace("enable:", "enabled:")
        report = self.report(text)
        assert "questions[0].id: id 'nanakusa' は同梱のクイズと同じです" in report
        assert (
            f"{OSHU}.yaml:1: municipality_code: ファイル名 {OSHU}.yaml とコードが一致しません"
            in report
        )

    def test_broken_yaml_names_the_file_and_line(self):
        assert self.report('municipality_code: "032158"\ndays: [\n').startswith(
            f"questions/engagement/{OSHU}.yaml:3: (全体): YAML として読めません"
        )


class TestTodaysTopic:
    def test_a_special_day_comes_before_the_season(self, oshu):
        topic = topic_for(dt.date(2026, 12, 31), oshu)
        assert (topic.kind, topic.name) == (TopicKind.DAY, "大晦日")

    def test_a_local_day_is_said_in_its_municipality(self, oshu):
        topic = topic_for(dt.date(2027, 2, 20), oshu)
        assert topic.name == "奥州市の誕生日"
        assert topic_for(dt.date(2027, 2, 20), engagement_for(KUDOYAMA)) != topic

    def test_setsubun_is_the_day_before_risshun_whatever_the_year(self, oshu):
        assert topic_for(dt.date(2025, 2, 2), oshu).name == "節分"
        assert topic_for(dt.date(2026, 2, 3), oshu).name == "節分"

    def test_holidays_on_an_nth_weekday_move_with_the_calendar(self, oshu):
        assert nth_weekday(2026, 9, 3, "月") == dt.date(2026, 9, 21)
        assert topic_for(dt.date(2026, 9, 21), oshu).name == "敬老の日"
        assert nth_weekday(2026, 2, 5, "月") is None

    def test_a_term_is_said_on_its_first_day_and_its_words_five_and_ten_days_on(self, oshu):
        start = load_solar_terms()[2026]["大雪"]
        said = {i: topic_for(start + dt.timedelta(days=i), oshu) for i in range(15)}
        assert said[0].kind is TopicKind.TERM
        assert said[5].kind is said[10].kind is TopicKind.SEASON
        assert said[5].say != said[10].say
        assert [i for i, t in said.items() if t is None] == [1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14]

    @given(st.dates(dt.date(2024, 1, 20), dt.date(2050, 12, 1)))
    def test_no_day_gets_more_than_one_topic_and_none_is_empty(self, day):
        topic = topic_for(day, engagement_for(OSHU))
        assert topic is None or topic.say.endswith("。")


class TestQuiz:
    def test_an_elder_gets_every_question_once_before_any_repeats(self, oshu):
        start = dt.date(2026, 12, 1)
        asked = [quiz_for("e1", start + dt.timedelta(days=i), oshu)[0].id for i in range(60)]
        pool = len(oshu.questions)
        assert len(set(asked[:pool])) == pool
        assert asked[pool : 2 * pool] == asked[:pool]

    def test_neighbours_do_not_get_the_same_question_every_day(self, oshu):
        days = [dt.date(2026, 12, 1) + dt.timedelta(days=i) for i in range(10)]
        same = sum(quiz_for("e1", d, oshu) == quiz_for("e2", d, oshu) for d in days)
        assert same < 5

    def test_two_a_day_are_different_questions(self, oshu):
        two = quiz_for("e1", dt.date(2026, 12, 1), replace(oshu, quiz_per_day=2))
        assert len({q.id for q in two}) == 2

    @pytest.mark.parametrize(
        ("heard", "verdict"),
        [
            ("すずしろ", Verdict.RIGHT),
            ("えーと、すずしろかな", Verdict.RIGHT),
            ("スズシロです", Verdict.RIGHT),
            ("たんぽぽ", Verdict.WRONG),
            ("わからない", Verdict.UNCLEAR),
            ("すずしろ、いや、たんぽぽ", Verdict.UNCLEAR),
        ],
    )
    def test_an_answer_is_judged_by_its_words_in_any_script(self, heard, verdict):
        nanakusa = next(q for q in load_quiz().quiz if q.id == "nanakusa")
        assert judge(nanakusa, heard) is verdict

    @pytest.mark.parametrize(
        ("heard", "verdict"),
        [("三十円", Verdict.RIGHT), ("30円です", Verdict.RIGHT), ("さんじゅう", Verdict.RIGHT),
         ("四十円", Verdict.WRONG), ("300円", Verdict.UNCLEAR)],
    )  # fmt: skip
    def test_a_number_answer_must_be_the_number_not_a_part_of_it(self, heard, verdict):
        change = next(q for q in load_quiz().quiz if q.id == "otsuri70")
        assert judge(change, heard) is verdict

    def test_every_shipped_answer_and_its_other_forms_are_judged_right(self):
        for q in (
            load_quiz().quiz + engagement_for(OSHU).questions + engagement_for(KUDOYAMA).questions
        ):
            for form in (q.answer, *q.also):
                assert judge(q, form) is Verdict.RIGHT, (q.id, form)
            for choice in q.choices:
                if choice != q.answer:
                    assert judge(q, choice) is Verdict.WRONG, (q.id, choice)


class TestStamps:
    def test_a_streak_counts_back_from_today_or_from_yesterday_before_today_is_done(self):
        today = dt.date(2026, 12, 10)
        days = {today - dt.timedelta(days=i) for i in range(1, 6)}
        assert streak(days, today) == 5
        assert streak(days | {today}, today) == 6
        assert streak(days - {today - dt.timedelta(days=3)}, today) == 2
        assert streak(set(), today) == 0

    def test_the_month_card_holds_this_months_days_only(self):
        today = dt.date(2026, 12, 3)
        card = month_card(
            {dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 3)}, today
        )
        assert (card.stamped, card.days_so_far, card.length) == ((1, 3), 3, 31)


def _completed(store, elder, days):
    with FakeUnitOfWork(store) as uow:
        for day in days:
            at = dt.datetime.combine(day, dt.time(7, 0), tzinfo=JST)
            checkin = CheckIn(f"c-{day}", elder.id, day, "morning", CheckInStatus.COMPLETED, at, at)
            uow.checkins.add(checkin)
        uow.commit()


class TestService:
    @pytest.fixture
    def services(self, services):
        return replace(services, engagement=engagement_for)

    @pytest.fixture
    def watched(self, store):
        elder = make_elder()
        with FakeUnitOfWork(store) as uow:
            seed(uow, elder)
            uow.commit()
        return elder

    def test_after_the_check_in_the_elder_gets_a_topic_a_quiz_and_the_stamp(
        self, services, store, watched
    ):
        today = services.now().date()
        _completed(store, watched, [today - dt.timedelta(days=i) for i in range(3)])
        offer = service.offer(services, watched.id)
        assert len(offer.quiz) == 1
        assert offer.stamp.stamped_today
        assert offer.stamp.streak == 3
        assert offer.topic == topic_for(today, engagement_for(watched.municipality_code))

    def test_a_quiz_answered_today_is_not_offered_again_and_a_replay_keeps_one_record(
        self, services, store, watched
    ):
        (question,) = service.offer(services, watched.id).quiz
        for _ in range(2):
            _, verdict = service.answer_quiz(
                services, watched.id, question.id, question.answer, "req-1"
            )
            assert verdict is Verdict.RIGHT
        quiz_events = [e for e in store.state.events.values() if e.kind is EventKind.QUIZ]
        assert [e.detail for e in quiz_events] == [{"question": question.id, "verdict": "right"}]
        assert service.offer(services, watched.id).quiz == ()

    def test_an_elder_who_says_no_quiz_keeps_the_topic_and_the_stamp(
        self, services, store, watched
    ):
        service.set_choices(services, watched.id, quiz=False)
        offer = service.offer(services, watched.id)
        assert offer.quiz == ()
        assert offer.stamp is not None
        with FakeUnitOfWork(store) as uow:
            elder = uow.elders.get(watched.id)
        assert parse_overrides(elder.overrides, "overrides").engagement.quiz is False
        service.set_choices(services, watched.id, quiz=True)
        assert service.offer(services, watched.id).quiz

    def test_a_municipality_with_engagement_off_offers_nothing(self, services, store):
        elder = make_elder(id="e-kudo", municipality_code=KUDOYAMA)
        with FakeUnitOfWork(store) as uow:
            seed(uow, elder)
            uow.commit()
        assert service.offer(services, elder.id) == service.NOTHING
