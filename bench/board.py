"""The today board of a care center with 5,000 elders against a bare query of the same rows.

Subject: ``backend.services.today_board.board`` for one center staff member, as the dashboard's
``/`` page calls it: the center (scope check), the question set, the center's elders with
today's check-ins, the latest check-in opened in the last 14 days (silent speakers), the first
speaker binding, today's away periods, the open and claimed alerts, each slot's state, the
ordering and the counts, and the audit-log row of the view (a write and a COMMIT).

Data: one municipality (奥州市 question set: morning and evening slots), one center of N
elders, each bound to a speaker, with 30 days of morning and evening check-ins (about 92 %
answered, a few partial; today's morning 80 % answered, clock Monday 12:00 JST), consents
recorded on different days by different staff, an open alert for 1 in 25 elders, a hospital
stay for 1 in 50.

Baseline: one bare SQLAlchemy Core query of the same rows (the center's elders outer-joined
with today's check-ins, ordered by kana; the columns the board shows: id, name, kana,
district, slot, status), fetched into tuples on the same engine, same process. Subjects are
interleaved in a shuffled order every round, medians reported. Also shown (information):
the raw reads of everything the board reads (every elder column, with the first binding
and the latest check-in opened kept on the elder row, today's check-ins, open alerts, away
periods) as plain text SQL into the driver's tuples, to split the board's time into reading
and the rest.

The whole ``GET /`` page (Flask test client: session, board, template of N rows) is measured
the same way against the same bare query, and against a bare page: a Flask endpoint that runs
the bare query and renders its rows with a minimal Jinja template through the same client.

Run from the repository root::

    python bench/board.py                          # 5,000 elders, SQLite then PostgreSQL
    python bench/board.py --stores sqlite --rounds 40
    python bench/board.py --profile                # cProfile of 5 boards (SQLite)

PostgreSQL: ``--pg-url`` (default ``$MIMAMORI_BENCH_POSTGRES_URL`` or the local test server)
is only used to create and drop a temporary database; skipped if unreachable.

Speed is measured, not asserted: this prints figures and ratios, it never fails on them.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ratios import ratio_line
from sweep import DEFAULT_PG, postgres_database, postgres_reachable, sqlite_database

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from argon2 import PasswordHasher  # noqa: E402
from flask import Flask, render_template_string  # noqa: E402
from sqlalchemy import and_, insert, select, text  # noqa: E402

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
    Share,
    StaffRole,
    StaffUser,
)
from backend.services import today_board  # noqa: E402
from backend.settings import Settings  # noqa: E402
from backend.stores.sql import migrate  # noqa: E402
from backend.stores.sql import tables as t  # noqa: E402
from backend.stores.sql.codecs import checkin_to_row  # noqa: E402
from backend.stores.sql.uow import make_engine  # noqa: E402
from backend.web import create_app  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=JST)
HISTORY_DAYS = 30
CENTER = "bench-center"
PASSWORD = "bench password 1234"
KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねの"
STAFF = ("佐藤", "鈴木", "高橋", "田中", "伊藤")
BARE_PAGE = """<table>{% for id, name, kana, district, slot, status in rows %}
<tr><td><a href="/elders/{{ id }}">{{ name }}</a></td><td>{{ district }}</td>
<td>{{ slot or '' }}</td><td>{{ status or '' }}</td></tr>{% endfor %}</table>"""


# Information: the rows the board reads, as plain text SQL fetched into the driver's tuples
# (no mapping, no domain objects), like the sweep's raw scan: what any loader must pay.
# The first binding and latest opening are kept on the elder row (migration 0013); the
# elder's index is walked only when that opening is not dated in the window.
SAME_ROWS = """SELECT e.*,
  CASE WHEN e.last_checkin_date IS NULL THEN NULL
    WHEN e.last_checkin_date >= :since AND e.last_checkin_date <= :day THEN e.last_checkin_at
    ELSE (SELECT x.started_at FROM checkins x WHERE x.elder_id = e.id
      AND x.date >= :since AND x.date <= :day ORDER BY x.started_at DESC LIMIT 1) END,
  c.*
