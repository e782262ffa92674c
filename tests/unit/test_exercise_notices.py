"""体操 notices: read on their days inside their time window only, validated like other notices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from notices.loader import SAMPLES_DIR, NoticeFileError, load_notice_file
from notices.model import NoticeKind, Priority, TimeWindow
from tests.builders import make_exercise, make_notice

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=JST)
TUESDAY = date(2026, 11, 24)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


def write(tmp_path, entry: str):
    path = tmp_path / "n.yaml"
    path.write_text(f'municipality_code: "032158"\nnotices:\n{entry}', encoding="utf-8")
    return path


def report_of(path) -> list[str]:
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(path, JST, NOW)
    return caught.value.report().splitlines()


TAISO = """  - id: taiso
    kind: 体操
    title: いきいき百歳体操
    time: "10:00"
    from: 2026-11-01
    recurrence: {weekdays: [火, 金]}
"""


def test_the_sample_has_a_hyakusai_taiso_on_tuesday_and_friday_read_from_ten_to_half_past_eleven():
    loaded = load_notice_file(SAMPLES_DIR / "032158.yaml", JST, NOW)
    taiso = next(n for n in loaded.notices if n.id == "032158/hyakusai-taiso")
    assert taiso.kind is NoticeKind.EXERCISE
    assert taiso.window == TimeWindow(time(10, 0), time(10, 0), time(11, 30))
    assert taiso.recurrence.describe() == "毎週火曜・金曜"
    assert taiso.speech == ""  # the invitation itself is the skill's own wording
    assert taiso.occurrence(at(TUESDAY, 10, 0)) == "2026-11-24"
    assert taiso.occurrence(at(TUESDAY, 11, 29)) == "2026-11-24"
    assert taiso.occurrence(at(date(2026, 11, 27), 10, 30)) == "2026-11-27"  # Friday


@pytest.mark.parametrize(
    "when",
    [at(TUESDAY, 9, 59), at(TUESDAY, 11, 30), at(TUESDAY, 15), at(date(2026, 11, 23), 10, 15)],
    ids=["before the window", "at its end", "in the afternoon", "on Monday"],
)
def test_an_exercise_is_not_due_outside_its_window_or_its_days(when):
    assert make_exercise().occurrence(when) is None


def test_an_exercise_is_due_in_a_window_that_begins_before_its_time_even_after_eleven():
    early = make_exercise(at=time(13, 30), start=time(13, 15), end=time(14, 30))
    assert early.occurrence(at(TUESDAY, 13, 15)) == "2026-11-24"
    assert early.occurrence(at(TUESDAY, 14, 0)) == "2026-11-24"  # a garbage day ends at 11:00


def test_without_a_window_the_exercise_is_read_for_ninety_minutes_from_its_time(tmp_path):
    (notice,) = load_notice_file(write(tmp_path, TAISO), JST, NOW).notices
    assert notice.window == TimeWindow(time(10, 0), time(10, 0), time(11, 30))
    assert notice.screen_text == "いきいき百歳体操"  # the title when no screen text is written
    assert notice.priority is Priority.NORMAL


def test_kind_may_be_written_in_english_and_the_window_with_a_wave_dash(tmp_path):
    entry = TAISO.replace("kind: 体操", "kind: exercise") + '    window: "9:45〜11:00"\n'
    (notice,) = load_notice_file(write(tmp_path, entry), JST, NOW).notices
    assert notice.kind is NoticeKind.EXERCISE
    assert notice.window == TimeWindow(time(10, 0), time(9, 45), time(11, 0))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('time: "10:00"', "time: 10:00"),  # YAML reads it as the number 600
            ':6: notices[0].time: 時刻は "10:00" のように引用符つきで書いてください（600）',
        ),
        (
            ('time: "10:00"', 'time: "10:00"\n    window: "11:30-10:00"'),
            ":7: notices[0].window: 読み上げる時間帯の終わりは、始まりより後にしてください",
        ),
        (
            ('time: "10:00"', 'time: "10:00"\n    window: "10:30-11:30"'),
            ":7: notices[0].window: 体操の時刻は、読み上げる時間帯の中にしてください",
        ),
        (
            ('time: "10:00"', 'time: "10:00"\n    window: 朝のうち'),
            ':7: notices[0].window: 時間帯は "10:00-11:30" のように書いてください',
        ),
        (
            ("title: いきいき百歳体操", "title: いきいき百歳体操\n    priority: 重要"),
            ":6: notices[0].priority: 体操のお知らせは 通常 にしてください",
        ),
        (
            ("    recurrence: {weekdays: [火, 金]}\n", ""),
            ":4: notices[0].kind: 体操のお知らせには recurrence（曜日）が必要です",
        ),
        (
            ('    time: "10:00"\n', ""),
            ':4: notices[0].kind: 体操のお知らせには time（"10:00" のような時刻）が必要です',
        ),
        (
            ("kind: 体操", "kind: 運動"),
            ":4: notices[0].kind: 次のどれかにしてください: お知らせ, 体操",
        ),
        (
            ("kind: 体操", "kind: お知らせ"),
            ":3: notices[0].speech: 読み上げる文（speech）を書いてください",
        ),
    ],
    ids=[
        "unquoted time",
        "window backwards",
        "time outside the window",
        "window in words",
        "important",
        "no days",
        "no time",
        "unknown kind",
        "announcement without speech",
    ],
)
def test_a_bad_exercise_is_reported_with_file_line_path_and_message(tmp_path, change, expected):
    path = write(tmp_path, TAISO.replace(*change))
    assert report_of(path) == [f"{path}{expected}"]


def test_time_and_window_belong_to_exercises_only(tmp_path):
    entry = (
        "  - id: gomi\n    title: 燃えるごみの日\n    speech: 今日は燃えるごみの日です。\n"
        '    time: "08:00"\n    from: 2026-11-01\n'
    )
    path = write(tmp_path, entry)
    assert report_of(path) == [
        f"{path}:6: notices[0].time: time は、kind が 体操 のお知らせだけに書けます"
    ]


def test_the_model_refuses_an_exercise_without_a_window_and_an_announcement_with_one():
    with pytest.raises(ValueError, match="時刻と読み上げる時間帯が必要"):
        replace(make_exercise(), window=None)
    with pytest.raises(ValueError, match="体操のお知らせだけ"):
        replace(make_notice(), window=TimeWindow(time(10), time(10), time(11)))
    with pytest.raises(ValueError, match="通常"):
        replace(make_exercise(), priority=Priority.IMPORTANT)


def test_the_window_reads_in_japanese_for_staff():
    assert make_exercise().window.describe() == "10:00から（10:00〜11:30に読み上げ）"
