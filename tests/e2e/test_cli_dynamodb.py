"""The newcomer's path on MIMAMORI_STORE=dynamodb: demo, talk and jobs run against moto."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from click.testing import CliRunner

from backend.bootstrap import dynamodb_uow_factory
from backend.cli import main
from backend.domain.model import AlertStatus
from backend.stores.dynamodb.table import make_client, table_exists
from tests.aws import moto_endpoint  # noqa: F401 - a fixture

MONDAY = date(2026, 11, 23)
MONDAY_MORNING = "2026-11-23T07:30:00"


@pytest.fixture
def env(tmp_path, monkeypatch, moto_endpoint):  # noqa: F811 - the imported fixture
    table = f"mimamori-cli-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MIMAMORI_STORE", "dynamodb")
    monkeypatch.setenv("MIMAMORI_DYNAMODB_TABLE", table)
    monkeypatch.setenv("MIMAMORI_AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    for name in ("ALEXA_SKILL_ID", "SECRET_KEY"):
        monkeypatch.delenv(f"MIMAMORI_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    yield table
    assert not (tmp_path / "unused.db").exists()  # nothing went to the SQL store


def uow(table, endpoint):
    return dynamodb_uow_factory(table, endpoint)()


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_db_upgrade_creates_the_table_once(env, moto_endpoint):  # noqa: F811
    client = make_client(moto_endpoint)
    assert not table_exists(client, env)
    first = run("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"DynamoDB table {env}" in first.output
    assert table_exists(client, env)
    again = run("db", "upgrade")
    assert again.exit_code == 0, again.output
    with uow(env, moto_endpoint) as unit:
        assert unit.municipalities.get("032158") is None


def test_demo_seeds_once(env, moto_endpoint):  # noqa: F811
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "作成しました" in first.output
    second = run("demo", "--no-serve")
    assert second.exit_code == 0, second.output
    assert "作成しました" not in second.output
    with uow(env, moto_endpoint) as unit:
        assert len(unit.elders.list_for_center("demo-center")) == 4


def test_talk_completes_a_morning_check_in_stored_in_dynamodb(env, moto_endpoint):  # noqa: F811
    run("demo", "--no-serve")
    said = ["あとで", "元気だよ", "ぐっすり", "飲んだよ", "食べたよ", "上が128で下が82"]
    said += ["はい", "52点5キロ", "はい"]
    result = run("talk", "--device", "demo-1", "--now", MONDAY_MORNING, input="\n".join(said))
    assert result.exit_code == 0, result.output
    assert "山田 ハナさん、おはようございます。" in result.output
    assert "おしまい" in result.output
    with uow(env, moto_endpoint) as unit:
        day = unit.checkins.list_for_elder("demo-elder-1", MONDAY, MONDAY)
        assert [c.status.value for c in day] == ["completed"]
        answers = {a.question_id: a.value for a in unit.answers.list_for_checkin(day[0].id)}
    assert answers == {
        "condition": "good",
        "sleep": "slept_well",
        "medication": True,
        "breakfast": "ate",
        "blood_pressure": {"systolic": 128, "diastolic": 82},
        "weight": 52.5,
    }


def test_jobs_run_opens_alerts_once_on_dynamodb(env, moto_endpoint):  # noqa: F811
    run("demo", "--no-serve")
    first = run("jobs", "run", "--now", "2099-01-02T13:31:00")
    assert first.exit_code == 0, first.output
    assert "sweep-alerts: SweepReport(elders=4, opened=" in first.output
    assert "opened=0" not in first.output.splitlines()[0]
    second = run("jobs", "run", "--now", "2099-01-02T13:31:00")
    assert second.exit_code == 0, second.output
    assert "opened=0, escalated=0, messages=0" in second.output
    with uow(env, moto_endpoint) as unit:
        opened = unit.alerts.list_for_center("demo-center", list(AlertStatus))
    assert opened
    assert {a.elder_id for a in opened} <= {f"demo-elder-{i}" for i in range(1, 5)}
