"""Notice files: the samples load; bad files say which file, which line, which path, what."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notices.loader import SAMPLES_DIR, NoticeFileError, load_notice_file
from notices.model import ONCE, NoticeStatus, Priority

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=JST)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "notices"


def test_the_demo_sample_loads_with_a_garbage_day_on_monday_and_thursday():
    loaded = load_notice_file(SAMPLES_DIR / "032158.yaml", JST, NOW)
    assert loaded.municipality_code == "032158"
    gomi = next(n for n in loaded.notices if n.id == "032158/moeru-gomi")
    assert gomi.status is NoticeStatus.PUBLISHED
    assert gomi.priority is Priority.NORMAL
    assert gomi.recurrence.describe() == "毎週月曜・木曜"
    assert gomi.occurrence(datetime(2026, 11, 23, 7, 30, tzinfo=JST)) == "2026-11-23"
    assert gomi.occurrence(datetime(2026, 11, 24, 7, 30, tzinfo=JST)) is None
    # "to: 2027-03-31" counts the whole last day.
    assert gomi.ends_at == datetime(2027, 4, 1, tzinfo=JST)


def test_times_and_drafts_are_read_as_written(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text(
        'municipality_code: "032158"\nnotices:\n  - id: kinkyu\n    title: 避難指示\n'
        "    priority: 災害\n    speech: 避難してください。\n    from: 2026-11-23T06:00\n"
        "    draft: true\n",
        encoding="utf-8",
    )
    (notice,) = load_notice_file(path, JST, NOW).notices
    assert notice.starts_at == datetime(2026, 11, 23, 6, 0, tzinfo=JST)
    assert notice.status is NoticeStatus.DRAFT
    assert notice.published_at is None
    assert notice.screen_text == "避難してください。"
    assert notice.priority is Priority.DISASTER


def test_every_problem_of_a_bad_file_is_reported_with_file_line_and_path():
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(FIXTURES / "bad_fields.yaml", JST, NOW)
    report = caught.value.report().splitlines()
    file = str(FIXTURES / "bad_fields.yaml")
    assert f"{file}:5: notices[0].priority: 次のどれかにしてください: 通常, 重要, 災害" in report
    assert any(line.startswith(f"{file}:9: notices[0].recurrence.weekdays:") for line in report)
    assert len(report) == 2  # schema errors stop before the cross-checks


def test_duplicate_ids_and_an_end_before_the_start_are_reported(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text(
        (FIXTURES / "bad_fields.yaml")
        .read_text(encoding="utf-8")
        .replace("緊急", "通常")
        .replace("[月, 八]", "[月]"),
        encoding="utf-8",
    )
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(path, JST, NOW)
    assert caught.value.report().splitlines() == [
        f"{path}:10: notices[1].id: id 'gomi' が重複しています",
    ]
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "id: gomi\n    title: 重複", "id: b\n    title: 重複"
        ),
        encoding="utf-8",
    )
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(path, JST, NOW)
    assert caught.value.report() == f"{path}:14: notices[1].to: to は from より後にしてください"


def test_broken_yaml_names_the_line():
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(FIXTURES / "bad_yaml.yaml", JST, NOW)
    assert caught.value.report().startswith(
        f"{FIXTURES / 'bad_yaml.yaml'}:5: (全体): YAML として読めません"
    )


def test_an_impossible_date_is_reported_at_its_path(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text(
        'municipality_code: "032159"\nnotices:\n  - id: a\n    title: t\n    speech: s\n'
        "    from: 2026-13-01\n",
        encoding="utf-8",
    )
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(path, JST, NOW)
    lines = caught.value.report().splitlines()
    assert lines[0].startswith(f"{path}:6: notices[0].from: 日付（2026-12-01）か日時")


def test_a_wrong_municipality_code_is_reported(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text(
        'municipality_code: "032159"\nnotices:\n  - id: a\n    title: t\n    speech: s\n'
        "    from: 2026-11-01\n",
        encoding="utf-8",
    )
    with pytest.raises(NoticeFileError) as caught:
        load_notice_file(path, JST, NOW)
    assert caught.value.report() == f"{path}:1: municipality_code: 検査数字が一致しません"


def test_a_notice_without_recurrence_is_heard_once():
    loaded = load_notice_file(SAMPLES_DIR / "032158.yaml", JST, NOW)
    taiso = next(n for n in loaded.notices if n.id == "032158/kenko-taiso")
    assert taiso.occurrence(datetime(2026, 11, 25, 9, tzinfo=JST)) == ONCE
    assert taiso.audience.districts == ("水沢",)
    assert taiso.starts_at.date() == date(2026, 11, 25)
