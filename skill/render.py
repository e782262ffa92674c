"""Turn a service's Turn into Alexa speech, a reprompt and an APL screen."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from backend.services.turns import Line, Turn
from questions.schema import (
    BloodPressureQuestion,
    ChoiceQuestion,
    NumberQuestion,
    Question,
    ScaleQuestion,
    YesNoQuestion,
)
from skill import const
from skill.prompts import JA_JP, render

APL_DIR = Path(__file__).parent / "apl"
SPEECH_RATE = "90%"


@cache
def apl_document(name: str = "checkin") -> dict[str, Any]:
    """Return an APL document of ``skill/apl``."""
    return json.loads((APL_DIR / f"{name}.json").read_text(encoding="utf-8"))


def ssml(text: str) -> str:
    """Wrap plain text as SSML, a little slower than the default voice."""
    return f'<speak><prosody rate="{SPEECH_RATE}">{escape(text)}</prosody></speak>'


def _text(lines: tuple[Line, ...] | list[Line], catalog: dict[str, str]) -> str:
    return "".join(render(line.key, line.params, catalog) for line in lines)


def speech_text(turn: Turn, catalog: dict[str, str] = JA_JP) -> tuple[str, str | None]:
    """Return the plain text to speak and to reprompt with."""
    text = _text(turn.lines, catalog)
    if turn.reprompt is not None:
        return text, render(turn.reprompt.key, turn.reprompt.params, catalog)
    if turn.confirm is not None:
        text += render(turn.confirm.key, turn.confirm.params, catalog)
        reprompt = render("confirm_reprompt", turn.confirm.params, catalog)
        return text, reprompt
    if turn.question is not None:
        if turn.ask_question:
            text += turn.question.wording.speech
        return text, turn.question.wording.reprompt + catalog["reprompt_goodbye"]
    return text, None


def _button(kind: str, value: Any, label: str, *, primary: bool = True) -> dict[str, Any]:
    return {"kind": kind, "value": str(value), "label": label, "primary": primary}


def answer_buttons(question: Question, catalog: dict[str, str] = JA_JP) -> list[dict[str, Any]]:
    """Return one big button per possible answer, and the skip buttons."""
    buttons: list[dict[str, Any]] = []
    match question:
        case ChoiceQuestion():
            buttons = [_button("choice", o.id, o.label) for o in question.options]
        case YesNoQuestion():
            buttons = [
                _button("yes", "yes", question.yes_label),
                _button("no", "no", question.no_label),
            ]
        case ScaleQuestion():
            buttons = [
                _button(
                    "number", p, str(p) + (f" {question.labels[p]}" if p in question.labels else "")
                )
                for p in range(question.min, question.max + 1)
            ]
        case NumberQuestion() | BloodPressureQuestion():
            buttons = []
    buttons.append(_button("skip", const.SKIP_UNKNOWN, catalog["button_unknown"], primary=False))
    buttons.append(_button("skip", const.SKIP_LATER, catalog["button_later"], primary=False))
    return buttons


def screen(turn: Turn, catalog: dict[str, str] = JA_JP) -> dict[str, Any]:
    """Return the APL datasource for this turn."""
    if turn.screen is not None and turn.question is None and turn.confirm is None:
        return {"title": "みまもり", "text": "", "buttons": [], **turn.screen}
    if turn.confirm is not None and turn.question is not None:
        return {
            "title": turn.question.title,
            "text": render(turn.confirm.key, turn.confirm.params, catalog),
            "buttons": [
                _button("yes", "yes", catalog["button_yes"]),
                _button("no", "no", catalog["button_no"]),
            ],
        }
    if turn.question is not None:
        return {
            "title": turn.question.title,
            "text": turn.question.wording.screen,
            "buttons": answer_buttons(turn.question, catalog),
        }
    return {"title": "みまもり", "text": _text(turn.lines, catalog), "buttons": []}
