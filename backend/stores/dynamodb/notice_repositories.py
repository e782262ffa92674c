"""DynamoDB repositories of municipal notices and who heard them."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.ports import (
    NoticeDeliveryRepository,
    NoticeRepository,
)
from backend.stores.dynamodb.base import DynamoRepository, item
from backend.stores.dynamodb.codec import aware
from backend.stores.dynamodb.elder_repositories import bindings_of
from notices.model import Notice, NoticeDelivery, Safety

# --- notices ---------------------------------------------------------------------------


def _notice_item(notice: Notice) -> dict[str, Any]:
    return item(
        "notice",
        f"NOTICE#{notice.id}",
        "#NOTICE",
        notice,
        gsi1pk=f"MUNI#{notice.municipality_code}#NOTICES",
        gsi1sk=notice.id,
    )


class DynamoNoticeRepository(DynamoRepository, NoticeRepository):
    """Notices: NOTICE#<id>; by municipality on gsi1."""

    def add(self, notice: Notice) -> None:
        """Add a notice; raise Conflict if the id exists."""
        aware(notice.starts_at)
        if self._exists(f"NOTICE#{notice.id}", "#NOTICE"):
            raise Conflict(f"notice {notice.id} already exists")
        self._s.put(_notice_item(notice))

    def get(self, notice_id: str) -> Notice | None:
        """Return the notice, or None."""
        return self._get(Notice, f"NOTICE#{notice_id}", "#NOTICE")

    def update(self, notice: Notice) -> None:
        """Replace the stored notice with this one (``created_at`` kept); NotFound if absent."""
        stored = self.get(notice.id)
        if stored is None:
            raise NotFound(f"notice {notice.id} does not exist")
        self._s.put(_notice_item(dataclasses.replace(notice, created_at=stored.created_at)))

    def list_for_municipality(self, code: str) -> list[Notice]:
        """Return the municipality's notices of every status, by ``starts_at``, then id."""
        found = self._query(Notice, f"MUNI#{code}#NOTICES", index="gsi1")
        return sorted(found, key=lambda n: (n.starts_at, n.id))

    def speakers_for(self, elder_ids: Sequence[str]) -> dict[str, list[str]]:
        """Return each asked elder's distinct bound Alexa user ids, sorted."""
        return {
            elder_id: sorted({b.alexa_user_id for b in bindings_of(self._s, elder_id)})
            for elder_id in dict.fromkeys(elder_ids)
        }


def _delivery_item(delivery: NoticeDelivery) -> dict[str, Any]:
    return item(
        "notice-delivery",
        f"NOTICE#{delivery.notice_id}",
        f"DELIVERY#{delivery.elder_id}#{delivery.occurrence}",
        delivery,
        gsi1pk=f"ELDER#{delivery.elder_id}#DELIVERIES",
        gsi1sk=f"{delivery.notice_id}#{delivery.occurrence}",
    )


class DynamoNoticeDeliveryRepository(DynamoRepository, NoticeDeliveryRepository):
    """Deliveries in the notice's partition; by elder on gsi1."""

    def mark_heard(self, delivery: NoticeDelivery) -> bool:
        """Store the delivery unless its (notice, elder, occurrence) exists; True if stored."""
        aware(delivery.heard_at)
        sk = f"DELIVERY#{delivery.elder_id}#{delivery.occurrence}"
        if self._exists(f"NOTICE#{delivery.notice_id}", sk):
            return False
        if not self._exists(f"NOTICE#{delivery.notice_id}", "#NOTICE") or not self._exists(
            f"ELDER#{delivery.elder_id}", "#ELDER"
        ):
            raise NotFound("notice delivery: a record it refers to does not exist")
        self._s.put(_delivery_item(delivery))
        return True

    def record_safety(
        self, notice_id: str, elder_id: str, occurrence: str, safety: Safety, at: datetime
    ) -> None:
        """Set the delivery's 安否 answer and time (replacing one given before)."""
        aware(at)
        stored = self._get(
            NoticeDelivery, f"NOTICE#{notice_id}", f"DELIVERY#{elder_id}#{occurrence}"
        )
        if stored is None:
            raise NotFound(f"notice delivery {notice_id}/{elder_id}/{occurrence} does not exist")
        self._s.put(
            _delivery_item(dataclasses.replace(stored, safety=Safety(safety), safety_at=at))
        )

    def list_for_elder(self, elder_id: str, notice_ids: Collection[str]) -> list[NoticeDelivery]:
        """Return the elder's deliveries of these notices, by notice id, then occurrence."""
        wanted = set(notice_ids)
        if not wanted:
            return []
        found = self._query(NoticeDelivery, f"ELDER#{elder_id}#DELIVERIES", index="gsi1")
        return sorted(
            (d for d in found if d.notice_id in wanted), key=lambda d: (d.notice_id, d.occurrence)
        )

    def list_for_notice(self, notice_id: str) -> list[NoticeDelivery]:
        """Return the notice's deliveries, by elder id, then occurrence."""
        found = self._query(NoticeDelivery, f"NOTICE#{notice_id}", ("begins", "DELIVERY#"))
        return sorted(found, key=lambda d: (d.elder_id, d.occurrence))
