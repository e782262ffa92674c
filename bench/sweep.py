"""The alert sweep (``alerts.sweep``) over N elders with 90 days of history, SQLite and PostgreSQL.

Each store and size gets a fresh database (a temporary SQLite file; a new PostgreSQL database,
dropped afterwards) migrated with ``migrate.upgrade``. One municipality (奥州市 032158, the demo
question set and policy: morning and evening slots), one center, N elders with consent, a
speaker bound 100 days ago, a family recipient each and the center's inbox. History, written
in bulk with ``connection.execute(insert(table), rows)`` on the tables of
``backend/stores/sql/tables.py`` (setup only; nothing measured goes around the product):

- every day of the last ``--days`` (90) days and this morning: a morning and an evening
  check-in with an answer to every question due (condition, sleep, medication, breakfast,
  blood pressure, the weight on Mondays; medication, dinner, mood), 2 % of slots skipped,
  1 % of conditions "bad", a few blood pressures at 160/100 or above;
- a steps reading (``readings``, kind steps) every day.

The clock is Monday 2026-11-23 12:00 JST: this morning's slot is over (nudges due at 11:30),
the evening one not yet open. The sweep reads ``rules.days_needed(policy) + 1`` = 210 days
back, so all of the history.

Measured, per store and N (N = 1,000 and 10,000; ``--big`` adds 100,000):

1. ``alerts.sweep(svc, policy_for)`` as ``jobs.sweep_alerts`` runs it: the first sweep (opens
   the alerts of the skipped slots and concerns) alone, then ``--reps`` repeated sweeps (steady
   state: everything it finds is already open) — median seconds, per elder;
2. the same loading path alone (``alerts._histories`` per batch of 500, as the sweep does) and
   ``rules.evaluate`` alone on what it loaded, to show what dominates;
3. a raw scan of the same rows: ``SELECT *`` of ``checkins``, ``answers`` (``date >= first``)
   and ``readings`` (``measured_at >= since``) as plain text SQL through the same engine, every
   row fetched as the driver's tuple, no mapping — the floor any loader pays;
4. SQL statements per sweep, by kind (an engine event listener), to show there is no query per
   elder per rule.

It prints time per elder, t(10N)/t(N) (target <= 11, linear) and sweep / raw scan (target
<= 5x). Nothing is asserted.

Run from the repository root::

    python bench/sweep.py                      # 1k and 10k, SQLite and PostgreSQL (~8 min)
    python bench/sweep.py --sizes 1000         # quick look (~1 min)
    python bench/sweep.py --big                # adds N = 100,000 (long: ~1 h and ~10 GB)
    python bench/sweep.py --stores sqlite      # skip PostgreSQL

PostgreSQL: ``--pg-url`` (default ``$MIMAMORI_BENCH_POSTGRES_URL`` or
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) is only used to create and drop a
``mimamori_bench_<random>`` database; unreachable means skipped with a message.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=JST)  # a Monday, after the morning nudge time
CODE = "032158"
CENTER = "bench-center"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_SCALING = 11.0
TARGET_RAW = 5.0
CHUNK = 20_000  # rows per bulk insert statement group
SKIP_SLOT = 0.02
BAD_CONDITION = 0.01
HIGH_BP = 0.005


def _import_path() -> None:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))


# ---------------------------------------------------------------------------------------------
# Databases


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="mimamori-sweep-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'sweep.db'}"


def postgres_reachable(base: str) -> str | None:
    """Return None if PostgreSQL answers at ``base``, else why not."""
    from sqlalchemy import create_engine, text

    engine = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as err:  # any failure means "skip PostgreSQL"
        return f"{type(err).__name__}: {str(err).splitlines()[0][:160]}"
    finally:
        engine.dispose()
    return None


@contextmanager
def postgres_database(base: str) -> Iterator[str]:
    from sqlalchemy import create_engine, make_url, text

    name = f"mimamori_bench_{secrets.token_hex(5)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# ---------------------------------------------------------------------------------------------
# History


@dataclass
class Seeded:
    elders: int = 0
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, dtime(hour, minute), tzinfo=JST).astimezone(UTC)


def _value(question: Any, rng: random.Random, weight: float) -> tuple[Any, str]:
    qid = question.id
    r = rng.random()
    if qid == "condition":
        return (
            ("bad", "悪い")
            if r < BAD_CONDITION
            else (("so_so", "まあまあ") if r < 0.15 else ("good", "元気"))
        )
    if qid == "sleep":
        return ("slept_poorly", "眠れなかった") if r < 0.05 else ("slept_well", "よく眠れた")
    if qid == "medication":
        return (False, "まだ") if r < 0.02 else (True, "飲んだ")
    if qid in ("breakfast", "dinner"):
        return ("ate_little", "少し") if r < 0.1 else ("ate", "食べた")
    if qid == "mood":
        return ("so_so", "まあまあ") if r < 0.1 else ("good", "元気")
    if qid == "blood_pressure":
        s, d = (165, 95) if r < HIGH_BP else (rng.randint(112, 148), rng.randint(66, 92))
        return {"systolic": s, "diastolic": d}, f"上が{s}で下が{d}"
    if qid == "weight":
        w = round(weight + rng.gauss(0, 0.3), 1)
        return w, f"{w}キロ"
    raise ValueError(qid)


COLUMNS = {
    "checkins": ("id", "elder_id", "date", "slot", "status", "started_at", "completed_at"),
    "answers": (
        "checkin_id",
        "elder_id",
        "date",
        "question_id",
        "question_version",
        "value",
        "raw",
        "source",
        "answered_at",
        "skipped",
        "request_id",
    ),
    "readings": ("elder_id", "kind", "measured_at", "value", "source"),
}
JSON_COLUMNS = {("answers", "value"), ("readings", "value")}


def _sqlite_cell(table: str, column: str) -> Callable[[Any], Any]:
    """Return how SQLAlchemy stores this column's values on SQLite (see column_types.py)."""
    if (table, column) == ("answers", "value"):
        return json.dumps  # JSON: SQLAlchemy's default serializer
    if (table, column) == ("readings", "value"):
        return lambda v: json.dumps(v, ensure_ascii=False)  # JsonValue
    if column in ("started_at", "completed_at", "answered_at", "measured_at"):
        # UtcDateTime: naive UTC in SQLite's DATETIME storage format
        return lambda v: None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if column == "date":
        return date.isoformat
    return lambda v: v


