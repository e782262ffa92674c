"""One morning check-in turn through ``POST /alexa`` against a bare ask-sdk-core "hello" skill.

What a *turn* is here: the elder has opened the skill (a LaunchRequest, which greeted them and
asked 「今日の体調はいかがですか」) and now answers 「元気だよ」. The measured request is that
AnswerIntent: a signed HTTPS-style POST to ``/alexa`` of a real envelope (built by
``backend.envelopes.AlexaSession``, the intent resolved by ``skill.nlu.ModelResolver``), verified
by ``AlexaRequestVerifier``, deserialized, dispatched by the skill, which looks up the device
binding and the elder, resumes today's check-in, stores a NEW answer in SQLite, works out the
next due question and returns speech + reprompt + an APL screen. Every measured turn belongs to a
fresh elder + device (pre-seeded), so every one of them inserts a new answer row and none is a
replay. The LaunchRequest that precedes it is timed too and reported as the "open" turn.

The baseline is a SkillBuilder with one handler (LaunchRequest / IntentRequest → fixed speech),
served the same way: the same ``create_alexa_blueprint``, the same ``AlexaRequestVerifier``
instance (local chain from ``tests/alexa_signing.py``: ``trusted_roots=[chain.root]``, ``fetch``
returning ``chain.chain_pem``), the same signed envelopes (same size, same intent), Flask's test
client, same process. Subjects are interleaved in a shuffled order every round.

Also measured, so the reader sees where the time goes:
- both apps with signature verification OFF (``MIMAMORI_ALEXA_VERIFY_SIGNATURE=false`` for
  Mimamori's ``create_app``; ``verifier=None`` for hello), i.e. only the skill-id check;
- components alone: ``verifier.verify``, the chain path validation and the RSA check it does,
  ``DefaultSerializer.deserialize``, ``skill.invoke`` (answer, open, hello), serializing the
  response;
- an instrumented pass over ``skill.invoke`` of answer turns counting SQL statements and the time
  spent inside the sqlite3 driver (execute) and in COMMIT.

Run from the repository root::

    python bench/checkin_turn.py                   # defaults: ~1 minute on 2 shared cores
    python bench/checkin_turn.py --rounds 1000     # more samples
    python bench/checkin_turn.py --profile         # add a cProfile split of the answer turn

Speed is measured, not asserted: this prints figures and ratios, it never fails on them.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
SKILL_ID = "amzn1.ask.skill.00000000-bench-0000-0000-000000000000"
JST = ZoneInfo("Asia/Tokyo")
# A Monday morning inside the demo municipality's morning slot (06:00-10:30).
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=JST)
ANSWER_TEXT = "元気だよ"
NEXT_QUESTION = "sleep"  # what the skill must ask after the condition answer
TARGET_RATIO = 2.0
COMPONENTS = (
    "verifier.verify (whole check)",
    "  chain path validation alone",
    "  RSA-SHA256 signature check alone",
    "deserialize envelope",
    "skill.invoke answer (Mimamori)",
    "skill.invoke open (Mimamori)",
    "skill.invoke hello",
    "serialize + json.dumps response (Mimamori answer)",
    "serialize + json.dumps response (hello)",
)


def _import_path() -> None:
    """Make ``tests.alexa_signing`` importable when run as ``python bench/checkin_turn.py``."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))


# ---------------------------------------------------------------------------------------------
# Fixture: a seeded SQLite file, the Mimamori apps, the hello apps, a signing chain.


def hello_skill_builder(skill_id: str) -> Any:
    """Return a SkillBuilder with one handler answering LaunchRequest / IntentRequest."""
    from ask_sdk_core.dispatch_components import AbstractRequestHandler
    from ask_sdk_core.skill_builder import SkillBuilder
    from ask_sdk_core.utils import is_request_type

    class HelloHandler(AbstractRequestHandler):
        def can_handle(self, handler_input: Any) -> bool:
            return is_request_type("LaunchRequest")(handler_input) or is_request_type(
                "IntentRequest"
            )(handler_input)

        def handle(self, handler_input: Any) -> Any:
            return (
                handler_input.response_builder.speak("こんにちは")
                .set_should_end_session(False)
                .response
            )

    sb = SkillBuilder()
    sb.skill_id = skill_id
    sb.add_request_handler(HelloHandler())
    return sb


