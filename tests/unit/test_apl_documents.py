"""Every APL document of skill/apl is well formed and binds only data the skill sends."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from backend.domain.engagement import month_card
from backend.services.engagement import StampCard
from backend.services.engagement import stamp_datasource as stamp_screen
from backend.services.engagement_dialogue import quiz_screen
from backend.services.exercise_dialogue import invitation_screen
from backend.services.turns import Line, Turn
from questions.engagement_files import load_quiz
from questions.loader import load_sets
from skill.render import APL_DIR, screen
from tests.builders import make_exercise

# The components and top-level keys of APL 2023.3 that our documents may use.
COMPONENTS = {
    "Container", "Frame", "Image", "Pager", "ScrollView", "Sequence", "Text", "TouchWrapper",
    "Video", "VectorGraphic", "GridSequence",
}  # fmt: skip
TOP_LEVEL = {
    "type", "version", "theme", "description", "mainTemplate", "import", "resources", "styles",
    "layouts", "graphics", "commands", "onMount", "settings", "background",
}  # fmt: skip
COMMANDS = {"SendEvent", "ControlMedia", "SetValue", "Sequential", "Parallel", "SpeakItem"}
USER_EVENTS = {"answer"}  # what skill handlers take from SendEvent (skill.const)
_BINDING = re.compile(r"\$\{([^}]*)\}")
_REFERENCE = re.compile(r"\b(payload|data)((?:\.[A-Za-z_]\w*)+)")


def _question_screen() -> dict[str, Any]:
    qset = load_sets()["032158"]
    return screen(Turn((Line("ack"),), question=qset.questions[0]))


def _datasources() -> dict[str, list[dict[str, Any]]]:
    """Return, per document, the datasources the skill sends with it."""
    today = dt.date(2026, 12, 3)
    days = {today - dt.timedelta(days=i) for i in range(3)}
    card = StampCard(True, 3, month_card(days, today))
    quiz = load_quiz().quiz[0]
    photo = {"kind": "photo", "title": "花子さんから", "url": "https://example.test/p.jpg"}
    return {
        "checkin": [
            {"checkin": _question_screen()},
            {"checkin": quiz_screen(quiz)},
            {"checkin": invitation_screen(make_exercise())},
        ],
        "family_photo": [{"family": photo, "checkin": _question_screen()}],
        "stamps": [{"stamps": stamp_screen(card), "checkin": quiz_screen(quiz)}],
    }


def _documents() -> list[Path]:
    return sorted(APL_DIR.glob("*.json"))


def _resolve(value: Any, path: list[str]) -> bool:
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def _problems(node: Any, payload: dict[str, Any], data: list[dict[str, Any]] | None) -> list[str]:
    """Return what is wrong in a component tree for the given payload (and data items)."""
    problems: list[str] = []
    if isinstance(node, list):
        for item in node:
            problems += _problems(item, payload, data)
        return problems
    if not isinstance(node, dict):
        return problems
    if "type" in node and node["type"] not in COMPONENTS | COMMANDS:
        problems.append(f"unknown type {node['type']!r}")
    if node.get("type") == "SendEvent" and node.get("arguments", [None])[0] not in USER_EVENTS:
        problems.append(f"SendEvent {node.get('arguments')!r} is not handled by the skill")
    children_data = data
    if "data" in node:
        bound = _BINDING.fullmatch(node["data"])
        ref = _REFERENCE.fullmatch(bound.group(1).strip()) if bound else None
        if ref is None or ref.group(1) != "payload":
            problems.append(f"data {node['data']!r} is not a payload array")
        else:
            path = ref.group(2).strip(".").split(".")
            value: Any = payload
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if not isinstance(value, list):
                problems.append(f"data {node['data']!r} is not an array in the datasource")
                value = []
            children_data = value
    # A binding guarded by the component's own ``when`` may be absent (an optional image).
    guarded = {m[1] for m in _REFERENCE.findall(node.get("when", "")) if m[0] == "payload"}
    for key, value in node.items():
        if isinstance(value, str):
            for expression in _BINDING.findall(value):
                for name, rest in _REFERENCE.findall(expression):
                    path = rest.strip(".").split(".")
                    if rest in guarded:
                        continue
                    if name == "payload" and not _resolve(payload, path):
                        problems.append(f"{key}: payload.{'.'.join(path)} is never sent")
                    if name == "data" and children_data is not None:
                        missing = [d for d in children_data if not _resolve(d, path)]
                        if missing:
                            problems.append(f"{key}: data.{'.'.join(path)} missing in an item")
        elif isinstance(value, dict | list) and key != "data":
            problems += _problems(value, payload, children_data)
    return problems


@pytest.mark.parametrize("path", _documents(), ids=lambda p: p.stem)
def test_an_apl_document_uses_only_known_keys_components_and_commands(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "APL"
    assert re.fullmatch(r"\d{4}\.\d", document["version"])
    assert set(document) <= TOP_LEVEL
    assert document["mainTemplate"]["parameters"] == ["payload"]


@pytest.mark.parametrize("path", _documents(), ids=lambda p: p.stem)
def test_an_apl_document_binds_only_what_the_skill_sends_with_it(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    sources = _datasources()[path.stem]
    for payload in sources:
        assert _problems(document["mainTemplate"]["items"], payload, None) == [], payload


def test_every_document_has_datasources_the_skill_sends():
    assert {p.stem for p in _documents()} == set(_datasources())


def test_the_checker_finds_a_binding_that_is_never_sent():
    document = {"type": "Text", "text": "${payload.checkin.subtitle}"}
    assert _problems(document, {"checkin": _question_screen()}, None) == [
        "text: payload.checkin.subtitle is never sent"
    ]
    wrong_event = {"type": "TouchWrapper", "onPress": {"type": "SendEvent", "arguments": ["x"]}}
    assert _problems(wrong_event, {}, None) == ["SendEvent ['x'] is not handled by the skill"]


def test_the_stamp_card_has_a_cell_a_day_with_today_and_the_stamps_marked():
    today = dt.date(2026, 12, 3)
    card = StampCard(True, 2, month_card({today, today - dt.timedelta(days=1)}, today))
    shown = stamp_screen(card)
    assert shown["title"] == "12月のスタンプ"
    assert shown["message"] == "2日つづけて、お話しできました"
    assert len(shown["days"]) == 31
    assert [d["day"] for d in shown["days"] if d["stamped"]] == ["2", "3"]
    assert [d["day"] for d in shown["days"] if d["today"]] == ["3"]
