"""Notices: recurrence on the right days only, targeting, periods and the order they are read in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from notices.model import (
    ONCE,
    Audience,
    NoticeDelivery,
    NoticeStatus,
    Priority,
    Recurrence,
    Safety,
    due_for,
    week_of_month,
)
from tests.builders import jst, make_notice

MON, TUE, WED, THU, SUN = 0, 1, 2, 3, 6


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_weekly_monday_and_thursday_occurs_on_those_weekdays_only():
    rule = Recurrence(weekdays=(MON, THU))
    november = [d for d in days(date(2026, 11, 1), date(2026, 11, 30)) if rule.occurs_on(d)]
    assert [d.day for d in november] == [2, 5, 9, 12, 16, 19, 23, 26, 30]


def test_first_and_third_wednesday_of_each_month():
    rule = Recurrence(weekdays=(WED,), nth=(1, 3))
    hits = [d for d in days(date(2026, 11, 1), date(2027, 1, 31)) if rule.occurs_on(d)]
    assert hits == [
        date(2026, 11, 4),
        date(2026, 11, 18),
        date(2026, 12, 2),
        date(2026, 12, 16),
        date(2027, 1, 6),
        date(2027, 1, 20),
    ]


def test_a_fifth_weekday_that_a_month_does_not_have_simply_does_not_occur():
    rule = Recurrence(weekdays=(SUN,), nth=(5,))
    hits = [d for d in days(date(2026, 1, 1), date(2026, 12, 31)) if rule.occurs_on(d)]
    # 2026 has a fifth Sunday only in March, May, August and November.
    assert hits == [date(2026, 3, 29), date(2026, 5, 31), date(2026, 8, 30), date(2026, 11, 29)]
    assert all(week_of_month(d) == 5 for d in hits)


def test_month_ends_and_leap_days_count_weeks_from_the_first():
    assert week_of_month(date(2028, 2, 29)) == 5
    assert week_of_month(date(2026, 2, 28)) == 4
    assert week_of_month(date(2026, 12, 31)) == 5
    rule = Recurrence(weekdays=(TUE,), nth=(5,))
    assert rule.occurs_on(date(2026, 12, 29))
    assert not rule.occurs_on(date(2027, 1, 5))


def test_holidays_are_not_assumed_a_garbage_day_on_a_national_holiday_still_occurs():
    # 2026-11-23 (勤労感謝の日) is a Monday: announced unless the municipality lists dates.
    assert Recurrence(weekdays=(MON,)).occurs_on(date(2026, 11, 23))


def test_a_list_of_dates_occurs_on_those_dates_only():
    rule = Recurrence(dates=(date(2026, 12, 1), date(2026, 12, 15)))
    assert [d for d in days(date(2026, 11, 25), date(2026, 12, 31)) if rule.occurs_on(d)] == [
        date(2026, 12, 1),
        date(2026, 12, 15),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "曜日か日付"),
        ({"nth": (1,)}, "曜日が必要"),
        ({"weekdays": (7,)}, "0（月）"),
        ({"weekdays": (MON,), "nth": (6,)}, "1〜5"),
    ],
)
def test_an_impossible_recurrence_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Recurrence(**kwargs)


def test_describe_reads_like_the_municipality_wrote_it():
    assert Recurrence(weekdays=(MON, THU)).describe() == "毎週月曜・木曜"
    assert Recurrence(weekdays=(WED,), nth=(1, 3)).describe() == "第1・第3水曜"


def test_audience_targets_by_district_center_or_listed_elder_and_empty_means_everyone():
    assert Audience().includes("e1", "c1", "水沢")
    by_district = Audience(districts=("水沢",))
    assert by_district.includes("e1", "c1", "水沢")
    assert not by_district.includes("e2", "c1", "江刺")
    by_center = Audience(centers=("c2",))
    assert by_center.includes("e3", "c2", "")
    assert not by_center.includes("e1", "c1", "水沢")
    by_elder = Audience(elders=("e9",))
    assert by_elder.includes("e9", "c1", "江刺")
    assert not by_elder.includes("e1", "c1", "水沢")
    assert not Audience(districts=("",)).includes("e1", "c1", "")


def test_the_period_is_start_inclusive_and_end_exclusive():
    notice = make_notice(starts_at=jst(date(2026, 11, 1), 0), ends_at=jst(date(2026, 12, 1), 0))
    assert notice.occurrence(jst(date(2026, 11, 1), 0)) == ONCE
    assert notice.occurrence(jst(date(2026, 11, 30), 23, 59)) == ONCE
    assert notice.occurrence(jst(date(2026, 12, 1), 0)) is None
    assert notice.occurrence(jst(date(2026, 10, 31), 23, 59)) is None


def test_drafts_and_withdrawn_notices_are_never_announced():
    at = jst(date(2026, 11, 23), 7, 30)
    assert make_notice(status=NoticeStatus.DRAFT).occurrence(at) is None
    assert make_notice(status=NoticeStatus.WITHDRAWN).occurrence(at) is None


def test_a_recurring_notice_has_one_occurrence_per_day_so_it_is_heard_again_next_week():
    notice = make_notice(recurrence=Recurrence(weekdays=(MON,)))
    assert notice.occurrence(jst(date(2026, 11, 23), 7)) == "2026-11-23"
    assert notice.occurrence(jst(date(2026, 11, 24), 7)) is None
    heard = NoticeDelivery(notice.id, "e1", "2026-11-23", jst(date(2026, 11, 23), 7))
    assert due_for([notice], "e1", "c1", "", jst(date(2026, 11, 23), 8), [heard]) == []
    (next_week,) = due_for([notice], "e1", "c1", "", jst(date(2026, 11, 30), 8), [heard])
    assert next_week.occurrence == "2026-11-30"


def test_notices_are_ordered_disaster_then_important_then_normal():
    at = jst(date(2026, 11, 23), 7, 30)
    normal = make_notice("n", priority=Priority.NORMAL, starts_at=jst(date(2026, 11, 1), 0))
    important = make_notice("i", priority=Priority.IMPORTANT, starts_at=jst(date(2026, 11, 2), 0))
    disaster = make_notice("d", priority=Priority.DISASTER, starts_at=jst(date(2026, 11, 3), 0))
    found = due_for([normal, important, disaster], "e1", "c1", "", at, [])
    assert [d.notice.id for d in found] == ["d", "i", "n"]
    assert [d.needs_safety for d in found] == [True, False, False]


def test_a_disaster_notice_stays_due_until_its_safety_answer_is_recorded():
    at = jst(date(2026, 11, 23), 7, 30)
    disaster = make_notice("d", priority=Priority.DISASTER)
    heard = NoticeDelivery("d", "e1", ONCE, at)
    (due,) = due_for([disaster], "e1", "c1", "", at, [heard])
    assert due.heard
    assert due.needs_safety
    answered = NoticeDelivery("d", "e1", ONCE, at, Safety.SAFE, at)
    assert due_for([disaster], "e1", "c1", "", at, [answered]) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "題名が空"),
        ("speech", "あ" * 601, "600文字"),
        ("speech", "a\x07b", "制御文字"),
        ("image_url", "http://x.jp/a.png", "https://"),
    ],
)
def test_a_notice_with_bad_text_is_refused(field, value, message):
    with pytest.raises(ValueError, match=message):
        make_notice(**{field: value})


def test_speech_with_ssml_looking_text_is_escaped_when_spoken():
    from backend.services.turns import Line, Turn
    from skill.render import speech_text, ssml

    turn = Turn((Line("notice_item", {"title": "<b>", "speech": "A & B <break/>"}),))
    text, _ = speech_text(turn)
    assert "&lt;break/&gt;" in ssml(text)
    assert "&amp;" in ssml(text)
