"""`mimamori import readings` and `mimamori export alerts|checkins` on a real SQLite file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.bootstrap import sql_uow_factory
from backend.cli import main
from backend.domain.model import ReadingKind

FIXTURES = Path(__file__).parents[1] / "fixtures" / "readings"
MONDAY_MORNING = "2026-11-23T07:30:00"
DEMO_ELDERS = ["demo-elder-1", "demo-elder-2", "demo-elder-3", "demo-elder-4"]
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'mimamori.db'}"
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", url)
    for name in ("ALEXA_SKILL_ID", "SECRET_KEY", "STORE", "TIMEZONE"):
        monkeypatch.delenv(f"MIMAMORI_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    seeded = run("demo", "--no-serve")
    assert seeded.exit_code == 0, seeded.output
    return url


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def stored_readings(url: str) -> dict[str, int]:
    with sql_uow_factory(url)() as uow:
        return {
            kind.value: sum(
                len(found)
                for found in uow.readings.list_for_elders(DEMO_ELDERS, kind, *WINDOW).values()
            )
            for kind in ReadingKind
        }


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_importing_a_readings_file_stores_it_once(env):
    path = str(FIXTURES / "good.csv")

    first = run("import", "readings", path)

    assert first.exit_code == 0, first.output
    assert "7 行を確認しました（新規 7 件、取り込み済み 0 件）" in first.stdout
    assert stored_readings(env) == {
        "weight": 2,
        "steps": 1,
        "activity_minutes": 2,
        "blood_pressure": 2,
    }
    with sql_uow_factory(env)() as uow:
        (pressure,) = uow.readings.list_for_elders(
            ["demo-elder-1"], ReadingKind.BLOOD_PRESSURE, *WINDOW
        )["demo-elder-1"]
    assert pressure.value == {"systolic": 128, "diastolic": 82}
    assert pressure.source == "import"
    assert pressure.measured_at == datetime(2026, 11, 19, 22, 6, tzinfo=UTC)  # 07:06 JST

    again = run("import", "readings", path)

    assert again.exit_code == 0, again.output
    assert "新規 0 件、取り込み済み 7 件" in again.stdout
    assert sum(stored_readings(env).values()) == 7


def test_a_file_with_a_bom_is_imported(env):
    result = run("import", "readings", str(FIXTURES / "bom.csv"))

    assert result.exit_code == 0, result.output
    assert "新規 2 件" in result.stdout


def test_a_bad_file_prints_every_problem_and_imports_nothing(env):
    path = str(FIXTURES / "bad.csv")

    result = run("import", "readings", path)

    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert len(problems) == 19
    assert problems[0] == f"{path}:3: elder_id: 登録されていない利用者 ID です"
    assert f"{path}:17: measured_at: 2 行目と同じ利用者・種類・日時です" in problems
    assert "19 件の誤りがあります。何も取り込んでいません。" in result.stderr
    assert sum(stored_readings(env).values()) == 0


def test_a_missing_file_is_a_clear_error(env):
    result = run("import", "readings", "nowhere.csv")

    assert result.exit_code == 1
    assert "nowhere.csv: ファイルを読めません" in result.stderr


def test_checkins_are_exported_after_a_talk(env, tmp_path):
    said = "\n".join(
        [
            "あとで",  # the demo's garbage-day notice: after the check-in
            "元気だよ",
            "ぐっすり",
            "飲んだよ",
            "食べたよ",
            "上が128で下が82",
            "はい",
            "52点5キロ",
            "はい",
        ]
    )
    talked = run("talk", "--device", "demo-1", "--now", MONDAY_MORNING, input=said + "\n")
    assert talked.exit_code == 0, talked.output

    result = run("export", "checkins", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "elder_id,date,slot,status,started_at,completed_at,answered"
    )
    (row,) = rows_of(result.stdout)
    assert row["elder_id"] == "demo-elder-1"
    assert (row["date"], row["slot"], row["status"]) == ("2026-11-23", "morning", "completed")
    assert row["started_at"].startswith("2026-11-23T07:30")
    assert row["started_at"].endswith("+09:00")
    assert row["completed_at"].startswith("2026-11-23T07:")
    assert row["answered"] == "6"
    assert "山田" not in result.stdout
    assert "1 件を書き出しました" in result.stderr

    out = tmp_path / "checkins.csv"
    to_file = run(
        "export",
        "checkins",
        "--since",
        "2026-11-23",
        "--until",
        "2026-11-23",
        "-o",
        str(out),
        "--bom",
    )
    assert to_file.exit_code == 0, to_file.output
    assert to_file.stdout == ""
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfelder_id,")
    assert b"\r\n" in data
    assert rows_of(data.decode("utf-8-sig")) == [row]

    before = run("export", "checkins", "--until", "2026-11-22")
    assert rows_of(before.stdout) == []


def test_alerts_export_is_the_header_alone_when_there_are_none(env):
    result = run("export", "alerts")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "id,elder_id,rule,period,severity,status,created_at,claimed_by,claimed_at,"
        "outcome,resolved_at\n"
    )
    assert "0 件を書き出しました" in result.stderr
    noted = run("export", "alerts", "--with-notes")
    assert noted.stdout.splitlines()[0].endswith(",resolved_at,note")


def test_export_options_are_checked(env):
    wrong_format = run("export", "alerts", "--format", "xlsx")
    assert wrong_format.exit_code == 2
    assert "xlsx" in wrong_format.stderr

    backwards = run("export", "checkins", "--since", "2026-11-02", "--until", "2026-11-01")
    assert backwards.exit_code == 1
    assert "より後です" in backwards.stderr

    bad_date = run("export", "alerts", "--since", "11/01/2026")
    assert bad_date.exit_code == 2


def test_the_help_names_the_commands_and_says_exports_carry_no_names():
    top = run("--help").output
    assert "import" in top
    assert "export" in top
    export_help = run("export", "--help").output
    assert "ids only" in export_help
    assert "no personal data" in export_help
    assert "alerts" in export_help
    assert "checkins" in export_help
    assert "elder_id,measured_at,kind,value,value2" in run("import", "readings", "--help").output
