"""The labelled corpus through the ``talk`` path: Alexa-honest simulator, skill, services.

Figures asserted (issue 13): every emergency raised, no ordinary answer raising one, no wrong
value stored, at least 95% of utterances resolving to the right meaning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.corpus.corpus import annotation_csv, annotation_json
from tests.corpus.talk_path import ENTRIES, report, score


@pytest.fixture(scope="module")
def results():
    return score()


def test_the_corpus_has_at_least_a_thousand_labelled_utterances():
    assert len(ENTRIES) >= 1000
    assert {e.category for e in ENTRIES} >= {
        "polite",
        "plain",
        "filler",
        "hedge",
        "extra",
        "negation",
        "numbers",
        "iwate",
        "kansai",
        "emergency",
        "away",
        "farewell",
        "help",
    }


def test_every_emergency_phrasing_raises_the_emergency(results):
    missed = [
        e.utterance
        for e, _r, emergency, _w in results
        if e.expected == "EMERGENCY" and not emergency
    ]
    assert missed == []


def test_no_ordinary_answer_raises_an_emergency(results):
    false = [
        e.utterance for e, _r, emergency, _w in results if e.expected != "EMERGENCY" and emergency
    ]
    assert false == []


def test_no_wrong_value_is_stored(results):
    assert [e.utterance for e, _r, _e, wrong in results if wrong] == []


def test_at_least_95_percent_resolve_to_the_right_meaning(results):
    text = report(results)
    right = sum(r for _e, r, _em, _w in results)
    assert right / len(results) >= 0.95, text


def test_the_corpus_exports_as_an_ask_nlu_evaluation_annotation_set():
    text = annotation_csv(ENTRIES)
    rows = text.splitlines()
    assert rows[0].startswith("utterance,referenceTimestamp,intent")
    assert len(rows) == len(ENTRIES) + 1
    committed = Path(__file__).parent.parent / "corpus" / "nlu_annotation_set.csv"
    assert committed.read_text(encoding="utf-8") == text


def test_the_json_export_has_one_annotation_per_utterance_with_its_expected_intent():
    text = annotation_json(ENTRIES)
    data = json.loads(text)["data"]
    assert len(data) == len(ENTRIES)
    by_utterance = {d["inputs"]["utterance"]: d["expected"][0]["intent"] for d in data}
    assert by_utterance["胸が痛いです"]["name"] == "EmergencyIntent"
    assert by_utterance["明日から入院します"] == {
        "name": "AwayIntent",
        "slots": {"kind": {"value": "hospital"}},
    }
    committed = Path(__file__).parent.parent / "corpus" / "nlu_annotation_set.json"
    assert committed.read_text(encoding="utf-8") == text


def test_the_fifth_blind_set_is_held_to_the_same_figures_as_the_rest():
    """Scored once: 350/463 right, 27 wrong at first; 393/463, 15 wrong before its answer fixes."""
    from tests.corpus.corpus import BLIND5

    rows = [
        line.split("\t")
        for line in BLIND5.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    held = {(e.question, e.utterance, e.expected) for e in ENTRIES}
    assert len(rows) == 463
    assert sum(row[4] == "EMERGENCY" for row in rows) == 88
    assert all((row[2], row[3], row[4]) in held for row in rows)
