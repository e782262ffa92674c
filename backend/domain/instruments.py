"""Scoring of the 基本チェックリスト (Kihon Checklist, KCL): pure, by domain, with MHLW cut-offs.

The 25 items, which answer scores a point, the seven domains and the cut-offs are those of the
厚生労働省 基本チェックリスト as used for 介護予防・日常生活支援総合事業 事業対象者
(item wording and scoring checked against いなべ市's and 久留米市's printed forms and 田村市's
page, the cut-offs against third-party scoring tools; the text of the MHLW notice itself was
not retrieved). Item ids are ``kc01``…``kc25`` (No.1…No.25).

A point is a "risk" answer: 「いいえ」 for No.1–8, 16 and 19 (things one still does), 「はい」 for
the others. No.12 is not a question but a measurement: BMI = weight (kg) / height (m)² below
18.5 scores a point; an answer to ``kc12`` means "BMI < 18.5" (はい scores), or pass ``bmi``.

Cut-offs (any one met means the center should follow up, non-urgently):

====================  ==============  =====================================
criterion             items           met when
====================  ==============  =====================================
overall (生活機能全般)   No.1–20         10 or more points
motor (運動器)          No.6–10         3 or more
nutrition (低栄養)      No.11–12        both (2)
oral (口腔機能)         No.13–15        2 or more
housebound (閉じこもり)  No.16           No.16 scores
cognition (認知機能)    No.18–20        1 or more
depression (うつ)       No.21–25        2 or more
====================  ==============  =====================================

Unanswered items (not yet asked, skipped, or No.12 without a BMI) are never guessed. A
criterion is *decided* by the answers alone: **met** when its points already reach the cut-off
(unanswered items could only add points), **not met** when even every unanswered item scoring
could not reach it, and **incomplete** otherwise. When all of a criterion's items are answered
this is plain scoring; the difference is deliberate, so that a skipped item or the BMI item,
which a voice check-in cannot ask, never hides a cut-off the other answers already reach, and
never produces a flag the full instrument would not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

KIHON_CHECKLIST = "kihon_checklist"
ITEM_COUNT = 25
BMI_ITEM = "kc12"
# The form's note (注): No.12 scores when BMI is below 18.5.
BMI_CUTOFF = 18.5


def item_id(no: int) -> str:
    """Return the id of item No. ``no`` (1–25): ``kc01``…``kc25``."""
    if not 1 <= no <= ITEM_COUNT:
        raise ValueError(f"基本チェックリストの項目は 1〜{ITEM_COUNT} です: {no}")
    return f"kc{no:02d}"


def _ids(first: int, last: int) -> tuple[str, ...]:
    return tuple(item_id(n) for n in range(first, last + 1))


ITEM_IDS: tuple[str, ...] = _ids(1, ITEM_COUNT)
# Items whose point is 「いいえ」 (False); every other item scores on 「はい」 (True).
_POINT_ON_NO = frozenset(item_id(n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 16, 19))
POINT_ON: Mapping[str, bool] = {i: i not in _POINT_ON_NO for i in ITEM_IDS}
# Items that are measured, not asked by voice.
MEASURED_ITEMS = frozenset({BMI_ITEM})
VOICE_ITEMS: tuple[str, ...] = tuple(i for i in ITEM_IDS if i not in MEASURED_ITEMS)


class Status(StrEnum):
    """Whether the answers meet a cut-off."""

    MET = "met"
    NOT_MET = "not_met"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Domain:
    """One of the seven domains, scored as the points of its items."""

    id: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Criterion:
    """A cut-off: ``cutoff`` or more points among ``items``."""

    id: str
    label: str
    items: tuple[str, ...]
    cutoff: int


DOMAINS: tuple[Domain, ...] = (
    Domain("iadl", "生活機能（手段的自立・社会）", _ids(1, 5)),
    Domain("motor", "運動器", _ids(6, 10)),
    Domain("nutrition", "栄養", _ids(11, 12)),
    Domain("oral", "口腔機能", _ids(13, 15)),
    Domain("housebound", "閉じこもり", _ids(16, 17)),
    Domain("cognition", "認知機能", _ids(18, 20)),
    Domain("depression", "うつ", _ids(21, 25)),
)
DOMAIN_OF: Mapping[str, str] = {i: d.id for d in DOMAINS for i in d.items}

CRITERIA: tuple[Criterion, ...] = (
    Criterion("overall", "生活機能全般（No.1〜20 のうち10項目以上）", _ids(1, 20), 10),
    Criterion("motor", "運動器の機能低下（No.6〜10 のうち3項目以上）", _ids(6, 10), 3),
    Criterion("nutrition", "低栄養（No.11・12 の2項目とも）", _ids(11, 12), 2),
    Criterion("oral", "口腔機能の低下（No.13〜15 のうち2項目以上）", _ids(13, 15), 2),
    Criterion("housebound", "閉じこもり（No.16 に該当）", _ids(16, 16), 1),
    Criterion("cognition", "認知機能の低下（No.18〜20 のうち1項目以上）", _ids(18, 20), 1),
    Criterion("depression", "うつ傾向（No.21〜25 のうち2項目以上）", _ids(21, 25), 2),
)


def bmi(height_cm: float, weight_kg: float) -> float:
    """Return the body-mass index of a height in centimetres and a weight in kilograms."""
    if height_cm <= 0 or weight_kg <= 0:
        raise ValueError("身長と体重は正の数にしてください")
    metres = height_cm / 100
    return weight_kg / (metres * metres)


def is_point(item: str, answer: bool) -> bool:
    """Return True if this answer to ``item`` scores a point (a risk answer)."""
    return answer == POINT_ON[item]


@dataclass(frozen=True)
class DomainScore:
    """A domain's points among its answered items."""

    id: str
    label: str
    points: int
    answered: int
    of: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Return True when every item of the domain is answered."""
        return not self.missing


@dataclass(frozen=True)
class CriterionResult:
    """A cut-off and whether the answers meet it (see the module notes for *decided*)."""

    id: str
    label: str
    cutoff: int
    points: int
    answered: int
    of: int
    missing: tuple[str, ...]
    status: Status


@dataclass(frozen=True)
class ChecklistResult:
    """The scored checklist: per item, per domain and per cut-off."""

    points: Mapping[str, bool]  # answered item id → scored a point
    domains: tuple[DomainScore, ...]
    criteria: tuple[CriterionResult, ...]

    @property
    def total(self) -> int:
        """Return the points among the answered items (0–25)."""
        return sum(self.points.values())

    @property
    def answered(self) -> int:
        """Return how many of the 25 items have an answer."""
        return len(self.points)

    @property
    def complete(self) -> bool:
        """Return True when all 25 items are answered (No.12 included)."""
        return self.answered == ITEM_COUNT

    @property
    def met(self) -> tuple[str, ...]:
        """Return the ids of the criteria met, in the order of ``CRITERIA``."""
        return tuple(c.id for c in self.criteria if c.status is Status.MET)

    @property
    def incomplete(self) -> tuple[str, ...]:
        """Return the ids of the criteria the answers do not decide yet."""
        return tuple(c.id for c in self.criteria if c.status is Status.INCOMPLETE)

    @property
    def flagged(self) -> bool:
        """Return True when at least one cut-off is met: a follow-up for the center."""
        return bool(self.met)

    def domain(self, domain_id: str) -> DomainScore:
        """Return the score of one domain by id."""
        return next(d for d in self.domains if d.id == domain_id)

    def criterion(self, criterion_id: str) -> CriterionResult:
        """Return the result of one criterion by id."""
        return next(c for c in self.criteria if c.id == criterion_id)

    def evidence(self) -> dict[str, Any]:
        """Return the result as plain data for an alert's evidence."""
        return {
            "total": self.total,
            "answered": self.answered,
            "of": ITEM_COUNT,
            "met": list(self.met),
            "incomplete": list(self.incomplete),
            "domains": {
                d.id: {
                    "label": d.label,
                    "points": d.points,
                    "answered": d.answered,
                    "of": d.of,
                    "missing": list(d.missing),
                }
                for d in self.domains
            },
            "criteria": {
                c.id: {
                    "label": c.label,
                    "cutoff": c.cutoff,
                    "points": c.points,
                    "answered": c.answered,
                    "of": c.of,
                    "missing": list(c.missing),
                    "status": c.status.value,
                }
                for c in self.criteria
            },
        }


