"""Elder contacts: stored only with consent, every problem at once, audited, erased with the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.domain.contacts import ContactsInvalid
from backend.domain.errors import NotFound
from backend.domain.model import WithdrawalMethod
from backend.services import contacts, privacy
from questions.policy import Policy
from tests.builders import make_elder, make_user, seed
from tests.fakes import FakeUnitOfWork

FORM = contacts.ContactsForm(
    phone="０１９７ー２４ー２１１１",
    address="奥州市水沢",
    emergency=[("山田 明美", "長女", "090-1234-5678"), ("", "", "")],
    minsei_name="高橋 和子",
    consented=True,
)


@pytest.fixture
def world(store):
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder(), make_elder("elder-2", center_id="other-center"))
        uow.commit()


def test_contacts_are_saved_normalised_and_the_change_is_audited(services, store, world):
    user = make_user()
    saved = contacts.save(services, user, "elder-1", FORM)
    assert saved.phone == "0197-24-2111"
    assert [c.name for c in saved.emergency] == ["山田 明美"]
    assert contacts.view(services, user, "elder-1", "elder") == saved
    actions = [e.action for e in store.state.audit]
    assert actions == ["edit_contacts", "view_contacts"]
    assert all("0197" not in str(e.detail) for e in store.state.audit)


def test_every_problem_is_reported_at_once_and_nothing_is_stored(services, store, world):
    bad = contacts.ContactsForm(
        phone="12", emergency=[("", "長男", "090-1111-2222")], consented=False
    )
    with pytest.raises(ContactsInvalid) as raised:
        contacts.save(services, make_user(), "elder-1", bad)
    assert raised.value.problems == {
        "phone": "phone",
        "emergency-0-name": "required",
        "consented": "required",
    }
    assert store.state.contacts == {}


def test_an_elder_outside_the_center_is_not_found(services, store, world):
    with pytest.raises(NotFound):
        contacts.save(services, make_user(), "elder-2", FORM)
    with pytest.raises(NotFound):
        contacts.view(services, make_user(), "elder-2", "elder")


def test_an_elder_without_consent_cannot_have_contacts_stored(services, store):
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder(consent=None))
        uow.commit()
    with pytest.raises(ContactsInvalid) as raised:
        contacts.save(services, make_user(), "elder-1", FORM)
    assert raised.value.problems == {"consented": "no_consent"}


def test_the_erasure_after_a_withdrawal_deletes_the_contacts(services, store, clock, world):
    contacts.save(services, make_user(), "elder-1", FORM)
    privacy.withdraw_consent(services, make_user(), "elder-1", WithdrawalMethod.PHONE, "")
    clock.tick(timedelta(days=400))
    assert privacy.erase_due(services, lambda code: Policy(retention_days=365)).erased == (
        "elder-1",
    )
    assert store.state.contacts == {}


def test_a_disclosure_request_gets_the_contacts_too(services, store, world):
    contacts.save(services, make_user(), "elder-1", FORM)
    document = privacy.disclosure(services, make_user(), "elder-1")
    assert document["contacts"]["phone"] == "0197-24-2111"
    assert document["contacts"]["emergency"][0]["name"] == "山田 明美"
