"""Readings imported from CSV (all or nothing, every problem reported) and CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backend.domain.model import (
    AlertStatus,
    CheckInStatus,
    ElderStatus,
    Outcome,
    ReadingKind,
    Severity,
)
from backend.services import csv_exports, readings_import
from backend.services.context import Services
from backend.services.readings_import import ReadingsFileError
from tests.builders import (
    OTHER_MUNICIPALITY_CODE,
    jst,
    make_alert,
    make_answer,
    make_center,
    make_checkin,
    make_elder,
    seed,
)
from tests.fakes import FakeUnitOfWork

FIXTURES = Path(__file__).parents[1] / "fixtures" / "readings"
TOKYO = ZoneInfo("Asia/Tokyo")
HEADER = "elder_id,measured_at,kind,value,value2\n"


@pytest.fixture
def elders(store):
    with FakeUnitOfWork(store) as uow:
        seed(
            uow,
            *(make_elder(f"demo-elder-{n}", name=f"利用者{n}") for n in (1, 2, 3)),
            make_elder("no-consent", consent=None),
            make_elder("ended", status=ElderStatus.ENDED),
        )
        uow.commit()


def write(tmp_path: Path, text: str, name: str = "readings.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(svc: Services, path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ReadingsFileError) as caught:
        readings_import.import_readings(svc, path)
    return [(p.line, p.column) for p in caught.value.problems]


def readings(store) -> dict[tuple[str, str, datetime], object]:
    return {key: r.value for key, r in store.state.readings.items()}


# Import: good files -------------------------------------------------------------------------


@pytest.mark.usefixtures("elders")
def test_a_good_file_is_imported_in_one_go_with_the_values_typed(services, store):
    report = readings_import.import_readings(services, FIXTURES / "good.csv")

    assert (report.rows, report.new, report.already_present) == (7, 7, 0)
    assert readings(store) == {
        ("demo-elder-1", "weight", datetime(2026, 11, 20, 7, 5, tzinfo=TOKYO)): 52.4,
        ("demo-elder-1", "blood_pressure", datetime(2026, 11, 20, 7, 6, tzinfo=TOKYO)): {
            "systolic": 128,
            "diastolic": 82,
        },
        ("demo-elder-1", "steps", datetime(2026, 11, 20, 21, 0, tzinfo=TOKYO)): 4210,
        ("demo-elder-1", "activity_minutes", datetime(2026, 11, 20, 21, 0, tzinfo=TOKYO)): 45,
        ("demo-elder-2", "weight", datetime(2026, 11, 19, 22, 10, tzinfo=UTC)): 61.0,
        ("demo-elder-2", "blood_pressure", datetime(2026, 11, 20, 7, 10, tzinfo=TOKYO)): {
            "systolic": 142,
            "diastolic": 88,
        },
        ("demo-elder-3", "activity_minutes", datetime(2026, 11, 21, 6, 55, tzinfo=TOKYO)): 32.5,
    }
    stored = list(store.state.readings.values())
    assert {r.source for r in stored} == {"import"}
    steps = next(r for r in stored if r.kind is ReadingKind.STEPS)
    assert type(steps.value) is int
    pressure = next(r for r in stored if r.kind is ReadingKind.BLOOD_PRESSURE)
    assert {type(v) for v in pressure.value.values()} == {int}


@pytest.mark.usefixtures("elders")
def test_importing_the_same_file_again_adds_nothing(services, store):
    readings_import.import_readings(services, FIXTURES / "good.csv")
    before = readings(store)

    again = readings_import.import_readings(services, FIXTURES / "good.csv")

    assert (again.rows, again.new, again.already_present) == (7, 0, 7)
    assert readings(store) == before


@pytest.mark.usefixtures("elders")
def test_a_file_that_overlaps_an_earlier_import_adds_only_the_new_rows(services, store, tmp_path):
    readings_import.import_readings(services, FIXTURES / "good.csv")
    more = write(
        tmp_path,
        HEADER
        + "demo-elder-1,2026-11-20T07:05,weight,52.4,\n"  # already there
        + "demo-elder-1,2026-11-21T07:05,weight,52.2,\n",
    )

    report = readings_import.import_readings(services, more)

    assert (report.rows, report.new, report.already_present) == (2, 1, 1)
    assert len(store.state.readings) == 8


@pytest.mark.usefixtures("elders")
def test_a_file_with_a_bom_and_crlf_line_ends_is_read(services, store):
    assert (FIXTURES / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    report = readings_import.import_readings(services, FIXTURES / "bom.csv")

    assert (report.rows, report.new) == (2, 2)
    assert readings(store) == {
        ("demo-elder-1", "weight", datetime(2026, 11, 18, 7, 0, tzinfo=TOKYO)): 52.8,
        ("demo-elder-2", "steps", datetime(2026, 11, 18, 21, 30, tzinfo=TOKYO)): 3900,
    }


@pytest.mark.usefixtures("elders")
def test_naive_times_are_in_the_deployment_zone_and_aware_ones_keep_their_offset(
    services, store, tmp_path
):
    path = write(
        tmp_path,
        HEADER
        + "demo-elder-1,2026-11-20T07:00,weight,52.4,\n"
        + "demo-elder-1,2026-11-20T07:00:00+00:00,steps,10,\n"
        + "demo-elder-1,2026-11-20T07:00:00-05:00,activity_minutes,10,\n",
    )

    readings_import.import_readings(services, path)

    by_kind = {kind: at for (_, kind, at) in store.state.readings}
    assert by_kind["weight"] == datetime(2026, 11, 19, 22, 0, tzinfo=UTC)
    assert by_kind["weight"].utcoffset() == timedelta(hours=9)
    assert by_kind["steps"] == datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    assert by_kind["activity_minutes"] == datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.usefixtures("elders")
def test_a_naive_time_and_an_aware_time_of_the_same_instant_are_a_duplicate(services, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "demo-elder-1,2026-11-20T07:00,weight,52.4,\n"
        + "demo-elder-1,2026-11-19T22:00:00Z,weight,52.4,\n",
    )

    with pytest.raises(ReadingsFileError) as caught:
        readings_import.import_readings(services, path)

    (problem,) = caught.value.problems
    assert str(problem) == f"{path}:3: measured_at: 2 行目と同じ利用者・種類・日時です"


@pytest.mark.usefixtures("elders")
def test_naive_times_follow_the_configured_zone(services, store, tmp_path):
    utc_services = Services(
        uow=services.uow, question_sets=services.question_sets, clock=services.clock, tz=UTC
    )
    path = write(tmp_path, HEADER + "demo-elder-1,2026-11-20T07:00,weight,52.4,\n")

    readings_import.import_readings(utc_services, path)

    ((_, _, at),) = store.state.readings
    assert at == datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


@pytest.mark.usefixtures("elders")
def test_the_value2_column_may_be_left_out_and_short_rows_lack_only_value2(
    services, store, tmp_path
):
    without = write(
        tmp_path,
        "elder_id,measured_at,kind,value\ndemo-elder-1,2026-11-20T07:00,weight,52.4\n",
        "without.csv",
    )
    short = write(
        tmp_path,
        HEADER + "demo-elder-1,2026-11-20T08:00,weight,52.4\n\n",  # and a blank line at the end
        "short.csv",
    )

    assert readings_import.import_readings(services, without).new == 1
    assert readings_import.import_readings(services, short).new == 1


@pytest.mark.usefixtures("elders")
def test_columns_may_come_in_any_order_and_kind_names_ignore_case(services, store, tmp_path):
    path = write(
        tmp_path,
        " Kind , VALUE2,value,elder_id,measured_at\nBP,80,120,demo-elder-2,2026-11-20 06:30\n",
    )

    readings_import.import_readings(services, path)

    ((key, reading),) = store.state.readings.items()
    assert key[:2] == ("demo-elder-2", "blood_pressure")
    assert reading.value == {"systolic": 120, "diastolic": 80}


@pytest.mark.usefixtures("elders")
def test_a_time_a_few_minutes_ahead_is_accepted_but_not_more(services, clock, tmp_path):
    soon = (clock.now + timedelta(minutes=3)).isoformat()
    later = (clock.now + timedelta(minutes=10)).isoformat()
    ok = write(tmp_path, HEADER + f"demo-elder-1,{soon},weight,52.4,\n", "ok.csv")
    ahead = write(tmp_path, HEADER + f"demo-elder-1,{later},weight,52.4,\n", "ahead.csv")

    assert readings_import.import_readings(services, ok).new == 1
    assert problems_of(services, ahead) == [(2, "measured_at")]


# Import: bad files -------------------------------------------------------------------------


@pytest.mark.usefixtures("elders")
def test_every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_stored(services, store):
    path = FIXTURES / "bad.csv"

    with pytest.raises(ReadingsFileError) as caught:
        readings_import.import_readings(services, path)

    assert [(p.line, p.column) for p in caught.value.problems] == [
        (3, "elder_id"),  # unknown elder
        (4, "measured_at"),  # not ISO 8601
        (5, "measured_at"),  # a date without a time
        (6, "kind"),  # unknown kind
        (7, "value"),  # "52.4kg"
        (8, "value"),  # 250 kg
        (9, "value"),  # 4210.5 steps
        (10, "value"),  # -5 steps
        (11, "value"),  # 1500 activity minutes
        (12, "value"),  # systolic 300
        (13, "value2"),  # no diastolic
        (14, "value2"),  # systolic not above diastolic
        (15, "value2"),  # value2 on a weight
        (16, "-"),  # two cells only
        (17, "measured_at"),  # the same elder, kind and instant as line 2
        (18, "measured_at"),  # in the future
        (19, "elder_id"),  # empty
        (20, "-"),  # a cell too many
        (21, "value"),  # nan
    ]
    assert store.state.readings == {}
    report = caught.value.report().splitlines()
    assert report[0] == f"{path}:3: elder_id: 登録されていない利用者 ID です"
    assert f"{path}:8: value: 範囲外です（20〜200 kg）" in report
    assert f"{path}:10: value: 範囲外です（0〜100,000 歩）" in report
    assert f"{path}:11: value: 範囲外です（0〜1,440 分）" in report
    assert f"{path}:12: value: 範囲外です（60〜260 mmHg（最高血圧））" in report
    assert f"{path}:16: -: 列が足りません（見出しは 5 列、この行は 2 列）" in report
    assert f"{path}:17: measured_at: 2 行目と同じ利用者・種類・日時です" in report


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("demo-elder-1,2026-11-20T07:00,weight,19.9,", "value", "範囲外です（20〜200 kg）"),
        ("demo-elder-1,2026-11-20T07:00,weight,200.1,", "value", "範囲外です（20〜200 kg）"),
        ("demo-elder-1,2026-11-20T07:00,weight,,", "value", "空です"),
        ("demo-elder-1,2026-11-20T07:00,weight,inf,", "value", "数値ではありません"),
        ("demo-elder-1,2026-11-20T07:00,steps,100001,", "value", "範囲外です"),
        ("demo-elder-1,2026-11-20T07:00,activity_minutes,-1,", "value", "範囲外です"),
        ("demo-elder-1,2026-11-20T07:00,blood_pressure,59,40", "value", "範囲外です"),
        ("demo-elder-1,2026-11-20T07:00,blood_pressure,120,29", "value2", "範囲外です"),
        ("demo-elder-1,2026-11-20T07:00,blood_pressure,170,161", "value2", "範囲外です"),
        ("demo-elder-1,2026-11-20T07:00,blood_pressure,120.5,80", "value", "整数ではありません"),
        ("demo-elder-1,2026-11-20T07:00,blood_pressure,120,abc", "value2", "数値ではありません"),
        ("demo-elder-1,2026-11-20T07:00,blood_pressure,80,80", "value2", "より高くありません"),
        ("demo-elder-1,,weight,52.4,", "measured_at", "空です"),
        ("demo-elder-1,20261120,weight,52.4,", "measured_at", "時刻がありません"),
        ("demo-elder-1,2026-11-31T07:00,weight,52.4,", "measured_at", "日時として読めません"),
        ("demo-elder-1,2026-11-20T07:00,,52.4,", "kind", "空です"),
        ("demo-elder-1,2026-11-20T07:00,temperature,36.5,", "kind", "不明な種類です"),
        ("no-consent,2026-11-20T07:00,weight,52.4,", "elder_id", "同意が記録されていない"),
        ("ended,2026-11-20T07:00,weight,52.4,", "elder_id", "終了・停止中"),
    ],
)
@pytest.mark.usefixtures("elders")
def test_each_kind_of_bad_value_is_named(services, store, tmp_path, row, column, message):
    path = write(tmp_path, HEADER + "demo-elder-2,2026-11-20T07:00,weight,61.0,\n" + row + "\n")

    with pytest.raises(ReadingsFileError) as caught:
        readings_import.import_readings(services, path)

    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, column)
    assert message in problem.message
    assert store.state.readings == {}


@pytest.mark.usefixtures("elders")
def test_a_row_with_an_unknown_elder_and_a_bad_value_gets_both_problems(services, tmp_path):
    path = write(tmp_path, HEADER + "nobody,2026-11-20T07:00,weight,abc,\n")

    assert problems_of(services, path) == [(2, "elder_id"), (2, "value")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, "-")]),
        (HEADER, [(2, "-")]),
        (
            "elder_id,measured_at,kind,systolic,diastolic\ndemo-elder-1,2026-11-20T07:00,bp,120,80\n",
            [(1, "systolic"), (1, "diastolic"), (1, "value")],
        ),
        ("elder_id,measured_at,value\n", [(1, "kind")]),
        ("elder_id,measured_at,kind,value,value\n", [(1, "value")]),
        (HEADER + 'demo-elder-1,"2026-11-20T07:00,weight,52.4,\n', [(2, "-")]),
    ],
    ids=["empty", "header-only", "other-header", "missing-column", "repeated-column", "bad-quote"],
)
@pytest.mark.usefixtures("elders")
def test_a_wrong_header_or_shape_is_reported(services, store, tmp_path, text, expected):
    path = write(tmp_path, text)

    assert problems_of(services, path) == expected
    assert store.state.readings == {}


@pytest.mark.usefixtures("elders")
def test_a_file_in_shift_jis_is_refused_at_the_line_it_stops_being_utf8(services, tmp_path):
    text = HEADER + "demo-elder-1,2026-11-20T07:00,weight,52.4,\n# 体重計の記録\n"
    path = write(tmp_path, text, encoding="shift_jis")

    with pytest.raises(ReadingsFileError) as caught:
        readings_import.import_readings(services, path)

    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, "-")
    assert "UTF-8" in problem.message


def test_a_missing_file_raises_oserror(services, tmp_path):
    with pytest.raises(OSError):  # noqa: PT011 (the CLI turns it into a message)
        readings_import.import_readings(services, tmp_path / "nowhere.csv")


# Exports ----------------------------------------------------------------------------------


def parse(rows) -> list[dict[str, str]]:
    out = io.StringIO()
    csv_exports.write_csv(rows, out)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


@pytest.fixture
def two_centers(store):
    other = make_center("center-2", municipality_code=OTHER_MUNICIPALITY_CODE, name="ほか")
    with FakeUnitOfWork(store) as uow:
        seed(
            uow,
            make_elder("elder-a"),
            make_elder("elder-b", center_id="center-2", municipality_code=OTHER_MUNICIPALITY_CODE),
            centers=(other,),
        )
        uow.commit()


@pytest.mark.usefixtures("two_centers")
def test_alerts_of_every_center_are_exported_by_creation_time_with_ids_only(services, store):
    with FakeUnitOfWork(store) as uow:
        uow.alerts.add_if_absent(
            make_alert(
                "alert-2",
                elder_id="elder-b",
                created_at=jst(date(2026, 11, 21), 10),
                severity=Severity.URGENT,
                status=AlertStatus.RESOLVED,
                claimed_by="staff:user-1",
                claimed_at=jst(date(2026, 11, 21), 10, 5),
                outcome=Outcome.REACHED,
                note='=HYPERLINK("http://example.com")',
                resolved_at=jst(date(2026, 11, 21), 11),
            )
        )
        uow.alerts.add_if_absent(
            make_alert("alert-1", elder_id="elder-a", created_at=jst(date(2026, 11, 20), 9))
        )
        uow.commit()

    rows = parse(csv_exports.alert_note_rows(services))

    assert [r["id"] for r in rows] == ["alert-1", "alert-2"]
    assert list(rows[0]) == list(csv_exports.ALERT_NOTE_COLUMNS)
    assert rows[1] == {
        "id": "alert-2",
        "elder_id": "elder-b",
        "rule": "missed_checkin",
        "period": "2025-04-01/morning",
        "severity": "urgent",
        "status": "resolved",
        "created_at": "2026-11-21T10:00:00+09:00",
        "claimed_by": "staff:user-1",
        "claimed_at": "2026-11-21T10:05:00+09:00",
        "outcome": "連絡がついた",
        "note": '\'=HYPERLINK("http://example.com")',  # never run as a formula
        "resolved_at": "2026-11-21T11:00:00+09:00",
    }
    assert rows[0]["claimed_by"] == rows[0]["outcome"] == rows[0]["resolved_at"] == ""
    ids_only = parse(csv_exports.alert_rows(services))
    assert "note" not in ids_only[1]
    assert ids_only[1] == {k: v for k, v in rows[1].items() if k != "note"}


@pytest.mark.usefixtures("two_centers")
def test_alerts_are_filtered_by_local_creation_date_and_municipality(services, store):
    with FakeUnitOfWork(store) as uow:
        # 2026-11-19 23:30 JST is 14:30 UTC: a local date of the 19th.
        at = datetime(2026, 11, 19, 14, 30, tzinfo=UTC)
        uow.alerts.add_if_absent(make_alert("early", elder_id="elder-a", created_at=at))
        uow.alerts.add_if_absent(
            make_alert("mid", elder_id="elder-a", period="p2", created_at=jst(date(2026, 11, 20)))
        )
        uow.alerts.add_if_absent(
            make_alert("late", elder_id="elder-b", created_at=jst(date(2026, 11, 22)))
        )
        uow.commit()

    def ids(**kwargs) -> list[str]:
        return [r["id"] for r in parse(csv_exports.alert_rows(services, **kwargs))]

    assert ids() == ["early", "mid", "late"]
    assert ids(since=date(2026, 11, 20)) == ["mid", "late"]
    assert ids(until=date(2026, 11, 19)) == ["early"]
    assert ids(since=date(2026, 11, 20), until=date(2026, 11, 21)) == ["mid"]
    assert ids(municipality_code=OTHER_MUNICIPALITY_CODE) == ["late"]


def test_an_empty_export_is_the_header_alone(services):
    out = io.StringIO()

    assert csv_exports.write_csv(csv_exports.alert_rows(services), out) == 0
    assert out.getvalue() == ",".join(csv_exports.ALERT_COLUMNS) + "\r\n"
    assert parse(csv_exports.checkin_rows(services)) == []


def test_a_period_that_ends_before_it_starts_is_refused_at_once(services):
    with pytest.raises(ValueError, match="より後です"):
        csv_exports.alert_rows(services, since=date(2026, 11, 2), until=date(2026, 11, 1))
    with pytest.raises(ValueError, match="より後です"):
        csv_exports.checkin_rows(services, since=date(2026, 11, 2), until=date(2026, 11, 1))


@pytest.mark.usefixtures("two_centers")
def test_checkins_are_exported_with_the_count_of_answered_questions(services, store):
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    with FakeUnitOfWork(store) as uow:
        uow.checkins.add(
            make_checkin(
                "c1",
                elder_id="elder-a",
                day=monday,
                status=CheckInStatus.COMPLETED,
                started_at=jst(monday, 7, 30),
                completed_at=jst(monday, 7, 34),
            )
        )
        uow.checkins.add(make_checkin("c2", elder_id="elder-a", day=tuesday, slot="evening"))
        uow.checkins.add(make_checkin("c3", elder_id="elder-b", day=monday))
        for question, skipped in (("condition", None), ("sleep", None), ("weight", "later")):
            uow.answers.add(
                make_answer(
                    checkin_id="c1",
                    elder_id="elder-a",
                    day=monday,
                    question_id=question,
                    value=None if skipped else "good",
                    skipped=skipped,
                )
            )
        uow.commit()

    rows = parse(csv_exports.checkin_rows(services))

    assert list(rows[0]) == list(csv_exports.CHECKIN_COLUMNS)
    assert rows[0] == {
        "elder_id": "elder-a",
        "date": "2026-11-23",
        "slot": "morning",
        "status": "completed",
        "started_at": "2026-11-23T07:30:00+09:00",
        "completed_at": "2026-11-23T07:34:00+09:00",
        "answered": "2",
    }
    assert [(r["elder_id"], r["date"], r["answered"]) for r in rows] == [
        ("elder-a", "2026-11-23", "2"),
        ("elder-a", "2026-11-24", "0"),
        ("elder-b", "2026-11-23", "0"),
    ]
    only_tuesday = parse(csv_exports.checkin_rows(services, since=tuesday, until=tuesday))
    assert [r["date"] for r in only_tuesday] == ["2026-11-24"]
    other = parse(csv_exports.checkin_rows(services, municipality_code=OTHER_MUNICIPALITY_CODE))
    assert [r["elder_id"] for r in other] == ["elder-b"]


@pytest.mark.usefixtures("elders")
def test_exports_carry_no_names(services, store):
    with FakeUnitOfWork(store) as uow:
        uow.alerts.add_if_absent(make_alert(elder_id="demo-elder-1", created_at=jst()))
        uow.checkins.add(make_checkin(elder_id="demo-elder-1"))
        uow.commit()
    out = io.StringIO()
    csv_exports.write_csv(csv_exports.alert_rows(services), out)
    csv_exports.write_csv(csv_exports.checkin_rows(services), out)

    assert "demo-elder-1" in out.getvalue()
    assert "利用者" not in out.getvalue()
    assert "やまだ" not in out.getvalue()


def test_times_are_written_in_the_deployment_zone(services, store):
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder())
        at = datetime(2026, 11, 20, 1, 0, tzinfo=timezone(timedelta(hours=-5)))
        uow.alerts.add_if_absent(make_alert(created_at=at))
        uow.commit()

    (row,) = parse(csv_exports.alert_rows(services))

    assert row["created_at"] == "2026-11-20T15:00:00+09:00"