@dataclasses.dataclass
class Fixture:
    services: Any
    engine: Any
    chain: Any
    verifier: Any
    skill: Any  # Mimamori's CustomSkill (for invoke-alone)
    hello_skill: Any
    clients: dict[str, Any]  # "mimamori"/"hello" x "v"(verified)/"u"(unverified)
    intent: dict[str, Any]
    next_elder: int = 0
    capacity: int = 0

    def fresh_device(self) -> tuple[str, str]:
        """Return the (Alexa user id, device id) of an elder that has not been used yet."""
        if self.next_elder >= self.capacity:
            raise RuntimeError("ran out of seeded elders; raise the seeding count")
        n = self.next_elder
        self.next_elder += 1
        return device_ids(n)


def device_ids(n: int) -> tuple[str, str]:
    return f"amzn1.ask.account.bench{n}", f"amzn1.ask.device.bench{n}"


def build_fixture(db_path: Path, elders: int) -> Fixture:
    from flask import Flask

    from backend.bootstrap import bootstrap
    from backend.domain.model import DeviceBinding
    from backend.services import demo
    from backend.settings import Settings
    from backend.stores.sql import migrate
    from backend.stores.sql.uow import SqlUnitOfWork, make_engine
    from backend.web import MAX_BODY_BYTES, create_app
    from skill.builder import build_skill
    from skill.flask_app import create_alexa_blueprint
    from skill.nlu import ModelResolver
    from skill.verifier import AlexaRequestVerifier
    from tests.alexa_signing import make_chain

    url = f"sqlite:///{db_path}"
    migrate.upgrade(url)
    # Same wiring as bootstrap()'s default (one engine, a SqlUnitOfWork per use), but we keep
    # the engine so the instrumented pass can listen to it. The clock is fixed at NOW.
    engine = make_engine(url)
    settings = Settings(database_url=url, alexa_skill_id=SKILL_ID, secret_key="bench-secret")
    services = bootstrap(settings, uow=lambda: SqlUnitOfWork(engine), clock=lambda: NOW)
    demo.seed(services)
    template = demo.DEMO_ELDERS[1]  # watchable (consent given), no overrides
    with services.uow() as uow:
        for n in range(elders):
            elder = dataclasses.replace(template, id=f"bench-elder-{n}")
            uow.elders.add(elder)
            user_id, device_id = device_ids(n)
            uow.devices.bind(DeviceBinding(user_id, device_id, elder.id, NOW))
        uow.commit()

    chain = make_chain()
    verifier = AlexaRequestVerifier(
        skill_id=SKILL_ID,
        trusted_roots=[chain.root],
        fetch=lambda _url: chain.chain_pem,
        clock=lambda: NOW,
    )
    logging.getLogger("backend.web").setLevel(logging.ERROR)  # "verification is OFF" warning
    unverified = settings.model_copy(update={"alexa_verify_signature": False})
    mimamori_v = create_app(settings, services, verifier=verifier)
    mimamori_u = create_app(unverified, services)

    hello_skill = hello_skill_builder(SKILL_ID).create()

    def hello_app(v: Any) -> Flask:
        app = Flask("hello")
        app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
        app.register_blueprint(create_alexa_blueprint(hello_skill, skill_id=SKILL_ID, verifier=v))
        return app

    resolution = ModelResolver.from_package().resolve(ANSWER_TEXT)
    if resolution is None:
        raise RuntimeError(f"the interaction model no longer understands {ANSWER_TEXT!r}")
    return Fixture(
        services=services,
        engine=engine,
        chain=chain,
        verifier=verifier,
        skill=build_skill(services, SKILL_ID),
        hello_skill=hello_skill,
        clients={
            "mimamori/v": mimamori_v.test_client(),
            "mimamori/u": mimamori_u.test_client(),
            "hello/v": hello_app(verifier).test_client(),
            "hello/u": hello_app(None).test_client(),
        },
        intent=resolution.to_intent_json(SKILL_ID),
        capacity=elders,
    )


