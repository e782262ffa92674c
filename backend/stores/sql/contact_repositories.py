"""SQL repository of the elders' contacts (table ``elder_contacts``)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from backend.domain.contacts import ElderContacts
from backend.domain.errors import NotFound
from backend.ports import ContactRepository
from backend.stores.sql import tables as t
from backend.stores.sql.base import SqlRepository, mapping
from backend.stores.sql.staff_codecs import contacts_from_row, contacts_to_row

_c = t.elder_contacts.c


class SqlContactRepository(SqlRepository, ContactRepository):
    """One row an elder; saving replaces it."""

    def get(self, elder_id: str) -> ElderContacts | None:
        """Return the elder's contacts, or None."""
        row = self._connection.execute(
            select(t.elder_contacts).where(_c.elder_id == elder_id)
        ).first()
        return None if row is None else contacts_from_row(mapping(row))

    def save(self, contacts: ElderContacts) -> None:
        """Store or replace the elder's contacts; NotFound if the elder does not exist."""
        values = contacts_to_row(contacts)
        elder = self._connection.execute(
            select(t.elders.c.id).where(t.elders.c.id == contacts.elder_id)
        ).first()
        if elder is None:
            raise NotFound(f"elder {contacts.elder_id} does not exist")
        changed = self._connection.execute(
            update(t.elder_contacts).where(_c.elder_id == contacts.elder_id).values(values)
        ).rowcount
        if not changed:
            self._insert(insert(t.elder_contacts), values, f"contacts of {contacts.elder_id}")

    def delete(self, elder_id: str) -> bool:
        """Delete the elder's contacts; return True if there were any."""
        stmt = delete(t.elder_contacts).where(_c.elder_id == elder_id)
        return bool(self._connection.execute(stmt).rowcount)
