"""Cost of the dashboard-published question sets and policies on the hot paths.

Compares, in one process on a migrated SQLite file with one published version of each:

1. ``services.question_sets()`` through ``PublishedSets`` (steady state: within the refresh
   time, no store read) vs the plain cached file sets it replaced;
2. one refresh (the store read of every municipality's newest version) vs one indexed read
   (``uow.municipalities.get``) — a refresh happens at most every 30 s per process;
3. ``published_policies(code)`` (one store read per call: once per municipality per sweep,
   once per elder page) vs the cached file policy.

Usage: python bench/published_config.py [--rounds 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from functools import cache
from pathlib import Path

from ratios import ratio_line

from backend.bootstrap import sql_uow_factory
from backend.domain.model import Municipality, StaffRole, StaffUser
from backend.domain.versions import ConfigKind
from backend.services import municipal_config
from backend.services.context import Services
from backend.stores.sql import migrate
from questions.loader import SETS_DIR, load_sets
from questions.policy import policy_for

CODE = "032158"


def timed(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20000)
    args = parser.parse_args()
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        uow = sql_uow_factory(url)
        files = cache(lambda: load_sets(SETS_DIR))
        sets = municipal_config.PublishedSets(uow, files)
        svc = Services(
            uow=uow, question_sets=sets, clock=lambda: datetime.now(UTC), tz=ZoneInfo("Asia/Tokyo")
        )
        with uow() as unit:
            unit.municipalities.add(Municipality(CODE, "奥州市"))
            unit.commit()
        admin = StaffUser(
            "u", "admin", "担当", StaffRole.MUNICIPALITY_ADMIN, CODE, None, "x", datetime.now(UTC)
        )
        text = (SETS_DIR / f"{CODE}.yaml").read_text(encoding="utf-8")
        municipal_config.publish(svc, admin, ConfigKind.QUESTION_SET, CODE, text)
        municipal_config.publish(svc, admin, ConfigKind.POLICY, CODE, "grace_minutes: 90\n")
        policies = municipal_config.published_policies(uow)
        file_policy = cache(policy_for)
        assert sets()[CODE].version == 2
        assert policies(CODE).grace_minutes == 90

        def read_one() -> None:
            with uow() as unit:
                unit.municipalities.get(CODE)

        pairs = {
            "question_sets(): published (steady) / cached files": (sets, files, args.rounds),
            "refresh from the store / one indexed read": (
                lambda: sets._load(),
                read_one,
                max(200, args.rounds // 50),
            ),
            "policy: published (store read) / cached file": (
                lambda: policies(CODE),
                lambda: file_policy(CODE),
                max(200, args.rounds // 50),
            ),
        }
        for label, (num, den, n) in pairs.items():
            nums, dens = [], []
            for _ in range(20):
                order = [(num, nums), (den, dens)]
                random.shuffle(order)
                for fn, into in order:
                    into.append(timed(fn, max(1, n // 20)))
            print(
                f"{label}: {statistics.median(nums) * 1e6:.2f} µs / "
                f"{statistics.median(dens) * 1e6:.2f} µs"
            )
            ratio_line(label, nums, dens, 4, None)


if __name__ == "__main__":
    main()
