"""Built-in monthly instruments (the 基本チェックリスト): their file and which items are due when.

Design:

- ``questions/kihon_checklist.yaml`` holds the 25 items as ``yes_no`` questions ``kc01``…``kc25``
  with short, kind wording for the speaker, the official MHLW wording, and which answer scores a
  point; ``questions.loader.load_instrument`` validates it against the scoring in
  ``backend.domain.instruments`` (the single source of which answer scores).
- A municipality's set opts in with ``instruments: [kihon_checklist]``. The loader then puts the
  items in the set's ``catalog`` (so ``QuestionSet.question("kc05")`` finds them) and keeps the
  options in ``QuestionSet.instruments``; ``QuestionSet.due`` never returns them.
- Each month, from ``start_day`` on, every check-in in the instrument's slot also asks at most
  ``per_session`` (5) items not yet answered that month, until all the voice items are: five
  check-ins in all, after the day's own questions. Items are taken whole domain by domain while
  they fit, so the five sessions are 生活 (1–5), 運動 (6–10), 栄養・口腔 (11, 13–15), 閉じこもり・
  認知 (16–20) and うつ (21–25): the sensitive 2-week mood items are asked together, once a
  month, never daily.
- No.12 (BMI) is a measurement, not a question: it is never asked by voice. A ``kc12`` answer
  recorded by staff (はい = BMI below 18.5) is scored; without it the cut-offs that need it are
  decided by the other answers when they can be (see ``backend.domain.instruments``).
- Which items were answered this month is history, so ``QuestionSet.due`` (pure, without
  history) cannot choose them; the check-in service passes the ids to the pure functions here.
  A skipped answer (「わからない」) counts as asked: it is not asked again that month. An item
  postponed with 「あとで」 is not stored, so it is asked again at the next check-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from backend.domain.instruments import DOMAIN_OF, KIHON_CHECKLIST, VOICE_ITEMS
from questions.model import QuestionSet
from questions.schema import (
    ElderOverrides,
    InstrumentUse,
    Question,
    Schedule,
    YesNoQuestion,
    _Strict,
)

DEFAULT_PER_SESSION = 5


class InstrumentItem(_Strict):
    """One item of an instrument file: its number, official wording, scoring and question."""

    number: int = Field(ge=1, description="様式の No.（YAML の no は false と読まれるため number）")
    official: str = Field(min_length=1, description="厚生労働省の様式どおりの文言")
    point_on: Literal["yes", "no"] = Field(description="1点になる答え（はい／いいえ）")
    voice: bool = Field(default=True, description="false: 声ではたずねない（No.12 BMI）")
    question: YesNoQuestion


class InstrumentFile(_Strict):
    """An instrument as written in ``questions/<name>.yaml``."""

    instrument: Literal["kihon_checklist"]
    title: str = Field(min_length=1)
    version: int = Field(ge=1)
    intro: str = Field(min_length=1, description="その月に初めてたずねる前のひとこと")
    items: tuple[InstrumentItem, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Instrument:
    """A validated instrument: its items in order."""

    name: str
    title: str
    version: int
    intro: str
    items: tuple[InstrumentItem, ...]

    @property
    def questions(self) -> tuple[YesNoQuestion, ...]:
        """Return every item's question, in order."""
        return tuple(i.question for i in self.items)

    @property
    def voice_questions(self) -> tuple[YesNoQuestion, ...]:
        """Return the questions asked by voice (all but No.12), in order."""
        return tuple(i.question for i in self.items if i.voice)

    def scheduled_for(self, use: InstrumentUse) -> tuple[YesNoQuestion, ...]:
        """Return the questions with the schedule of a set's use (its slot, from its start day).

        ``use.slot`` must be resolved (the loader does it). The schedule only documents where
        the items are asked: ``instrument_questions_due`` decides when.
        """
        if use.slot is None:
            raise ValueError("InstrumentUse.slot must be resolved before scheduling")
        schedule = Schedule(slots=(use.slot,), every="month", day=use.start_day)
        return tuple(q.model_copy(update={"schedule": schedule}) for q in self.questions)


def _groups(items: Sequence[Question]) -> list[list[Question]]:
    """Split items into runs of the same domain (an item of no domain is its own run)."""
    groups: list[list[Question]] = []
    previous: str | None = None
    for q in items:
        group = DOMAIN_OF.get(q.id, f"item:{q.id}")
        if groups and group == previous:
            groups[-1].append(q)
        else:
            groups.append([q])
        previous = group
    return groups


def instrument_items_due(
    items: Sequence[Question],
    answered_this_month: Collection[str],
    per_session: int = DEFAULT_PER_SESSION,
    *,
    answered_in_this_checkin: Collection[str] = (),
) -> list[Question]:
    """Return the instrument items to ask in one check-in, in the items' order.

    ``items`` are the instrument's voice items in order; ``answered_this_month`` the ids of
    the items with an answer (skipped ones too) dated this month. The items answered in *this*
    check-in (``answered_in_this_checkin``) still belong to it, so the choice stays the same
    from the check-in's first question to its last: the caller removes the answered ones as it
    does for the day's own questions. Without them, each answer would bring in another item
    and the check-in would not end until all 25 were asked.

    At most ``per_session`` items, chosen from those not answered before this check-in: whole
    domains in order while they fit; a first domain larger than ``per_session`` is cut.
    """
    if per_session < 1:
        raise ValueError("per_session must be at least 1")
    before = set(answered_this_month) - set(answered_in_this_checkin)
    chosen: list[Question] = []
    for group in _groups([q for q in items if q.id not in before]):
        room = per_session - len(chosen)
        if len(group) > room:
            if not chosen:
                chosen.extend(group[:room])
            break
        chosen.extend(group)
    return chosen


def month_start(day: dt.date) -> dt.date:
    """Return the first date of ``day``'s month (the start of "answered this month")."""
    return day.replace(day=1)


def instrument_questions_due(
    qset: QuestionSet,
    day: dt.date,
    slot_id: str,
    answered_this_month: Collection[str],
    overrides: ElderOverrides | None = None,
    *,
    answered_in_this_checkin: Collection[str] = (),
) -> list[Question]:
    """Return the instrument items due in the check-in of (``day``, ``slot_id``), in order.

    Nothing unless the set opts in, the slot is the instrument's, and ``day`` is on or after
    its ``start_day``. An elder's ``overrides.remove`` may name the instrument
    (``kihon_checklist``: none of it) or single items (``kc21``…). Items already answered this
    month are not asked again; see ``instrument_items_due`` for the two id collections.
    """
    overrides = overrides or ElderOverrides()
    due: list[Question] = []
    for use in qset.instruments:
        if use.use in overrides.remove or use.slot != slot_id:
            continue
        if day.day < use.start_day:
            continue
        items = [
            q
            for q in (qset.catalog.get(i) for i in _voice_ids(use.use))
            if q is not None and q.id not in overrides.remove
        ]
        due.extend(
            instrument_items_due(
                items,
                answered_this_month,
                use.per_session,
                answered_in_this_checkin=answered_in_this_checkin,
            )
        )
    return due


def instrument_item_ids(qset: QuestionSet) -> frozenset[str]:
    """Return the ids of every item of the instruments the set opts in to (No.12 included)."""
    ids: set[str] = set()
    for use in qset.instruments:
        if use.use == KIHON_CHECKLIST:
            ids.update(DOMAIN_OF)
    return frozenset(ids)


def _voice_ids(name: str) -> tuple[str, ...]:
    return VOICE_ITEMS if name == KIHON_CHECKLIST else ()
