"""DynamoDB repository of the elders' contacts: CONTACTS#<elder id> / #CONTACTS."""

from __future__ import annotations

from backend.domain.contacts import ElderContacts
from backend.domain.errors import NotFound
from backend.ports import ContactRepository
from backend.stores.dynamodb.base import DynamoRepository, item
from backend.stores.dynamodb.codec import aware

SK_CONTACTS = "#CONTACTS"


def _pk(elder_id: str) -> str:
    return f"CONTACTS#{elder_id}"


class DynamoContactRepository(DynamoRepository, ContactRepository):
    """One item an elder (its own partition, apart from the elder's records)."""

    def get(self, elder_id: str) -> ElderContacts | None:
        """Return the elder's contacts, or None."""
        return self._get(ElderContacts, _pk(elder_id), SK_CONTACTS)

    def save(self, contacts: ElderContacts) -> None:
        """Store or replace the elder's contacts; NotFound if the elder does not exist."""
        aware(contacts.updated_at)
        if not self._exists(f"ELDER#{contacts.elder_id}", "#ELDER"):
            raise NotFound(f"elder {contacts.elder_id} does not exist")
        self._s.put(item("contacts", _pk(contacts.elder_id), SK_CONTACTS, contacts))

    def delete(self, elder_id: str) -> bool:
        """Delete the elder's contacts; return True if there were any."""
        if not self._exists(_pk(elder_id), SK_CONTACTS):
            return False
        self._s.delete(_pk(elder_id), SK_CONTACTS)
        return True
