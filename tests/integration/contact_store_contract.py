"""The store contract of the elders' contacts: saved, replaced, read back exactly, deleted.

Run by the same modules as ``store_contract`` (fake, SQLite, PostgreSQL, DynamoDB) with their
``uow_factory`` fixture.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from backend.domain.contacts import Contact, ElderContacts
from backend.domain.errors import NotFound
from tests.builders import DAY, ELDER_ID, jst, make_elder, seed

__all__ = ["TestElderContacts"]


def _contacts(elder_id: str = ELDER_ID, **changes) -> ElderContacts:
    contacts = ElderContacts(
        elder_id=elder_id,
        consented_on=date(2026, 4, 1),
        updated_at=jst(DAY, 9),
        updated_by="staff:user-1",
        phone="0197-24-2111",
        address="岩手県奥州市水沢大手町1-1",
        emergency=(
            Contact("山田 明美", "長女", "090-1234-5678"),
            Contact("山田 健", "長男", "080-2222-3333"),
        ),
        key_holder="隣の佐々木さん（0197-11-2222）",
        minsei_name="民生委員 高橋 和子",
        minsei_phone="0197-33-4444",
    )
    return dataclasses.replace(contacts, **changes)


class TestElderContacts:
    def test_contacts_are_read_back_exactly_and_saving_again_replaces_them(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder(), make_elder("elder-2", name="田中 次郎", kana="たなか じろう"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.contacts.get(ELDER_ID) is None
            uow.contacts.save(_contacts())
            uow.commit()
        with uow_factory() as uow:
            assert uow.contacts.get(ELDER_ID) == _contacts()
            assert uow.contacts.get("elder-2") is None
            uow.contacts.save(_contacts(emergency=(), phone="", updated_at=jst(DAY, 10)))
            uow.commit()
        with uow_factory() as uow:
            found = uow.contacts.get(ELDER_ID)
            assert found == _contacts(emergency=(), phone="", updated_at=jst(DAY, 10))

    def test_contacts_of_an_unknown_elder_are_refused_and_nothing_is_stored(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.contacts.save(_contacts("nobody"))
        with uow_factory() as uow:
            assert uow.contacts.get("nobody") is None

    def test_contacts_not_committed_are_not_kept_and_deleting_says_if_there_were_any(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder())
            uow.commit()
        with uow_factory() as uow:
            uow.contacts.save(_contacts())
        with uow_factory() as uow:
            assert uow.contacts.get(ELDER_ID) is None
            assert uow.contacts.delete(ELDER_ID) is False
            uow.contacts.save(_contacts())
            uow.commit()
        with uow_factory() as uow:
            assert uow.contacts.delete(ELDER_ID) is True
            uow.commit()
        with uow_factory() as uow:
            assert uow.contacts.get(ELDER_ID) is None
