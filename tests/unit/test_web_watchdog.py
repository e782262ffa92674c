"""The web app's jobs watchdog: a look at most once a minute, in the background, never twice at once."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import pytest
from flask import Flask

from backend.settings import Settings
from backend.web_watchdog import LOOK_EVERY, JobsWatchdog, install_jobs_watchdog
from tests.clock import FakeClock


class Runner:
    """Record every look; optionally hold it until released."""

    def __init__(self, *, hold: bool = False, fail: bool = False) -> None:
        self.looks: list[datetime] = []
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.fail = fail

    def __call__(self, _settings: Settings, now: datetime) -> None:
        self.looks.append(now)
        self.release.wait(5)
        if self.fail:
            raise RuntimeError("the store is down")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.fromisoformat("2026-11-24T08:05:00+09:00"))


def finished(thread: threading.Thread | None) -> None:
    assert thread is not None
    thread.join(5)
    assert not thread.is_alive()


def test_a_poke_looks_in_the_background_at_the_clock_s_time(clock):
    runner = Runner()
    finished(JobsWatchdog(Settings(), clock=clock, runner=runner).poke())
    assert runner.looks == [clock()]


def test_a_second_poke_within_a_minute_does_not_look_again(clock):
    runner = Runner()
    watchdog = JobsWatchdog(Settings(), clock=clock, runner=runner)
    finished(watchdog.poke())
    clock.tick(LOOK_EVERY - timedelta(seconds=1))
    assert watchdog.poke() is None
    clock.tick(timedelta(seconds=1))
    finished(watchdog.poke())
    assert len(runner.looks) == 2


def test_a_poke_while_a_look_is_running_starts_no_other(clock):
    runner = Runner(hold=True)
    watchdog = JobsWatchdog(Settings(), clock=clock, runner=runner)
    first = watchdog.poke()
    clock.tick(LOOK_EVERY * 5)
    assert watchdog.poke() is None
    runner.release.set()
    finished(first)
    assert len(runner.looks) == 1


def test_a_look_that_fails_is_logged_and_the_next_one_still_happens(clock, caplog):
    runner = Runner(fail=True)
    watchdog = JobsWatchdog(Settings(), clock=clock, runner=runner)
    with caplog.at_level(logging.ERROR, logger="backend.web_watchdog"):
        finished(watchdog.poke())
    assert "could not catch up" in caplog.text
    clock.tick(LOOK_EVERY)
    finished(watchdog.poke())
    assert len(runner.looks) == 2


def test_the_app_pokes_after_a_request_and_answers_unchanged(clock):
    runner = Runner()
    watchdog = JobsWatchdog(Settings(), clock=clock, runner=runner)
    app = Flask(__name__)
    app.get("/ping")(lambda: "pong")
    install_jobs_watchdog(app, watchdog)
    response = app.test_client().get("/ping")
    assert response.get_data(as_text=True) == "pong"
    assert watchdog._thread is not None
    finished(watchdog._thread)
    assert runner.looks == [clock()]