# ---------------------------------------------------------------------------------------------
# Requests


@dataclasses.dataclass
class Prepared:
    body: bytes
    headers: dict[str, str]


def prepare(fx: Fixture, envelope: dict[str, Any]) -> Prepared:
    from tests.alexa_signing import signed_headers

    body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
    return Prepared(body, signed_headers(fx.chain, body))


def post(client: Any, req: Prepared) -> tuple[float, dict[str, Any]]:
    """POST one request; return the seconds it took and the parsed response envelope."""
    start = time.perf_counter()
    response = client.post(
        "/alexa", data=req.body, headers=req.headers, content_type="application/json"
    )
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"/alexa answered {response.status_code}: {response.data[:200]!r}")
    return elapsed, json.loads(response.data)


def session(fx: Fixture, device: tuple[str, str] | None = None) -> Any:
    from backend.envelopes import AlexaSession

    user_id, device_id = device or ("amzn1.ask.account.hello", "amzn1.ask.device.hello")
    return AlexaSession(SKILL_ID, user_id, device_id)


def check_answer_response(data: dict[str, Any]) -> None:
    state = (data.get("sessionAttributes") or {}).get("state") or {}
    if state.get("q") != NEXT_QUESTION:
        speech = ((data.get("response") or {}).get("outputSpeech") or {}).get("ssml")
        raise RuntimeError(f"the answer turn did not move on to {NEXT_QUESTION!r}: {speech}")


# ---------------------------------------------------------------------------------------------
# Statistics


def q(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f}"


def print_table(title: str, samples: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"  {'subject':46s} {'median ms':>9s} {'p25':>8s} {'p75':>8s} {'n':>5s}")
    for name, values in samples.items():
        print(
            f"  {name:46s} {ms(statistics.median(values))} {ms(q(values, 0.25))}"
            f" {ms(q(values, 0.75))} {len(values):5d}"
        )


def ratio_line(label: str, num: list[float], den: list[float], blocks: int, target: float | None):
    """Print median(num)/median(den) and the spread of that ratio over consecutive blocks."""
    ratio = statistics.median(num) / statistics.median(den)
    size = max(1, len(num) // blocks)
    per_block = [
        statistics.median(num[i : i + size]) / statistics.median(den[i : i + size])
        for i in range(0, size * blocks, size)
        if num[i : i + size]
    ]
    spread = f"blocks {min(per_block):.2f}-{max(per_block):.2f}" if len(per_block) > 1 else ""
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target:.1f}x: {'met' if ratio <= target else 'NOT met'}"
    print(f"  {label:58s} {ratio:6.2f}x  ({spread}){verdict}")
    return ratio


# ---------------------------------------------------------------------------------------------
# Phase 1: whole requests through Flask, interleaved.


def run_requests(fx: Fixture, rounds: int, warmup: int, rng: random.Random) -> dict[str, list]:
    samples: dict[str, list[float]] = defaultdict(list)
    for r in range(warmup + rounds):
        keep = r >= warmup
        sessions = {
            "mimamori/v": session(fx, fx.fresh_device()),
            "mimamori/u": session(fx, fx.fresh_device()),
            "hello/v": session(fx),
            "hello/u": session(fx),
        }
        # Open: a LaunchRequest for each subject, in a shuffled order.
        opens = {k: prepare(fx, s.launch(NOW)) for k, s in sessions.items()}
        order = list(opens)
        rng.shuffle(order)
        for key in order:
            elapsed, data = post(fx.clients[key], opens[key])
            sessions[key].absorb(data)
            if keep:
                samples[f"open {key}"].append(elapsed)
        # The measured turn: the elder's answer (hello gets the very same intent envelope).
        turns = {k: prepare(fx, s.intent(fx.intent, NOW)) for k, s in sessions.items()}
        order = list(turns)
        rng.shuffle(order)
        for key in order:
            elapsed, data = post(fx.clients[key], turns[key])
            if key.startswith("mimamori"):
                check_answer_response(data)
            if keep:
                samples[f"turn {key}"].append(elapsed)
    return samples


