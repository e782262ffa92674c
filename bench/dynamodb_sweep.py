"""The daily alert sweep on DynamoDB (a local moto server) beside SQLite, in the same run.

Information only: moto is an in-process Python emulation, not AWS (no network latency, no
partitions, no capacity limits, and it shares this process's CPU with the sweep), so the
figures show the store's request pattern and its cost on moto, not what AWS would take.

Setup (not measured): one SQLite file seeded by ``bench/sweep.py``'s ``seed`` (N elders of
奥州市 032158 with ``--days`` of morning and evening check-ins, their answers and daily steps;
a speaker and a family recipient each; the center's inbox). The same records are read back
through the SQL store's ports and loaded into a fresh DynamoDB table on moto with
``BatchWriteItem``, as items built by the DynamoDB store's own repositories (a loading unit
that does not read before writing). Both stores then hold the same history.

Measured, per store: ``alerts.sweep`` as ``jobs.sweep_alerts`` runs it, first (opens the
alerts) and ``--reps`` repeated (steady state), seconds and ms per elder; DynamoDB requests
per sweep by kind. Printed: DynamoDB / SQLite per sweep. Nothing is asserted.

Run from the repository root::

    python bench/dynamodb_sweep.py                 # N = 1,000, 14 days (~20 min on moto)
    python bench/dynamodb_sweep.py --n 200 --days 7
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import sweep  # noqa: E402 - bench/sweep.py: seeding and the measured sweep call

BATCH = 25  # items per BatchWriteItem


def start_moto() -> tuple[Any, str]:
    from moto.server import ThreadedMotoServer

    from tests.aws_local import FAKE_CREDENTIALS, free_port

    for name, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def index_moto_partitions() -> None:
    """Let moto's Query read only the asked partition instead of walking the whole table.

    moto 5.2 answers every Query by sorting and filtering *all* items of the table
    (``moto/dynamodb/models/table.py``: ``for item in self.all_items()``), so a request costs
    O(table): ~80 us per stored item, i.e. minutes per sweep at N = 50 and days per sweep at
    N = 1,000. DynamoDB itself reads one partition (O(log n + result)). This hands moto's own
    query code the items of the asked partition only (base table: its hash bucket; an index: a
    map from index hash value to items, rebuilt after writes); the filtering, sorting, paging
    and serialization stay moto's. ``--moto-as-is`` turns it off.
    """
    import inspect

    from moto.dynamodb.models.table import Table

    query, put_item, delete_item = Table.query, Table.put_item, Table.delete_item
    signature = inspect.signature(query)

    def partition(table: Any, index_name: str | None, attr: str, value: Any) -> list[Any]:
        if index_name is None:
            bucket = table.items.get(value)
            found = list(bucket.values()) if isinstance(bucket, dict) else []
        else:
            maps = table.__dict__.setdefault("_bench_index", {})
            if table.__dict__.get("_bench_dirty", True):
                maps.clear()
                table._bench_dirty = False
            if attr not in maps:
                by_value: dict[Any, list[Any]] = {}
                for hash_set in table.items.values():
                    for item in hash_set.values():
                        key = item.attrs.get(attr)
                        if key is not None:
                            by_value.setdefault(key, []).append(item)
                maps[attr] = by_value
            found = list(maps[attr].get(value, []))
        return sorted(found, key=lambda x: (x.hash_key, x.range_key))

    def indexed_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, hash_key, *args, **kwargs).arguments
        conditions = bound.get("hash_key_conditions") or []
        if len(conditions) != 1 or not self.range_key_attr:
            return query(self, hash_key, *args, **kwargs)
        attr, value = conditions[0]
        subset = partition(self, bound.get("index_name"), attr, value)
        self.all_items = lambda: subset
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    def marking(method: Any) -> Any:
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
            self._bench_dirty = True
            return method(self, *args, **kwargs)

        return wrapped

    Table.query = indexed_query
    Table.put_item = marking(put_item)
    Table.delete_item = marking(delete_item)
    from tests.aws_local import snapshot_moto_transactions

    snapshot_moto_transactions()


def copy_to_dynamodb(engine: Any, client: Any, table: str, days: int) -> Counter:
    """Read the seeded history through the SQL ports and load it into the DynamoDB table."""
    from backend.domain.model import ReadingKind
    from backend.stores.dynamodb.table import TableSession
    from backend.stores.dynamodb.uow import DynamoUnitOfWork
    from backend.stores.sql.uow import SqlUnitOfWork

    class LoadingSession(TableSession):
        """Buffers puts without reading first (the table is new and the data consistent)."""

        def get(self, pk: str, sk: str) -> dict[str, Any] | None:
            found = self._pending.get((pk, sk))
            return dict(found) if found is not None else None

        def query(self, hash_value: str, sort: Any = None, **kw: Any) -> list[dict[str, Any]]:
            return []

    class LoadingUnit(DynamoUnitOfWork):
        def __enter__(self) -> LoadingUnit:
            super().__enter__()
            session = LoadingSession(self._client, self._table)
            self._session = None
            super().__exit__(None, None, None)
            self._session = session
            for repo in list(vars(self).values()):
                if hasattr(repo, "_s"):
                    repo._s = session
            return self

    counts: Counter = Counter()

    def flush(session: TableSession) -> None:
        items = [i for i in session._pending.values() if i is not None]
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            requests = [{"PutRequest": {"Item": _wire(i)}} for i in chunk]
            while requests:
                answer = client.batch_write_item(RequestItems={table: requests})
                requests = answer.get("UnprocessedItems", {}).get(table, [])
        counts.update(i["t"] for i in items)
        session.rollback()

    today = sweep.NOW.date()
    first = today - timedelta(days=days + 1)
    with SqlUnitOfWork(engine) as sql:
        elders = sql.elders.list_all()
        ids = [e.id for e in elders]
        with LoadingUnit(client, table) as unit:
            unit.municipalities.add(sql.municipalities.get(sweep.CODE))
            unit.centers.add(sql.centers.get(sweep.CENTER))
            for recipient in sql.recipients.list_for_center(sweep.CENTER):
                unit.recipients.add(recipient)
            for elder in elders:
                unit.elders.add(elder)
                unit.devices.bind(sql.devices.get_binding(f"u-{elder.id}", f"d-{elder.id}"))
                for recipient in sql.recipients.list_for_elder(elder.id):
                    unit.recipients.add(recipient)
            flush(unit.session)
        for i in range(0, len(ids), 100):
            batch = ids[i : i + 100]
            with LoadingUnit(client, table) as unit:
                for found in sql.checkins.list_for_elders(batch, first, today).values():
                    for checkin in found:
                        unit.checkins.add(checkin)
                for found in sql.answers.list_for_elders(batch, first, today).values():
                    for answer in found:
                        unit.answers.add(answer)
                steps = sql.readings.list_for_elders(
                    batch, ReadingKind.STEPS, sweep.NOW - timedelta(days=days + 2), sweep.NOW
                )
                for found in steps.values():
                    unit.readings.add_many(found)
                flush(unit.session)
    return counts


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {k: serializer.serialize(v) for k, v in item.items()}


def run(svc: Any, reps: int, label: str, requests: Counter | None = None) -> list[float]:
    times = []
    for rep in range(reps + 1):
        if requests is not None:
            requests.clear()
        seconds, report = sweep.run_sweep(svc)
        times.append(seconds)
        kind = "first" if rep == 0 else f"repeat {rep}"
        extra = ""
        if requests is not None:
            extra = f"; requests {sum(requests.values()):,} " + str(dict(requests.most_common()))
        print(f"  [{label}] {kind} sweep {seconds:.2f}s: {report}{extra}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="elders (1000)")
    parser.add_argument("--days", type=int, default=14, help="days of history (14)")
    parser.add_argument("--reps", type=int, default=2, help="repeated sweeps after the first")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--moto-as-is",
        action="store_true",
        help="keep moto's whole-table walk per Query (see index_moto_partitions; slow)",
    )
    args = parser.parse_args(argv)

    from backend.bootstrap import bootstrap
    from backend.settings import Settings
    from backend.stores.dynamodb.table import create_table, make_client
    from backend.stores.dynamodb.uow import DynamoUnitOfWork
    from backend.stores.sql import migrate
    from backend.stores.sql.uow import make_engine

    started = time.perf_counter()
    print(
        f"Python {sys.version.split()[0]}; clock {sweep.NOW.isoformat()}; N {args.n:,};"
        f" {args.days} days of history; DynamoDB on moto (in this process"
        f"{', as is' if args.moto_as_is else ', Query reads one partition'})"
    )
    if not args.moto_as_is:
        index_moto_partitions()
    server, endpoint = start_moto()
    try:
        with sweep.sqlite_database() as url:
            migrate.upgrade(url)
            engine = make_engine(url)
            seeded = sweep.seed(engine, args.n, args.days, random.Random(args.seed))
            print(f"  SQLite seeded in {seeded.seconds:.0f}s: {dict(seeded.rows)}")
            client = make_client(endpoint)
            table = f"mimamori-bench-{uuid.uuid4().hex[:8]}"
            create_table(client, table)
            t0 = time.perf_counter()
            items = copy_to_dynamodb(engine, client, table, args.days)
            print(
                f"  DynamoDB loaded in {time.perf_counter() - t0:.0f}s:"
                f" {sum(items.values()):,} items {dict(items)}"
            )

            sql_svc = sweep._services(engine)
            requests: Counter = Counter()
            client.meta.events.register(
                "before-call.dynamodb", lambda model, **_: requests.update([model.name])
            )
            dynamo_svc = bootstrap(
                Settings(), uow=lambda: DynamoUnitOfWork(client, table), clock=lambda: sweep.NOW
            )
            sqlite_times = run(sql_svc, args.reps, "sqlite")
            dynamo_times = run(dynamo_svc, args.reps, "dynamodb", requests)
            engine.dispose()
    finally:
        server.stop()

    print("\nseconds per sweep over all elders (first; median of the repeats)")
    rows = [("sqlite", sqlite_times), ("dynamodb (moto)", dynamo_times)]
    for name, times in rows:
        repeat = sweep.med(times[1:]) if len(times) > 1 else float("nan")
        print(
            f"  {name:16s} first {times[0]:7.2f}s ({times[0] / args.n * 1000:6.2f} ms/elder)"
            f"   repeated {repeat:7.2f}s ({repeat / args.n * 1000:6.2f} ms/elder)"
        )
    first_ratio = dynamo_times[0] / sqlite_times[0]
    print(f"  dynamodb / sqlite: first {first_ratio:.1f}x", end="")
    if len(dynamo_times) > 1:
        print(f", repeated {sweep.med(dynamo_times[1:]) / sweep.med(sqlite_times[1:]):.1f}x")
    else:
        print()
    print(f"\ntotal time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
