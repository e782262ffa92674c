"""A family message nudges the elder's speaker once per batch of unheard messages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.domain.family import MessageKind
from backend.services import family
from tests.builders import jst, make_binding, make_elder, seed
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER, OTHER_USER
from tests.unit.conftest import MONDAY


@pytest.fixture
def elder(store):
    elder = make_elder()
    with FakeUnitOfWork(store) as uow:
        seed(uow, elder, make_elder("elder-2", name="山田 一郎", kana="やまだ いちろう"))
        uow.devices.bind(make_binding(alexa_user_id="amzn1.ask.account.A", device_id="dev-A"))
        uow.devices.bind(make_binding(alexa_user_id="amzn1.ask.account.B", device_id="dev-B"))
        uow.commit()
    return elder


def link(services, user=FAMILY_USER, name="明美", code="482913", elder_id="elder-1"):
    family.issue_link_code(services, elder_id, name=name, relation="長女", random_code=lambda: code)
    assert family.link(services, user, code).outcome is family.LinkOutcome.LINKED


def send(services, event_id, user=FAMILY_USER):
    return family.relay(
        services, user, event_id, MessageKind.TEXT, received_at=services.now(), text="こんにちは"
    )


def nudges(store):
    return sorted(
        (m for m in store.state.outbox.values() if m.channel == "alexa"),
        key=lambda m: (m.created_at, m.recipient_id),
    )


def test_a_message_nudges_each_speaker_of_the_elder_once(services, store, elder):
    link(services)
    send(services, "ev-1")
    found = nudges(store)
    assert len(found) == 2  # two speakers (Alexa users) are bound to the elder
    assert {m.subject for m in found} == {"明美さん"}
    assert all(not m.urgent and m.body == "ご家族からメッセージが届いています" for m in found)
    addresses = {store.state.recipients[m.recipient_id].address for m in found}
    assert addresses == {"amzn1.ask.account.A", "amzn1.ask.account.B"}


def test_more_messages_before_the_elder_heard_them_add_no_nudge(services, store, elder):
    link(services)
    link(services, user=OTHER_USER, name="健太", code="111111")
    send(services, "ev-1")
    send(services, "ev-2")
    send(services, "ev-3", user=OTHER_USER)
    send(services, "ev-1")  # the same event processed again
    assert len(nudges(store)) == 2


def test_once_heard_the_next_message_starts_a_new_batch(services, store, elder, clock):
    link(services)
    send(services, "ev-1")
    with FakeUnitOfWork(store) as uow:
        heard = [m.id for m in uow.family.unheard_for_elder("elder-1")]
    family.mark_heard(services, heard)
    clock.tick(timedelta(hours=1))
    send(services, "ev-2")
    assert len(nudges(store)) == 4


def test_a_message_at_night_nudges_in_the_morning(services, store, elder, clock):
    link(services)
    clock.set(jst(MONDAY, 22, 15))
    send(services, "ev-night")
    (first, _second) = nudges(store)
    assert first.not_before == jst(MONDAY + timedelta(days=1), 7, 0)


def test_an_elder_without_speaker_or_consent_is_not_nudged(services, store, elder):
    with FakeUnitOfWork(store) as uow:
        uow.elders.add(
            make_elder("elder-3", name="田中 三郎", kana="たなか さぶろう", consent=None)
        )
        uow.commit()
    link(services, elder_id="elder-2", code="222222")
    link(services, elder_id="elder-3", code="333333")
    assert len(send(services, "ev-1")) == 2  # both keep the message
    assert nudges(store) == []
