"""Load the labelled corpus and export it as an ASK NLU Evaluation annotation set.

``core.tsv`` holds hand-written utterances (category, set, question, utterance, expected, split);
each is also said after the fillers elders open with (えーと、 あのね、 うーん、 そうですね、),
which makes the ``filler`` category. ``split`` is ``dev`` (written while the rules were tuned),
``heldout`` (written after the rules, but its misses were then fixed: no longer blind) or ``blind``
(``blind.tsv``: written later without looking at the rules, scored once before any fix).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

CORE = Path(__file__).parent / "core.tsv"
BLIND = Path(__file__).parent / "blind.tsv"
BLIND2 = Path(__file__).parent / "blind2.tsv"
BLIND3 = Path(__file__).parent / "blind3.tsv"
FILLERS = ("えーと、", "あのね、", "うーん、", "そうですね、")


@dataclass(frozen=True)
class Entry:
    category: str
    municipality: str
    question: str
    utterance: str
    expected: str
    split: str


def load() -> list[Entry]:
    entries = []
    lines = CORE.read_text(encoding="utf-8").splitlines()
    lines += BLIND.read_text(encoding="utf-8").splitlines()
    lines += BLIND2.read_text(encoding="utf-8").splitlines()
    lines += BLIND3.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        category, municipality, question, utterance, expected, split = line.split("\t")
        core = Entry(category, municipality, question, utterance, expected, split)
        entries.append(core)
        for filler in FILLERS:
            entries.append(
                Entry("filler", municipality, question, filler + utterance, expected, split)
            )
    return entries


_INTENTS = {
    "EMERGENCY": "EmergencyIntent",
    "FAREWELL": "AMAZON.StopIntent",
    "HELP": "AMAZON.HelpIntent",
    "REPEAT": "AMAZON.RepeatIntent",
}


def annotation_csv(entries: list[Entry]) -> str:
    """Return the ASK NLU Evaluation annotation set (CSV: utterance, intent, slots)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["utterance", "referenceTimestamp", "intent", "slot[answer]", "slot[kind]"])
    for e in entries:
        text = e.utterance.replace("、", " ")
        if e.expected in _INTENTS:
            writer.writerow([text, "", _INTENTS[e.expected], "", ""])
        elif e.expected.startswith("AWAY:"):
            writer.writerow([text, "", "AwayIntent", "", e.expected.split(":")[1]])
        elif e.expected.startswith("SKIP:"):
            writer.writerow([text, "", "SkipIntent", "", ""])
        else:
            # Answers arrive through the catch-all: AnswerIntent with the words as the slot.
            writer.writerow([text, "", "AnswerIntent", text, ""])
    return out.getvalue()


if __name__ == "__main__":
    target = Path(__file__).parent / "nlu_annotation_set.csv"
    target.write_text(annotation_csv(load()), encoding="utf-8")
