"""The today board of a care center with 5,000 elders against a bare query of the same rows.

Subject: ``backend.services.dashboard.board`` for one center staff member, as the dashboard's
``/`` page calls it: the center's elders with today's check-ins (``elders.center_day``), the
last 14 days' check-ins (silent speakers), today's away periods, device bindings, the open and
claimed alerts, each slot's state from the question set, the ordering and the counts, and the
audit-log row of the view (a write and a COMMIT).

Baseline: one bare SQLAlchemy Core query of the same rows (the center's elders outer-joined with
today's check-ins, ordered by kana), fetched into tuples on the same engine, same process.
Subjects are interleaved in a shuffled order every round. Also shown (information): the whole
``GET /`` page through Flask's test client (session, template of 5,000 rows).

Run from the repository root::

    python bench/dashboard_board.py                # 5,000 elders, 30 rounds
    python bench/dashboard_board.py --elders 1000 --rounds 50

Speed is measured, not asserted: this prints figures and ratios, it never fails on them.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ratios import ratio_line

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import and_, select  # noqa: E402

from backend.bootstrap import bootstrap  # noqa: E402
from backend.domain.model import (  # noqa: E402
    Alert,
    AwayKind,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    Consent,
    DeviceBinding,
    Elder,
    Municipality,
    Severity,
    StaffRole,
    StaffUser,
)
from backend.services import dashboard  # noqa: E402
from backend.settings import Settings  # noqa: E402
from backend.stores.sql import migrate  # noqa: E402
from backend.stores.sql import tables as t  # noqa: E402
from backend.stores.sql.uow import make_engine  # noqa: E402
from backend.web import create_app  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=JST)
CENTER = "bench-center"
PASSWORD = "bench password 1234"
KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねの"


def seed(svc, elders: int) -> StaffUser:
    """Store a municipality, one center, its elders (bound, half answered today), alerts."""
    consent = Consent(date(2026, 4, 1), "bench", ())
    user = StaffUser(
        "bench-user",
        "bench",
        "職員",
        StaffRole.CENTER_STAFF,
        "032158",
        CENTER,
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD),
        NOW,
    )
    rng = random.Random(7)
    with svc.uow() as uow:
        uow.municipalities.add(Municipality("032158", "奥州市"))
        uow.centers.add(CareCenter(CENTER, "032158", "ベンチ地域包括支援センター"))
        uow.users.add(user)
        for n in range(elders):
            elder_id = f"e{n:05d}"
            kana = "".join(rng.choice(KANA) for _ in range(6))
            uow.elders.add(
                Elder(
                    elder_id, f"利用者{n}", kana, "032158", CENTER, f"地区{n % 12}", consent=consent
                )
            )
            uow.devices.bind(DeviceBinding(f"u{n}", f"d{n}", elder_id, NOW - timedelta(days=30)))
            for back in range(3):
                day = MONDAY - timedelta(days=back)
                if rng.random() < 0.8:
                    uow.checkins.add(
                        CheckIn(
                            f"c{n}-{back}",
                            elder_id,
                            day,
                            "morning",
                            CheckInStatus.COMPLETED,
                            datetime.combine(day, datetime.min.time(), JST) + timedelta(hours=7),
                        )
                    )
            if n % 25 == 0:
                uow.alerts.add_if_absent(
                    Alert(
                        f"a{n}",
                        elder_id,
                        "missed_checkin",
                        f"{MONDAY.isoformat()}/morning",
                        Severity.SAME_DAY,
                        {},
                        NOW - timedelta(hours=1),
                    )
                )
            if n % 50 == 1:
                uow.away.add(
                    AwayPeriod(
                        f"w{n}",
                        elder_id,
                        AwayKind.HOSPITAL,
                        NOW - timedelta(days=2),
                        None,
                        "bench",
                        NOW,
                    )
                )
        uow.commit()
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--page-rounds", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        settings = Settings(
            database_url=url,
            alexa_skill_id="amzn1.ask.skill.bench",
            secret_key="bench-secret-" * 4,
            session_cookie_secure=False,
            session_idle_minutes=24 * 60,
        )
        svc = bootstrap(settings, clock=lambda: NOW)
        started = time.perf_counter()
        user = seed(svc, args.elders)
        print(f"seeded {args.elders} elders in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        e, c = t.elders.c, t.checkins.c
        bare = (
            select(e.id, e.name, e.kana, e.district, c.slot, c.status)
            .select_from(t.elders.outerjoin(t.checkins, and_(c.elder_id == e.id, c.date == MONDAY)))
            .where(e.center_id == CENTER)
            .order_by(e.kana, e.id)
        )

        def subject() -> int:
            return len(dashboard.board(svc, user).rows)

        def baseline() -> int:
            with engine.connect() as conn:
                return len({row[0] for row in conn.execute(bare).all()})

        assert subject() == baseline() == args.elders
        timings: dict[str, list[float]] = {"board": [], "bare": []}
        runs = [("board", subject), ("bare", baseline)]
        for i in range(args.warmup + args.rounds):
            random.shuffle(runs)
            for name, run in runs:
                gc.collect()
                t0 = time.perf_counter()
                run()
                elapsed = time.perf_counter() - t0
                if i >= args.warmup:
                    timings[name].append(elapsed * 1000)
        board_ms, bare_ms = timings["board"], timings["bare"]
        print(f"\n{args.elders} elders, {args.rounds} rounds (median ms):")
        print(f"  board service           {statistics.median(board_ms):8.1f}")
        print(f"  bare query, same rows   {statistics.median(bare_ms):8.1f}")
        ratio_line("board / bare query", board_ms, bare_ms, blocks=3, target=3.0, width=30)

        app = create_app(settings, svc)
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "login": "bench", "password": PASSWORD})
        pages = []
        for _ in range(args.page_rounds):
            t0 = time.perf_counter()
            response = client.get("/")
            pages.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        print(
            f"  whole GET / page (information) {statistics.median(pages):8.1f} ms, "
            f"{len(response.data) // 1024} KiB"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
