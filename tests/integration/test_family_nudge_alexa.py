"""A family message nudges the speaker through the outbox, against the local Alexa server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from backend.bootstrap import bootstrap
from backend.domain.family import MessageKind
from backend.services import family
from backend.services.outbox import deliver_due
from backend.settings import Settings
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.alexa_local import FakeAlexa, channels_for, running_alexa
from tests.builders import jst, make_binding, make_elder, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import FAMILY_USER


@pytest.fixture
def alexa() -> Iterator[FakeAlexa]:
    with running_alexa() as fake:
        yield fake


@pytest.fixture
def world(tmp_path):
    url = fresh_sqlite(tmp_path)
    engine = make_engine(url)
    clock = FakeClock(jst(datetime(2026, 11, 23).date(), 9, 0))
    svc = bootstrap(Settings(database_url=url), uow=lambda: SqlUnitOfWork(engine), clock=clock)
    with svc.uow() as uow:
        seed(uow, make_elder("elder-1"))
        uow.devices.bind(
            make_binding(alexa_user_id="amzn1.ask.account.A", device_id="amzn1.ask.device.A")
        )
        uow.commit()
    family.issue_link_code(
        svc, "elder-1", name="明美", relation="長女", random_code=lambda: "482913"
    )
    family.link(svc, FAMILY_USER, "482913")
    yield svc, clock
    engine.dispose()


def relay(svc, event_id: str) -> None:
    family.relay(svc, FAMILY_USER, event_id, MessageKind.TEXT, received_at=svc.now(), text="元気？")


def test_messages_nudge_the_speaker_once_per_unheard_batch(world, alexa):
    svc, clock = world
    relay(svc, "ev-1")
    relay(svc, "ev-2")
    report = deliver_due(svc, channels_for(alexa))
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    assert alexa.problems == []
    (event,) = alexa.events
    assert event["relevantAudience"]["payload"]["user"] == "amzn1.ask.account.A"
    group = event["event"]["payload"]["messageGroup"]
    assert group["creator"]["name"] == "明美さん"
    assert "urgency" not in group
    # A third message before the elder listened nudges nobody again.
    relay(svc, "ev-3")
    assert deliver_due(svc, channels_for(alexa)).sent == 0
    # Once heard, the next message nudges again.
    with svc.uow() as uow:
        ids = [m.id for m in uow.family.unheard_for_elder("elder-1")]
    family.mark_heard(svc, ids)
    clock.tick(timedelta(hours=1))
    relay(svc, "ev-4")
    assert deliver_due(svc, channels_for(alexa)).sent == 1
    assert len(alexa.events) == 2


def test_a_throttled_nudge_is_retried_through_the_outbox(world, alexa):
    svc, clock = world
    alexa.answers = [429]
    relay(svc, "ev-1")
    first = deliver_due(svc, channels_for(alexa), rand=lambda: 0.0)
    assert (first.sent, first.retried) == (0, 1)
    clock.tick(timedelta(minutes=1))
    assert deliver_due(svc, channels_for(alexa), rand=lambda: 0.0).sent == 1
    assert len(alexa.events) == 1
    assert alexa.problems == []
