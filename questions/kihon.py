"""The 基本チェックリスト's definition: its 25 items, which answer scores, its domains and cut-offs.

The 25 items, which answer scores a point, the seven domains and the cut-offs are those of the
厚生労働省 基本チェックリスト as used for 介護予防・日常生活支援総合事業 事業対象者. Item ids are
``kc01``…``kc25`` (No.1…No.25). A point is a "risk" answer: 「いいえ」 for No.1–8, 16 and 19
(things one still does), 「はい」 for the others. No.12 is measured (BMI), not asked. The scoring
is ``backend.domain.kihon_scoring``; the items as questions are ``questions/kihon_checklist.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


def is_point(item: str, answer: bool) -> bool:
    """Return True if this answer to ``item`` scores a point (a risk answer)."""
    return answer == POINT_ON[item]