class BulkWriter:
    """Write history rows fast (setup only): executemany on sqlite3, COPY on PostgreSQL.

    The values are those SQLAlchemy would bind (same storage formats), so the product reads
    them back as its own; ``measure`` checks that the sweep loads every row the raw scan sees.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.rows: Counter = Counter()
        self.cells = {
            table: [_sqlite_cell(table, c) for c in cols] for table, cols in COLUMNS.items()
        }

    def write(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        cols = COLUMNS[table]
        raw = self.conn.connection.driver_connection
        if self.dialect == "sqlite":
            cells = self.cells[table]
            marks = ", ".join("?" * len(cols))
            raw.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                [tuple(f(v) for f, v in zip(cells, row, strict=True)) for row in rows],
            )
        else:
            json_at = [i for i, c in enumerate(cols) if (table, c) in JSON_COLUMNS]
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
        self.rows[table] += len(rows)
        rows.clear()


@contextmanager
def setup_connection(engine: Any) -> Iterator[Any]:
    """Yield a connection of a separate engine for bulk setup, in one transaction.

    Foreign-key checks are off (SQLite ``PRAGMA foreign_keys``, PostgreSQL
    ``session_replication_role``) and SQLite gets a large page cache: the rows are consistent
    by construction, and checking 10 million of them one by one would dominate the setup. The
    measured engine's connections keep the product's settings.
    """
    from backend.stores.sql.uow import make_engine

    setup_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with setup_engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                raw = conn.connection.driver_connection  # autocommit: outside any transaction
                raw.execute("PRAGMA foreign_keys = OFF")
                raw.execute("PRAGMA cache_size = -2000000")
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
                yield conn
    finally:
        setup_engine.dispose()


ID_DIGITS = 7


def elder_id(i: int) -> str:
    return f"e{i:0{ID_DIGITS}d}"


def seed(engine: Any, n: int, days: int, rng: random.Random) -> Seeded:
    """Write N elders and their history in bulk, day by day as production appends it."""
    from sqlalchemy import insert

    from backend.domain.model import CareCenter, Consent, Elder, Municipality, Recipient, Share
    from backend.stores.sql import codecs
    from backend.stores.sql import tables as t
    from questions.loader import SETS_DIR, load_sets

    started = time.perf_counter()
    qset = load_sets(SETS_DIR)[CODE]
    today = NOW.date()
    first = today - timedelta(days=days)
    dates = [first + timedelta(days=i) for i in range(days + 1)]
    due = {
        (d, s.id): [(qq, qq.version) for qq in qset.due(d, s.id)] for d in dates for s in qset.slots
    }
    consent = Consent(date(2026, 4, 1), "職員", (Share("センター", "毎日のお答え"),))
    seeded = Seeded(elders=n)
    bound = NOW - timedelta(days=days + 10)
    ids = [elder_id(i) for i in range(n)]
    with setup_connection(engine) as conn:
        conn.execute(
            insert(t.municipalities), codecs.municipality_to_row(Municipality(CODE, "奥州市"))
        )
        conn.execute(insert(t.care_centers), codecs.center_to_row(CareCenter(CENTER, CODE, "包括")))
        conn.execute(
            insert(t.recipients),
            codecs.recipient_to_row(
                Recipient("center-inbox", CENTER, None, "受付", "センター", "email", "c@x.invalid")
            ),
        )
        conn.execute(
            insert(t.elders),
            [
                codecs.elder_to_row(
                    Elder(e, f"高齢者 {e}", "こうれいしゃ", CODE, CENTER, "水沢", consent=consent)
                )
                for e in ids
            ],
        )
        conn.execute(
            insert(t.device_bindings),
            [
                {"alexa_user_id": f"u-{e}", "device_id": f"d-{e}", "elder_id": e, "bound_at": bound}
                for e in ids
            ],
        )
        conn.execute(
            insert(t.recipients),
            [
                codecs.recipient_to_row(
                    Recipient(f"f-{e}", CENTER, e, "家族", "長女", "email", "f@x.invalid")
                )
                for e in ids
            ],
        )
        seeded.rows.update(elders=n, device_bindings=n, recipients=n + 1)
        weights = {e: rng.uniform(42, 70) for e in ids}
        steps = {e: rng.uniform(1500, 8000) for e in ids}
        writer = BulkWriter(conn)
        checkins: list[tuple] = []
        answers: list[tuple] = []
        readings: list[tuple] = []
        for d in dates:
            for slot, hour in (("morning", 7), ("evening", 18)):
                if d == today and slot == "evening":
                    continue
                questions = due[(d, slot)]
                for e in ids:
                    if rng.random() < SKIP_SLOT:
                        continue
                    start = _at(d, hour, rng.randint(0, 59))
                    cid = f"{e}-{d.toordinal()}-{slot[0]}"
                    for k, (question, version) in enumerate(questions):
                        value, raw = _value(question, rng, weights[e])
                        answered = start + timedelta(seconds=20 * (k + 1))
                        answers.append(
                            (
                                cid,
                                e,
                                d,
                                question.id,
                                version,
                                value,
                                raw,
                                "voice",
                                answered,
                                None,
                                None,
                            )
                        )
                    done = start + timedelta(seconds=20 * len(questions))
                    checkins.append((cid, e, d, slot, "completed", start, done))
            if d < today:
                at = _at(d, 21, 0)
                readings.extend(
                    (e, "steps", at, int(steps[e] * rng.uniform(0.7, 1.3)), "import") for e in ids
                )
            if len(answers) >= CHUNK:
                writer.write("checkins", checkins)
                writer.write("answers", answers)
                writer.write("readings", readings)
        writer.write("checkins", checkins)
        writer.write("answers", answers)
        writer.write("readings", readings)
        seeded.rows.update(writer.rows)
    analyze(engine)
    seeded.seconds = time.perf_counter() - started
    return seeded


def analyze(engine: Any) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def grow(engine: Any, n: int, factor: int) -> Seeded:
    """Turn the N elders into N x factor: copies with new ids, history rebuilt in date order.

    Elder ``e0000123`` of the first N = 1,000 has copies ``e0001123`` … ``e0009123`` with the
    same history. The history tables are rewritten in SQL (``INSERT … SELECT … ORDER BY``) so
    that, as in production, rows stay in the order days were appended, all elders mixed.
    """
    if not 2 <= factor <= 10 or n % 10:
        raise ValueError("sizes must grow by a factor of 2-10 from a multiple of 10")
    started = time.perf_counter()
    power = len(str(n - 1))  # digits of the ids of the first N
    keep = ID_DIGITS - power  # leading zero digits of those ids
    k_rows = ", ".join(f"({k})" for k in range(factor))

    def new(column: str) -> str:
        return f"('e' || '{'0' * (keep - 1)}' || k.k || substr({column}, {keep + 2}))"

    history = {
        "checkins": ("date, started_at", {"id": "id", "elder_id": "elder_id"}),
        "answers": (
            "date, answered_at, src.id",
            {"checkin_id": "checkin_id", "elder_id": "elder_id"},
        ),
        "readings": ("measured_at", {"elder_id": "elder_id"}),
    }
    seeded = Seeded(elders=n * factor)
    with setup_connection(engine) as conn:
        x = conn.exec_driver_sql

        def copy(table: str, cols: list[str], changed: dict[str, str], order: str) -> None:
            select = ", ".join(changed.get(c, f"src.{c}") for c in cols)
            x(
                f"INSERT INTO {table} ({', '.join(cols)}) WITH k(k) AS (VALUES {k_rows})"
                f" SELECT {select} FROM bench_src_{table} AS src CROSS JOIN k"
                f" WHERE k.k > 0 OR {int(table in history)} = 1 ORDER BY {order}"
            )

        for table in ("elders", "device_bindings", "recipients", *history):
            x(f"CREATE TABLE bench_src_{table} AS SELECT * FROM {table}")
        # The history tables' plain indexes are dropped and re-created from their own DDL
        # (sorting once is much faster than inserting 9 million keys in date order).
        names = ", ".join(f"'{table}'" for table in history)
        if conn.dialect.name == "sqlite":
            ddl = x(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND substr(name, 1, 3) = 'ix_' AND tbl_name IN ({names})"
            ).all()
        else:
            ddl = x(
                "SELECT indexname, indexdef FROM pg_indexes"
                f" WHERE substr(indexname, 1, 3) = 'ix_' AND tablename IN ({names})"
            ).all()
        for name, _ in ddl:
            x(f"DROP INDEX {name}")
        # Children first (foreign keys), then parents, refilled parents first.
        for table in ("answers", "checkins", "readings"):
            x(f"DELETE FROM {table}")
        copy(
            "elders",
            [
                "id",
                "name",
                "kana",
                "municipality_code",
                "center_id",
                "district",
                "status",
                "consent",
                "overrides",
            ],
            {"id": new("src.id")},
            "1",
        )
        copy(
            "device_bindings",
            ["alexa_user_id", "device_id", "elder_id", "bound_at"],
            {
                "alexa_user_id": "('u-' || " + new("src.elder_id") + ")",
                "device_id": "('d-' || " + new("src.elder_id") + ")",
                "elder_id": new("src.elder_id"),
            },
            "1",
        )
        x("DELETE FROM bench_src_recipients WHERE elder_id IS NULL")
        copy(
            "recipients",
            [
                "id",
                "center_id",
                "elder_id",
                "name",
                "relation",
                "channel",
                "address",
                "quiet_start",
                "quiet_end",
                "active",
            ],
            {"id": "('f-' || " + new("src.elder_id") + ")", "elder_id": new("src.elder_id")},
            "1",
        )
        for table, (order, changed) in history.items():
            cols = list(COLUMNS[table])
            copy(table, cols, {c: new(f"src.{v}") for c, v in changed.items()}, order + ", k.k")
        for table in ("elders", "device_bindings", "recipients", *history):
            x(f"DROP TABLE bench_src_{table}")
        for _, sql in ddl:
            x(sql)
        for table in ("elders", "device_bindings", "recipients", *history):
            seeded.rows[table] = x(f"SELECT count(*) FROM {table}").scalar()
    analyze(engine)
    seeded.seconds = time.perf_counter() - started
    return seeded


# ---------------------------------------------------------------------------------------------
# Measurements


class StatementCounter:
    """Count statements sent to the database (executemany counts once), by kind."""

    def __init__(self) -> None:
        self.kinds: Counter = Counter()
        self.on = False

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not self.on:
            return
        words = statement.split()
        verb = words[0].upper() if words else "?"
        m = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
        table = m.group(1) if m and verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else ""
        self.kinds[f"{verb} {table}".strip()] += 1


def _services(engine: Any) -> Any:
    from backend.bootstrap import bootstrap
    from backend.settings import Settings
    from backend.stores.sql.uow import SqlUnitOfWork

    return bootstrap(Settings(), uow=lambda: SqlUnitOfWork(engine), clock=lambda: NOW)


@cache
def _policy_for() -> Callable[[str], Any]:
    from questions.policy import policy_for

    return cache(policy_for)


def run_sweep(svc: Any) -> tuple[float, Any]:
    from backend.services import alerts

    gc.collect()
    start = time.perf_counter()
    report = alerts.sweep(svc, _policy_for())
    return time.perf_counter() - start, report


def run_load_eval(svc: Any) -> tuple[float, float, int, int]:
    """Time the sweep's loading (``_histories``) and ``rules.evaluate`` separately."""
    from backend.domain import rules
    from backend.services import alerts

    policy = _policy_for()(CODE)
    qset = svc.question_set(CODE)
    now = svc.now()
    with svc.uow() as uow:
        elders = uow.elders.list_all()
    gc.collect()
    load = evaluate = 0.0
    rows = candidates = 0
    for i in range(0, len(elders), alerts.BATCH):
        start = time.perf_counter()
        with svc.uow() as uow:
            histories = alerts._histories(uow, elders[i : i + alerts.BATCH], policy, now)
        mid = time.perf_counter()
        for h in histories:
            candidates += len(rules.evaluate(h, qset, policy, now))
        load += mid - start
        evaluate += time.perf_counter() - mid
        rows += sum(len(h.checkins) + len(h.answers) + len(h.readings) for h in histories)
    return load, evaluate, rows, candidates