# ---------------------------------------------------------------------------------------------
# Phase 2: components alone, interleaved.


def run_components(fx: Fixture, rounds: int, warmup: int, rng: random.Random) -> dict[str, list]:
    import base64

    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.x509 import verification

    serializer = DefaultSerializer()
    leaf, intermediate = fx.chain.leaf, fx.chain.intermediate
    public_key = leaf.public_key()
    store = verification.Store([fx.chain.root])
    samples: dict[str, list[float]] = defaultdict(list)

    def timed(name: str, fn: Callable[[], Any], keep: bool) -> Any:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        if keep:
            samples[name].append(elapsed)
        return result

    for r in range(warmup + rounds):
        keep = r >= warmup
        elder = session(fx, fx.fresh_device())
        launch_env = serializer.deserialize(json.dumps(elder.launch(NOW)), RequestEnvelope)
        # The open turn must run before the answer; time it here, outside the shuffle.
        opened = timed(
            "skill.invoke open (Mimamori)",
            lambda env=launch_env: fx.skill.invoke(request_envelope=env, context=None),
            keep,
        )
        elder.absorb(serializer.serialize(opened))
        req = prepare(fx, elder.intent(fx.intent, NOW))
        text = req.body.decode("utf-8")
        answer_env = serializer.deserialize(text, RequestEnvelope)
        hello_env = serializer.deserialize(text, RequestEnvelope)
        signature = base64.b64decode(req.headers["Signature-256"])
        responses: dict[str, Any] = {}

        def invoke(name: str, skill: Any, env: Any) -> Callable[[], None]:
            def run() -> None:
                responses[name] = skill.invoke(request_envelope=env, context=None)

            return run

        def chain_check() -> None:
            (
                verification.PolicyBuilder()
                .store(store)
                .time(NOW)
                .build_server_verifier(verification.DNSName("echo-api.amazon.com"))
                .verify(leaf, [intermediate])
            )

        jobs: list[tuple[str, Callable[[], Any]]] = [
            ("verifier.verify (whole check)", lambda: fx.verifier.verify(req.headers, req.body)),
            ("  chain path validation alone", chain_check),
            (
                "  RSA-SHA256 signature check alone",
                lambda: public_key.verify(signature, req.body, padding.PKCS1v15(), hashes.SHA256()),
            ),
            ("deserialize envelope", lambda: serializer.deserialize(text, RequestEnvelope)),
            ("skill.invoke answer (Mimamori)", invoke("mimamori", fx.skill, answer_env)),
            ("skill.invoke hello", invoke("hello", fx.hello_skill, hello_env)),
        ]
        rng.shuffle(jobs)
        for name, fn in jobs:
            timed(name, fn, keep)
        for who in ("mimamori", "hello"):
            resp = responses[who]
            label = "Mimamori answer" if who == "mimamori" else "hello"
            data = timed(
                f"serialize + json.dumps response ({label})",
                lambda resp=resp: json.dumps(serializer.serialize(resp), ensure_ascii=False),
                keep,
            )
            if who == "mimamori":
                check_answer_response(json.loads(data))
    return samples


# ---------------------------------------------------------------------------------------------
# Phase 3: SQL instrumentation of skill.invoke (answer turns).


