"""SQL repositories of municipalities, care centers, elders and their speakers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from backend.domain.errors import NotFound
from backend.domain.model import (
    CareCenter,
    CheckIn,
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
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    PerDialect,
    SqlRepository,
    batches,
    by_code_point,
    dialect_insert,
    ids_in,
    mapping,
    translated,
)
from backend.stores.sql.codecs import (
    binding_from_row,
    binding_to_row,
    center_from_row,
    center_to_row,
    checkin_from_row,
    elder_from_row,
    elder_to_row,
    municipality_from_row,
    municipality_to_row,
    pairing_code_from_row,
    pairing_code_to_row,
)
from backend.stores.sql.column_types import to_utc

# Statements of the check-in's hot path, built once (building a select() costs more than
# running it on SQLite); SQLAlchemy caches their compiled form.
_GET_BINDING = select(t.device_bindings).where(
    t.device_bindings.c.alexa_user_id == bindparam("alexa_user_id"),
    t.device_bindings.c.device_id == bindparam("device_id"),
)
_GET_ELDER = select(t.elders).where(t.elders.c.id == bindparam("id"))
_GET_ELDER_BY_DEVICE = (
    select(t.elders)
    .join(t.device_bindings, t.device_bindings.c.elder_id == t.elders.c.id)
    .where(
        t.device_bindings.c.alexa_user_id == bindparam("alexa_user_id"),
        t.device_bindings.c.device_id == bindparam("device_id"),
    )
)


def _upsert_binding(dialect_name: str) -> Any:
    stmt = dialect_insert(dialect_name, t.device_bindings)
    return stmt.on_conflict_do_update(
        index_elements=["alexa_user_id", "device_id"],
        set_={"elder_id": stmt.excluded.elder_id, "bound_at": stmt.excluded.bound_at},
    )


_BIND = PerDialect(_upsert_binding)
_BOUND_SINCE = (
    select(t.device_bindings.c.elder_id, func.min(t.device_bindings.c.bound_at).label("since"))
    .where(ids_in(t.device_bindings.c.elder_id))
    .group_by(t.device_bindings.c.elder_id)
)


class SqlMunicipalityRepository(SqlRepository, MunicipalityRepository):
    """Municipalities in the ``municipalities`` table."""

    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""
        self._insert(
            insert(t.municipalities),
            municipality_to_row(municipality),
            f"municipality {municipality.code}",
        )

    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""
        row = self._connection.execute(
            select(t.municipalities).where(t.municipalities.c.code == code)
        ).first()
        return None if row is None else municipality_from_row(mapping(row))


class SqlCenterRepository(SqlRepository, CenterRepository):
    """Care centers in the ``care_centers`` table."""

    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""
        self._insert(insert(t.care_centers), center_to_row(center), f"center {center.id}")

    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""
        row = self._connection.execute(
            select(t.care_centers).where(t.care_centers.c.id == center_id)
        ).first()
        return None if row is None else center_from_row(mapping(row))

    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name."""
        c = t.care_centers.c
        rows = self._connection.execute(
            select(t.care_centers)
            .where(c.municipality_code == code)
            .order_by(
                by_code_point(self._connection, c.name), by_code_point(self._connection, c.id)
            )
        )
        return [center_from_row(mapping(row)) for row in rows]


class SqlElderRepository(SqlRepository, ElderRepository):
    """Elders in the ``elders`` table."""

    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""
        self._insert(insert(t.elders), elder_to_row(elder), f"elder {elder.id}")

    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""
        row = self._connection.execute(_GET_ELDER, {"id": elder_id}).first()
        return None if row is None else elder_from_row(mapping(row))

    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""
        values = elder_to_row(elder)
        del values["id"]
        with translated(self._connection, f"elder {elder.id}"):
            result = self._connection.execute(
                update(t.elders).where(t.elders.c.id == elder.id).values(**values)
            )
        if result.rowcount != 1:
            raise NotFound(f"elder {elder.id} does not exist")

    def list_for_center(self, center_id: str) -> list[Elder]:
        """Return the center's elders ordered by kana."""
        c = t.elders.c
        rows = self._connection.execute(
            select(t.elders)
            .where(c.center_id == center_id)
            .order_by(
                by_code_point(self._connection, c.kana), by_code_point(self._connection, c.id)
            )
        )
        return [elder_from_row(mapping(row)) for row in rows]

    def list_for_municipality(self, code: str) -> list[Elder]:
        """Return the municipality's elders (every center) ordered by kana, then id."""
        c = t.elders.c
        rows = self._connection.execute(
            select(t.elders)
            .where(c.municipality_code == code)
            .order_by(
                by_code_point(self._connection, c.kana), by_code_point(self._connection, c.id)
            )
        )
        return [elder_from_row(mapping(row)) for row in rows]

    def list_all(self) -> list[Elder]:
        """Return every elder ordered by id."""
        rows = self._connection.execute(
            select(t.elders).order_by(by_code_point(self._connection, t.elders.c.id))
        )
        return [elder_from_row(mapping(row)) for row in rows]

    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana."""
        elders = self.list_for_center(center_id)
        ci, el = t.checkins.c, t.elders.c
        rows = self._connection.execute(
            select(t.checkins)
            .join(t.elders, el.id == ci.elder_id)
            .where(and_(el.center_id == center_id, ci.date == day))
            .order_by(ci.started_at, by_code_point(self._connection, ci.id))
        )
        by_elder: dict[str, list[CheckIn]] = {}
        for row in rows:
            checkin = checkin_from_row(mapping(row))
            by_elder.setdefault(checkin.elder_id, []).append(checkin)
        return [ElderDay(elder=e, checkins=tuple(by_elder.get(e.id, ()))) for e in elders]


class SqlDeviceRepository(SqlRepository, DeviceRepository):
    """Speaker bindings (``device_bindings``) and pairing codes (``pairing_codes``)."""

    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""
        values = binding_to_row(binding)
        what = f"binding of elder {binding.elder_id}"
        self._insert(_BIND.get(self._connection), values, what)

    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""
        row = self._connection.execute(
            _GET_BINDING, {"alexa_user_id": alexa_user_id, "device_id": device_id}
        ).first()
        return None if row is None else binding_from_row(mapping(row))

    def bound_since(self, elder_ids: Sequence[str]) -> dict[str, datetime]:
        """Return when each asked elder's first speaker was bound (elders with none are absent)."""
        found: dict[str, datetime] = {}
        ids = list(dict.fromkeys(elder_ids))
        for batch in batches(ids):
            rows = self._connection.execute(_BOUND_SINCE, {"elder_ids": batch})
            for row in rows:
                found[row.elder_id] = to_utc(row.since)
        return found

    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""
        row = self._connection.execute(
            _GET_ELDER_BY_DEVICE, {"alexa_user_id": alexa_user_id, "device_id": device_id}
        ).first()
        return None if row is None else elder_from_row(mapping(row))

    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""
        self._insert(insert(t.pairing_codes), pairing_code_to_row(code), "pairing code")

    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""
        row = self._connection.execute(
            select(t.pairing_codes).where(t.pairing_codes.c.code == code)
        ).first()
        return None if row is None else pairing_code_from_row(mapping(row))

    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used; return False if it was already used (or is unknown)."""
        c = t.pairing_codes.c
        result = self._connection.execute(
            update(t.pairing_codes)
            .where(and_(c.code == code, c.used_at.is_(None)))
            .values(used_at=to_utc(at))
        )
        return result.rowcount == 1
