"""An urgent alert reaches the outbox in the request that heard it, and is delivered.

The skill runs on a real SQLite store; family is on a local LINE server and the care center
on a local SMTP server (aiosmtpd). No sweep runs between the turn and the delivery: the
messages were queued by the turn itself, and the elder heard who was told.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from backend import jobs
from backend.bootstrap import bootstrap
from backend.domain import rules
from backend.services.context import Services
from skill.builder import build_skill
from tests.builders import (
    DAY,
    jst,
    make_binding,
    make_center_inbox,
    make_elder,
    make_recipient,
    seed,
)
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, FAMILY_USER, LocalLine, line_settings
from tests.line import local_line as running_line
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID, Speaker


class Inbox:
    """An aiosmtpd handler that keeps every accepted e-mail."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        return [
            str(message_from_bytes(e.original_content, policy=default_policy)["Subject"])
            for e in self.received
        ]


@dataclass
class World:
    services: Services
    settings: Any
    line: LocalLine
    inbox: Inbox
    clock: FakeClock
    speaker: Speaker


@pytest.fixture
def world(tmp_path: Path, unused_tcp_port: int) -> Iterator[World]:
    clock = FakeClock(jst(DAY, 7, 30))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=unused_tcp_port)
    controller.start()
    try:
        with running_line() as line:
            settings = line_settings(
                database_url=fresh_sqlite(tmp_path),
                line_channel_secret=CHANNEL_SECRET,
                line_channel_access_token=ACCESS_TOKEN,
                line_api_base=line.url,
                smtp_url=f"smtp://127.0.0.1:{unused_tcp_port}?from=mimamori@example.jp",
                media_url=f"file://{tmp_path / 'media'}",
            )
            services = bootstrap(settings, clock=clock)
            with services.uow() as uow:
                seed(uow, make_elder())
                uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
                uow.recipients.add(
                    make_recipient(
                        "line-1", channel="line", address=FAMILY_USER, name="明美", relation="娘"
                    )
                )
                uow.recipients.add(make_center_inbox())
                uow.commit()
            speaker = Speaker(build_skill(services, SKILL_ID), clock)
            yield World(services, settings, line, inbox, clock, speaker)
            assert line.problems == []
    finally:
        controller.stop()


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def queued(world: World) -> list[Any]:
    with world.services.uow() as uow:
        return uow.outbox.due(world.clock.now, 100)


def test_tasukete_queues_family_and_center_in_its_own_request_and_both_are_delivered(world):
    world.speaker.open()
    reply = world.speaker.say("助けて")
    assert "大変です" not in reply.speech
    assert "119番に電話してください" in reply.speech
    assert "センターと、娘の明美さんに、すぐにお知らせしました。" in reply.speech
    messages = queued(world)  # no sweep has run
    assert sorted(m.channel for m in messages) == ["email", "line"]
    assert all(m.urgent for m in messages)
    report = jobs.deliver_outbox(world.settings, world.clock.now)
    assert report.sent == 2
    (push,) = world.line.pushes
    assert push.body["to"] == FAMILY_USER
    assert "緊急の言葉" in str(push.body["messages"])
    (subject,) = world.inbox.subjects()
    assert "緊急の言葉" in subject
    # A sweep afterwards finds the same alert: nothing is opened or sent twice.
    jobs.sweep_alerts(world.settings, world.clock.now)
    assert jobs.deliver_outbox(world.settings, world.clock.now).sent == 0


def test_a_blood_pressure_of_185_over_125_is_urgent_at_the_turn_with_advice(world):
    world.speaker.open()
    for said in ["元気", "ぐっすり", "飲んだ", "食べた"]:
        world.speaker.say(said)
    world.speaker.say("上が185で下が125")
    reply = world.speaker.say("はい")
    assert "お医者さんに診てもらってください" in reply.speech
    assert "センターと、娘の明美さんに、すぐにお知らせしました。" in reply.speech
    messages = queued(world)
    assert sorted(m.channel for m in messages) == ["email", "line"]
    with world.services.uow() as uow:
        assert {uow.alerts.get(m.alert_id).rule for m in messages} == {rules.BP_URGENT}
    assert jobs.deliver_outbox(world.settings, world.clock.now).sent == 2
    assert len(world.line.pushes) == 1
    assert "血圧がとても高い" in world.inbox.subjects()[0]
