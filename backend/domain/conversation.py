"""What an elder's reply to a question means: store it, read it back, or ask again."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from questions.schema import (
    BloodPressureQuestion,
    ChoiceQuestion,
    NumberQuestion,
    Question,
    ScaleQuestion,
    YesNoQuestion,
)

# 「いいよ」「大丈夫」 resolve to the answer "good"; after a read-back they mean yes.
AGREEING_ANSWERS = frozenset({"good"})


class ReplyKind(StrEnum):
    """What the elder said, as far as the skill could tell."""

    CHOICE = "choice"
    YES = "yes"
    NO = "no"
    NUMBER = "number"
    BLOOD_PRESSURE = "blood_pressure"
    SKIP = "skip"
    WORDS = "words"  # words Alexa heard but did not resolve: to be understood by the backend


@dataclass(frozen=True)
class Reply:
    """A reply to the current question, from voice or touch."""

    kind: ReplyKind
    value: Any = None
    raw: str = ""


class StepKind(StrEnum):
    """What to do with a reply."""

    STORE = "store"
    CONFIRM = "confirm"
    REASK = "reask"
    SKIP = "skip"


class ReaskReason(StrEnum):
    """Why a question is asked again (each has its own kind wording)."""

    NOT_UNDERSTOOD = "not_understood"
    OUT_OF_RANGE = "out_of_range"
    CHECK_AGAIN = "check_again"
    SAY_AGAIN = "say_again"


@dataclass(frozen=True)
class Step:
    """The outcome of interpreting a reply."""

    kind: StepKind
    value: Any = None
    reason: ReaskReason | None = None


def number_from_parts(
    whole: int | None, fraction: str | None = None, hours: int | None = None
) -> float | None:
    """Return 52.5 from (52, "5"), 52.5 from (52, "500"), 90 from hours=1 and 30 minutes."""
    if whole is None and hours is None:
        return None
    value = Decimal(whole or 0)
    if fraction:
        digits = fraction.strip()
        if not digits.isdigit():
            return None
        value += Decimal(digits) / (Decimal(10) ** len(digits))
    if hours is not None:
        value += Decimal(hours) * 60
    return float(value)


def _round(value: float, decimals: int) -> float | int:
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)


def _store_or_reask(value: Any) -> Step:
    if value is None:
        return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)
    return Step(StepKind.STORE, value)


def _yes_no(question: YesNoQuestion, reply: Reply) -> Step:
    if reply.kind is ReplyKind.YES or (
        reply.kind is ReplyKind.CHOICE and reply.value in question.yes_ids
    ):
        return Step(StepKind.STORE, True)
    if reply.kind is ReplyKind.NO or (
        reply.kind is ReplyKind.CHOICE and reply.value in question.no_ids
    ):
        return Step(StepKind.STORE, False)
    return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)


# Worrying answers that mean the same for 体調 and 気分: 元気がない (low) to 体調 is 悪い.
WORRY_EQUIVALENTS = {"low": "bad", "bad": "low"}


def _choice(question: ChoiceQuestion, reply: Reply) -> Step:
    ids = {o.id for o in question.options}
    if reply.kind is ReplyKind.CHOICE:
        value = question.aliases.get(reply.value, reply.value)
        if value not in ids and WORRY_EQUIVALENTS.get(value) in ids:
            value = WORRY_EQUIVALENTS[value]  # never discard a worrying answer
        return _store_or_reask(value if value in ids else None)
    if reply.kind is ReplyKind.YES:
        return _store_or_reask(question.yes_means)
    if reply.kind is ReplyKind.NO:
        return _store_or_reask(question.no_means)
    return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)


def _scale(question: ScaleQuestion, reply: Reply) -> Step:
    if reply.kind is not ReplyKind.NUMBER or reply.value is None:
        return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)
    value = float(reply.value)
    if not value.is_integer() or not question.min <= value <= question.max:
        return Step(StepKind.REASK, reason=ReaskReason.OUT_OF_RANGE)
    return Step(StepKind.STORE, int(value))


def _number(question: NumberQuestion, reply: Reply, last_value: Any, attempt: Any) -> Step:
    if reply.kind is not ReplyKind.NUMBER or reply.value is None:
        return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)
    value = _round(float(reply.value), question.decimals)
    if not question.plausible_min <= value <= question.plausible_max:
        return Step(StepKind.REASK, reason=ReaskReason.OUT_OF_RANGE)
    far_from_last = (
        question.max_change is not None
        and isinstance(last_value, int | float)
        and abs(value - last_value) >= question.max_change
    )
    if far_from_last and attempt != value:
        # Asked again once; the same value said twice is read back, never stored silently.
        return Step(StepKind.REASK, value, ReaskReason.CHECK_AGAIN)
    return Step(StepKind.CONFIRM, value)


def _blood_pressure(question: BloodPressureQuestion, reply: Reply) -> Step:
    if reply.kind is not ReplyKind.BLOOD_PRESSURE or not isinstance(reply.value, dict):
        return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)
    systolic, diastolic = reply.value.get("systolic"), reply.value.get("diastolic")
    if not isinstance(systolic, int) or not isinstance(diastolic, int):
        return Step(StepKind.REASK, reason=ReaskReason.NOT_UNDERSTOOD)
    low_s, high_s = question.systolic_range
    low_d, high_d = question.diastolic_range
    if not (low_s <= systolic <= high_s and low_d <= diastolic <= high_d and systolic > diastolic):
        return Step(StepKind.REASK, reason=ReaskReason.OUT_OF_RANGE)
    return Step(StepKind.CONFIRM, {"systolic": systolic, "diastolic": diastolic})


def interpret(
    question: Question,
    reply: Reply,
    *,
    pending: Any = None,
    attempt: Any = None,
    last_value: Any = None,
) -> Step:
    """Decide what a reply to ``question`` means; ``pending`` is a value awaiting はい/いいえ."""
    if reply.kind is ReplyKind.SKIP:
        return Step(StepKind.SKIP, reason=None, value=reply.value)
    if pending is not None:
        if reply.kind is ReplyKind.YES or (
            reply.kind is ReplyKind.CHOICE and reply.value in AGREEING_ANSWERS
        ):
            return Step(StepKind.STORE, pending)
        if reply.kind is ReplyKind.NO:
            return Step(StepKind.REASK, reason=ReaskReason.SAY_AGAIN)
    match question:
        case YesNoQuestion():
            return _yes_no(question, reply)
        case ChoiceQuestion():
            return _choice(question, reply)
        case ScaleQuestion():
            return _scale(question, reply)
        case NumberQuestion():
            return _number(question, reply, last_value, attempt)
        case BloodPressureQuestion():
            return _blood_pressure(question, reply)
    raise TypeError(type(question).__name__)


def is_concerning(question: Question, value: Any) -> bool:
    """Return True if this single answer is concerning (ignoring "n days running")."""
    for concern in question.concerning:
        if concern.days_running != 1:
            continue
        token = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        if token in concern.values:
            return True
        if isinstance(value, int | float) and not isinstance(value, bool):
            if concern.below is not None and value < concern.below:
                return True
            if concern.above is not None and value > concern.above:
                return True
    return False
