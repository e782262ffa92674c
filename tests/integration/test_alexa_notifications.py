"""Proactive Events nudges against a local HTTP server that checks what it receives.

The server plays both Login with Amazon (client credentials → token) and the Proactive
Events API, and validates each event against the documented
``AMAZON.MessageAlert.Activated`` schema. Publishing a 災害 notice on SQLite queues one
message per targeted speaker; the outbox sends it, retrying 429 and 5xx answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from backend.bootstrap import bootstrap
from backend.services import notices as notice_service
from backend.services.outbox import deliver_due
from backend.settings import Settings
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from notices.model import Audience, Priority
from tests.alexa_local import FakeAlexa, channels_for, running_alexa
from tests.builders import jst, make_binding, make_elder, make_notice, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite


@pytest.fixture
def alexa() -> Iterator[FakeAlexa]:
    with running_alexa() as fake:
        yield fake


@pytest.fixture
def world(tmp_path):
    url = fresh_sqlite(tmp_path)
    engine = make_engine(url)
    clock = FakeClock(jst(datetime(2026, 11, 23).date(), 7, 0))
    svc = bootstrap(Settings(database_url=url), uow=lambda: SqlUnitOfWork(engine), clock=clock)
    with svc.uow() as uow:
        seed(
            uow, make_elder("elder-1", district="北地区"), make_elder("elder-2", district="南地区")
        )
        uow.devices.bind(
            make_binding(
                alexa_user_id="amzn1.ask.account.A",
                device_id="amzn1.ask.device.A",
                elder_id="elder-1",
            )
        )
        uow.devices.bind(
            make_binding(
                alexa_user_id="amzn1.ask.account.B",
                device_id="amzn1.ask.device.B",
                elder_id="elder-2",
            )
        )
        uow.commit()
    yield svc, clock
    engine.dispose()


def test_a_disaster_notice_nudges_each_targeted_speaker_once_with_a_valid_event(world, alexa):
    svc, _ = world
    notice = make_notice(
        "032158/quake",
        priority=Priority.DISASTER,
        audience=Audience(districts=("北地区",)),
        starts_at=jst(datetime(2026, 11, 23).date(), 6),
    )
    notice_service.create(svc, notice)
    report = deliver_due(svc, channels_for(alexa))
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert alexa.problems == []
    (event,) = alexa.events
    assert event["relevantAudience"]["payload"]["user"] == "amzn1.ask.account.A"
    group = event["event"]["payload"]["messageGroup"]
    assert group["urgency"] == "URGENT"
    assert group["count"] == 1
    assert group["creator"]["name"]  # the municipality's name
    # Publishing again and a second sweep send nothing more.
    notice_service.publish(svc, notice.id)
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    assert len(alexa.events) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_retried_through_the_outbox(world, alexa, status):
    svc, clock = world
    notice_service.create(
        svc, make_notice("032158/important", priority=Priority.IMPORTANT, starts_at=clock())
    )
    alexa.answers = [status]
    first = deliver_due(svc, channels_for(alexa), rand=lambda: 0.0)
    assert (first.sent, first.retried) == (1, 1)
    clock.tick(timedelta(minutes=1))
    second = deliver_due(svc, channels_for(alexa), rand=lambda: 0.0)
    assert second.sent == 1
    users = sorted(e["relevantAudience"]["payload"]["user"] for e in alexa.events)
    assert users == ["amzn1.ask.account.A", "amzn1.ask.account.B"]
    assert alexa.problems == []


def test_a_refused_event_is_given_up_and_a_normal_notice_nudges_nobody(world, alexa):
    svc, clock = world
    notice_service.create(svc, make_notice("032158/normal", starts_at=clock()))
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    notice_service.create(
        svc,
        make_notice(
            "032158/important",
            priority=Priority.IMPORTANT,
            starts_at=clock(),
            audience=Audience(elders=("elder-2",)),
        ),
    )
    alexa.answers = [403]
    report = deliver_due(svc, channels_for(alexa))
    assert (report.sent, report.failed) == (0, 1)
    clock.tick(timedelta(hours=2))
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    assert alexa.events == []
