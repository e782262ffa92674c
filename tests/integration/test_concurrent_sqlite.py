"""Several requests at once on the embedded SQLite store: none fails, nothing is stored twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from backend.bootstrap import bootstrap
from backend.domain.conversation import Reply, ReplyKind
from backend.services import checkin
from backend.services.demo import DEMO_DEVICES, alexa_device_id, alexa_user_id, seed
from backend.services.turns import Caller
from backend.settings import Settings
from backend.stores.sql.migrate import upgrade
from tests.builders import jst
from tests.clock import FakeClock

MONDAY = date(2026, 11, 23)


@pytest.fixture
def services(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    services = bootstrap(Settings(database_url=url), clock=FakeClock(jst(MONDAY, 7, 30)))
    seed(services)
    return services


def caller(device: str, request_id: str) -> Caller:
    return Caller(alexa_user_id(device), alexa_device_id(device), request_id)


def test_three_elders_answering_at_the_same_moment_all_succeed(services):
    def morning(device: str) -> int:
        state = checkin.start(services, caller(device, f"{device}-open")).state
        for i, word in enumerate(["good", "slept_well"]):
            reply = Reply(ReplyKind.CHOICE, word, word)
            state = checkin.answer(services, caller(device, f"{device}-{i}"), state, reply).state
        return len(state)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(morning, DEMO_DEVICES))
    assert all(results)
    with services.uow() as uow:
        for n in (1, 2, 3):
            answers = uow.answers.list_for_elder(f"demo-elder-{n}", MONDAY, MONDAY)
            assert [a.question_id for a in answers] == ["condition", "sleep"]


def test_the_same_request_arriving_four_times_at_once_stores_one_answer(services):
    state = checkin.start(services, caller("demo-1", "open")).state
    reply = Reply(ReplyKind.CHOICE, "good", "元気")

    def send(_: int):
        return checkin.answer(services, caller("demo-1", "same-request"), state, reply)

    with ThreadPoolExecutor(max_workers=4) as pool:
        turns = list(pool.map(send, range(4)))
    assert {t.question.id for t in turns} == {"sleep"}
    with services.uow() as uow:
        assert len(uow.answers.list_for_elder("demo-elder-1", MONDAY, MONDAY)) == 1