def run_sql_instrumented(fx: Fixture, turns: int) -> dict[str, float]:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from sqlalchemy import event

    serializer = DefaultSerializer()
    counters = {"statements": 0, "begins": 0, "execute_s": 0.0, "commits": 0, "commit_s": 0.0}
    started: list[float] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN":
            counters["begins"] += 1
        started.append(time.perf_counter())

    def after(*_args: Any) -> None:
        counters["execute_s"] += time.perf_counter() - started.pop()
        counters["statements"] += 1

    dialect = fx.engine.dialect
    original_commit = dialect.do_commit

    def timed_commit(dbapi_connection: Any) -> None:
        start = time.perf_counter()
        original_commit(dbapi_connection)
        counters["commit_s"] += time.perf_counter() - start
        counters["commits"] += 1

    totals: list[float] = []
    prepared = []
    for _ in range(turns):
        elder = session(fx, fx.fresh_device())
        env = serializer.deserialize(json.dumps(elder.launch(NOW)), RequestEnvelope)
        elder.absorb(serializer.serialize(fx.skill.invoke(request_envelope=env, context=None)))
        prepared.append(
            serializer.deserialize(json.dumps(elder.intent(fx.intent, NOW)), RequestEnvelope)
        )
    event.listen(fx.engine, "before_cursor_execute", before)
    event.listen(fx.engine, "after_cursor_execute", after)
    dialect.do_commit = timed_commit
    try:
        for env in prepared:
            start = time.perf_counter()
            fx.skill.invoke(request_envelope=env, context=None)
            totals.append(time.perf_counter() - start)
    finally:
        event.remove(fx.engine, "before_cursor_execute", before)
        event.remove(fx.engine, "after_cursor_execute", after)
        del dialect.do_commit
    n = len(prepared)
    return {
        "turns": n,
        "statements per turn (incl. BEGIN/SAVEPOINT)": counters["statements"] / n,
        "transactions (BEGIN) per turn": counters["begins"] / n,
        "commits per turn": counters["commits"] / n,
        "sqlite3 execute ms per turn": counters["execute_s"] * 1e3 / n,
        "sqlite3 COMMIT ms per turn": counters["commit_s"] * 1e3 / n,
        "invoke ms per turn (mean, instrumented)": statistics.fmean(totals) * 1e3,
    }


