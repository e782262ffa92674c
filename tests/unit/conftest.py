"""Fixtures for skill and service tests on the in-memory fake store."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from backend.services.context import Services
from questions.loader import load_sets
from skill.builder import build_skill
from tests.builders import jst, make_binding, make_elder, seed
from tests.clock import FakeClock
from tests.fakes import FakeStore, FakeUnitOfWork
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID, Speaker

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)

_SETS = load_sets()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(jst(MONDAY, 7, 30))


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def services(store: FakeStore, clock: FakeClock) -> Services:
    return Services(
        uow=lambda: FakeUnitOfWork(store),
        question_sets=lambda: _SETS,
        clock=clock,
        tz=ZoneInfo("Asia/Tokyo"),
    )


@pytest.fixture
def elder(store: FakeStore):
    elder = make_elder()
    with FakeUnitOfWork(store) as uow:
        seed(uow, elder)
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.commit()
    return elder


@pytest.fixture
def skill(services: Services):
    return build_skill(services, SKILL_ID)


@pytest.fixture
def speaker(skill, clock: FakeClock, elder) -> Speaker:
    return Speaker(skill, clock)


@pytest.fixture
def new_speaker(skill, clock: FakeClock) -> Speaker:
    return Speaker(skill, clock, user_id="amzn1.ask.account.NEW", device_id="amzn1.ask.device.NEW")


def stored(store: FakeStore) -> dict[str, object]:
    """Return the stored answers by question id."""
    return {a.question_id: a for a in store.state.answers}
