"""DynamoDB repository of one elder's codes and records for its page, disclosure, erasure."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from backend.domain.family import FamilyMessage, LinkCode
from backend.domain.model import Alert, PairingCode, Recipient
from backend.ports import PrivacyRepository
from backend.stores.dynamodb.alert_repositories import recipient_item
from backend.stores.dynamodb.base import DynamoRepository
from backend.stores.dynamodb.codec import aware, decode
from backend.stores.dynamodb.elder_repositories import pairing_item
from backend.stores.dynamodb.family_repositories import link_code_item
from backend.stores.dynamodb.table import HIGH, PK, SK


class DynamoPrivacyRepository(DynamoRepository, PrivacyRepository):
    """Queries of the elder's partitions and index partitions; erasure rewrites or deletes."""

    def _pairing(self, elder_id: str) -> list[PairingCode]:
        return self._query(PairingCode, f"ELDER#{elder_id}#PAIRING", index="gsi1")

    def _link(self, elder_id: str) -> list[LinkCode]:
        return self._query(LinkCode, f"ELDER#{elder_id}#LINKCODES", index="gsi1")

    def pairing_codes_for(self, elder_id: str) -> list[PairingCode]:
        """Return the elder's pairing codes (used, expired or not), by ``expires_at``, then code."""
        return sorted(self._pairing(elder_id), key=lambda c: (c.expires_at, c.code))

    def revoke_pairing_codes(self, elder_id: str, at: datetime) -> int:
        """Mark every unused pairing code of the elder used at ``at``; return how many."""
        aware(at)
        unused = [c for c in self._pairing(elder_id) if c.used_at is None]
        for code in unused:
            self._s.put(pairing_item(dataclasses.replace(code, used_at=at)))
        return len(unused)

    def link_codes_for(self, elder_id: str) -> list[LinkCode]:
        """Return the elder's family link codes, by ``expires_at``, then code."""
        return sorted(self._link(elder_id), key=lambda c: (c.expires_at, c.code))

    def revoke_link_codes(self, elder_id: str, at: datetime) -> int:
        """Mark every unused family link code of the elder used at ``at``; return how many."""
        aware(at)
        unused = [c for c in self._link(elder_id) if c.used_at is None]
        for code in unused:
            self._s.put(link_code_item(dataclasses.replace(code, used_at=at)))
        return len(unused)

    def alerts_for(self, elder_id: str) -> list[Alert]:
        """Return every alert of the elder, whatever its status, by ``created_at``, then id."""
        found = self._query(Alert, f"ELDER#{elder_id}#ALERTS", index="gsi1")
        return sorted(found, key=lambda a: (a.created_at, a.id))

    def family_messages_for(self, elder_id: str) -> list[FamilyMessage]:
        """Return every family message to the elder, heard or not, by ``received_at``, then id."""
        found = self._query(FamilyMessage, f"ELDER#{elder_id}#FAMILYMSGS", index="gsi2")
        return sorted(found, key=lambda m: (m.received_at, m.id))

    def _rewrite(self, found: list[dict[str, Any]], **changes: Any) -> int:
        """Put each item again with ``changes`` (a None value removes the attribute)."""
        for stored in found:
            changed = dict(stored)
            for name, value in changes.items():
                if value is None:
                    changed.pop(name, None)
                else:
                    changed[name] = value
            self._s.put(changed)
        return len(found)

    def _delete(self, found: list[dict[str, Any]]) -> int:
        for stored in found:
            self._s.delete(stored[PK], stored[SK])
        return len(found)

    def erase_elder_records(self, elder_id: str) -> dict[str, int]:
        """Delete or blank the elder's personal data outside the elder item and alerts."""
        query = self._s.query
        counts: dict[str, int] = {}
        answers = query(f"ELDER#{elder_id}#ANSWERS", index="gsi1")
        counts["answers"] = self._rewrite(answers, raw="", request_id=None)
        events = query(f"ELDER#{elder_id}", ("between", "EVENT#", f"EVENT#{HIGH}"))
        counts["events"] = self._rewrite(events, detail=json.dumps({}))
        members = [
            decode(Recipient, r) for r in query(f"ELDER#{elder_id}#RECIPIENTS", index="gsi1")
        ]
        messages: dict[tuple[str, str], dict[str, Any]] = {}
        for member in members:
            for found in query(f"RECIPIENT#{member.id}#OUTBOX", index="gsi3"):
                messages[(found[PK], found[SK])] = found
        for alert in query(f"ELDER#{elder_id}#ALERTS", index="gsi1"):
            for found in query(f"ALERT#{alert['id']}#OUTBOX", index="gsi2"):
                messages[(found[PK], found[SK])] = found
        counts["outbox"] = self._rewrite(
            list(messages.values()), subject="", body="", last_error=None
        )
        counts["family_messages"] = self._delete(
            query(f"ELDER#{elder_id}#FAMILYMSGS", index="gsi2")
        )
        counts["bindings"] = self._delete(query(f"ELDER#{elder_id}#BINDINGS", index="gsi1"))
        counts["pairing_codes"] = self._delete(query(f"ELDER#{elder_id}#PAIRING", index="gsi1"))
        counts["link_codes"] = self._delete(query(f"ELDER#{elder_id}#LINKCODES", index="gsi1"))
        for member in members:
            blank = dataclasses.replace(member, name="", address="", active=False)
            self._s.put(recipient_item(blank))
        counts["recipients"] = len(members)
        return counts
