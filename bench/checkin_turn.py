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
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ratios import q, ratio_line

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
    "  chain path validation (first request per URL)",
    "  RSA-SHA256 signature check alone",
    "deserialize envelope",
    "skill.invoke answer (Mimamori)",
    "skill.invoke open (Mimamori)",
    "skill.invoke hello",
    "serialize + json.dumps response (Mimamori answer)",
    "serialize + json.dumps response (hello)",
)


STORE_CALLS = (
    "open + close a unit of work (BEGIN/ROLLBACK)",
    "devices.get_binding",
    "  get_binding: build its select() only",
    "  get_binding: same query on raw sqlite3",
    "elders.get",
    "checkins.get",
    "answers.list_for_checkin",
    "answers.latest_value",
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
    demo.seed(services, with_notices=False)  # a check-in turn, not a notice offer
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


MORNING = (
    "元気だよ",
    "ぐっすり",
    "飲んだよ",
    "食べたよ",
    "上が130で下が80",
    "はい",
    "52キロ",
    "はい",
)


def run_whole_checkins(fx: Fixture, rounds: int, rng: random.Random) -> dict[str, list]:
    """Time every turn of a whole Monday-morning check-in (open + 8 replies), verified.

    Mimamori stores six answers (two numbers read back and confirmed) and completes the
    check-in; hello gets the very same envelopes. Turns of the two are interleaved.
    """
    from skill.nlu import ModelResolver

    resolver = ModelResolver.from_package()
    intents = [resolver.resolve(text).to_intent_json(SKILL_ID) for text in MORNING]
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        sessions = {"mimamori/v": session(fx, fx.fresh_device()), "hello/v": session(fx)}
        totals = dict.fromkeys(sessions, 0.0)
        for step in range(len(intents) + 1):
            order = list(sessions)
            rng.shuffle(order)
            for key in order:
                s = sessions[key]
                envelope = s.launch(NOW) if step == 0 else s.intent(intents[step - 1], NOW)
                elapsed, data = post(fx.clients[key], prepare(fx, envelope))
                s.absorb(data)
                totals[key] += elapsed
                if key.startswith("mimamori") and step == len(intents):
                    # Completed: the closing is said (奥州市 then offers today's quiz).
                    ssml = ((data.get("response") or {}).get("outputSpeech") or {}).get("ssml")
                    if "おしまい" not in (ssml or ""):
                        raise RuntimeError("the whole check-in did not complete")
        for key, total in totals.items():
            samples[f"checkin {key}"].append(total / (len(intents) + 1))
    return samples


# ---------------------------------------------------------------------------------------------
# Phase 2: components alone, interleaved.


class Components:
    """One round of the components phase: each part of a request timed on its own."""

    def __init__(self, fx: Fixture) -> None:
        from ask_sdk_core.serialize import DefaultSerializer
        from ask_sdk_model import RequestEnvelope
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography.x509 import verification

        self.fx = fx
        self.serializer = DefaultSerializer()
        self.envelope_type = RequestEnvelope
        self.verification = verification
        self.store = verification.Store([fx.chain.root])
        self.public_key = fx.chain.leaf.public_key()
        self.padding = padding.PKCS1v15()
        self.hash = hashes.SHA256()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.keep = False
        self.req: Prepared | None = None
        self.text = ""
        self.signature = b""
        self.envelopes: dict[str, Any] = {}
        self.responses: dict[str, Any] = {}

    def timed(self, name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        if self.keep:
            self.samples[name].append(elapsed)
        return result

    def deserialize(self, text: str) -> Any:
        return self.serializer.deserialize(text, self.envelope_type)

    # The parts, each a method so the shuffled list below binds nothing from a loop.
    def verify_whole(self) -> None:
        assert self.req is not None
        self.fx.verifier.verify(self.req.headers, self.req.body)

    def chain_check(self) -> None:
        v = self.verification
        (
            v.PolicyBuilder()
            .store(self.store)
            .time(NOW)
            .build_server_verifier(v.DNSName("echo-api.amazon.com"))
            .verify(self.fx.chain.leaf, [self.fx.chain.intermediate])
        )

    def rsa_check(self) -> None:
        assert self.req is not None
        self.public_key.verify(self.signature, self.req.body, self.padding, self.hash)

    def deserialize_envelope(self) -> None:
        self.deserialize(self.text)

    def invoke_answer(self) -> None:
        env = self.envelopes["mimamori"]
        self.responses["mimamori"] = self.fx.skill.invoke(request_envelope=env, context=None)

    def invoke_hello(self) -> None:
        env = self.envelopes["hello"]
        self.responses["hello"] = self.fx.hello_skill.invoke(request_envelope=env, context=None)

    def round(self, keep: bool, rng: random.Random) -> None:
        import base64

        self.keep = keep
        fx = self.fx
        elder = session(fx, fx.fresh_device())
        launch_env = self.deserialize(json.dumps(elder.launch(NOW)))
        # The open turn must run before the answer; it is timed here, outside the shuffle.
        opened = self.timed(
            "skill.invoke open (Mimamori)",
            partial(fx.skill.invoke, request_envelope=launch_env, context=None),
        )
        elder.absorb(self.serializer.serialize(opened))
        self.req = prepare(fx, elder.intent(fx.intent, NOW))
        self.text = self.req.body.decode("utf-8")
        self.signature = base64.b64decode(self.req.headers["Signature-256"])
        self.envelopes = {
            "mimamori": self.deserialize(self.text),
            "hello": self.deserialize(self.text),
        }
        jobs: list[tuple[str, Callable[[], Any]]] = [
            ("verifier.verify (whole check)", self.verify_whole),
            ("  chain path validation (first request per URL)", self.chain_check),
            ("  RSA-SHA256 signature check alone", self.rsa_check),
            ("deserialize envelope", self.deserialize_envelope),
            ("skill.invoke answer (Mimamori)", self.invoke_answer),
            ("skill.invoke hello", self.invoke_hello),
        ]
        rng.shuffle(jobs)
        for name, fn in jobs:
            self.timed(name, fn)
        for who, label in (("mimamori", "Mimamori answer"), ("hello", "hello")):
            data = self.timed(
                f"serialize + json.dumps response ({label})",
                partial(self.serialize, self.responses[who]),
            )
            if who == "mimamori":
                check_answer_response(json.loads(data))

    def serialize(self, response: Any) -> str:
        return json.dumps(self.serializer.serialize(response), ensure_ascii=False)


def run_components(fx: Fixture, rounds: int, warmup: int, rng: random.Random) -> dict[str, list]:
    components = Components(fx)
    for r in range(warmup + rounds):
        components.round(r >= warmup, rng)
    return components.samples


# ---------------------------------------------------------------------------------------------
# Phase 4: store calls alone, read-only, inside one open unit of work.


def run_store_calls(fx: Fixture, rounds: int, rng: random.Random) -> dict[str, list]:
    """Time each read the answer turn makes, on an elder that has a check-in and answers.

    For scale, the binding lookup is also timed as its bare parts: building the same
    SQLAlchemy ``select()`` (no execution) and the same query on the raw sqlite3 connection.
    """
    from datetime import date

    from sqlalchemy import and_, select

    from backend.stores.sql import tables

    user_id, device_id = device_ids(0)  # used (answered) by the first warm-up round
    samples: dict[str, list[float]] = defaultdict(list)
    with fx.services.uow() as uow:
        binding = uow.devices.get_binding(user_id, device_id)
        if binding is None:
            raise RuntimeError("elder 0 has no binding")
        checkin = uow.checkins.get(binding.elder_id, NOW.date(), "morning")
        if checkin is None:
            raise RuntimeError("elder 0 has no check-in")
    calls: list[tuple[str, Callable[[Any], Any]]] = [
        ("devices.get_binding", lambda u: u.devices.get_binding(user_id, device_id)),
        ("elders.get", lambda u: u.elders.get(binding.elder_id)),
        ("checkins.get", lambda u: u.checkins.get(binding.elder_id, checkin.date, checkin.slot)),
        ("answers.list_for_checkin", lambda u: u.answers.list_for_checkin(checkin.id)),
        (
            "answers.latest_value",
            lambda u: u.answers.latest_value(binding.elder_id, "condition", date(2026, 11, 24)),
        ),
    ]
    columns = tables.device_bindings.c
    raw_sql = "SELECT * FROM device_bindings WHERE alexa_user_id = ? AND device_id = ?"

    def build_select(_u: Any) -> Any:
        return select(tables.device_bindings).where(
            and_(columns.alexa_user_id == user_id, columns.device_id == device_id)
        )

    def raw_sqlite3(u: Any) -> Any:
        dbapi = u.connection.connection.dbapi_connection
        return dbapi.execute(raw_sql, (user_id, device_id)).fetchone()

    calls += [
        ("  get_binding: build its select() only", build_select),
        ("  get_binding: same query on raw sqlite3", raw_sqlite3),
    ]
    for _ in range(rounds):
        start = time.perf_counter()
        with fx.services.uow():
            pass
        samples["open + close a unit of work (BEGIN/ROLLBACK)"].append(time.perf_counter() - start)
        with fx.services.uow() as uow:
            rng.shuffle(calls)
            for name, call in calls:
                start = time.perf_counter()
                call(uow)
                samples[name].append(time.perf_counter() - start)
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

    mix: dict[str, int] = defaultdict(int)

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN":
            counters["begins"] += 1
        mix[statement_kind(statement)] += 1
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
    print("\nSQL statements of one answer turn (skill.invoke), by kind:")
    for kind, count in sorted(mix.items(), key=lambda kv: -kv[1]):
        print(f"  {count / n:5.2f} x {kind}")
    return {
        "turns": n,
        "statements per turn (incl. BEGIN/SAVEPOINT)": counters["statements"] / n,
        "transactions (BEGIN) per turn": counters["begins"] / n,
        "commits per turn": counters["commits"] / n,
        "sqlite3 execute ms per turn": counters["execute_s"] * 1e3 / n,
        "sqlite3 COMMIT ms per turn": counters["commit_s"] * 1e3 / n,
        "invoke ms per turn (mean, instrumented)": statistics.fmean(totals) * 1e3,
    }


def statement_kind(statement: str) -> str:
    """Return e.g. "SELECT answers", "INSERT answers", "BEGIN" for a SQL statement."""
    words = statement.split()
    if not words:
        return "?"
    verb = words[0].upper()
    target = ""
    if verb == "SELECT" and "FROM" in words:
        target = words[words.index("FROM") + 1]
    elif verb == "INSERT" and len(words) > 2:
        target = words[2]
    elif verb in ("UPDATE", "DELETE") and len(words) > 1:
        target = words[1] if verb == "UPDATE" else words[2]
    elif verb in ("SAVEPOINT", "RELEASE"):
        return verb
    return f"{verb} {target}".strip()


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
    parser.add_argument("--rounds", type=int, default=800, help="measured rounds (default 800)")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured rounds first")
    parser.add_argument("--component-rounds", type=int, default=400, help="default 400")
    parser.add_argument("--sql-turns", type=int, default=300, help="instrumented turns")
    parser.add_argument(
        "--checkins", type=int, default=150, help="whole morning check-ins (default 150)"
    )
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
        + args.checkins
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
        whole = run_whole_checkins(fx, args.checkins, rng)
        gc.collect()
        components = run_components(fx, args.component_rounds, args.warmup, rng)
        sql = run_sql_instrumented(fx, args.sql_turns)
        store_calls = run_store_calls(fx, args.component_rounds, rng)
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
    print_table(
        "Whole morning check-ins, verified: mean time per turn (open + 8 replies, 6 stored)",
        whole,
    )
    ratio_line(
        "mean turn of a whole morning check-in: Mimamori / hello",
        whole["checkin mimamori/v"],
        whole["checkin hello/v"],
        args.blocks,
        TARGET_RATIO,
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
    print_table(
        "Store calls alone (read-only, each in an open unit of work; see the statement mix above)",
        {name: store_calls[name] for name in STORE_CALLS},
    )
    print(f"\nanswers stored in the benchmark database: {stored}")
    print(f"total time {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
