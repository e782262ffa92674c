"""Pushes to family through the outbox's LINE channel, against a local LINE API."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend import jobs
from backend.bootstrap import bootstrap, family_line
from backend.services.context import Services
from backend.services.outbox import DeliveryReport, deliver_due
from tests.builders import DAY, jst, make_elder, make_outbox_message, make_recipient, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    FAMILY_USER,
    LocalLine,
    line_settings,
    local_line,
)

MESSAGE_ID = uuid.uuid5(uuid.NAMESPACE_URL, "alert-1/0/line-member").hex


@dataclass
class Env:
    services: Services
    settings: Any
    line: LocalLine
    clock: FakeClock

    def deliver(self) -> DeliveryReport:
        line = family_line(self.settings)  # as bootstrap wires it, from the settings now
        assert line is not None
        channel = line.channel(self.services)
        return deliver_due(self.services, {"line": channel}, rand=lambda: 0.0)

    def message(self, message_id: str = MESSAGE_ID) -> Any:
        with self.services.uow() as uow:
            return uow.outbox.get(message_id)

    def sends(self) -> Any:
        with self.services.uow() as uow:
            return uow.family.sends(self.clock.now.strftime("%Y-%m"))


@pytest.fixture
def env(tmp_path: Path):
    clock = FakeClock(jst(DAY, 10))
    with local_line() as line:
        settings = line_settings(
            database_url=fresh_sqlite(tmp_path),
            line_channel_secret=CHANNEL_SECRET,
            line_channel_access_token=ACCESS_TOKEN,
            line_api_base=line.url,
            media_url=f"file://{tmp_path / 'media'}",
        )
        services = bootstrap(settings, clock=clock)
        with services.uow() as uow:
            seed(uow, make_elder())
            uow.recipients.add(
                make_recipient("line-member", channel="line", address=FAMILY_USER, name="はなこ")
            )
            uow.outbox.add_if_absent(
                make_outbox_message(MESSAGE_ID, recipient_id="line-member", channel="line")
            )
            uow.commit()
        yield Env(services, settings, line, clock)
        assert line.problems == []


def test_a_push_carries_the_token_the_retry_key_and_the_text(env: Env) -> None:
    assert env.deliver() == DeliveryReport(sent=1)
    (push,) = env.line.pushes
    assert push.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert push.headers["X-Line-Retry-Key"] == str(uuid.UUID(MESSAGE_ID))
    assert push.body["to"] == FAMILY_USER
    (text,) = push.body["messages"]
    assert text["type"] == "text"
    assert text["text"].startswith("【みまもり】山田 花子さんの朝のお返事がありません\n\n")
    assert env.message().sent_at == env.clock.now
    assert env.sends().sent == 1


def test_429_and_500_are_retried_with_the_same_key_until_sent(env: Env) -> None:
    env.line.push_statuses = [429, 500]
    assert env.deliver() == DeliveryReport(retried=1)
    env.clock.tick(timedelta(minutes=1))
    assert env.deliver() == DeliveryReport(retried=1)
    assert env.message().last_error == "LINE push: HTTP 500"
    env.clock.tick(timedelta(minutes=2))
    assert env.deliver() == DeliveryReport(sent=1)
    keys = {push.headers["X-Line-Retry-Key"] for push in env.line.pushes}
    assert (len(env.line.pushes), keys) == (3, {str(uuid.UUID(MESSAGE_ID))})
    assert env.sends().sent == 1


def test_a_push_line_accepted_before_is_not_sent_or_counted_twice(env: Env) -> None:
    env.line.accepted_keys.add(str(uuid.UUID(MESSAGE_ID)))  # e.g. we crashed after the send
    assert env.deliver() == DeliveryReport(sent=1)
    assert env.sends().sent == 0


def test_a_refused_push_is_given_up(env: Env) -> None:
    env.line.push_statuses = [400]
    assert env.deliver() == DeliveryReport(failed=1)
    assert env.message().given_up
    assert env.message().last_error == "LINE push: HTTP 400"


def test_a_wrong_token_is_retried_until_the_settings_are_fixed(env: Env) -> None:
    env.settings = env.settings.model_copy(
        update={"line_channel_access_token": type(env.settings.line_channel_access_token)("x")}
    )
    assert env.deliver() == DeliveryReport(retried=1)
    assert env.message().last_error == "LINE push: HTTP 401"
    env.line.problems.clear()  # the server rightly complained about the token


def test_an_unreachable_line_is_retried(env: Env) -> None:
    env.settings = env.settings.model_copy(update={"line_api_base": "http://127.0.0.1:9"})
    assert env.deliver() == DeliveryReport(retried=1)
    assert env.message().last_error.startswith("LINE push: ")


def test_the_quota_warning_is_recorded_once_at_80_percent(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    with env.services.uow() as uow:
        uow.family.count_sends(env.clock.now.strftime("%Y-%m"), 159)
        for n in range(2):
            uow.outbox.add_if_absent(
                make_outbox_message(f"m{n}", recipient_id="line-member", channel="line")
            )
        uow.commit()
    env.deliver()
    sends = env.sends()
    assert sends.sent == 162
    assert sends.warned_at == env.clock.now
    assert caplog.text.count("LINE pushes this month: 160 of 200 (80%)") == 1


def test_an_unlinked_member_gets_no_push(env: Env) -> None:
    from backend.services import family

    family.unlink(env.services, FAMILY_USER)
    assert env.deliver() == DeliveryReport(failed=1)
    assert env.line.pushes == []


def test_the_scheduled_job_delivers_line_messages(env: Env) -> None:
    results = jobs.deliver_outbox(env.settings, env.clock.now)
    assert results == DeliveryReport(sent=1)
    assert json.loads(json.dumps(env.line.pushes[0].body))["to"] == FAMILY_USER


def test_a_push_line_accepted_stays_sent_when_counting_it_fails(env: Env) -> None:
    from backend.domain.errors import StoreBusy
    from family_line.channel import LineChannel

    def busy(_count: int) -> None:
        raise StoreBusy("the database is busy; try again")

    line = family_line(env.settings)
    assert line is not None
    channel = LineChannel(line.api(), busy)
    assert deliver_due(env.services, {"line": channel}) == DeliveryReport(sent=1)
    assert env.message().sent_at == env.clock.now
    assert len(env.line.pushes) == 1