def raw_queries() -> list[tuple[str, dict[str, Any]]]:
    """Return the reads of the sweep as plain SQL over all elders: the same rows, no mapping."""
    from backend.domain import rules
    from backend.domain.model import ReadingKind

    windows = rules.history_windows(_policy_for()(CODE))
    today = NOW.date()

    def first(days: int) -> date:
        return today - timedelta(days=days)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=NOW.tzinfo)

    recent = first(windows.general)
    queries: list[tuple[str, dict[str, Any]]] = [
        (
            "SELECT * FROM checkins WHERE date >= :first AND date <= :last",
            {"first": recent, "last": today},
        ),
        (
            "SELECT * FROM answers WHERE date >= :first AND date <= :last",
            {"first": recent, "last": today},
        ),
    ]
    longer: dict[int, list[str]] = {}
    for question_id, days in windows.answers.items():
        if days > windows.general:
            longer.setdefault(days, []).append(question_id)
    for days, question_ids in sorted(longer.items()):
        names = ", ".join(f"'{q}'" for q in sorted(question_ids))
        queries.append(
            (
                f"SELECT * FROM answers WHERE question_id IN ({names})"
                " AND date >= :first AND date <= :last",
                {"first": first(days), "last": recent - timedelta(days=1)},
            )
        )
    for kind in ReadingKind:
        queries.append(
            (
                f"SELECT * FROM readings WHERE kind = '{kind.value}'"
                " AND measured_at >= :since AND measured_at < :now",
                {"since": midnight(first(windows.reading_days(kind))), "now": NOW},
            )
        )
    return queries