FROM elders e LEFT JOIN checkins c ON c.elder_id = e.id AND c.date = :day
WHERE e.center_id = :center ORDER BY e.kana, e.id, c.started_at, c.id"""
SAME_ALERTS = """SELECT a.* FROM alerts a JOIN elders e ON e.id = a.elder_id
WHERE e.center_id = :center AND a.status IN ('open', 'claimed')"""
SAME_AWAY = """SELECT w.* FROM away_periods w JOIN elders e ON e.id = w.elder_id
WHERE e.center_id = :center AND w.starts_at < :end AND (w.ends_at IS NULL OR w.ends_at > :start)"""


def _checkin_rows(rng: random.Random, elder_id: str) -> list[dict]:
    rows = []
    for back in range(HISTORY_DAYS + 1):
        day = MONDAY - timedelta(days=back)
        for slot, hour in (("morning", 7), ("evening", 18)):
            if back == 0 and (slot == "evening" or rng.random() >= 0.8):
                continue
            if back > 0 and rng.random() >= 0.92:
                continue
            started = datetime.combine(day, datetime.min.time(), JST) + timedelta(
                hours=hour, minutes=rng.randrange(60)
            )
            partial = rng.random() < 0.03
            rows.append(
                checkin_to_row(
                    CheckIn(
                        f"c-{elder_id}-{day.isoformat()}-{slot}",
                        elder_id,
                        day,
                        slot,
                        CheckInStatus.PARTIAL if partial else CheckInStatus.COMPLETED,
                        started,
                        None if partial else started + timedelta(minutes=3),
                    )
                )
            )
    return rows


def seed(svc, url: str, elders: int) -> StaffUser:
    """Store a municipality, one center, its elders, their history, alerts and stays."""
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
    checkins: list[dict] = []
    with svc.uow() as uow:
        uow.municipalities.add(Municipality("032158", "奥州市"))
        uow.centers.add(CareCenter(CENTER, "032158", "ベンチ地域包括支援センター"))
        uow.users.add(user)
        for n in range(elders):
            elder_id = f"e{n:05d}"
            kana = "".join(rng.choice(KANA) for _ in range(6))
            consent = Consent(
                date(2025, 4, 1) + timedelta(days=rng.randrange(600)),
                rng.choice(STAFF),
                (Share("family", "alerts"),) if rng.random() < 0.7 else (),
            )
            uow.elders.add(
                Elder(
                    elder_id, f"利用者{n}", kana, "032158", CENTER, f"地区{n % 12}", consent=consent
                )
            )
            uow.devices.bind(DeviceBinding(f"u{n}", f"d{n}", elder_id, NOW - timedelta(days=60)))
            checkins.extend(_checkin_rows(rng, elder_id))
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
    engine = make_engine(url)
    with engine.begin() as conn:
        for i in range(0, len(checkins), 20000):
            conn.execute(insert(t.checkins), checkins[i : i + 20000])
    if engine.dialect.name == "postgresql":  # the steady state autovacuum keeps: statistics
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # and the visibility map (index-only scans)
    engine.dispose()
    return user


def interleaved(
    subjects: dict[str, Callable[[], object]], rounds: int, warmup: int
) -> dict[str, list[float]]:
    """Run the subjects in a shuffled order every round; return their times (ms)."""
    timings: dict[str, list[float]] = {name: [] for name in subjects}
    runs = list(subjects.items())
    for i in range(warmup + rounds):
        random.shuffle(runs)
        for name, run in runs:
            gc.collect()
            t0 = time.perf_counter()
            run()
            elapsed = time.perf_counter() - t0
            if i >= warmup:
                timings[name].append(elapsed * 1000)
    return timings


def run_store(store: str, url: str, args: argparse.Namespace) -> None:
    """Seed one database and print the board's figures against the bare query."""
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
    user = seed(svc, url, args.elders)
    print(f"\n[{store}] seeded {args.elders} elders in {time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    e, c = t.elders.c, t.checkins.c
    bare = (
        select(e.id, e.name, e.kana, e.district, c.slot, c.status)
        .select_from(t.elders.outerjoin(t.checkins, and_(c.elder_id == e.id, c.date == MONDAY)))
        .where(e.center_id == CENTER)
        .order_by(e.kana, e.id)
    )

    def bare_rows() -> list:
        with engine.connect() as conn:
            return conn.execute(bare).all()

    def subject() -> int:
        return len(today_board.board(svc, user).rows)

    sqlite = engine.dialect.name == "sqlite"
    utc_start = datetime(2026, 11, 22, 15, 0, tzinfo=ZoneInfo("UTC"))
    raw_params = {
        "center": CENTER,
        "day": MONDAY.isoformat() if sqlite else MONDAY,
        "since": (MONDAY - timedelta(days=14)).isoformat() if sqlite else MONDAY - timedelta(14),
        "start": utc_start.replace(tzinfo=None).isoformat(" ") if sqlite else utc_start,
        "end": (utc_start + timedelta(days=1)).replace(tzinfo=None).isoformat(" ")
        if sqlite
        else utc_start + timedelta(days=1),
    }

    def same_rows() -> int:
        with engine.connect() as conn:
            rows = conn.execute(text(SAME_ROWS), raw_params).all()
            conn.execute(text(SAME_ALERTS), raw_params).all()
            conn.execute(text(SAME_AWAY), raw_params).all()
        return len({row[0] for row in rows})

    def baseline() -> int:
        return len({row[0] for row in bare_rows()})

    assert subject() == baseline() == same_rows() == args.elders
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            subject()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    timings = interleaved(
        {"board": subject, "bare": baseline, "raw": same_rows}, args.rounds, args.warmup
    )
    board_ms, bare_ms, raw_ms = timings["board"], timings["bare"], timings["raw"]
    print(f"{args.elders} elders, {args.rounds} rounds (median ms):")
    print(f"  board service                 {statistics.median(board_ms):8.1f}")
    print(f"  bare query, same rows         {statistics.median(bare_ms):8.1f}")
    print(f"  raw reads of the board (info) {statistics.median(raw_ms):8.1f}")
    ratio_line("board service / bare query", board_ms, bare_ms, 3, 3.0, width=36)
    ratio_line("raw reads of the board / bare query", raw_ms, bare_ms, 3, None, width=36)
    ratio_line("board service / its raw reads", board_ms, raw_ms, 3, None, width=36)

    app = create_app(settings, svc)
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "login": "bench", "password": PASSWORD})
    bare_app = Flask("bare")

    @bare_app.get("/")
    def bare_page() -> str:
        return render_template_string(BARE_PAGE, rows=bare_rows())

    bare_client = bare_app.test_client()
    sizes = {}

    def whole_page() -> None:
        response = client.get("/")
        assert response.status_code == 200, response.status_code
        sizes["page"] = len(response.data)

    def bare_whole_page() -> None:
        response = bare_client.get("/")
        assert response.status_code == 200
        sizes["bare"] = len(response.data)

    pages = interleaved(
        {"page": whole_page, "bare page": bare_whole_page, "bare": baseline},
        args.page_rounds,
        args.warmup,
    )
    print(f"whole page, {args.page_rounds} rounds (median ms):")
    print(
        f"  GET / (board page)            {statistics.median(pages['page']):8.1f}"
        f"   {sizes['page'] // 1024} KiB"
    )
    print(
        f"  bare page (query + template)  {statistics.median(pages['bare page']):8.1f}"
        f"   {sizes['bare'] // 1024} KiB"
    )
    print(f"  bare query, same rows         {statistics.median(pages['bare']):8.1f}")
    ratio_line("board page / bare query", pages["page"], pages["bare"], 3, 3.0, width=36)
    ratio_line("board page / bare page", pages["page"], pages["bare page"], 3, None, width=36)
    engine.dispose()
    svc_engine = getattr(svc, "engine", None)
    if svc_engine is not None:
        svc_engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--page-rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("MIMAMORI_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--profile", action="store_true", help="cProfile 5 boards first")
    args = parser.parse_args()
    for store in args.stores.split(","):
        if store == "sqlite":
            with sqlite_database() as url:
                run_store(store, url, args)
        elif store == "postgresql":
            why = postgres_reachable(args.pg_url)
            if why:
                print(f"\nPostgreSQL skipped: {args.pg_url} unreachable ({why})")
                continue
            with postgres_database(args.pg_url) as url:
                run_store(store, url, args)


if __name__ == "__main__":
    main()
