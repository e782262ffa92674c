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


def test_jobs_run_lists_every_job_and_erases_a_withdrawn_elder_after_the_retention(
    env,
    moto_endpoint,  # noqa: F811
):
    from backend.bootstrap import bootstrap
    from backend.domain.model import StaffRole, WithdrawalMethod
    from backend.services import privacy
    from backend.settings import Settings
    from tests.builders import jst, make_user

    run("demo", "--no-serve")
    operator = make_user(
        "op", login="op", role=StaffRole.OPERATOR, municipality_code=None, center_id=None
    )
    withdrawn_at = jst(MONDAY, 6, 30)
    services = bootstrap(Settings(), clock=lambda: withdrawn_at)
    privacy.withdraw_consent(services, operator, "demo-elder-1", WithdrawalMethod.WRITTEN, "届出")
    early = run("jobs", "run", "--now", "2027-11-21T12:00:00")
    assert early.exit_code == 0, early.output
    names = [line.split(":")[0] for line in early.output.splitlines() if ": " in line]
    assert names == [
        "sweep-alerts",
        "escalate-alerts",
        "family-summaries",
        "deliver-outbox",
        "process-line-inbox",
        "erase-withdrawn",
    ]
    assert "erased=()" in early.output
    later = run("jobs", "run", "--now", "2027-11-23T12:00:00")
    assert later.exit_code == 0, later.output
    assert "erased=('demo-elder-1',)" in later.output
    with uow(env, moto_endpoint) as unit:
        elder = unit.elders.get("demo-elder-1")
        assert elder.name == privacy.ERASED_NAME
        assert elder.consent.withdrawal.erased_at is not None
        assert unit.privacy.pairing_codes_for("demo-elder-1") == []
        assert unit.privacy.family_messages_for("demo-elder-1") == []
        assert all(r.address == "" for r in unit.recipients.list_for_elder("demo-elder-1"))
        assert unit.devices.bound_since(["demo-elder-1", "demo-elder-2"]).keys() == {"demo-elder-2"}
        assert all(a.raw == "" for a in unit.answers.list_for_elder("demo-elder-1", *_YEARS))
        assert unit.recipients.list_for_elder("demo-elder-2")[0].address != ""
    again = run("jobs", "run", "--now", "2027-11-23T13:00:00")
    assert "erased=()" in again.output


_YEARS = (date(2020, 1, 1), date(2030, 1, 1))