def run_raw_scan(engine: Any) -> tuple[float, int]:
    """Fetch the same rows as plain tuples through the same engine: the floor of any loader."""
    from sqlalchemy import Date, bindparam, text

    from backend.stores.sql.column_types import UtcDateTime

    types = {"first": Date, "last": Date, "since": UtcDateTime, "now": UtcDateTime}
    queries = raw_queries()
    gc.collect()
    start = time.perf_counter()
    rows = 0
    with engine.connect() as conn:
        for sql, params in queries:
            stmt = text(sql).bindparams(*(bindparam(k, type_=types[k]) for k in params))
            result = conn.execution_options(stream_results=True, yield_per=5000).execute(
                stmt, params
            )
            for partition in result.partitions():
                rows += len(partition)
    return time.perf_counter() - start, rows


@dataclass
class Result:
    store: str
    n: int
    seeded: Seeded
    first: float = 0.0
    first_report: Any = None
    sweeps: list[float] = field(default_factory=list)  # repeated sweeps (steady state)
    raws: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    evals: list[float] = field(default_factory=list)
    raw_rows: int = 0
    loaded_rows: int = 0
    candidates: int = 0
    statements_first: Counter = field(default_factory=Counter)
    statements_steady: Counter = field(default_factory=Counter)
    steady_report: Any = None


