"""Generate the ja-JP interaction model from one grammar: carrier phrases × inflections × dialect.

Sources (nothing is copied by hand into ``ja-JP.json``):

- ``skill/grammar/base.json``: the intents, slots, types and their hand-written samples;
- ``CARRIERS`` and ``INFLECTIONS`` below: emergency phrases in every politeness, away phrases
  with a start date (「{since}から入院します」), farewells;
- the dialect lexicons of ``questions/lexicons/`` (yes/no, answers, emergency, farewells).

``python -m skill.model_grammar`` rewrites the model; a test checks the committed file is the
generated one.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from questions.dialects import LexiconFile, read_lexicon_file
from questions.loader import LEXICONS_DIR, STANDARD_LEXICON
from skill import const
from skill.nlu import DEFAULT_MODEL_PATH

BASE_PATH = Path(__file__).parent / "grammar" / "base.json"

# Emergency stems: (plain form, polite forms). Every stem is also said after a filler.
EMERGENCY_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("胸が痛い", ("胸が痛いです", "胸が痛いんです")),
    ("胸が苦しい", ("胸が苦しいです", "胸が苦しいんです")),
    ("息が苦しい", ("息が苦しいです", "息が苦しいんです")),
    ("苦しい", ("苦しいです", "苦しいんです")),
    ("動けない", ("動けません", "動けないんです")),
    ("起き上がれない", ("起き上がれません",)),
    ("立てない", ("立てません",)),
    ("息ができない", ("息ができません",)),
    ("救急車", ("救急車お願いします", "救急車をお願いします", "救急車を呼んでください")),
    ("助けて", ("助けてください", "助けてほしいです")),
    ("倒れた", ("倒れました",)),
    ("血が止まらない", ("血が止まりません",)),
)
FILLERS = ("えーと", "あの")
FAREWELLS = (
    "またね",
    "じゃあね",
    "じゃあまた",
    "さようなら",
    "バイバイ",
    "また明日",
    "おやすみなさい",
)
AWAY_SINCE = (
    "{since}から{kind}します",
    "{since}から{kind}",
    "{since}から{kind}することになりました",
    "{since}から{until}まで{kind}します",
)


def _lexicons() -> list[LexiconFile]:
    """Return the standard lexicon first, then the dialects (in file-name order)."""
    paths = sorted(LEXICONS_DIR.glob("*.yaml"), key=lambda p: (p.name != STANDARD_LEXICON, p.name))
    return [read_lexicon_file(p) for p in paths]


def _add(samples: list[str], new: list[str] | tuple[str, ...]) -> None:
    for sample in new:
        if sample not in samples:
            samples.append(sample)


def generate() -> dict[str, Any]:
    """Return the interaction model generated from the grammar and the lexicons."""
    model = copy.deepcopy(json.loads(BASE_PATH.read_text(encoding="utf-8")))
    language = model["interactionModel"]["languageModel"]
    intents = {i["name"]: i for i in language["intents"]}
    types = {t["name"]: t for t in language["types"]}
    lexicons = _lexicons()

    emergency = intents[const.INTENT_EMERGENCY]["samples"]
    for plain, polite in EMERGENCY_STEMS:
        _add(emergency, [plain, *polite])
        _add(emergency, [f"{f}{p}" for f in FILLERS for p in (plain, *polite)])
    for lexicon in lexicons:
        _add(emergency, lexicon.emergency)

    _add(intents[const.INTENT_STOP]["samples"], FAREWELLS)
    for lexicon in lexicons:
        _add(intents[const.INTENT_STOP]["samples"], lexicon.farewell)
        _add(intents[const.INTENT_YES]["samples"], lexicon.affirmative)
        _add(intents[const.INTENT_NO]["samples"], lexicon.negative)

    away = intents[const.INTENT_AWAY]
    if all(s["name"] != const.SLOT_SINCE for s in away["slots"]):
        away["slots"].append({"name": const.SLOT_SINCE, "type": "AMAZON.DATE"})
    _add(away["samples"], AWAY_SINCE)

    values = {v.get("id"): v for v in types[const.TYPE_ANSWER]["values"]}
    for lexicon in lexicons:
        for answer_id, phrases in lexicon.answers.items():
            if answer_id not in values:
                continue
            synonyms = values[answer_id]["name"].setdefault("synonyms", [])
            _add(synonyms, [p for p in phrases if p != values[answer_id]["name"]["value"]])
    _dedupe_across_intents(language)
    return model


def _dedupe_across_intents(language: dict[str, Any]) -> None:
    """Keep a sample only in the first intent that has it (Alexa rejects duplicates)."""
    seen: set[str] = set()
    for intent in language["intents"]:
        kept = []
        for sample in intent.get("samples", []):
            if sample not in seen:
                seen.add(sample)
                kept.append(sample)
        if "samples" in intent:
            intent["samples"] = kept


def render(model: dict[str, Any]) -> str:
    """Return the model as the committed file's text."""
    return json.dumps(model, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the generated model to the skill package (``--check``: only compare)."""
    text = render(generate())
    if argv and "--check" in argv:
        return 0 if DEFAULT_MODEL_PATH.read_text(encoding="utf-8") == text else 1
    DEFAULT_MODEL_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
