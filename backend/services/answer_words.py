"""An answer as staff read it: the question's labels (「まあまあ」), never its ids (``so_so``)."""

from __future__ import annotations

from typing import Any

from questions.schema import (
    BloodPressureQuestion,
    ChoiceQuestion,
    NumberQuestion,
    Question,
    ScaleQuestion,
    YesNoQuestion,
)

SKIPPED = "（答えず）"
YES, NO = "はい", "いいえ"
UNITS = {"kg": "kg", "steps": "歩", "minutes": "分", "count": "回", "celsius": "℃"}
UNKNOWN = "（記録の形が読めません）"
UNKNOWN_QUESTION = "（いまの質問セットにない質問）"


def _number(value: float | int, decimals: int = 2) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def shown(question: Question | None, value: Any, skipped: str | None = None) -> str:
    """Return the answer in the words the elder was offered, with its unit."""
    if skipped is not None:
        return SKIPPED
    if isinstance(value, bool):
        if isinstance(question, YesNoQuestion):
            return question.yes_label if value else question.no_label
        return YES if value else NO
    if isinstance(value, dict) and {"systolic", "diastolic"} <= value.keys():
        return f"{value['systolic']}/{value['diastolic']} mmHg"
    if isinstance(value, int | float):
        if isinstance(question, ScaleQuestion) and int(value) in question.labels:
            return question.labels[int(value)]
        unit = UNITS.get(question.unit, "") if isinstance(question, NumberQuestion) else ""
        return f"{_number(value)}{unit}"
    if isinstance(value, str):
        if isinstance(question, ChoiceQuestion):
            target = question.aliases.get(value, value)
            for option in question.options:
                if option.id == target:
                    return option.label
        if isinstance(question, YesNoQuestion) and value in ("yes", "no"):
            return question.yes_label if value == "yes" else question.no_label
        if value in ("yes", "no"):
            return YES if value == "yes" else NO
        if value.isascii() and question is not None:
            return UNKNOWN  # an id the set no longer has: never show the code itself
        return value
    if isinstance(question, BloodPressureQuestion) or value is None:
        return UNKNOWN
    return UNKNOWN
