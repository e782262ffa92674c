"""Cold first invocation of the three Lambda handlers of template.yaml, against the skill's.

Each fresh ``python -c`` process imports one entry module and calls its handler once with the
event Lambda would hand over, then once more (warm):

- skill: ``skill.lambda_function.lambda_handler`` with a LaunchRequest of a bound demo device
  (the baseline: the function whose cold start Alexa's 8 s and the elder feel);
- web: ``backend.lambda_http.handler`` with an API Gateway HTTP API (2.0) ``GET /healthz``
  (the whole Flask app: dashboard, JSON API, LINE webhook, built at the first request);
- jobs: ``backend.lambda_jobs.handler`` with a Scheduler input ``{"job": "sweep-alerts"}``
  over the demo population.

Timed inside the child with ``time.perf_counter()`` (interpreter start-up excluded). Each
process gets a fresh copy of a migrated, demo-seeded SQLite file (the store on AWS is
DynamoDB; SQLite keeps this runnable offline). Information, no target: it shows what keeping
the dashboard, Flask and LINE out of the skill's package saves on every skill cold start.

Run from the repository root::

    python bench/lambda_cold.py             # ~1 minute
    python bench/lambda_cold.py --reps 30
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from import_time import NOW, SKILL_ID, child_env, make_template, print_table, run_child
from ratios import ratio_line

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

CHILD = """\
import json, os, sys, time
from datetime import datetime
event = json.loads(open(os.environ["BENCH_EVENT"], encoding="utf-8").read())
pinned = datetime.fromisoformat(os.environ["BENCH_NOW"])
t0 = time.perf_counter()
import {module} as entry
import backend.bootstrap
backend.bootstrap.utc_now = lambda: pinned
t1 = time.perf_counter()
entry.{handler}(event, None)
t2 = time.perf_counter()
entry.{handler}(event, None)
t3 = time.perf_counter()
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"flask", "linebot", "sqlalchemy", "boto3"}})
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, heavy]))
"""

SUBJECTS = {
    "skill": ("skill.lambda_function", "lambda_handler"),
    "web": ("backend.lambda_http", "handler"),
    "jobs": ("backend.lambda_jobs", "handler"),
}


def events(workdir: Path, launch_events: Path) -> dict[str, Path]:
    """Write one event file per handler; return their paths."""
    from tests.aws_local import http_event

    launch = json.loads(launch_events.read_text(encoding="utf-8"))[0]
    bodies = {
        "skill": launch,
        "web": http_event("GET", "/healthz"),
        "jobs": {"job": "sweep-alerts", "time": NOW.isoformat()},
    }
    paths = {}
    for name, body in bodies.items():
        paths[name] = workdir / f"{name}.json"
        paths[name].write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return paths


def measure(reps: int, rng: random.Random, template: Path, paths: dict[str, Path], workdir: Path):
    samples: dict[str, list[float]] = defaultdict(list)
    heavy: dict[str, list[str]] = {}
    names = list(SUBJECTS)
    for rep in range(reps + 1):  # the first round warms the .pyc caches, unmeasured
        rng.shuffle(names)
        for name in names:
            db = workdir / f"{name}-{rep}.db"
            shutil.copy(template, db)
            module, handler = SUBJECTS[name]
            env = child_env(
                {
                    "MIMAMORI_DATABASE_URL": f"sqlite:///{db}",
                    "MIMAMORI_ALEXA_SKILL_ID": SKILL_ID,
                    "MIMAMORI_SECRET_KEY": "k" * 32,
                    "MIMAMORI_LINE_CHANNEL_SECRET": "bench-secret",
                    "MIMAMORI_LINE_CHANNEL_ACCESS_TOKEN": "bench-token",
                    "MIMAMORI_LINE_API_BASE": "http://127.0.0.1:9",
                    "BENCH_EVENT": str(paths[name]),
                    "BENCH_NOW": NOW.isoformat(),
                }
            )
            out, _, _ = run_child(CHILD.format(module=module, handler=handler), env)
            imported, first, second, loaded = json.loads(out.strip().splitlines()[-1])
            db.unlink()
            if rep == 0:
                continue
            samples[f"{name}: import + first call"].append(imported + first)
            samples[f"{name}:   import (entry module + bootstrap)"].append(imported)
            samples[f"{name}:   first call (builds the app)"].append(first)
            samples[f"{name}:   second call (warm)"].append(second)
            heavy[name] = loaded
    return samples, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="mimamori-bench-"))
    try:
        template, launch_events = make_template(workdir)
        samples, heavy = measure(args.reps, rng, template, events(workdir, launch_events), workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(f"Cold first invocation per handler ({args.reps} fresh processes each)", samples)
    print("\nRatios against the skill (median of import + first call):")
    skill = samples["skill: import + first call"]
    for name in ("web", "jobs"):
        ratio_line(f"{name} / skill", samples[f"{name}: import + first call"], skill, 3, None)
    print("\nHeavy libraries loaded after two calls:")
    for name, loaded in heavy.items():
        print(f"  {name:6s} {', '.join(loaded) or '-'}")
    print(f"\n  skill cold start median {statistics.median(skill) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
