"""The newcomer's path: demo seeds, talk completes a morning check-in, answers are stored."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from backend.bootstrap import sql_uow_factory
from backend.cli import main
from backend.domain.model import AlertStatus
from backend.services.accounts import password_matches
from backend.services.demo import DEMO_STAFF_LOGIN

MONDAY = date(2026, 11, 23)
MONDAY_MORNING = "2026-11-23T07:30:00"


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'mimamori.db'}"
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", url)
    for name in ("ALEXA_SKILL_ID", "SECRET_KEY", "STORE"):
        monkeypatch.delenv(f"MIMAMORI_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def _password(output: str, login: str) -> str:
    return output.split(f"{login} / パスワード ")[1].split()[0]


def test_demo_seeds_once_prints_working_passwords_once_and_keeps_them(env):
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "山田 ハナ" in first.output
    code = first.output.split("ペアリングコード ")[1].split("（")[0]
    assert "ダッシュボード: http://127.0.0.1:8000/" in first.output
    staff, admin = _password(first.output, DEMO_STAFF_LOGIN), _password(first.output, "demo-admin")
    second = run("demo", "--no-serve")
    assert second.exit_code == 0
    assert "作成しました" not in second.output
    assert "パスワード " not in second.output  # no new password, and the first still works
    assert "mimamori demo --new-passwords" in second.output
    assert code not in second.output  # a code printed once is not shown again as if fresh
    assert "さんのページで発行できます" in second.output
    with sql_uow_factory(env)() as uow:
        user = uow.users.get_by_login(DEMO_STAFF_LOGIN)
        assert password_matches(user.password_hash, staff)
        assert password_matches(uow.users.get_by_login("demo-admin").password_hash, admin)
        assert len(uow.elders.list_for_center("demo-center")) == 4
    third = run("demo", "--no-serve", "--new-passwords")
    with sql_uow_factory(env)() as uow:
        user = uow.users.get_by_login(DEMO_STAFF_LOGIN)
        assert password_matches(user.password_hash, _password(third.output, DEMO_STAFF_LOGIN))


def test_the_alert_command_the_demo_prints_opens_an_alert(env):
    seeded = run("demo", "--no-serve")
    command = seeded.output.split("アラートを試すには: ")[1].split("（")[0].split()
    assert command[:3] == ["mimamori", "jobs", "run"]
    swept = run(*command[1:])
    assert swept.exit_code == 0, swept.output
    with sql_uow_factory(env)() as uow:
        found = uow.alerts.list_for_center("demo-center", tuple(AlertStatus))
    assert {a.rule for a in found} >= {"missed_checkin"}


def test_talk_completes_a_morning_check_in_and_the_answers_are_in_the_database(env):
    run("demo", "--no-serve")
    said = "\n".join(
        [
            "あとで",  # the demo's garbage-day notice (Monday): after the check-in
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
    result = run("talk", "--device", "demo-1", "--now", MONDAY_MORNING, input=said + "\n")
    assert result.exit_code == 0, result.output
    assert "山田 ハナさん、おはようございます。" in result.output
    assert "おしまい" in result.output
    # The notice kept for afterwards is read after the last answer, before the closing.
    after_last_answer = result.output.rsplit("よろしいですか", 1)[1]
    assert "燃えるごみの日" in after_last_answer.split("おしまい")[0]
    with sql_uow_factory(env)() as uow:
        day = uow.checkins.list_for_elder("demo-elder-1", MONDAY, MONDAY)
        assert [c.status.value for c in day] == ["completed"]
        answers = {a.question_id: a.value for a in uow.answers.list_for_checkin(day[0].id)}
    assert answers == {
        "condition": "good",
        "sleep": "slept_well",
        "medication": True,
        "breakfast": "ate",
        "blood_pressure": {"systolic": 128, "diastolic": 82},
        "weight": 52.5,
    }


def test_silence_twice_ends_the_talk_and_keeps_the_answers(env):
    run("demo", "--no-serve")
    result = run("talk", "--now", MONDAY_MORNING, input="あとで\n元気\n\n\n")
    assert "お返事がなければ" in result.output
    assert "セッションが終わりました" in result.output
    with sql_uow_factory(env)() as uow:
        (checkin,) = uow.checkins.list_for_elder("demo-elder-1", MONDAY, MONDAY)
        assert checkin.status.value == "partial"


def test_pairing_a_new_speaker_from_the_terminal(env):
    seeded = run("demo", "--no-serve")
    code = seeded.output.split("ペアリングコード ")[1].split("（")[0]
    result = run(
        "talk", "--device", "new", "--now", MONDAY_MORNING, input=f"コードは{code}\nストップ\n"
    )
    assert "田中 キヨさんのスピーカーとして、登録しました" in result.output


def test_db_upgrade_creates_the_schema(env):
    result = run("db", "upgrade")
    assert result.exit_code == 0
    with sql_uow_factory(env)() as uow:
        assert uow.municipalities.get("032158") is None


def test_jobs_run_now_opens_alerts_for_a_skipped_morning_and_is_idempotent(env):
    run("demo", "--no-serve")
    # The demo's speakers were bound "now", so run as of a later morning: every slot of the
    # look-back window after the binding is missed by the three paired elders.
    first = run("jobs", "run", "--now", "2099-01-02T13:31:00")
    assert first.exit_code == 0, first.output
    assert "sweep-alerts: SweepReport(elders=4, opened=" in first.output
    assert "opened=0" not in first.output.splitlines()[0]
    second = run("jobs", "run", "--now", "2099-01-02T13:31:00")
    assert "opened=0, escalated=0, messages=0" in second.output


def test_jobs_run_as_of_another_time_leaves_the_scheduler_s_heartbeat_alone(env):
    from backend import jobs

    run("db", "upgrade")
    assert run("jobs", "run", "--now", "2099-01-02T13:31:00").exit_code == 0
    with sql_uow_factory(env)() as uow:
        assert uow.job_runs.last_run(jobs.HEARTBEAT) is None
    assert run("jobs", "run").exit_code == 0  # as of now: cron's run marks it
    with sql_uow_factory(env)() as uow:
        assert uow.job_runs.last_run(jobs.HEARTBEAT) is not None


def test_jobs_run_refuses_a_bad_time(env):
    result = CliRunner().invoke(main, ["jobs", "run", "--now", "yesterday"])
    assert result.exit_code != 0
    assert "ISO 8601" in result.output


def test_user_token_issues_a_token_for_the_json_api_and_revokes_it(env):
    from backend.bootstrap import bootstrap
    from backend.services import staff_auth
    from backend.settings import Settings

    run("demo", "--no-serve")
    issued = run("user", "token", "--login", DEMO_STAFF_LOGIN, "--name", "集計")
    assert issued.exit_code == 0, issued.output
    secret = issued.output.split("）: ")[1].split()[0]
    svc = bootstrap(Settings(database_url=env))
    user = staff_auth.user_for_api_token(svc, secret)
    assert user is not None
    assert user.login == DEMO_STAFF_LOGIN
    revoked = run("user", "token", "--login", DEMO_STAFF_LOGIN, "--revoke", secret)
    assert revoked.exit_code == 0, revoked.output
    assert staff_auth.user_for_api_token(svc, secret) is None
    unknown = run("user", "token", "--login", "nobody")
    assert unknown.exit_code != 0
    assert "見つかりません" in unknown.output