def run_profile(fx: Fixture, turns: int) -> None:
    """cProfile the answer turn through the verified app; print self-time by package."""
    import cProfile
    import pstats

    prepared = []
    for _ in range(turns):
        elder = session(fx, fx.fresh_device())
        _, data = post(fx.clients["mimamori/v"], prepare(fx, elder.launch(NOW)))
        elder.absorb(data)
        prepared.append(prepare(fx, elder.intent(fx.intent, NOW)))
    profiler = cProfile.Profile()
    profiler.enable()
    for req in prepared:
        post(fx.clients["mimamori/v"], req)
    profiler.disable()
    groups: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(
        profiler
    ).stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif filename.startswith(str(REPO_ROOT)):
            key = "/".join(Path(filename).relative_to(REPO_ROOT).parts[:2])
        elif filename == "~":
            key = f"C: {name}"
        else:
            key = f"stdlib: {Path(filename).name}"
        groups[key] += tottime
    total = sum(groups.values())
    print(f"\ncProfile of {turns} answer turns (self time by package; profiling inflates Python)")
    for key, value in sorted(groups.items(), key=lambda kv: -kv[1])[:18]:
        print(f"  {key[:70]:70s} {value * 1e3 / turns:7.3f} ms {100 * value / total:5.1f}%")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=400, help="measured rounds (default 400)")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured rounds first")
    parser.add_argument("--component-rounds", type=int, default=300, help="default 300")
    parser.add_argument("--sql-turns", type=int, default=200, help="instrumented turns")
    parser.add_argument("--blocks", type=int, default=5, help="blocks for the ratio spread")
    parser.add_argument("--profile", action="store_true", help="also cProfile 200 turns")
    parser.add_argument("--seed", type=int, default=20261123, help="shuffle seed")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.component_rounds < 1 or args.sql_turns < 1:
        parser.error("counts must be at least 1")

    _import_path()
    rng = random.Random(args.seed)
    elders = (
        2 * (args.rounds + args.warmup)
        + args.component_rounds
        + args.warmup
        + args.sql_turns
        + (200 if args.profile else 0)
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mimamori-bench-") as tmp:
        fx = build_fixture(Path(tmp) / "bench.db", elders)
        print(
            f"Python {sys.version.split()[0]}, SQLite file in {tmp}, {elders} elders seeded"
            f" ({time.perf_counter() - started:.1f}s setup); fixed clock {NOW.isoformat()}"
        )
        gc.collect()
        requests = run_requests(fx, args.rounds, args.warmup, rng)
        gc.collect()
        components = run_components(fx, args.component_rounds, args.warmup, rng)
        sql = run_sql_instrumented(fx, args.sql_turns)
        if args.profile:
            run_profile(fx, 200)
        with fx.services.uow() as uow:
            stored = uow.connection.exec_driver_sql("SELECT count(*) FROM answers").scalar()
        fx.engine.dispose()

    order = [
        "turn mimamori/v",
        "turn hello/v",
        "turn mimamori/u",
        "turn hello/u",
        "open mimamori/v",
        "open hello/v",
        "open mimamori/u",
        "open hello/u",
    ]
    print_table(
        "Whole requests: Flask test client -> POST /alexa  (v = signature verified, u = not)",
        {name: requests[name] for name in order},
    )
    print("\nRatios (median / median, same process, interleaved)")
    ratio_line(
        "answer turn, verified: Mimamori / hello",
        requests["turn mimamori/v"],
        requests["turn hello/v"],
        args.blocks,
        TARGET_RATIO,
    )
    ratio_line(
        "answer turn, verification off: Mimamori / hello",
        requests["turn mimamori/u"],
        requests["turn hello/u"],
        args.blocks,
        None,
    )
    ratio_line(
        "open (LaunchRequest), verified: Mimamori / hello",
        requests["open mimamori/v"],
        requests["open hello/v"],
        args.blocks,
        None,
    )
    med = {k: statistics.median(v) for k, v in requests.items()}
    print(
        "  signature verification inside the request (verified - off, difference of medians):"
        f" Mimamori {(med['turn mimamori/v'] - med['turn mimamori/u']) * 1e3:.3f} ms,"
        f" hello {(med['turn hello/v'] - med['turn hello/u']) * 1e3:.3f} ms"
    )

    print_table(
        "Components alone (same envelopes; interleaved)",
        {name: components[name] for name in COMPONENTS},
    )
    cm = {k: statistics.median(v) for k, v in components.items()}
    skill_extra = cm["skill.invoke answer (Mimamori)"] - cm["skill.invoke hello"]
    print(
        f"\n  Mimamori's answer turn costs {skill_extra * 1e3:.3f} ms more than hello inside"
        " skill.invoke; the whole-request difference (verified) is"
        f" {(med['turn mimamori/v'] - med['turn hello/v']) * 1e3:.3f} ms."
    )
    shared = (
        cm["verifier.verify (whole check)"]
        + cm["deserialize envelope"]
        + cm["serialize + json.dumps response (hello)"]
    )
    print(
        f"  Cost every request pays regardless of the skill (verify + deserialize +"
        f" serialize hello): {shared * 1e3:.3f} ms of hello's {med['turn hello/v'] * 1e3:.3f} ms."
    )

    print("\nSQL inside skill.invoke of an answer turn (instrumented pass, listeners add a little)")
    for key, value in sql.items():
        print(f"  {key:44s} {value:9.3f}")
    print(
        "  => time in sqlite3 itself (execute + COMMIT):"
        f" {sql['sqlite3 execute ms per turn'] + sql['sqlite3 COMMIT ms per turn']:.3f} ms;"
        " the rest of skill.invoke is Python (SQLAlchemy Core, product logic, ask-sdk)."
    )
    print(f"\nanswers stored in the benchmark database: {stored}")
    print(f"total time {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
