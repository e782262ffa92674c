"""Ways to spoil Alexa request envelopes: named malformations and hypothesis mutations.

Shared by the web host's tests (``tests/e2e/test_alexa_envelopes.py``) and the Lambda
host's (``tests/integration/test_lambda_envelopes.py``), so both face the same envelopes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import strategies as st

from tests.alexa_fixtures import fixture_names

Mutation = Callable[[dict[str, Any]], None]


def setting(*path: str, value: Any) -> Mutation:
    def mutate(envelope: dict[str, Any]) -> None:
        node = envelope
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def removing(*path: str) -> Mutation:
    def mutate(envelope: dict[str, Any]) -> None:
        node = envelope
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


MALFORMED = [
    pytest.param(setting("context", value="context"), id="context a string"),
    pytest.param(setting("context", value=7), id="context a number"),
    pytest.param(setting("context", value=[{"System": {}}]), id="context a list"),
    pytest.param(setting("context", value=None), id="context null"),
    pytest.param(removing("context"), id="context missing"),
    pytest.param(removing("context", "System"), id="context.System missing"),
    pytest.param(setting("context", "System", value="System"), id="context.System a string"),
    pytest.param(
        setting("context", "System", "device", value=["x"]), id="context.System.device a list"
    ),
    pytest.param(removing("request"), id="request missing"),
    pytest.param(setting("request", value=None), id="request null"),
    pytest.param(setting("request", value="LaunchRequest"), id="request a string"),
    pytest.param(removing("request", "type"), id="request.type missing"),
    pytest.param(setting("request", "type", value=12), id="request.type a number"),
    pytest.param(
        setting("request", "type", value="Launch Request\n"), id="request.type not a name"
    ),
    pytest.param(removing("request", "requestId"), id="request.requestId missing"),
    pytest.param(setting("request", "requestId", value=5), id="request.requestId a number"),
    pytest.param(setting("request", "locale", value=["ja-JP"]), id="request.locale a list"),
    pytest.param(setting("session", value="session"), id="session a string"),
    pytest.param(removing("session"), id="session missing"),
    pytest.param(removing("context", "System", "device"), id="context.System.device missing"),
    pytest.param(
        setting("context", "System", "device", "supportedInterfaces", value=None),
        id="supportedInterfaces null",
    ),
    pytest.param(removing("context", "System", "user"), id="context.System.user missing"),
    pytest.param(setting("session", "attributes", value="attributes"), id="attributes a string"),
    pytest.param(setting("session", "attributes", value=[1, 2]), id="attributes a list"),
    pytest.param(setting("session", "attributes", value={"state": "x"}), id="state a string"),
    pytest.param(setting("session", "attributes", value={"state": [1]}), id="state a list"),
    pytest.param(setting("session", "user", value=42), id="session.user a number"),
]
INTENT_MALFORMED = [
    pytest.param(removing("request", "intent"), id="intent missing"),
    pytest.param(setting("request", "intent", value="AnswerIntent"), id="intent a string"),
    pytest.param(setting("request", "intent", "slots", value=["answer"]), id="slots a list"),
    pytest.param(
        setting("request", "intent", "slots", "answer", "value", value=5), id="slot value a number"
    ),
]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON tree (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated_fixtures(draw: st.DrawFn, make: Callable[[str], dict[str, Any]]) -> Any:
    """A fixture envelope (``make(name)``) with one to three values replaced, removed or wrapped."""
    envelope = copy.deepcopy(make(draw(st.sampled_from(fixture_names()))))
    for _ in range(draw(st.integers(1, 3))):
        candidates = paths(envelope)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent = envelope
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "remove", "wrap", "stringify"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "remove":
            del parent[path[-1]]
        elif action == "wrap":
            parent[path[-1]] = [parent[path[-1]]]
        else:
            parent[path[-1]] = json.dumps(parent[path[-1]])
    return envelope
