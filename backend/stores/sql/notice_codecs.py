"""Row <-> domain mapping of the notice tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from backend.stores.sql.column_types import optional_utc, to_utc
from notices.model import (
    Audience,
    Notice,
    NoticeDelivery,
    NoticeKind,
    NoticeStatus,
    Priority,
    Recurrence,
    Safety,
    TimeWindow,
)

_WINDOW = ("at", "start", "end")


def notice_to_row(notice: Notice) -> dict[str, Any]:
    """Return the ``notices`` row of a notice."""
    a, r, w = notice.audience, notice.recurrence, notice.window
    return {
        "id": notice.id,
        "municipality_code": notice.municipality_code,
        "title": notice.title,
        "speech": notice.speech,
        "screen_text": notice.screen_text,
        "image_url": notice.image_url,
        "priority": notice.priority.value,
        "audience": {
            "districts": list(a.districts),
            "centers": list(a.centers),
            "elders": list(a.elders),
        },
        "recurrence": None
        if r is None
        else {
            "weekdays": list(r.weekdays),
            "nth": list(r.nth),
            "dates": [d.isoformat() for d in r.dates],
        },
        "kind": notice.kind.value,
        "time_window": None if w is None else {k: f"{getattr(w, k):%H:%M}" for k in _WINDOW},
        "starts_at": to_utc(notice.starts_at),
        "ends_at": optional_utc(notice.ends_at),
        "status": notice.status.value,
        "created_at": to_utc(notice.created_at),
        "updated_at": to_utc(notice.updated_at),
        "published_at": optional_utc(notice.published_at),
    }


def notice_from_row(row: Mapping[str, Any]) -> Notice:
    """Return the notice of a ``notices`` row."""
    a, r, w = row["audience"] or {}, row["recurrence"], row["time_window"]
    return Notice(
        id=row["id"],
        municipality_code=row["municipality_code"],
        title=row["title"],
        speech=row["speech"],
        screen_text=row["screen_text"],
        image_url=row["image_url"],
        priority=Priority(row["priority"]),
        audience=Audience(
            tuple(a.get("districts", ())), tuple(a.get("centers", ())), tuple(a.get("elders", ()))
        ),
        recurrence=None
        if r is None
        else Recurrence(
            tuple(r.get("weekdays", ())),
            tuple(r.get("nth", ())),
            tuple(date.fromisoformat(d) for d in r.get("dates", ())),
        ),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=NoticeStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        published_at=row["published_at"],
        kind=NoticeKind(row["kind"]),
        window=None if w is None else TimeWindow(*(time.fromisoformat(w[k]) for k in _WINDOW)),
    )


def delivery_to_row(delivery: NoticeDelivery) -> dict[str, Any]:
    """Return the ``notice_deliveries`` row of a delivery."""
    return {
        "notice_id": delivery.notice_id,
        "elder_id": delivery.elder_id,
        "occurrence": delivery.occurrence,
        "heard_at": to_utc(delivery.heard_at),
        "safety": delivery.safety.value if delivery.safety else None,
        "safety_at": optional_utc(delivery.safety_at),
        "detail": dict(delivery.detail),
    }


def delivery_from_row(row: Mapping[str, Any]) -> NoticeDelivery:
    """Return the delivery of a ``notice_deliveries`` row."""
    return NoticeDelivery(
        notice_id=row["notice_id"],
        elder_id=row["elder_id"],
        occurrence=row["occurrence"],
        heard_at=row["heard_at"],
        safety=Safety(row["safety"]) if row["safety"] else None,
        safety_at=row["safety_at"],
        detail=dict(row["detail"] or {}),
    )
