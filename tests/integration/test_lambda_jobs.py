"""The jobs' Lambda handler invoked with EventBridge events, on a real SQLite store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from backend import lambda_jobs
from backend.bootstrap import bootstrap
from backend.jobs import JOBS
from backend.services.demo import seed
from backend.settings import Settings
from tests.builders import jst
from tests.databases import fresh_sqlite

FIXTURES = Path(__file__).parents[1] / "fixtures" / "aws"
MONDAY = date(2026, 11, 23)


def event(name: str, **changes) -> dict:
    """Return an event as the Lambda runtime hands it over (parsed from its JSON text)."""
    body = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    body.update(changes)
    return json.loads(json.dumps(body))


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    url = fresh_sqlite(tmp_path)
    seed(bootstrap(Settings(database_url=url), clock=lambda: jst(MONDAY, 5, 0)))
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", url)
    monkeypatch.setenv("MIMAMORI_STORE", "sql")
    lambda_jobs._settings.cache_clear()
    yield Settings()
    lambda_jobs._settings.cache_clear()


def alerts(settings: Settings):
    with bootstrap(settings).uow() as uow:
        return uow.alerts.list_for_center("demo-center", ("open", "claimed", "resolved"))


def test_a_scheduled_event_runs_every_job_at_the_events_time(settings):
    result = lambda_jobs.handler(event("eventbridge_scheduled_event"), None)
    assert result["time"] == "2026-11-23T02:31:00+00:00"
    assert list(result["jobs"]) == list(JOBS)  # every job of the scheduler, in its order
    assert result["jobs"]["sweep-alerts"]["opened"] >= 1
    json.dumps(result)  # what Lambda sends back must be JSON
    (alert,) = [a for a in alerts(settings) if a.elder_id == "demo-elder-1"]
    assert (alert.rule, alert.stage) == ("missed_checkin", 0)
    assert alert.created_at == jst(MONDAY, 11, 31)  # the event's time, not the clock


def test_a_redelivered_event_creates_nothing_twice(settings):
    lambda_jobs.handler(event("eventbridge_scheduled_event"), None)
    before = alerts(settings)
    again = lambda_jobs.handler(event("eventbridge_scheduled_event"), None)
    assert again["jobs"]["sweep-alerts"]["opened"] == 0
    assert [a.id for a in alerts(settings)] == [a.id for a in before]


def test_an_event_before_the_deadline_opens_nothing(settings):
    lambda_jobs.handler(event("eventbridge_scheduled_event", time="2026-11-22T23:00:00Z"), None)
    assert alerts(settings) == []


def test_a_scheduler_input_runs_only_the_job_it_names(settings):
    result = lambda_jobs.handler(event("scheduler_job_input"), None)
    assert list(result["jobs"]) == ["sweep-alerts"]
    assert [a.rule for a in alerts(settings) if a.elder_id == "demo-elder-1"] == ["missed_checkin"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time": None}, "no 'time'"),
        ({"time": "yesterday"}, "not ISO 8601"),
        ({"time": "2026-11-23T02:31:00"}, "no time zone"),
        ({"job": "reboot-everything"}, "unknown job"),
    ],
)
def test_a_malformed_event_is_refused_and_changes_nothing(settings, changes, message):
    with pytest.raises(lambda_jobs.BadJobEvent, match=message):
        lambda_jobs.handler(event("scheduler_job_input", **changes), None)
    assert alerts(settings) == []
