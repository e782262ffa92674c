"""DynamoDB repositories of municipalities, care centers, elders and their speakers."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import (
    CareCenter,
    DeviceBinding,
    Elder,
    ElderDay,
    Municipality,
    PairingCode,
)
from backend.ports import (
    CenterRepository,
    DeviceRepository,
    ElderRepository,
    MunicipalityRepository,
)
from backend.stores.dynamodb.base import DynamoRepository, elder_pk, item
from backend.stores.dynamodb.checkin_repositories import checkins_between
from backend.stores.dynamodb.codec import aware, decode, iso
from backend.stores.dynamodb.table import TableSession

# --- municipalities and centers ----------------------------------------------------------


def _muni_pk(code: str) -> str:
    return f"MUNI#{code}"


class DynamoMunicipalityRepository(DynamoRepository, MunicipalityRepository):
    """Municipalities: MUNI#<code> / #MUNI (GetItem)."""

    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""
        pk = _muni_pk(municipality.code)
        if self._exists(pk, "#MUNI"):
            raise Conflict(f"municipality {municipality.code} already exists")
        self._s.put(item("municipality", pk, "#MUNI", municipality))

    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""
        return self._get(Municipality, _muni_pk(code), "#MUNI")


class DynamoCenterRepository(DynamoRepository, CenterRepository):
    """Centers: CENTER#<id> / #CENTER; by municipality on gsi1 (Query)."""

    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""
        pk = f"CENTER#{center.id}"
        if self._exists(pk, "#CENTER"):
            raise Conflict(f"center {center.id} already exists")
        self._s.put(
            item(
                "center",
                pk,
                "#CENTER",
                center,
                gsi1pk=f"MUNI#{center.municipality_code}#CENTERS",
                gsi1sk=center.id,
            )
        )

    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""
        return self._get(CareCenter, f"CENTER#{center_id}", "#CENTER")

    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name, then id."""
        found = self._query(CareCenter, f"MUNI#{code}#CENTERS", index="gsi1")
        return sorted(found, key=lambda c: (c.name, c.id))


def _elder_item(elder: Elder) -> dict[str, Any]:
    return item(
        "elder",
        elder_pk(elder.id),
        "#ELDER",
        elder,
        gsi1pk=f"CENTER#{elder.center_id}#ELDERS",
        gsi1sk=elder.id,
        gsi2pk=f"MUNI#{elder.municipality_code}#ELDERS",
        gsi2sk=elder.id,
        gsi3pk="ELDERS",
        gsi3sk=elder.id,
    )


class DynamoElderRepository(DynamoRepository, ElderRepository):
    """Elders: ELDER#<id> / #ELDER; by center (gsi1), municipality (gsi2), all (gsi3)."""

    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""
        if self._exists(elder_pk(elder.id), "#ELDER"):
            raise Conflict(f"elder {elder.id} already exists")
        self._s.put(_elder_item(elder))

    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""
        return self._get(Elder, elder_pk(elder_id), "#ELDER")

    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""
        if not self._exists(elder_pk(elder.id), "#ELDER"):
            raise NotFound(f"elder {elder.id} does not exist")
        self._s.put(_elder_item(elder))

    def list_for_center(self, center_id: str) -> list[Elder]:
        """Return the center's elders ordered by kana, then id."""
        found = self._query(Elder, f"CENTER#{center_id}#ELDERS", index="gsi1")
        return sorted(found, key=lambda e: (e.kana, e.id))

    def list_for_municipality(self, code: str) -> list[Elder]:
        """Return the municipality's elders (every center) ordered by kana, then id."""
        found = self._query(Elder, f"MUNI#{code}#ELDERS", index="gsi2")
        return sorted(found, key=lambda e: (e.kana, e.id))

    def list_all(self) -> list[Elder]:
        """Return every elder ordered by id."""
        return sorted(self._query(Elder, "ELDERS", index="gsi3"), key=lambda e: e.id)

    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana."""
        return [
            ElderDay(elder=elder, checkins=tuple(checkins_between(self._s, elder.id, day, day)))
            for elder in self.list_for_center(center_id)
        ]


# --- devices -----------------------------------------------------------------------------


def _binding_pk(alexa_user_id: str, device_id: str) -> str:
    return f"DEVICE#{alexa_user_id}#{device_id}"


def pairing_item(code: PairingCode) -> dict[str, Any]:
    """Return the stored pairing code: PAIRING#<code>, by elder and expiry on gsi1."""
    return item(
        "pairing",
        f"PAIRING#{code.code}",
        "#PAIRING",
        code,
        gsi1pk=f"ELDER#{code.elder_id}#PAIRING",
        gsi1sk=f"{iso(code.expires_at)}#{code.code}",
    )


def bindings_of(session: TableSession, elder_id: str) -> list[DeviceBinding]:
    """Return the elder's speaker bindings, earliest first."""
    found = session.query(f"ELDER#{elder_id}#BINDINGS", index="gsi1")
    return [decode(DeviceBinding, i) for i in found]


class DynamoDeviceRepository(DynamoRepository, DeviceRepository):
    """Bindings DEVICE#<user>#<device> and PAIRING#<code> items (both by elder on gsi1)."""

    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""
        aware(binding.bound_at)
        pk = _binding_pk(binding.alexa_user_id, binding.device_id)
        self._s.put(
            item(
                "binding",
                pk,
                "#BINDING",
                binding,
                gsi1pk=f"ELDER#{binding.elder_id}#BINDINGS",
                gsi1sk=f"{iso(binding.bound_at)}#{pk}",
            )
        )

    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""
        return self._get(DeviceBinding, _binding_pk(alexa_user_id, device_id), "#BINDING")

    def bound_since(self, elder_ids: Sequence[str]) -> dict[str, datetime]:
        """Return when each asked elder's first speaker was bound (elders with none are absent)."""
        found = {}
        for elder_id in dict.fromkeys(elder_ids):
            bindings = bindings_of(self._s, elder_id)
            if bindings:
                found[elder_id] = min(b.bound_at for b in bindings)
        return found

    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""
        binding = self.get_binding(alexa_user_id, device_id)
        if binding is None:
            return None
        return self._get(Elder, elder_pk(binding.elder_id), "#ELDER")

    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""
        aware(code.expires_at)
        aware(code.used_at)
        pk = f"PAIRING#{code.code}"
        if self._exists(pk, "#PAIRING"):
            raise Conflict("pairing code already exists")
        self._s.put(pairing_item(code))

    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""
        return self._get(PairingCode, f"PAIRING#{code}", "#PAIRING")

    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it."""
        aware(at)
        stored = self.get_pairing_code(code)
        if stored is None or stored.used_at is not None:
            return False
        self._s.put(pairing_item(dataclasses.replace(stored, used_at=at)))
        return True
