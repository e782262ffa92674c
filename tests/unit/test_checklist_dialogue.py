"""The 基本チェックリスト in the spoken check-in: five items a morning from the 1st of the month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.domain.model import Municipality
from tests.builders import jst, make_binding, make_center, make_elder
from tests.fakes import FakeUnitOfWork
from tests.speaker import DEVICE_ID, USER_ID, Speaker

DECEMBER_1 = date(2026, 12, 1)


@pytest.fixture
def kudoyama_elder(store):
    with FakeUnitOfWork(store) as uow:
        uow.municipalities.add(Municipality("303445", "九度山町"))
        uow.centers.add(make_center("kudo-center", municipality_code="303445"))
        uow.elders.add(make_elder(municipality_code="303445", center_id="kudo-center"))
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.commit()


def morning(speaker, clock, day):
    clock.set(jst(day, 8, 0))
    speaker.new_session()
    return speaker.open()


def answer_everything(speaker, reply, limit=20):
    for _ in range(limit):
        if reply.end:
            return reply
        reply = speaker.say("わからない")
    raise AssertionError("the check-in did not end")


def test_the_checklist_is_asked_five_items_a_day_until_all_are_answered(
    skill, clock, store, kudoyama_elder
):
    speaker = Speaker(skill, clock)
    first = morning(speaker, clock, DECEMBER_1)
    assert "少しお伺いします" in first.speech  # nine questions: not counted aloud
    answer_everything(speaker, first)
    asked = {a.question_id for a in store.state.answers if a.question_id.startswith("kc")}
    assert len(asked) == 5
    for offset in range(1, 8):
        reply = morning(speaker, clock, DECEMBER_1 + timedelta(days=offset))
        answer_everything(speaker, reply)
    asked = {a.question_id for a in store.state.answers if a.question_id.startswith("kc")}
    assert len(asked) == 24  # No.12 (BMI) is never asked by voice
    reply = morning(speaker, clock, DECEMBER_1 + timedelta(days=9))
    assert "みっつ" in reply.speech  # back to the three daily questions


def test_a_set_without_the_instrument_never_asks_it(speaker, clock, store, elder):
    reply = morning(speaker, clock, DECEMBER_1)
    answer_everything(speaker, reply)
    assert not any(a.question_id.startswith("kc") for a in store.state.answers)
