"""One elder's codes and records for the elder page, disclosure and erasure; published versions."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import FamilyMessage, LinkCode
from backend.domain.model import Alert, PairingCode, Recipient
from backend.domain.versions import ConfigKind, ConfigVersion
from backend.ports import ConfigVersionRepository, PrivacyRepository
from backend.stores.dynamodb.codec import aware, decode
from backend.stores.dynamodb.repositories import (
    DynamoRepository,
    item,
    pairing_item,
    recipient_item,
)
from backend.stores.dynamodb.staff_repositories import link_code_item
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


def _config_pk(kind: ConfigKind, code: str) -> str:
    return f"CONFIG#{ConfigKind(kind).value}#{code}"


def _version_sk(version: int) -> str:
    return f"V#{version:010d}"


HEAD = "#HEAD"


class DynamoConfigVersionRepository(DynamoRepository, ConfigVersionRepository):
    """Versions CONFIG#<kind>#<code> / V#<version>, and a #HEAD copy of the newest (gsi1)."""

    def add(self, version: ConfigVersion) -> None:
        """Store a version; Conflict if it exists, NotFound without its municipality."""
        aware(version.published_at)
        if version.version < 0:
            raise ValueError("a version number is never negative")
        pk = _config_pk(version.kind, version.municipality_code)
        if self._exists(pk, _version_sk(version.version)):
            raise Conflict(f"{version.kind} {version.municipality_code} v{version.version} exists")
        if not self._exists(f"MUNI#{version.municipality_code}", "#MUNI"):
            raise NotFound(f"municipality {version.municipality_code} does not exist")
        self._s.put(item("config-version", pk, _version_sk(version.version), version))
        head = self._s.get(pk, HEAD)  # read, so that two publishers at once conflict
        if head is None or int(head["version"]) < version.version:
            kind = ConfigKind(version.kind).value
            heads = {"gsi1pk": f"CONFIGS#{kind}", "gsi1sk": version.municipality_code}
            self._s.put(item("config-head", pk, HEAD, version, **heads))

    def get(self, kind: ConfigKind, code: str, version: int) -> ConfigVersion | None:
        """Return one version, or None."""
        return self._get(ConfigVersion, _config_pk(kind, code), _version_sk(version))

    def latest(self, kind: ConfigKind, code: str) -> ConfigVersion | None:
        """Return the municipality's newest version of this kind (its head), or None."""
        return self._get(ConfigVersion, _config_pk(kind, code), HEAD)

    def list_for(self, kind: ConfigKind, code: str) -> list[ConfigVersion]:
        """Return the municipality's versions of this kind, newest first."""
        found = self._query(ConfigVersion, _config_pk(kind, code), ("begins", "V#"))
        return sorted(found, key=lambda v: v.version, reverse=True)

    def latest_all(self, kind: ConfigKind) -> list[ConfigVersion]:
        """Return the newest version of this kind of every municipality, by municipality code."""
        found = self._query(ConfigVersion, f"CONFIGS#{ConfigKind(kind).value}", index="gsi1")
        return sorted(found, key=lambda v: v.municipality_code)
