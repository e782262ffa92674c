"""Import time of the Lambda entry module, and its honest cold first invocation.

1. Import only: ``import skill.lambda_function`` against ``import ask_sdk_core.skill_builder``
   alone, each in a fresh ``python -c`` process, timed inside the child with
   ``time.perf_counter()`` around the import statement (interpreter start-up excluded; the
   whole process wall time is printed too). Target: ratio <= 1.5x.

2. Cold first invocation (information, no target): ``skill.lambda_function`` defers building
   the skill (settings, engine, question sets, handlers) to the first request of a container, so
   (1) alone flatters it. Here each fresh process imports the entry module and calls
   ``lambda_handler(event, None)`` once with a LaunchRequest envelope of a bound demo device
   (``MIMAMORI_DATABASE_URL`` = a fresh copy of a migrated and seeded SQLite file,
   ``MIMAMORI_ALEXA_SKILL_ID`` set), against a bare hello skill (SkillBuilder + one handler)
   doing the same: import + ``sb.lambda_handler()`` + first call. A second call (another device,
   warm) is timed too. The service clock is pinned to Monday 2026-11-23 07:30 JST inside the
   child (``backend.bootstrap.utc_now`` is replaced before the first call) so that the launch
   always opens a morning check-in whatever the time of day the benchmark runs.

3. Where the cold first invocation goes: one extra run under ``python -X importtime`` lists the
   modules imported during the first call (``-X importtime`` adds its own overhead), and one
   process times ``questions.loader.load_sets`` after its imports.

Run from the repository root::

    python bench/import_time.py                       # defaults: ~1 minute
    python bench/import_time.py --import-reps 80 --cold-reps 40

Subjects are interleaved (shuffled order every repetition); medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ratios import q, ratio_line

REPO_ROOT = Path(__file__).resolve().parent.parent
SKILL_ID = "amzn1.ask.skill.00000000-bench-0000-0000-000000000000"
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
IMPORT_TARGET = 1.5
ENTRY = "skill.lambda_function"
SDK = "ask_sdk_core.skill_builder"
COLD_PARTS = (
    " import + first lambda_handler",
    "   import alone",
    "   first lambda_handler call",
    "   second call (warm)",
    "   whole process wall",
)

IMPORT_CHILD = """\
import time
start = time.perf_counter()
import {module}
print(time.perf_counter() - start)
"""

# Both cold children read their events and import json/datetime before the clock starts.
MIMAMORI_COLD_CHILD = """\
import json, os, sys, time
from datetime import datetime
events = json.loads(open(os.environ["BENCH_EVENTS"], encoding="utf-8").read())
pinned = datetime.fromisoformat(os.environ["BENCH_NOW"])
t0 = time.perf_counter()
import skill.lambda_function as entry
t1 = time.perf_counter()
import backend.bootstrap  # the first invocation imports it anyway
if not hasattr(backend.bootstrap, "utc_now"):
    sys.exit("backend.bootstrap.utc_now is gone: update bench/import_time.py")
backend.bootstrap.utc_now = lambda: pinned
first = entry.lambda_handler(events[0], None)
t2 = time.perf_counter()
second = entry.lambda_handler(events[1], None)
t3 = time.perf_counter()
state = (first.get("sessionAttributes") or {}).get("state") or {}
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2,
                  "question": state.get("q"),
                  "speech": first["response"]["outputSpeech"]["ssml"]}, ensure_ascii=False))
"""

HELLO_COLD_CHILD = """\
import json, os, sys, time
from datetime import datetime
events = json.loads(open(os.environ["BENCH_EVENTS"], encoding="utf-8").read())
pinned = datetime.fromisoformat(os.environ["BENCH_NOW"])
t0 = time.perf_counter()
from ask_sdk_core.skill_builder import SkillBuilder
t1 = time.perf_counter()
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type

class Hello(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("hello").set_should_end_session(False).response

sb = SkillBuilder()
sb.skill_id = os.environ["MIMAMORI_ALEXA_SKILL_ID"]
sb.add_request_handler(Hello())
handler = sb.lambda_handler()
first = handler(events[0], None)
t2 = time.perf_counter()
second = handler(events[1], None)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2,
                  "question": None,
                  "speech": first["response"]["outputSpeech"]["ssml"]}, ensure_ascii=False))
