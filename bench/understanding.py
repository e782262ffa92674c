"""The understanding step: per utterance, and what it adds to the skill's cold start.

1. Per utterance (warm, one process): ``understand(text, question, lexicon)`` over every core
   utterance of the corpus (tests/corpus), against the floor it cannot go under, the
   morphological analyser alone (``fugashi.Tagger()(text)``) on the same text. Both are timed
   per call with ``time.perf_counter_ns``, interleaved in a shuffled order, cache cleared
   (``tokens.cache_clear()``) so that every call analyses afresh. Medians and p95 in µs.

2. Cold start (fresh processes, interleaved): ``import skill.lambda_function`` (the Lambda entry:
   the analyser is not imported), then the first ``understand`` call in the same process (which
   imports the understanding package and fugashi and opens the UniDic-lite dictionary), against
   ``import ask_sdk_core.skill_builder`` alone. The entry's import ratio stays the issue's bar
   (<= 1.2x); the first understanding costs what it costs, once per container.

Run from the repository root::

    python bench/understanding.py                 # ~30 s
    python bench/understanding.py --reps 30 --rounds 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ratios import q, ratio_line

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

IMPORT_CHILD = """\
import time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
extra = 0.0
if {understand}:
    from backend.domain.understanding import understand
    understand("えーと、眠れませんでした")
    extra = time.perf_counter() - t1
print(t1 - t0, extra)
"""


def per_utterance(rounds: int) -> None:
    import fugashi

    from backend.domain.understanding import understand
    from backend.domain.understanding.analyzer import tokens
    from questions.loader import load_sets
    from tests.corpus.corpus import load

    sets = load_sets()
    entries = [e for e in load() if e.category != "filler"]
    tagger = fugashi.Tagger()
    understand("準備")  # the analyser is loaded before timing (its first call is part 2)
    mine: list[float] = []
    floor: list[float] = []
    jobs = []
    for _ in range(rounds):
        for e in entries:
            qset = sets[e.municipality]
            jobs.append(("u", e.utterance, qset.question(e.question), qset.lexicon))
            jobs.append(("t", e.utterance, None, None))
    random.shuffle(jobs)
    for kind, text, question, lexicon in jobs:
        tokens.cache_clear()
        start = time.perf_counter_ns()
        if kind == "u":
            understand(text, question, lexicon)
            mine.append((time.perf_counter_ns() - start) / 1000)
        else:
            list(tagger(text))
            floor.append((time.perf_counter_ns() - start) / 1000)
    print(f"1. per utterance: {len(entries)} core utterances x {rounds} rounds")
    print(
        f"  {'understand(text, question, lexicon)':58s} median {statistics.median(mine):7.1f} µs"
        f"  p95 {q(mine, 0.95):7.1f} µs"
    )
    print(
        f"  {'fugashi tagger alone (floor)':58s} median {statistics.median(floor):7.1f} µs"
        f"  p95 {q(floor, 0.95):7.1f} µs"
    )
    ratio_line("understanding / tagging alone", mine, floor, 5, None)


def cold(reps: int) -> None:
    subjects = {
        "entry": ("skill.lambda_function", True),
        "sdk": ("ask_sdk_core.skill_builder", False),
    }
    imports: dict[str, list[float]] = {k: [] for k in subjects}
    first_call: list[float] = []
    for _ in range(reps):
        order = list(subjects)
        random.shuffle(order)
        for key in order:
            module, with_understanding = subjects[key]
            code = IMPORT_CHILD.format(module=module, understand=with_understanding)
            out = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=True,
                cwd=REPO_ROOT,
                env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
            ).stdout.split()
            imports[key].append(float(out[0]) * 1000)
            if with_understanding:
                first_call.append(float(out[1]) * 1000)
    print(f"2. cold start: {reps} fresh processes each, interleaved")
    print(
        f"  {'import skill.lambda_function':58s} median {statistics.median(imports['entry']):7.1f} ms"
    )
    print(
        f"  {'import ask_sdk_core.skill_builder':58s} median {statistics.median(imports['sdk']):7.1f} ms"
    )
    ratio_line("entry import / SDK import", imports["entry"], imports["sdk"], 5, 1.2)
    print(
        f"  {'then the first understand() (package + fugashi + dictionary)':58s} median "
        f"{statistics.median(first_call):7.1f} ms  p95 {q(first_call, 0.95):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    per_utterance(args.rounds)
    cold(args.reps)


if __name__ == "__main__":
    main()
