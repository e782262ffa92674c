"""A small world for dashboard tests: two centers, their elders, staff of every role, alerts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from backend.domain.model import CheckInStatus, ReadingKind, Severity, StaffRole
from backend.ports import AbstractUnitOfWork

if TYPE_CHECKING:
    from backend.services.context import Services
    from tests.fakes import FakeStore
from tests.builders import (
    MUNICIPALITY_CODE,
    jst,
    make_alert,
    make_alert_change,
    make_answer,
    make_binding,
    make_center,
    make_checkin,
    make_elder,
    make_reading,
    make_user,
    seed,
)

MONDAY = date(2026, 11, 23)
NOW = jst(MONDAY, 11)  # after the morning slot (06:00-10:30), before the evening one
PASSWORD = "correct horse battery staple"
OTHER_CENTER_ID = "center-2"

# Elder names never appear in logs; tests look for them.
OWN_ELDER = make_elder("elder-1", name="山田 花子", kana="やまだ はなこ", district="北地区")
OWN_ELDER_2 = make_elder("elder-3", name="鈴木 トメ", kana="すずき とめ", district="南地区")
OTHER_ELDER = make_elder(
    "elder-2", name="田中 次郎", kana="たなか じろう", center_id=OTHER_CENTER_ID, district="東地区"
)
NAMES = ("山田 花子", "やまだ はなこ", "鈴木 トメ", "田中 次郎", "佐藤 花子", "他所 職員")

OWN_ALERT = "alert-own"
OTHER_ALERT = "alert-other"

STAFF = "sato.hanako"
OTHER_STAFF = "other.staff"
ADMIN = "admin"
OPERATOR = "operator"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def password_hash() -> str:
    """Return an Argon2id hash of PASSWORD with low costs, so logins in tests are quick."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def populate(uow: AbstractUnitOfWork) -> None:
    """Store the world (does not commit)."""
    seed(
        uow,
        OWN_ELDER,
        OWN_ELDER_2,
        OTHER_ELDER,
        centers=(make_center(OTHER_CENTER_ID, name="見守り市南地域包括支援センター"),),
    )
    hashed = password_hash()
    uow.users.add(make_user("user-1", login=STAFF, password_hash=hashed))
    uow.users.add(
        make_user(
            "user-2",
            login=OTHER_STAFF,
            display_name="他所 職員",
            center_id=OTHER_CENTER_ID,
            password_hash=hashed,
        )
    )
    uow.users.add(
        make_user(
            "user-3",
            login=ADMIN,
            display_name="市 担当",
            role=StaffRole.MUNICIPALITY_ADMIN,
            municipality_code=MUNICIPALITY_CODE,
            center_id=None,
            password_hash=hashed,
        )
    )
    uow.users.add(
        make_user(
            "user-4",
            login=OPERATOR,
            display_name="運用 担当",
            role=StaffRole.OPERATOR,
            municipality_code=None,
            center_id=None,
            password_hash=hashed,
        )
    )
    week_ago = jst(MONDAY - timedelta(days=30), 9)
    for n, elder in enumerate((OWN_ELDER, OWN_ELDER_2, OTHER_ELDER)):
        uow.devices.bind(
            make_binding(
                alexa_user_id=f"amzn1.ask.account.{n}",
                device_id=f"amzn1.ask.device.{n}",
                elder_id=elder.id,
                bound_at=week_ago,
            )
        )
    # elder-3 answered this morning; elder-1 did not (an open alert), elder-2 did not either.
    uow.checkins.add(
        make_checkin(
            "c-3",
            elder_id=OWN_ELDER_2.id,
            day=MONDAY,
            status=CheckInStatus.COMPLETED,
            started_at=jst(MONDAY, 7),
            completed_at=jst(MONDAY, 7, 5),
        )
    )
    uow.answers.add(
        make_answer(checkin_id="c-3", elder_id=OWN_ELDER_2.id, day=MONDAY, value="good")
    )
    for days_ago in range(1, 4):
        day = MONDAY - timedelta(days=days_ago)
        uow.checkins.add(
            make_checkin(
                f"c-1-{days_ago}",
                elder_id=OWN_ELDER.id,
                day=day,
                status=CheckInStatus.COMPLETED,
                started_at=jst(day, 7),
            )
        )
    for week in range(8):
        at = jst(MONDAY - timedelta(days=7 * week + 1), 7)
        uow.readings.add_many(
            [
                make_reading(elder_id=OWN_ELDER.id, measured_at=at, value=52.0 + week * 0.3),
                make_reading(
                    elder_id=OWN_ELDER.id,
                    measured_at=at,
                    kind=ReadingKind.BLOOD_PRESSURE,
                    value={"systolic": 130 + week * 5, "diastolic": 80 + week},
                ),
            ]
        )
    for alert_id, elder in ((OWN_ALERT, OWN_ELDER), (OTHER_ALERT, OTHER_ELDER)):
        uow.alerts.add_if_absent(
            make_alert(
                alert_id,
                elder_id=elder.id,
                period=f"{MONDAY.isoformat()}/morning",
                severity=Severity.SAME_DAY,
                evidence={"slot": "morning", "date": MONDAY.isoformat()},
                created_at=jst(MONDAY, 10, 45),
            )
        )
        uow.alerts.add_change(
            make_alert_change(alert_id=alert_id, at=jst(MONDAY, 10, 45), detail={"stage": 0})
        )


def world_services(
    uow: Callable[[], AbstractUnitOfWork] | None = None, **extra: Any
) -> tuple[FakeStore, Services]:
    """Return a fake store holding the world and services over it, at NOW (Tokyo time).

    ``uow`` replaces the unit-of-work factory (it gets the store); ``extra`` fills other
    fields of Services.
    """
    from backend.services.context import Services
    from questions.loader import load_sets
    from tests.clock import FakeClock
    from tests.fakes import FakeStore, FakeUnitOfWork

    store = FakeStore()
    with FakeUnitOfWork(store) as setup:
        populate(setup)
        setup.commit()
    sets = load_sets()
    return store, Services(
        uow=uow or (lambda: FakeUnitOfWork(store)),
        question_sets=lambda: sets,
        clock=FakeClock(NOW),
        tz=ZoneInfo("Asia/Tokyo"),
        **extra,
    )