"""

LOAD_SETS_CHILD = """\
import time
from questions.loader import SETS_DIR, load_sets
start = time.perf_counter()
load_sets(SETS_DIR)
print(time.perf_counter() - start)
"""


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMAMORI_")}
    env.update(extra or {})
    return env


def run_child(
    code: str, env: dict[str, str], *, flags: tuple[str, ...] = ()
) -> tuple[str, str, float]:
    """Run ``python -c code`` in the repository root; return stdout, stderr and wall seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout, done.stderr, wall


# ---------------------------------------------------------------------------------------------
# Statistics


def print_table(title: str, samples: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"  {'subject':52s} {'median ms':>9s} {'p25':>8s} {'p75':>8s} {'n':>4s}")
    for name, values in samples.items():
        print(
            f"  {name:52s} {statistics.median(values) * 1e3:9.1f} {q(values, 0.25) * 1e3:8.1f}"
            f" {q(values, 0.75) * 1e3:8.1f} {len(values):4d}"
        )


# ---------------------------------------------------------------------------------------------
# Fixture for the cold runs: a seeded SQLite template and two LaunchRequest envelopes.


def make_template(workdir: Path) -> tuple[Path, Path]:
    """Write a migrated, demo-seeded SQLite file and the events file; return both paths."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from backend.bootstrap import bootstrap
    from backend.envelopes import AlexaSession
    from backend.services import demo
    from backend.settings import Settings
    from backend.stores.sql import migrate
    from backend.stores.sql.uow import SqlUnitOfWork, make_engine

    db = workdir / "template.db"
    url = f"sqlite:///{db}"
    migrate.upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url, alexa_skill_id=SKILL_ID)
    demo.seed(
        bootstrap(settings, uow=lambda: SqlUnitOfWork(engine), clock=lambda: NOW),
        with_notices=False,
    )
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    events = [
        AlexaSession(SKILL_ID, demo.alexa_user_id(d), demo.alexa_device_id(d)).launch(NOW)
        for d in demo.DEMO_DEVICES[:2]
    ]
    events_path = workdir / "events.json"
    events_path.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    return db, events_path


# ---------------------------------------------------------------------------------------------


def measure_imports(reps: int, rng: random.Random) -> dict[str, list[float]]:
    env = child_env()
    samples: dict[str, list[float]] = defaultdict(list)
    subjects = [ENTRY, SDK]
    for module in subjects:  # warm the .pyc caches, unmeasured
        run_child(IMPORT_CHILD.format(module=module), env)
    for _ in range(reps):
        rng.shuffle(subjects)
        for module in subjects:
            out, _, wall = run_child(IMPORT_CHILD.format(module=module), env)
            samples[f"import {module}"].append(float(out.strip()))
            samples[f"  whole process wall: {module}"].append(wall)
    return samples


def measure_cold(
    reps: int, rng: random.Random, template: Path, events: Path, workdir: Path
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = defaultdict(list)
    base = {"MIMAMORI_ALEXA_SKILL_ID": SKILL_ID, "BENCH_EVENTS": str(events)}
    base["BENCH_NOW"] = NOW.isoformat()

    def once(subject: str, keep: bool) -> None:
        db = workdir / "cold.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, db)
        env = child_env({**base, "MIMAMORI_DATABASE_URL": f"sqlite:///{db}"})
        code = MIMAMORI_COLD_CHILD if subject == "mimamori" else HELLO_COLD_CHILD
        out, _, wall = run_child(code, env)
        data = json.loads(out)
        if subject == "mimamori" and not data["question"]:
            raise RuntimeError(f"the cold launch did not open a check-in: {data['speech']}")
        if not keep:
            return
        values = (
            data["import"] + data["first"],
            data["import"],
            data["first"],
            data["second"],
            wall,
        )
        for part, value in zip(COLD_PARTS, values, strict=True):
            samples[f"{subject}:{part}"].append(value)

    subjects = ["mimamori", "hello"]
    for subject in subjects:
        once(subject, keep=False)
    for _ in range(reps):
        rng.shuffle(subjects)
        for subject in subjects:
            once(subject, keep=True)
    return samples


IMPORTTIME_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def where_cold_goes(template: Path, events: Path, workdir: Path, top: int = 12) -> None:
    db = workdir / "cold.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, db)
    env = child_env(
        {
            "MIMAMORI_ALEXA_SKILL_ID": SKILL_ID,
            "MIMAMORI_DATABASE_URL": f"sqlite:///{db}",
            "BENCH_EVENTS": str(events),
            "BENCH_NOW": NOW.isoformat(),
        }
    )
    out, err, _ = run_child(MIMAMORI_COLD_CHILD, env, flags=("-X", "importtime"))
    data = json.loads(out)
    after_entry = False
    by_package: Counter[str] = Counter()
    top_level: list[tuple[int, str]] = []
    for line in err.splitlines():
        m = IMPORTTIME_LINE.match(line)
        if not m:
            continue
        self_us, cumulative_us, indent, name = int(m[1]), int(m[2]), len(m[3]), m[4]
        if name == ENTRY:
            after_entry = True
            continue
        if after_entry:
            by_package[name.split(".")[0]] += self_us
            if indent == 1:
                top_level.append((cumulative_us, name))
    total = sum(by_package.values()) / 1e3
    print(
        f"\nWhere the cold first call goes (one run under -X importtime, which slows imports):"
        f"\n  first lambda_handler call {data['first'] * 1e3:.0f} ms, of which modules first"
        f" imported during it: {total:.0f} ms"
    )
    print("  imported by the first call, cumulative (top-level imports):")
    for cumulative_us, name in sorted(top_level, reverse=True)[:6]:
        print(f"    {cumulative_us / 1e3:7.1f} ms  {name}")
    print("  the same, self time summed by top-level package:")
    for package, self_us in by_package.most_common(top):
        print(f"    {self_us / 1e3:7.1f} ms  {package}")
    loads = [float(run_child(LOAD_SETS_CHILD, child_env())[0]) for _ in range(5)]
    print(
        "  questions.loader.load_sets(SETS_DIR) after its imports (YAML + validation),"
        f" median of 5 fresh processes: {statistics.median(loads) * 1e3:.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--import-reps", type=int, default=40, help="per subject (default 40)")
    parser.add_argument("--cold-reps", type=int, default=20, help="per subject (default 20)")
    parser.add_argument("--blocks", type=int, default=4, help="blocks for the ratio spread")
    parser.add_argument("--no-detail", action="store_true", help="skip the -X importtime run")
    parser.add_argument("--seed", type=int, default=20261123, help="shuffle seed")
    args = parser.parse_args(argv)
    if args.import_reps < 1 or args.cold_reps < 1:
        parser.error("repetitions must be at least 1")

    rng = random.Random(args.seed)
    started = time.perf_counter()
    print(f"Python {sys.version.split()[0]} ({sys.executable}); fresh process per sample")
    imports = measure_imports(args.import_reps, rng)
    print_table("1. Import only (timed inside the child around the import statement)", imports)
    print("\nRatio (median / median, interleaved)")
    ratio_line(
        f"import {ENTRY} / import {SDK}",
        imports[f"import {ENTRY}"],
        imports[f"import {SDK}"],
        args.blocks,
        IMPORT_TARGET,
    )
    ratio_line(
        "  whole process wall, same pair (information)",
        imports[f"  whole process wall: {ENTRY}"],
        imports[f"  whole process wall: {SDK}"],
        args.blocks,
        None,
    )

    with tempfile.TemporaryDirectory(prefix="mimamori-bench-") as tmp:
        workdir = Path(tmp)
        template, events = make_template(workdir)
        cold = measure_cold(args.cold_reps, rng, template, events, workdir)
        print_table(
            "2. Cold first invocation: fresh process, import + first lambda_handler(LaunchRequest)",
            {
                f"{subject}:{part}": cold[f"{subject}:{part}"]
                for subject in ("mimamori", "hello")
                for part in COLD_PARTS
            },
        )
        print("\nRatios (information, no target)")
        ratio_line(
            "cold import + first call: Mimamori / hello",
            cold["mimamori: import + first lambda_handler"],
            cold["hello: import + first lambda_handler"],
            args.blocks,
            None,
        )
        ratio_line(
            "second (warm) call: Mimamori / hello",
            cold["mimamori:   second call (warm)"],
            cold["hello:   second call (warm)"],
            args.blocks,
            None,
        )
        if not args.no_detail:
            where_cold_goes(template, events, workdir)
    print(f"\ntotal time {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