def _status(points: int, missing: int, cutoff: int) -> Status:
    if points >= cutoff:
        return Status.MET
    if points + missing < cutoff:
        return Status.NOT_MET
    return Status.INCOMPLETE


def score_kihon_checklist(
    answers: Mapping[str, bool | None], *, bmi: float | None = None
) -> ChecklistResult:
    """Score the answers (item id → True for 「はい」, False for 「いいえ」, None for unanswered).

    Ids other than ``kc01``…``kc25`` are ignored, so a caller may pass every answer of the
    month. ``bmi``, when given, decides No.12 (below 18.5 scores) and overrides ``kc12``.
    """
    points: dict[str, bool] = {}
    for item in ITEM_IDS:
        value = answers.get(item)
        if value is None:
            continue
        if not isinstance(value, bool):
            raise TypeError(f"{item} の答えは True/False/None にしてください: {value!r}")
        points[item] = is_point(item, value)
    if bmi is not None:
        points[BMI_ITEM] = bmi < BMI_CUTOFF

    def tally(items: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
        answered = [i for i in items if i in points]
        missing = tuple(i for i in items if i not in points)
        return sum(points[i] for i in answered), len(answered), missing

    domains = []
    for d in DOMAINS:
        got, answered, missing = tally(d.items)
        domains.append(DomainScore(d.id, d.label, got, answered, len(d.items), missing))
    criteria = []
    for c in CRITERIA:
        got, answered, missing = tally(c.items)
        status = _status(got, len(missing), c.cutoff)
        criteria.append(
            CriterionResult(c.id, c.label, c.cutoff, got, answered, len(c.items), missing, status)
        )
    return ChecklistResult(
        points={i: points[i] for i in ITEM_IDS if i in points},
        domains=tuple(domains),
        criteria=tuple(criteria),
    )
