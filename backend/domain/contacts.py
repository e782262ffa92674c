"""How staff reach an elder and the people around them: phone, address, emergency contacts.

Kept only with the elder's consent (``consented_on``), apart from the elder's profile so
that only the pages that need them read them, and every read is audited.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

MAX_TEXT = 200
MAX_CONTACTS = 5
_PHONE = re.compile(r"^\+?[0-9][0-9-]{8,15}[0-9]$")


@dataclass(frozen=True)
class Contact:
    """A person to call: name, relation and phone number."""

    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class ElderContacts:
    """The contacts of one elder, stored with the elder's consent."""

    elder_id: str
    consented_on: date
    updated_at: datetime
    updated_by: str
    phone: str = ""
    address: str = ""
    emergency: tuple[Contact, ...] = ()
    key_holder: str = ""  # who keeps a key (name, relation, phone)
    minsei_name: str = ""  # 民生委員
    minsei_phone: str = ""


class ContactsInvalid(ValueError):
    """The contacts given are not valid; ``problems`` maps a field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(problems)))
        self.problems = problems


def normal_phone(text: str) -> str:
    """Return a phone number with full-width digits and dashes made ASCII, spaces removed."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    return re.sub(r"[\s()（）]", "", folded).replace("ー", "-").replace("−", "-")


def problems_of(contacts: ElderContacts) -> dict[str, str]:
    """Return the fields that are wrong and the code of what is wrong (empty: valid)."""
    found: dict[str, str] = {}
    phones = {"phone": contacts.phone, "minsei_phone": contacts.minsei_phone}
    for i, c in enumerate(contacts.emergency):
        phones[f"emergency-{i}-phone"] = c.phone
        if not c.name.strip():
            found[f"emergency-{i}-name"] = "required"
        if not c.phone.strip():
            found[f"emergency-{i}-phone"] = "required"
    for key, phone in phones.items():
        if phone and not _PHONE.match(phone):
            found.setdefault(key, "phone")
    texts = {
        "address": contacts.address,
        "key_holder": contacts.key_holder,
        "minsei_name": contacts.minsei_name,
    }
    texts |= {f"emergency-{i}-relation": c.relation for i, c in enumerate(contacts.emergency)}
    texts |= {f"emergency-{i}-name": c.name for i, c in enumerate(contacts.emergency)}
    for key, text in texts.items():
        if len(text) > MAX_TEXT:
            found[key] = "too_long"
        elif any(unicodedata.category(ch) == "Cc" for ch in text):
            found[key] = "control"
    if len(contacts.emergency) > MAX_CONTACTS:
        found["emergency"] = "too_many"
    return found