def measure(
    store: str, engine: Any, seeded: Seeded, reps: int, split: bool, seed_value: int
) -> Result:
    """Time the first sweep, then ``reps`` rounds of (sweep, raw scan, split) shuffled."""
    from sqlalchemy import event

    n = seeded.elders
    total = sum(seeded.rows.values())
    print(
        f"  [{store} N={n:,}] {total:,} rows ready in {seeded.seconds:.0f}s: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(seeded.rows.items()))
    )
    result = Result(store, n, seeded)
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    svc = _services(engine)
    counter.on = True
    result.first, result.first_report = run_sweep(svc)
    counter.on = False
    result.statements_first, counter.kinds = counter.kinds, Counter()
    print(f"  [{store} N={n:,}] first sweep {result.first:.2f}s: {result.first_report}")
    rng = random.Random(seed_value + n)
    rounds = max(reps, 1)
    for rep in range(rounds):
        tasks = ["raw"] + (["sweep"] if reps else []) + (["split"] if split and rep == 0 else [])
        rng.shuffle(tasks)
        line = []
        for task in tasks:
            if task == "sweep":
                counter.on = rep == 0
                seconds, report = run_sweep(svc)
                counter.on = False
                if rep == 0:
                    result.steady_report = report
                result.sweeps.append(seconds)
                line.append(f"sweep {seconds:.2f}s")
            elif task == "raw":
                seconds, result.raw_rows = run_raw_scan(engine)
                result.raws.append(seconds)
                line.append(f"raw scan {seconds:.2f}s")
            else:
                load, evaluate, result.loaded_rows, result.candidates = run_load_eval(svc)
                result.loads.append(load)
                result.evals.append(evaluate)
                line.append(f"load {load:.2f}s + evaluate {evaluate:.2f}s")
        print(f"  [{store} N={n:,}] round {rep + 1}/{rounds}: " + ", ".join(line))
    result.statements_steady = counter.kinds
    event.remove(engine, "before_cursor_execute", counter)
    loaded = result.first_report.elders
    if result.loaded_rows and result.loaded_rows != result.raw_rows:
        print(
            f"  WARNING: the sweep loaded {result.loaded_rows:,} rows, the raw scan saw"
            f" {result.raw_rows:,} (elders swept: {loaded:,})"
        )
    return result


