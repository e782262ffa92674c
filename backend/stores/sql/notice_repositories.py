"""SQL repositories of municipal notices and who heard them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from backend.domain.errors import NotFound
from backend.ports import NoticeDeliveryRepository, NoticeRepository
from backend.stores.sql import tables as t
from backend.stores.sql.base import (
    PerDialect,
    SqlRepository,
    batches,
    code_point,
    mapping,
    on_conflict_insert,
    translated,
)
from backend.stores.sql.column_types import to_utc
from backend.stores.sql.notice_codecs import (
    delivery_from_row,
    delivery_to_row,
    notice_from_row,
    notice_to_row,
)
from notices.model import Notice, NoticeDelivery, Safety

_nt, _nd, _db = t.notices.c, t.notice_deliveries.c, t.device_bindings.c
_GET_NOTICE = select(t.notices).where(_nt.id == bindparam("notice_id"))
_NOTICE_FIELDS = tuple(c.name for c in t.notices.columns if c.name not in ("id", "created_at"))
_UPDATE_NOTICE = (
    update(t.notices)
    .where(_nt.id == bindparam("notice_id"))
    .values({name: bindparam(name) for name in _NOTICE_FIELDS})
)
_LIST_NOTICES = PerDialect(
    lambda d: (
        select(t.notices)
        .where(_nt.municipality_code == bindparam("code"))
        .order_by(_nt.starts_at, code_point(d, _nt.id))
    )
)
_DELIVERY_KEY = ("notice_id", "elder_id", "occurrence")
_ADD_DELIVERY = PerDialect(
    lambda d: on_conflict_insert(d, t.notice_deliveries, _DELIVERY_KEY, _nd.notice_id)
)
_GET_DELIVERY = select(t.notice_deliveries).where(
    _nd.notice_id == bindparam("notice_id"),
    _nd.elder_id == bindparam("elder_id"),
    _nd.occurrence == bindparam("occurrence"),
)
_SET_SAFETY = (
    update(t.notice_deliveries)
    .where(
        _nd.notice_id == bindparam("k_notice_id"),
        _nd.elder_id == bindparam("k_elder_id"),
        _nd.occurrence == bindparam("k_occurrence"),
    )
    .values(safety=bindparam("v_safety"), safety_at=bindparam("v_safety_at"))
)
_DELIVERIES_FOR_ELDER = PerDialect(
    lambda d: (
        select(t.notice_deliveries)
        .where(
            _nd.elder_id == bindparam("elder_id"),
            _nd.notice_id.in_(bindparam("notice_ids", expanding=True)),
        )
        .order_by(code_point(d, _nd.notice_id), code_point(d, _nd.occurrence))
    )
)
_DELIVERIES_FOR_NOTICE = PerDialect(
    lambda d: (
        select(t.notice_deliveries)
        .where(_nd.notice_id == bindparam("notice_id"))
        .order_by(code_point(d, _nd.elder_id), code_point(d, _nd.occurrence))
    )
)
_SPEAKERS = (
    select(_db.elder_id, _db.alexa_user_id)
    .where(_db.elder_id.in_(bindparam("elder_ids", expanding=True)))
    .distinct()
)


class SqlNoticeRepository(SqlRepository, NoticeRepository):
    """Notices in the ``notices`` table."""

    def add(self, notice: Notice) -> None:
        """Add a notice; raise Conflict if the id exists."""
        self._insert(insert(t.notices), notice_to_row(notice), f"notice {notice.id}")

    def get(self, notice_id: str) -> Notice | None:
        """Return the notice, or None."""
        row = self._connection.execute(_GET_NOTICE, {"notice_id": notice_id}).first()
        return None if row is None else notice_from_row(mapping(row))

    def update(self, notice: Notice) -> None:
        """Replace the stored notice (``created_at`` kept); NotFound if absent."""
        row = notice_to_row(notice)
        params = {name: row[name] for name in _NOTICE_FIELDS}
        with translated(self._connection, f"notice {notice.id}"):
            result = self._connection.execute(_UPDATE_NOTICE, {**params, "notice_id": notice.id})
        if result.rowcount != 1:
            raise NotFound(f"notice {notice.id} does not exist")

    def list_for_municipality(self, code: str) -> list[Notice]:
        """Return the municipality's notices by ``starts_at``, then id."""
        rows = self._connection.execute(_LIST_NOTICES.get(self._connection), {"code": code})
        return [notice_from_row(mapping(row)) for row in rows]

    def speakers_for(self, elder_ids: Sequence[str]) -> dict[str, list[str]]:
        """Return each asked elder's distinct bound Alexa user ids, sorted."""
        asked = list(dict.fromkeys(elder_ids))
        found: dict[str, set[str]] = {elder_id: set() for elder_id in asked}
        for batch in batches(asked):
            for row in self._connection.execute(_SPEAKERS, {"elder_ids": batch}):
                found[row.elder_id].add(row.alexa_user_id)
        return {elder_id: sorted(users) for elder_id, users in found.items()}


class SqlNoticeDeliveryRepository(SqlRepository, NoticeDeliveryRepository):
    """Heard marks and 安否 answers in the ``notice_deliveries`` table."""

    def mark_heard(self, delivery: NoticeDelivery) -> bool:
        """Store the delivery unless its key exists; return whether it was stored."""
        values = delivery_to_row(delivery)
        what = f"notice delivery {delivery.notice_id}/{delivery.elder_id}"
        stmt = _ADD_DELIVERY.get(self._connection)
        with translated(self._connection, what):
            inserted = self._connection.execute(stmt, values).first()
        return inserted is not None

    def _get(self, notice_id: str, elder_id: str, occurrence: str) -> NoticeDelivery | None:
        key = {"notice_id": notice_id, "elder_id": elder_id, "occurrence": occurrence}
        row = self._connection.execute(_GET_DELIVERY, key).first()
        return None if row is None else delivery_from_row(mapping(row))

    def record_safety(
        self, notice_id: str, elder_id: str, occurrence: str, safety: Safety, at: datetime
    ) -> None:
        """Set the delivery's 安否 answer; NotFound if it was not marked heard."""
        result = self._connection.execute(
            _SET_SAFETY,
            {
                "k_notice_id": notice_id,
                "k_elder_id": elder_id,
                "k_occurrence": occurrence,
                "v_safety": Safety(safety).value,
                "v_safety_at": to_utc(at),
            },
        )
        if result.rowcount != 1:
            raise NotFound(f"notice delivery {notice_id}/{elder_id}/{occurrence} does not exist")

    def list_for_elder(self, elder_id: str, notice_ids: Collection[str]) -> list[NoticeDelivery]:
        """Return the elder's deliveries of these notices, by notice id, then occurrence."""
        ids = sorted(set(notice_ids))
        if not ids:
            return []
        found: list[NoticeDelivery] = []
        stmt = _DELIVERIES_FOR_ELDER.get(self._connection)
        for batch in batches(ids):
            rows = self._connection.execute(stmt, {"elder_id": elder_id, "notice_ids": batch})
            found.extend(delivery_from_row(mapping(row)) for row in rows)
        return found

    def list_for_notice(self, notice_id: str) -> list[NoticeDelivery]:
        """Return the notice's deliveries, by elder id, then occurrence."""
        rows = self._connection.execute(
            _DELIVERIES_FOR_NOTICE.get(self._connection), {"notice_id": notice_id}
        )
        return [delivery_from_row(mapping(row)) for row in rows]
