"""Run the labelled corpus through the ``talk`` path and score it.

``python -m tests.corpus.talk_path`` prints the figures per category and split.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from backend.domain.model import EventKind
from backend.services.context import Services
from questions.loader import load_sets
from skill.builder import build_skill
from tests.builders import jst, make_binding, make_elder, seed
from tests.clock import FakeClock
from tests.corpus.corpus import load
from tests.fakes import FakeStore, FakeUnitOfWork
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID, Speaker
from tests.unit.conftest import MONDAY

_SETS = load_sets()
ENTRIES = load()


_HOLDER: dict[str, object] = {}
_CLOCK = FakeClock(jst(MONDAY, 7, 30))
_SKILL = build_skill(
    Services(
        uow=lambda: FakeUnitOfWork(_HOLDER["store"]),
        question_sets=lambda: _SETS,
        clock=_CLOCK,
        tz=ZoneInfo("Asia/Tokyo"),
    ),
    SKILL_ID,
)


def _run(entry):
    store = FakeStore()
    _HOLDER["store"] = store
    clock = _CLOCK
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder(municipality_code=entry.municipality))
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.commit()
    speaker = Speaker(_SKILL, clock)
    speaker.open()
    speaker.session.attributes["state"]["q"] = entry.question
    reply = speaker.say(entry.utterance)
    read_back = not reply.end and "ですね" in reply.speech
    if read_back and entry.question in ("weight", "blood_pressure", "steps", "activity_minutes"):
        reply = speaker.say("はい")
    emergency = (
        any(e.kind is EventKind.EMERGENCY for e in store.state.events.values())
        if isinstance(store.state.events, dict)
        else any(e.kind is EventKind.EMERGENCY for e in store.state.events)
    )
    answers = {a.question_id: a for a in store.state.answers}
    state = speaker.session.attributes.get("state") or {}
    return reply, emergency, answers.get(entry.question), state


def _expected_value(entry):
    expected = entry.expected
    if expected in ("true", "false"):
        return expected == "true"
    if "/" in expected:
        systolic, diastolic = expected.split("/")
        return {"systolic": int(systolic), "diastolic": int(diastolic)}
    try:
        return float(expected)
    except ValueError:
        return expected


def judge(entry):
    """Return (right, emergency raised, wrong value stored)."""
    reply, emergency, answer, state = _run(entry)
    expected = entry.expected
    stored = answer.value if answer is not None and answer.skipped is None else None
    if expected == "EMERGENCY":
        return emergency, emergency, stored is not None
    if expected == "NOT_EMERGENCY":
        return not emergency, emergency, False
    if expected == "FAREWELL":
        return reply.end and answer is None, emergency, answer is not None
    if expected == "HELP":
        return "答えてください" in reply.speech and not reply.end, emergency, answer is not None
    if expected == "REPEAT":
        return not reply.end and answer is None and "？" not in reply.speech, emergency, False
    if expected.startswith("AWAY:"):
        kind = expected.split(":")[1]
        right = state.get("stage", "").startswith("away") and state.get("away_kind") == kind
        return right, emergency, answer is not None
    if expected == "SKIP:unknown":
        right = answer is not None and answer.skipped == "unknown"
        return right, emergency, stored is not None
    if expected == "SKIP:later":
        return entry.question in state.get("later", []), emergency, answer is not None
    value = _expected_value(entry)
    right = stored == value or (
        isinstance(value, float) and stored is not None and float(stored) == value
    )
    wrong = stored is not None and not right
    return right, emergency, wrong


def report(results):
    by = defaultdict(Counter)
    for entry, right, _emergency, _wrong in results:
        for key in ("all", entry.category, f"split:{entry.split}"):
            by[key]["n"] += 1
            by[key]["right"] += right
    lines = [
        f"{k}: {c['right']}/{c['n']} = {c['right'] / c['n']:.1%}" for k, c in sorted(by.items())
    ]
    misses = [
        f"  MISS {e.category} {e.question} {e.utterance} -> expected {e.expected}"
        for e, r, _, _ in results
        if not r
    ]
    return "\n".join(lines + misses)


def score() -> list:
    """Return (entry, right, emergency raised, wrong value stored) for every entry."""
    return [(entry, *judge(entry)) for entry in ENTRIES]


if __name__ == "__main__":
    print(report(score()))  # noqa: T201
