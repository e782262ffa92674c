"""Channels that answer too late: every outbound call has a timeout, and nothing waits behind it.

Local servers stand in for LINE, Login with Amazon / Proactive Events and an SMTP server;
each answers chosen requests only long after the (small) timeout the test sets in the
settings. A late call is a retryable failure (the message is tried again later), urgent
messages go first, and a channel that timed out leaves its other non-urgent messages for
the next sweep while the other channels deliver. Outcomes are asserted, never durations.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend import jobs
from backend.bootstrap import bootstrap
from backend.services.context import Services
from backend.services.outbox import DeliveryReport
from family_line.api import LineApi, LineApiError
from tests.alexa_local import CLIENT_ID, CLIENT_SECRET, FakeAlexa, running_alexa
from tests.builders import DAY, jst, make_elder, make_outbox_message, make_recipient, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, FAMILY_USER, LocalLine, line_settings
from tests.line import local_line as running_line

TIMEOUT = 0.3  # seconds; the servers answer late ones only after 30


@dataclass
class World:
    services: Services
    settings: Any
    line: LocalLine
    alexa: FakeAlexa
    clock: FakeClock

    def queue(self, *messages: tuple[str, str, bool]) -> None:
        """Queue (id, channel, urgent) messages, one second apart in that order."""
        with self.services.uow() as uow:
            for n, (message_id, channel, urgent) in enumerate(messages):
                uow.outbox.add_if_absent(
                    make_outbox_message(
                        message_id,
                        recipient_id=f"{channel}-member",
                        channel=channel,
                        urgent=urgent,
                        created_at=jst(DAY, 9, 0, n),
                    )
                )
            uow.commit()

    def deliver(self) -> DeliveryReport:
        return jobs.deliver_outbox(self.settings, self.clock.now)

    def message(self, message_id: str) -> Any:
        with self.services.uow() as uow:
            return uow.outbox.get(message_id)

    def pushed_keys(self) -> list[str]:
        return [push.headers["X-Line-Retry-Key"] for push in self.line.pushes]


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A port that takes connections (backlog) and never says a word: an SMTP server hung."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        yield silent.getsockname()[1]


@pytest.fixture
def world(tmp_path: Path, silent_smtp: int) -> Iterator[World]:
    clock = FakeClock(jst(DAY, 10))
    with running_line() as line, running_alexa() as alexa:
        settings = line_settings(
            database_url=fresh_sqlite(tmp_path),
            line_channel_secret=CHANNEL_SECRET,
            line_channel_access_token=ACCESS_TOKEN,
            line_api_base=line.url,
            alexa_client_id=CLIENT_ID,
            alexa_client_secret=CLIENT_SECRET,
            alexa_api_base=alexa.base,
            alexa_token_url=alexa.base + "/auth/O2/token",
            smtp_url=f"smtp://127.0.0.1:{silent_smtp}?from=mimamori@example.jp",
            line_timeout=TIMEOUT,
            alexa_timeout=TIMEOUT,
            smtp_timeout=TIMEOUT,
            media_url=f"file://{tmp_path / 'media'}",
        )
        services = bootstrap(settings, clock=clock)
        with services.uow() as uow:
            seed(uow, make_elder())
            uow.recipients.add(make_recipient("line-member", channel="line", address=FAMILY_USER))
            uow.recipients.add(
                make_recipient("alexa-member", channel="alexa", address="amzn1.ask.account.A")
            )
            uow.recipients.add(make_recipient("email-member", channel="email"))
            uow.commit()
        yield World(services, settings, line, alexa, clock)
        assert line.problems == []
        assert alexa.problems == []


def key(message_id: str) -> str:
    return str(uuid.UUID(message_id))


L1, L2, L3 = (uuid.uuid5(uuid.NAMESPACE_URL, f"line-{n}").hex for n in range(3))


def test_a_line_push_answered_too_late_is_retried_and_the_next_messages_still_go(world):
    world.line.slow["push"] = 1
    world.queue((L1, "line", False), (L2, "line", False), ("a1", "alexa", False))
    assert world.deliver() == DeliveryReport(sent=1, retried=1, postponed=1)
    late = world.message(L1)
    assert (late.sent_at, late.attempts) == (None, 1)
    assert late.last_error == "LINE push: ReadTimeoutError"
    assert world.message(L2).attempts == 0  # left for the next sweep, no attempt counted
    assert world.message("a1").sent_at == world.clock.now
    world.clock.tick(timedelta(minutes=1))
    assert world.deliver() == DeliveryReport(sent=2)
    # LINE had taken the late push: the retry with its key is answered 409, not sent twice.
    assert world.pushed_keys() == [key(L1), key(L1), key(L2)]
    assert len(world.line.accepted_keys) == 2


def test_an_urgent_alert_goes_first_and_the_others_wait_behind_no_slow_channel(world):
    world.line.slow["push"] = 5  # LINE hangs for every push this sweep
    world.queue(
        (L1, "line", False),
        (L2, "line", False),
        ("a1", "alexa", False),
        (L3, "line", True),
        ("a2", "alexa", True),
    )
    assert world.deliver() == DeliveryReport(sent=2, retried=1, postponed=2)
    assert world.pushed_keys() == [key(L3)]  # the urgent push was tried, once
    assert world.message(L3).last_error == "LINE push: ReadTimeoutError"
    assert world.message("a1").sent_at == world.message("a2").sent_at == world.clock.now
    assert [e["referenceId"] for e in world.alexa.events] == ["a2", "a1"]  # urgent first


def test_a_token_endpoint_that_answers_too_late_is_retried_and_line_still_goes(world):
    world.alexa.slow["token"] = 1
    world.queue(("a1", "alexa", True), (L1, "line", False))
    assert world.deliver() == DeliveryReport(sent=1, retried=1)
    assert world.message("a1").last_error == "Alexa token: TimeoutError"
    assert world.message(L1).sent_at == world.clock.now
    world.clock.tick(timedelta(minutes=1))
    assert world.deliver() == DeliveryReport(sent=1)
    assert [e["referenceId"] for e in world.alexa.events] == ["a1"]


def test_proactive_events_that_answer_too_late_are_retried(world):
    world.alexa.slow["event"] = 1
    world.queue(("a1", "alexa", False), ("a2", "alexa", False), (L1, "line", False))
    assert world.deliver() == DeliveryReport(sent=1, retried=1, postponed=1)
    assert world.message("a1").last_error == "Alexa event: TimeoutError"
    world.clock.tick(timedelta(minutes=1))
    assert world.deliver() == DeliveryReport(sent=2)


def test_an_smtp_server_that_never_greets_is_retried_and_the_others_still_go(world):
    world.queue(("e1", "email", True), ("e2", "email", False), (L1, "line", False))
    assert world.deliver() == DeliveryReport(sent=1, retried=1, postponed=1)
    assert (
        world.message("e1").last_error
        == "connect: SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    )
    assert world.message(L1).sent_at == world.clock.now
    assert world.message("e2").attempts == 0


def test_a_reply_and_a_content_download_answered_too_late_fail_as_timeouts(world):
    api = LineApi(ACCESS_TOKEN, world.line.url, timeout=TIMEOUT)
    world.line.slow.update(reply=1, content=1)
    world.line.content["m1"] = (b"\xff\xd8 jpeg", "image/jpeg")
    with pytest.raises(LineApiError) as late_reply:
        api.reply("reply-token", [{"type": "text", "text": "ありがとうございます"}])
    assert (late_reply.value.status, late_reply.value.timed_out) == (None, True)
    with pytest.raises(LineApiError) as late_content:
        api.content("m1")
    assert (late_content.value.status, late_content.value.timed_out) == (None, True)
    api.reply("reply-token", [{"type": "text", "text": "ありがとうございます"}])  # on time
    assert api.content("m1").data == b"\xff\xd8 jpeg"
