"""A random center and the today board worked out the simple way, to check the fast one against."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from backend.domain.consent import consent_flag
from backend.domain.model import Alert, AlertStatus, AwayKind, CheckInStatus, ElderStatus, Severity
from backend.ports import ALERT_SEVERITY_ORDER, AbstractUnitOfWork
from backend.services import today_board
from backend.services.alerts import OPEN_STATUSES
from backend.services.context import Services
from backend.services.today_board import BoardRow, SlotCell, SlotState
from tests.builders import (
    CENTER_ID,
    DAY,
    jst,
    make_alert,
    make_away,
    make_binding,
    make_center,
    make_checkin,
    make_consent,
    make_elder,
    make_user,
    seed,
)

KANA = "あいうえおか"
OVERRIDES = ({}, {"remove": ["medication", "dinner", "mood"]}, {"remove": ["nonsense"]})


def random_center(uow: AbstractUnitOfWork, rng: random.Random, elders: int = 60) -> None:
    """Store a center of varied elders around ``DAY`` (and one elder of another center)."""
    seed(uow, centers=(make_center("center-2", name="南センター"),))
    uow.users.add(make_user("user-1"))
    for n in range(elders):
        elder_id = f"e{n:03d}"
        uow.elders.add(
            make_elder(
                elder_id,
                name=f"利用者{n}",
                kana="".join(rng.choice(KANA) for _ in range(2)),
                district=rng.choice(["北", "南", ""]),
                status=ElderStatus.ACTIVE if rng.random() < 0.9 else ElderStatus.SUSPENDED,
                consent=make_consent() if rng.random() < 0.9 else None,
                overrides=rng.choice(OVERRIDES),
                center_id=CENTER_ID if n else "center-2",
            )
        )
        for b in range(rng.choice([0, 1, 1, 1, 2])):
            back = timedelta(days=rng.choice([0, 0, 1, 3, 30]), hours=rng.randrange(24))
            uow.devices.bind(
                make_binding(
                    alexa_user_id=f"u{n}-{b}",
                    device_id=f"d{n}-{b}",
                    elder_id=elder_id,
                    bound_at=jst(DAY, 23) - back,
                )
            )
        for back in range(0, 20):
            day = DAY - timedelta(days=back)
            for slot, hour in (("morning", 7), ("evening", 18)):
                if rng.random() < (0.5 if back < 4 else 0.2):
                    status = rng.choice(list(CheckInStatus))
                    started = jst(day, hour, rng.randrange(60))
                    uow.checkins.add(
                        make_checkin(
                            f"c-{elder_id}-{back}-{slot}",
                            elder_id=elder_id,
                            day=day,
                            slot=slot,
                            status=status,
                            started_at=started,
                            completed_at=started + timedelta(minutes=3)
                            if status is CheckInStatus.COMPLETED
                            else None,
                        )
                    )
        for a in range(rng.choice([0, 0, 0, 1, 2])):
            start = jst(DAY, 0) + timedelta(hours=rng.randrange(-72, 24))
            end = start + timedelta(hours=rng.randrange(1, 96)) if rng.random() < 0.6 else None
            uow.away.add(
                make_away(f"w-{elder_id}-{a}", elder_id=elder_id, start=start, end=end,
                          kind=rng.choice(list(AwayKind)))
            )  # fmt: skip
        for a in range(rng.choice([0, 0, 0, 1, 2])):
            claimed = rng.random() < 0.3
            uow.alerts.add_if_absent(
                make_alert(
                    f"a-{elder_id}-{a}",
                    elder_id=elder_id,
                    period=f"{DAY.isoformat()}/{a}",
                    severity=rng.choice(list(Severity)),
                    created_at=jst(DAY, 1, a),
                    status=AlertStatus.CLAIMED if claimed else AlertStatus.OPEN,
                    claimed_by="staff:user-1" if claimed else None,
                    claimed_at=jst(DAY, 2) if claimed else None,
                )
            )


def reference_board(
    svc: Services, user_id: str, district: str | None = None
) -> tuple[tuple[BoardRow, ...], dict[str, int], tuple[str, ...]]:
    """Return the board's rows, counts and districts, read and worked out elder by elder."""
    now = svc.now()
    day = now.date()
    with svc.uow() as uow:
        user = uow.users.get(user_id)
        center = uow.centers.get(user.center_id)
        qset = svc.question_set(center.municipality_code)
        day_start = datetime.combine(day, time(0), tzinfo=svc.tz)
        elder_days = uow.elders.center_day(center.id, day)
        ids = [d.elder.id for d in elder_days]
        bound = uow.devices.bound_since(ids)
        since = day - timedelta(days=today_board.RECENT_DAYS)
        last = {}
        for elder_id in ids:
            opened = [c.started_at for c in uow.checkins.list_for_elder(elder_id, since, day)]
            last[elder_id] = max(opened) if opened else None
        away = uow.away.active_for_elders(ids, day_start, day_start + timedelta(days=1))
        alerts = uow.alerts.list_for_center(center.id, OPEN_STATUSES)
    by_elder: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_elder.setdefault(alert.elder_id, []).append(alert)
    today = today_board._Day(qset, day, svc.tz)
    rows = []
    for elder_day in elder_days:
        elder = elder_day.elder
        if district and elder.district != district:
            continue
        by_slot = {c.slot: c for c in elder_day.checkins}
        due = today.due_slots(elder) if elder.is_watchable else frozenset()
        watching = bound.get(elder.id)
        cells = tuple(
            SlotCell(
                s.id,
                s.label,
                today.state(s.id, due, by_slot.get(s.id), away.get(elder.id, []), now, watching),
            )
            for s in qset.slots
        )
        current = next((p for p in away.get(elder.id, []) if p.covers(now)), None)
        silent = None
        if watching is not None and current is None:
            days = (now - max(last[elder.id] or watching, watching)).days
            silent = days if days >= today_board.SILENT_DAYS else None
        rows.append(
            BoardRow(
                elder,
                cells,
                tuple(by_elder.get(elder.id, ())),
                current,
                silent,
                watching is not None,
                consent_flag(elder, day),
            )
        )
    rank = {s: i for i, s in enumerate(ALERT_SEVERITY_ORDER)}
    rows.sort(key=lambda r: (0, rank[r.worst]) if r.worst else (1, 0))
    states = [c.state for r in rows for c in r.cells]
    counts = {
        "elders": len(rows),
        "alerts": sum(len(r.alerts) for r in rows),
        "answered": states.count(SlotState.ANSWERED),
        "partial": states.count(SlotState.PARTIAL),
        "not_yet": states.count(SlotState.NOT_YET) + states.count(SlotState.UPCOMING),
        "missed": states.count(SlotState.MISSED),
        "away": sum(1 for r in rows if r.away is not None),
        "silent": sum(1 for r in rows if r.silent_days is not None),
    }
    districts = tuple(sorted({d.elder.district for d in elder_days if d.elder.district}))
    return tuple(rows), counts, districts