# ---------------------------------------------------------------------------------------------
# Report


def med(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float]) -> str:
    if len(values) < 2:
        return "(1 run)"
    return f"({min(values):.2f}-{max(values):.2f})"


def print_store(results: list[Result]) -> None:
    store = results[0].store
    print(f"\n{store}: seconds per sweep over all N elders (median, min-max of the repeats)")
    print(
        f"  {'N':>7s} {'rows':>11s} {'first sweep':>11s} {'ms/elder':>8s}"
        f" {'repeated sweep':>22s} {'ms/elder':>8s} {'raw scan':>18s} {'sweep/raw':>9s}"
    )
    for r in results:
        rep = f"{med(r.sweeps):8.2f} {_spread(r.sweeps):>13s}" if r.sweeps else f"{'-':>22s}"
        rep_ms = f"{med(r.sweeps) / r.n * 1e3:8.2f}" if r.sweeps else f"{'-':>8s}"
        ref = med(r.sweeps) if r.sweeps else r.first
        print(
            f"  {r.n:7,d} {r.raw_rows:11,d} {r.first:11.2f} {r.first / r.n * 1e3:8.2f}"
            f" {rep} {rep_ms} {med(r.raws):6.2f} {_spread(r.raws):>11s}"
            f" {ref / med(r.raws):8.2f}x"
        )
    for r in results:
        ref = med(r.sweeps) if r.sweeps else r.first
        verdict = "met" if ref / med(r.raws) <= TARGET_RAW else "NOT met"
        which = "repeated" if r.sweeps else "first"
        print(
            f"  N={r.n:,}: {which} sweep / raw scan of the same {r.raw_rows:,} rows"
            f" = {ref / med(r.raws):.2f}x (target <= {TARGET_RAW:.0f}x: {verdict})"
        )
        if r.loads:
            print(
                f"    split: loading (alerts._histories) {med(r.loads):.2f}s"
                f" = {med(r.loads) / ref:.0%} of the sweep,"
                f" {med(r.loads) / r.raw_rows * 1e6:.1f} us per row against"
                f" {med(r.raws) / r.raw_rows * 1e6:.1f} us raw;"
                f" rules.evaluate {med(r.evals):.2f}s = {med(r.evals) / ref:.0%}"
                f" ({med(r.evals) / r.n * 1e3:.2f} ms per elder); {r.candidates:,} candidates"
            )
    by_n = {r.n: r for r in results}
    for r in results:
        big = by_n.get(r.n * 10)
        if big is None:
            continue
        ratio = big.first / r.first
        verdict = "met" if ratio <= TARGET_SCALING else "NOT met"
        line = (
            f"  t({big.n:,}) / t({r.n:,}), first sweeps: {ratio:.2f}"
            f" (target <= {TARGET_SCALING:.0f}: {verdict})"
        )
        if big.sweeps and r.sweeps:
            line += f"; repeated sweeps {med(big.sweeps) / med(r.sweeps):.2f}"
        line += f"; raw scans {med(big.raws) / med(r.raws):.2f}"
        print(line)
    for r in results:
        stmts = sum(r.statements_first.values())
        print(
            f"  statements, N={r.n:,}, first sweep (opens {r.first_report.opened} alerts,"
            f" queues {r.first_report.messages} messages): {stmts} = {stmts / r.n:.3f} per elder"
        )
        print("    " + ", ".join(f"{k} {v}" for k, v in sorted(r.statements_first.items())))
        if r.statements_steady:
            stmts = sum(r.statements_steady.values())
            print(
                f"  statements, N={r.n:,}, a repeated sweep (opens {r.steady_report.opened}):"
                f" {stmts} = {stmts / r.n:.3f} per elder"
            )
            print("    " + ", ".join(f"{k} {v}" for k, v in sorted(r.statements_steady.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated N (1000,10000)")
    parser.add_argument("--big", action="store_true", help="also N = 100,000 (long)")
    parser.add_argument("--days", type=int, default=90, help="days of history (90)")
    parser.add_argument(
        "--reps",
        type=int,
        default=None,
        help="repeated sweeps after the first (default: 3 for N <= 1,000, 0 above)",
    )
    parser.add_argument(
        "--split-all", action="store_true", help="time load/evaluate at every N (default: smallest)"
    )
    parser.add_argument("--stores", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("MIMAMORI_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    sizes = sorted(
        {int(s) for s in args.sizes.split(",") if s.strip()} | ({100_000} if args.big else set())
    )
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    for small, big in itertools.pairwise(sizes):
        if big % small or not 2 <= big // small <= 10:
            parser.error("each size must be 2-10 times the one before (1000,10000,100000)")
    _import_path()
    from backend.stores.sql import migrate
    from backend.stores.sql.uow import make_engine

    started = time.perf_counter()
    print(
        f"Python {sys.version.split()[0]}; clock {NOW.isoformat()}; {args.days} days of history;"
        f" sizes {', '.join(f'{n:,}' for n in sizes)}; stores {', '.join(stores)}"
    )
    for store in stores:
        if store == "postgresql":
            why = postgres_reachable(args.pg_url)
            if why is not None:
                print(f"\nPostgreSQL skipped: {args.pg_url} unreachable ({why})")
                continue
        print(f"\n{store}")
        results = []
        database = sqlite_database() if store == "sqlite" else postgres_database(args.pg_url)
        with database as url:
            migrate.upgrade(url)
            engine = make_engine(url)
            try:
                for i, n in enumerate(sizes):
                    if i == 0:
                        seeded = seed(engine, n, args.days, random.Random(args.seed))
                    else:
                        seeded = grow(engine, sizes[i - 1], n // sizes[i - 1])
                    reps = args.reps if args.reps is not None else (2 if n <= 1000 else 0)
                    split = args.split_all or i == 0
                    results.append(measure(store, engine, seeded, reps, split, args.seed))
            finally:
                engine.dispose()
        print_store(results)
    print(f"\ntotal time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
