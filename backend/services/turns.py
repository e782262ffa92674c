"""What every spoken dialogue shares: who speaks, what is said, what comes next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.domain.model import Elder
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services
from questions.schema import Question


@dataclass(frozen=True)
class Caller:
    """Who is speaking: the Alexa user and device of the request."""

    alexa_user_id: str
    device_id: str
    request_id: str
    screen: bool = False  # the device shows the answer buttons


@dataclass(frozen=True)
class Line:
    """One prompt of the catalog with its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """What the skill should say and show next, and the session state to keep."""

    lines: tuple[Line, ...]
    question: Question | None = None
    confirm: Line | None = None
    end: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    ask_question: bool = True
    reprompt: Line | None = None
    screen: dict[str, Any] | None = None  # what to show instead of the default (notices)
    stamps: dict[str, Any] | None = None  # the stamp card to show (skill/apl/stamps.json)


PENDING_KEYS = ("pending", "pending_raw", "attempt")


def elder_for(uow: AbstractUnitOfWork, caller: Caller) -> Elder | None:
    """Return the elder this speaker is paired with, or None."""
    return uow.devices.elder_for(caller.alexa_user_id, caller.device_id)


def unpaired() -> Turn:
    """Return the turn of an unpaired speaker: it asks for the pairing code."""
    return Turn((Line("unpaired"),), state={"stage": "pair"}, reprompt=Line("unpaired_reprompt"))


def current_question(svc: Services, elder: Elder, state: dict[str, Any]) -> Question | None:
    """Return the question the session state is at, or None."""
    if "q" not in state:
        return None
    return svc.question_set(elder.municipality_code).question(state["q"])


def with_question(lines: list[Line], question: Question | None, state: dict[str, Any]) -> Turn:
    """Return the turn that says the lines and asks the question again (if any)."""
    # The question is asked afresh: a value awaiting はい/いいえ is dropped, not confirmed later.
    fresh = {k: v for k, v in state.items() if k not in PENDING_KEYS}
    if question is None:
        return Turn(tuple(lines), state=fresh)
    return Turn(tuple(lines), question=question, state=fresh)
