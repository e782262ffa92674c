"""The store contract of one elder's privacy records: codes, listings, link dates, erasure.

Run by the same modules as ``store_contract`` (fake, SQLite, PostgreSQL) with their
``uow_factory`` fixture.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from backend.domain.family import FamilyMessage, LinkCode, MessageKind
from backend.domain.model import Consent, Share, Withdrawal, WithdrawalMethod
from tests.builders import (
    DAY,
    ELDER_ID,
    jst,
    make_alert,
    make_answer,
    make_binding,
    make_center_inbox,
    make_checkin,
    make_elder,
    make_event,
    make_outbox_message,
    make_pairing_code,
    make_recipient,
    seed,
)

__all__ = ["TestElderCodes", "TestElderErasure", "TestElderListings", "TestWithdrawalRecord"]

OTHER = "elder-2"


def _two_elders(uow_factory) -> None:
    with uow_factory() as uow:
        seed(uow, make_elder(), make_elder(OTHER, name="田中 次郎", kana="たなか じろう"))
        uow.commit()


def _link_code(code: str, elder_id: str = ELDER_ID, hours: int = 10, used=None) -> LinkCode:
    return LinkCode(code, elder_id, "明美", "長女", jst(DAY, hours), used)


class TestElderCodes:
    def test_pairing_codes_of_one_elder_are_listed_by_expiry_and_revoked_once(
        self, uow_factory
    ) -> None:
        _two_elders(uow_factory)
        at = jst(DAY, 12)
        with uow_factory() as uow:
            uow.devices.add_pairing_code(make_pairing_code("222222", expires_at=jst(DAY, 11)))
            uow.devices.add_pairing_code(make_pairing_code("111111", expires_at=jst(DAY, 11)))
            uow.devices.add_pairing_code(
                make_pairing_code("333333", expires_at=jst(DAY, 9), used_at=jst(DAY, 8))
            )
            uow.devices.add_pairing_code(make_pairing_code("444444", elder_id=OTHER))
            uow.commit()
        with uow_factory() as uow:
            codes = uow.privacy.pairing_codes_for(ELDER_ID)
            assert [c.code for c in codes] == ["333333", "111111", "222222"]
            assert uow.privacy.revoke_pairing_codes(ELDER_ID, at) == 2
            uow.commit()
        with uow_factory() as uow:
            assert uow.privacy.revoke_pairing_codes(ELDER_ID, at + timedelta(hours=1)) == 0
            used = {c.code: c.used_at for c in uow.privacy.pairing_codes_for(ELDER_ID)}
            assert used == {"333333": jst(DAY, 8), "111111": at, "222222": at}
            assert uow.devices.get_pairing_code("444444").used_at is None

    def test_link_codes_of_one_elder_are_listed_and_revoked(self, uow_factory) -> None:
        _two_elders(uow_factory)
        with uow_factory() as uow:
            uow.family.add_link_code(_link_code("200000", hours=11))
            uow.family.add_link_code(_link_code("100000", hours=10))
            uow.family.add_link_code(_link_code("300000", elder_id=OTHER))
            uow.commit()
        with uow_factory() as uow:
            assert [c.code for c in uow.privacy.link_codes_for(ELDER_ID)] == ["100000", "200000"]
            assert uow.privacy.revoke_link_codes(ELDER_ID, jst(DAY, 9)) == 2
            uow.commit()
        with uow_factory() as uow:
            assert all(c.used_at == jst(DAY, 9) for c in uow.privacy.link_codes_for(ELDER_ID))
            assert uow.family.get_link_code("300000").used_at is None


class TestElderListings:
    def test_alerts_of_every_status_are_listed_oldest_first(self, uow_factory) -> None:
        _two_elders(uow_factory)
        with uow_factory() as uow:
            uow.alerts.add_if_absent(make_alert("a-2", period="p2", created_at=jst(DAY, 9)))
            uow.alerts.add_if_absent(make_alert("a-1", period="p1", created_at=jst(DAY, 9)))
            uow.alerts.add_if_absent(make_alert("a-0", period="p0", created_at=jst(DAY, 8)))
            uow.alerts.add_if_absent(make_alert("a-x", elder_id=OTHER))
            uow.commit()
        with uow_factory() as uow:
            assert [a.id for a in uow.privacy.alerts_for(ELDER_ID)] == ["a-0", "a-1", "a-2"]
            assert uow.privacy.alerts_for("nobody") == []

    def test_family_messages_heard_or_not_are_listed(self, uow_factory) -> None:
        _two_elders(uow_factory)
        with uow_factory() as uow:
            uow.recipients.add(make_recipient("line-1", channel="line", address="U1"))
            for n, hour in ((2, 9), (1, 10)):
                uow.family.add_message_if_absent(
                    FamilyMessage(
                        f"m-{n}", ELDER_ID, "line-1", "明美", MessageKind.TEXT, jst(DAY, hour)
                    )
                )
            uow.family.mark_heard(["m-2"], jst(DAY, 11))
            uow.commit()
        with uow_factory() as uow:
            assert [m.id for m in uow.privacy.family_messages_for(ELDER_ID)] == ["m-2", "m-1"]
            assert uow.privacy.family_messages_for(OTHER) == []

    def test_a_recipient_keeps_when_it_linked(self, uow_factory) -> None:
        _two_elders(uow_factory)
        member = dataclasses.replace(
            make_recipient("line-1", channel="line", address="U1"), linked_at=jst(DAY, 9)
        )
        with uow_factory() as uow:
            uow.recipients.add(member)
            uow.recipients.add(make_recipient("mail-1"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.recipients.get("line-1").linked_at == jst(DAY, 9)
            assert uow.recipients.get("mail-1").linked_at is None
            uow.recipients.update(dataclasses.replace(member, linked_at=jst(DAY, 10)))
            uow.commit()
        with uow_factory() as uow:
            assert uow.recipients.get("line-1").linked_at == jst(DAY, 10)


class TestWithdrawalRecord:
    def test_a_withdrawal_is_kept_with_the_consent(self, uow_factory) -> None:
        withdrawal = Withdrawal(jst(DAY, 15), "staff:user-1", WithdrawalMethod.PHONE, "長女より")
        consent = Consent(DAY, "佐藤", (Share("家族", "アラート"),), None, withdrawal)
        with uow_factory() as uow:
            seed(uow, make_elder(consent=consent))
            uow.commit()
        with uow_factory() as uow:
            elder = uow.elders.get(ELDER_ID)
            assert elder.consent == consent
            assert elder.withdrawn
            assert not elder.is_watchable
            erased = dataclasses.replace(withdrawal, erased_at=jst(DAY, 16))
            uow.elders.update(
                dataclasses.replace(elder, consent=dataclasses.replace(consent, withdrawal=erased))
            )
            uow.commit()
        with uow_factory() as uow:
            assert uow.elders.get(ELDER_ID).consent.withdrawal.erased_at == jst(DAY, 16)


class TestElderErasure:
    def _world(self, uow_factory) -> None:
        _two_elders(uow_factory)
        with uow_factory() as uow:
            for elder_id, n in ((ELDER_ID, 1), (OTHER, 2)):
                uow.checkins.add(make_checkin(f"c-{n}", elder_id=elder_id))
                uow.answers.add(
                    make_answer(checkin_id=f"c-{n}", elder_id=elder_id, request_id=f"r{n}")
                )
                uow.events.add(make_event(f"e-{n}", elder_id=elder_id))
                uow.devices.bind(
                    make_binding(alexa_user_id=f"A{n}", device_id=f"D{n}", elder_id=elder_id)
                )
                uow.devices.add_pairing_code(make_pairing_code(f"{n}00000", elder_id=elder_id))
                uow.family.add_link_code(_link_code(f"{n}11111", elder_id=elder_id))
                uow.recipients.add(
                    make_recipient(f"line-{n}", elder_id=elder_id, channel="line", address=f"U{n}")
                )
                uow.family.add_message_if_absent(
                    FamilyMessage(
                        f"m-{n}",
                        elder_id,
                        f"line-{n}",
                        "明美",
                        MessageKind.IMAGE,
                        jst(DAY, 9),
                        media_key=f"line/{n}.jpg",
                    )
                )
                uow.alerts.add_if_absent(make_alert(f"a-{n}", elder_id=elder_id))
                uow.outbox.add_if_absent(
                    make_outbox_message(f"o-{n}", recipient_id=f"line-{n}", alert_id=f"a-{n}")
                )
            uow.recipients.add(make_center_inbox())
            uow.outbox.add_if_absent(
                make_outbox_message("o-center", recipient_id="inbox-1", alert_id="a-1")
            )
            uow.commit()

    def test_the_elders_personal_records_go_and_the_counts_stay(self, uow_factory) -> None:
        self._world(uow_factory)
        with uow_factory() as uow:
            counts = uow.privacy.erase_elder_records(ELDER_ID)
            uow.commit()
        assert counts == {
            "answers": 1,
            "events": 1,
            "outbox": 2,
            "family_messages": 1,
            "bindings": 1,
            "pairing_codes": 1,
            "link_codes": 1,
            "recipients": 1,
        }
        with uow_factory() as uow:
            (answer,) = uow.answers.list_for_elder(ELDER_ID, DAY, DAY)
            assert (answer.raw, answer.request_id, answer.value) == ("", None, "good")
            (event,) = uow.events.list_for_elder(ELDER_ID)
            assert event.detail == {}
            assert uow.devices.get_binding("A1", "D1") is None
            assert uow.devices.get_pairing_code("100000") is None
            assert uow.family.get_link_code("111111") is None
            assert uow.privacy.family_messages_for(ELDER_ID) == []
            member = uow.recipients.get("line-1")
            assert (member.name, member.address, member.active) == ("", "", False)
            for message_id in ("o-1", "o-center"):
                message = uow.outbox.get(message_id)
                assert (message.subject, message.body) == ("", "")
            assert len(uow.checkins.list_for_elder(ELDER_ID, DAY, DAY)) == 1
            assert [a.id for a in uow.privacy.alerts_for(ELDER_ID)] == ["a-1"]
            # The other elder keeps everything.
            (kept,) = uow.answers.list_for_elder(OTHER, DAY, DAY)
            assert kept.raw == "元気です"
            assert uow.devices.get_binding("A2", "D2") is not None
            assert uow.recipients.get("line-2").address == "U2"
            assert uow.outbox.get("o-2").subject != ""
            assert len(uow.privacy.family_messages_for(OTHER)) == 1

    def test_erasing_again_is_harmless(self, uow_factory) -> None:
        self._world(uow_factory)
        with uow_factory() as uow:
            uow.privacy.erase_elder_records(ELDER_ID)
            uow.commit()
        with uow_factory() as uow:
            again = uow.privacy.erase_elder_records(ELDER_ID)
            uow.commit()
        assert again["bindings"] == again["family_messages"] == again["pairing_codes"] == 0
        with uow_factory() as uow:
            assert uow.recipients.get("line-1").active is False
