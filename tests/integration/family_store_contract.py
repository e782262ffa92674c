"""The store contract of family on LINE: the webhook inbox, link codes, messages, send counts.

Run by the same modules as ``store_contract`` (fake, SQLite, PostgreSQL) with their
``uow_factory`` fixture.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MessageKind,
    SummarySubscription,
)
from tests.builders import ELDER_ID, jst, make_elder, make_recipient, seed

__all__ = [
    "TestFamilyMessages",
    "TestLineInbox",
    "TestLineSends",
    "TestLinkCodes",
    "TestRecipientsByAddress",
    "TestSummarySubscriptions",
]


def make_inbox_event(event_id: str = "01HZZZEVENT0001", **changes) -> InboxEvent:
    event = InboxEvent(
        id=event_id,
        kind="message",
        payload={"type": "message", "message": {"type": "text", "text": "元気？"}},
        received_at=jst(hour=9),
    )
    return dataclasses.replace(event, **changes)


def make_family_message(message_id: str = "msg-1", **changes) -> FamilyMessage:
    message = FamilyMessage(
        id=message_id,
        elder_id=ELDER_ID,
        sender_id="line-member-1",
        sender_name="はなこ",
        kind=MessageKind.TEXT,
        received_at=jst(hour=9),
        text="お母さん、元気？",
    )
    return dataclasses.replace(message, **changes)


def _given_member(uow_factory) -> None:
    with uow_factory() as uow:
        seed(uow, make_elder())
        uow.recipients.add(make_recipient("line-member-1", channel="line", address="U1"))
        uow.commit()


class TestLineInbox:
    def test_an_event_is_stored_once_whatever_the_redeliveries(self, uow_factory) -> None:
        with uow_factory() as uow:
            assert uow.line_inbox.add_if_absent(make_inbox_event()) is True
            assert uow.line_inbox.add_if_absent(make_inbox_event(redelivery=True)) is False
            uow.commit()
        with uow_factory() as uow:
            assert uow.line_inbox.add_if_absent(make_inbox_event(kind="follow")) is False
            assert uow.line_inbox.get("01HZZZEVENT0001") == make_inbox_event()

    def test_pending_lists_unprocessed_events_oldest_first_within_the_limit(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            uow.line_inbox.add_if_absent(make_inbox_event("b", received_at=jst(hour=8)))
            uow.line_inbox.add_if_absent(make_inbox_event("a", received_at=jst(hour=9)))
            uow.line_inbox.add_if_absent(make_inbox_event("c", received_at=jst(hour=8)))
            uow.commit()
        with uow_factory() as uow:
            assert [e.id for e in uow.line_inbox.pending(10, 3)] == ["b", "c", "a"]
            assert [e.id for e in uow.line_inbox.pending(1, 3)] == ["b"]
            assert uow.line_inbox.pending(0, 3) == []

    def test_a_processed_event_leaves_pending_and_keeps_no_payload(self, uow_factory) -> None:
        with uow_factory() as uow:
            uow.line_inbox.add_if_absent(make_inbox_event())
            assert uow.line_inbox.mark_processed("01HZZZEVENT0001", jst(hour=10)) is True
            assert uow.line_inbox.mark_processed("01HZZZEVENT0001", jst(hour=11)) is False
            uow.commit()
        with uow_factory() as uow:
            stored = uow.line_inbox.get("01HZZZEVENT0001")
            assert stored.processed_at == jst(hour=10)
            assert stored.payload == {}
            assert uow.line_inbox.pending(10, 3) == []
            with pytest.raises(NotFound):
                uow.line_inbox.mark_processed("unknown", jst(hour=10))

    def test_failures_are_counted_and_end_pending_at_the_limit(self, uow_factory) -> None:
        with uow_factory() as uow:
            uow.line_inbox.add_if_absent(make_inbox_event())
            uow.line_inbox.mark_failed("01HZZZEVENT0001", "boom")
            uow.commit()
        with uow_factory() as uow:
            assert [e.attempts for e in uow.line_inbox.pending(10, 2)] == [1]
            uow.line_inbox.mark_failed("01HZZZEVENT0001", "boom again")
            assert uow.line_inbox.pending(10, 2) == []
            assert uow.line_inbox.get("01HZZZEVENT0001").last_error == "boom again"
            with pytest.raises(NotFound):
                uow.line_inbox.mark_failed("unknown", "x")

    def test_an_event_given_up_on_loses_its_message_text_once_received_before_the_cutoff(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            for event_id, hour in (("old", 8), ("recent", 10), ("retrying", 8), ("done", 8)):
                uow.line_inbox.add_if_absent(make_inbox_event(event_id, received_at=jst(hour=hour)))
            for event_id in ("old", "old", "recent", "recent", "retrying"):
                uow.line_inbox.mark_failed(event_id, "boom")
            uow.line_inbox.mark_processed("done", jst(hour=8, minute=1))
            uow.commit()
        with uow_factory() as uow:
            assert uow.line_inbox.erase_given_up(2, jst(hour=9)) == 1
            uow.commit()
        with uow_factory() as uow:
            erased = uow.line_inbox.get("old")
            assert erased == make_inbox_event(
                "old", received_at=jst(hour=8), payload={}, attempts=2, last_error="boom"
            )
            text = make_inbox_event().payload
            assert uow.line_inbox.get("recent").payload == text
            assert uow.line_inbox.get("retrying").payload == text
            assert uow.line_inbox.pending(10, 2) == [uow.line_inbox.get("retrying")]
            assert uow.line_inbox.erase_given_up(2, jst(hour=9)) == 0  # nothing left to erase


class TestLinkCodes:
    def test_a_code_is_used_once(self, uow_factory) -> None:
        code = LinkCode("482913", ELDER_ID, "はなこ", "長女", expires_at=jst(hour=20))
        with uow_factory() as uow:
            seed(uow, make_elder())
            uow.family.add_link_code(code)
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.get_link_code("482913") == code
            assert uow.family.mark_link_code_used("482913", jst(hour=10)) is True
            assert uow.family.mark_link_code_used("482913", jst(hour=11)) is False
            assert uow.family.mark_link_code_used("000000", jst(hour=11)) is False
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.get_link_code("482913").used_at == jst(hour=10)
            assert uow.family.get_link_code("000000") is None

    def test_a_taken_code_conflicts(self, uow_factory) -> None:
        code = LinkCode("482913", ELDER_ID, "はなこ", "長女", expires_at=jst(hour=20))
        with uow_factory() as uow:
            seed(uow, make_elder())
            uow.family.add_link_code(code)
            with pytest.raises(Conflict):
                uow.family.add_link_code(dataclasses.replace(code, name="たろう"))


class TestFamilyMessages:
    def test_unheard_messages_come_oldest_first_and_are_heard_once(self, uow_factory) -> None:
        _given_member(uow_factory)
        with uow_factory() as uow:
            assert uow.family.add_message_if_absent(make_family_message("m2")) is True
            early = make_family_message("m1", received_at=jst(hour=8), kind=MessageKind.STICKER)
            assert uow.family.add_message_if_absent(early) is True
            assert uow.family.add_message_if_absent(make_family_message("m2", text="x")) is False
            uow.commit()
        with uow_factory() as uow:
            assert [m.id for m in uow.family.unheard_for_elder(ELDER_ID)] == ["m1", "m2"]
            assert uow.family.get_message("m2").text == "お母さん、元気？"
            assert uow.family.mark_heard(["m1", "unknown"], jst(hour=10)) == 1
            assert uow.family.mark_heard(["m1", "m2"], jst(hour=11)) == 1
            assert uow.family.mark_heard([], jst(hour=11)) == 0
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.unheard_for_elder(ELDER_ID) == []
            assert uow.family.get_message("m1").heard_at == jst(hour=10)
            assert uow.family.get_message("m1").kind is MessageKind.STICKER

    def test_media_keys_are_kept(self, uow_factory) -> None:
        _given_member(uow_factory)
        photo = make_family_message(
            kind=MessageKind.IMAGE, text="", media_key="line/abc.jpg", media_type="image/jpeg"
        )
        with uow_factory() as uow:
            uow.family.add_message_if_absent(photo)
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.unheard_for_elder(ELDER_ID) == [photo]


class TestLineSends:
    def test_sends_are_counted_per_month(self, uow_factory) -> None:
        with uow_factory() as uow:
            assert uow.family.sends("2026-11").sent == 0
            assert uow.family.count_sends("2026-11", 1).sent == 1
            assert uow.family.count_sends("2026-11", 2).sent == 3
            assert uow.family.count_sends("2026-12", 1).sent == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.sends("2026-11").sent == 3

    def test_the_quota_warning_is_recorded_once_a_month(self, uow_factory) -> None:
        with uow_factory() as uow:
            uow.family.count_sends("2026-11", 160)
            assert uow.family.mark_quota_warned("2026-11", jst(hour=9)) is True
            assert (
                uow.family.mark_quota_warned("2026-11", jst(hour=9) + timedelta(hours=1)) is False
            )
            uow.commit()
        with uow_factory() as uow:
            sends = uow.family.sends("2026-11")
            assert (sends.sent, sends.warned_at) == (160, jst(hour=9))


class TestRecipientsByAddress:
    def test_a_line_user_s_links_to_several_elders_are_found_by_address(self, uow_factory) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder(), make_elder(id="elder-2"))
            uow.recipients.add(
                make_recipient("r2", elder_id="elder-2", channel="line", address="U1")
            )
            uow.recipients.add(make_recipient("r1", channel="line", address="U1"))
            uow.recipients.add(make_recipient("r3", channel="line", address="U2"))
            uow.recipients.add(make_recipient("r4", channel="email", address="U1"))
            uow.commit()
        with uow_factory() as uow:
            assert [r.id for r in uow.recipients.list_for_address("line", "U1")] == ["r1", "r2"]
            assert uow.recipients.list_for_address("line", "nobody") == []


class TestSummarySubscriptions:
    def test_an_opt_in_is_stored_replaced_listed_and_removed(self, uow_factory) -> None:
        first = SummarySubscription("U2", "08:00", jst(hour=9))
        with uow_factory() as uow:
            assert uow.family.get_summary("U2") is None
            uow.family.set_summary(first)
            uow.family.set_summary(SummarySubscription("U1", "19:30", jst(hour=9)))
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.get_summary("U2") == first
            later = SummarySubscription("U2", "07:15", jst(hour=10, minute=5))
            uow.family.set_summary(later)
            uow.commit()
        with uow_factory() as uow:
            assert uow.family.list_summaries() == [
                SummarySubscription("U1", "19:30", jst(hour=9)),
                SummarySubscription("U2", "07:15", jst(hour=10, minute=5)),
            ]
            assert uow.family.remove_summary("U1") is True
            assert uow.family.remove_summary("U1") is False
            uow.commit()
        with uow_factory() as uow:
            assert [s.line_user_id for s in uow.family.list_summaries()] == ["U2"]

    def test_an_opt_in_not_committed_is_not_kept(self, uow_factory) -> None:
        with uow_factory() as uow:
            uow.family.set_summary(SummarySubscription("U3", "08:00", jst(hour=9)))
        with uow_factory() as uow:
            assert uow.family.get_summary("U3") is None
