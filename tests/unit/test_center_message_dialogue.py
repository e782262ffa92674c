"""A message from the care center through the skill: offered, read as the center's お知らせ."""

from __future__ import annotations

import pytest

from backend.domain.errors import NotFound
from backend.domain.model import StaffRole
from backend.services import center_messages, family
from tests.builders import OTHER_MUNICIPALITY_CODE, jst, make_recipient, make_user
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER
from tests.unit.conftest import MONDAY

STAFF = make_user("user-1")  # center-1's staff, like the elder
OTHER_ADMIN = make_user(
    "user-9",
    role=StaffRole.MUNICIPALITY_ADMIN,
    municipality_code=OTHER_MUNICIPALITY_CODE,
    center_id=None,
)


def test_a_center_message_is_offered_and_read_as_the_centers_notice(
    speaker, services, elder, store
):
    center_messages.send(services, STAFF, elder.id, "明日の10時に、\n訪問します。")
    reply = speaker.open()
    assert reply.speech == (
        "山田 花子さん、おはようございます。"
        "見守り市北地域包括支援センターから、お知らせが届いています。お聞きになりますか。"
    )
    reply = speaker.say("はい")
    assert reply.speech.startswith(
        "見守り市北地域包括支援センターからのお知らせです。「明日の10時に、 訪問します。」"
    )
    assert "今日の体調はいかがですか" in reply.speech
    assert all(m.heard_at is not None for m in store.state.family_messages.values())


def test_with_family_messages_the_offer_names_both(speaker, services, elder, store):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient("line-1", channel="line", address=FAMILY_USER, name="はなこ")
        )
        uow.commit()
    family.relay(
        services,
        FAMILY_USER,
        "ev1",
        family.MessageKind.TEXT,
        received_at=jst(MONDAY, 7),
        text="元気？",
    )
    center_messages.send(services, STAFF, elder.id, "明日、訪問します。")
    reply = speaker.open()
    assert reply.speech == (
        "山田 花子さん、おはようございます。"
        "はなこさんと見守り市北地域包括支援センターから、メッセージが2件届いています。"
        "お聞きになりますか。"
    )


def test_the_center_sender_never_receives_alerts(services, elder, store):
    center_messages.send(services, STAFF, elder.id, "こんにちは")
    senders = [r for r in store.state.recipients.values() if r.channel == "center"]
    assert len(senders) == 1
    assert senders[0].active is False
    assert [e.action for e in store.state.audit] == ["send_message"]


@pytest.mark.parametrize("text", ["", "   ", "あ" * 201, "ベル\x07"])
def test_bad_text_is_refused_and_nothing_is_queued(services, elder, store, text):
    with pytest.raises(center_messages.BadMessage):
        center_messages.send(services, STAFF, elder.id, text)
    assert store.state.family_messages == {}


def test_staff_outside_the_scope_cannot_send(services, elder, store):
    with pytest.raises(NotFound):
        center_messages.send(services, OTHER_ADMIN, elder.id, "こんにちは")
    assert store.state.family_messages == {}
