"""The elder's contacts for staff: read (audited) and saved with the elder's consent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from backend.domain.contacts import (
    Contact,
    ContactsInvalid,
    ElderContacts,
    normal_phone,
    problems_of,
)
from backend.domain.model import Elder, StaffUser
from backend.domain.staff import AuditEntry
from backend.services.access import actor_of, elder_in_scope
from backend.services.audit import record_view
from backend.services.context import Services
from backend.services.retry import retry_when_busy


@dataclass(frozen=True)
class ContactsForm:
    """What staff typed: free text, phones in any width; blank emergency rows are dropped."""

    phone: str = ""
    address: str = ""
    emergency: Sequence[tuple[str, str, str]] = ()  # (name, relation, phone)
    key_holder: str = ""
    minsei_name: str = ""
    minsei_phone: str = ""
    consented: bool = False  # the elder agreed that the center keeps these contacts


def elder_of(svc: Services, user: StaffUser, elder_id: str) -> Elder:
    """Return the elder in the user's scope (NotFound outside it)."""
    with svc.uow() as uow:
        return elder_in_scope(uow, user, elder_id)


def view(svc: Services, user: StaffUser, elder_id: str, page: str) -> ElderContacts | None:
    """Return the elder's contacts for a page (``elder`` / ``alert``); the view is audited."""
    elder_of(svc, user, elder_id)
    with svc.uow() as uow:
        found = uow.contacts.get(elder_id)
    if found is not None:
        record_view(svc, user, svc.now(), "view_contacts", elder_id, page=page)
    return found


def build(elder: Elder, form: ContactsForm, today: date, actor: str, at: datetime) -> ElderContacts:
    """Return the contacts of the form, normalised; ContactsInvalid lists every problem."""
    rows = [
        Contact(name.strip(), relation.strip(), normal_phone(phone))
        for name, relation, phone in form.emergency
        if (name or relation or phone).strip()
    ]
    contacts = ElderContacts(
        elder_id=elder.id,
        consented_on=today,
        updated_at=at,
        updated_by=actor,
        phone=normal_phone(form.phone),
        address=form.address.strip(),
        emergency=tuple(rows),
        key_holder=form.key_holder.strip(),
        minsei_name=form.minsei_name.strip(),
        minsei_phone=normal_phone(form.minsei_phone),
    )
    problems = problems_of(contacts)
    if not form.consented:
        problems["consented"] = "required"
    if elder.consent is None or elder.withdrawn:
        problems["consented"] = "no_consent"
    if problems:
        raise ContactsInvalid(problems)
    return contacts


@retry_when_busy
def save(svc: Services, user: StaffUser, elder_id: str, form: ContactsForm) -> ElderContacts:
    """Store the elder's contacts (consent checked, every problem at once); audited."""
    elder = elder_of(svc, user, elder_id)
    now = svc.now()
    with svc.uow() as uow:
        previous = uow.contacts.get(elder_id)
        contacts = build(elder, form, now.date(), actor_of(user), now)
        if previous is not None and previous.consented_on < contacts.consented_on:
            contacts = replace(contacts, consented_on=previous.consented_on)
        uow.contacts.save(contacts)
        uow.audit.add(AuditEntry(now, actor_of(user), "edit_contacts", elder_id, {}))
        uow.commit()
    return contacts
