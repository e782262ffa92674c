"""How elders say they will be away, and back, resolve in the interaction model."""

from __future__ import annotations

from datetime import date

import pytest

from skill import const
from skill.nlu import ModelResolver

MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def resolver():
    return ModelResolver.from_package()


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("しばらく入院します", const.INTENT_AWAY, {"kind": "hospital"}),
        ("入院することになりました", const.INTENT_AWAY, {"kind": "hospital"}),
        ("検査入院します", const.INTENT_AWAY, {"kind": "hospital"}),
        ("旅行に行きます", const.INTENT_AWAY, {"kind": "travel"}),
        ("ショートステイに行きます", const.INTENT_AWAY, {"kind": "short_stay"}),
        ("しばらく留守にします", const.INTENT_AWAY, {"kind": "other"}),
        ("12月1日まで入院します", const.INTENT_AWAY, {"kind": "hospital", "until": "2026-12-01"}),
        ("来週の月曜まで", const.INTENT_DATE, {"until": "2026-11-30"}),
        ("明日までです", const.INTENT_DATE, {"until": "2026-11-24"}),
        ("来週まで", const.INTENT_DATE, {"until": "2026-W49"}),
        ("来月まで", const.INTENT_DATE, {"until": "2026-12"}),
        ("3日まで", const.INTENT_DATE, {"until": "2026-12-03"}),
        ("ただいま", const.INTENT_RETURN, {}),
        ("退院しました", const.INTENT_RETURN, {}),
        ("帰ってきました", const.INTENT_RETURN, {}),
    ],
)
def test_away_and_return_phrasings_resolve(resolver, text, intent, slots):
    resolution = resolver.resolve(text, today=MONDAY)
    assert resolution is not None, text
    assert resolution.intent == intent
    got = {n: s.resolved_id or s.value for n, s in resolution.slots.items()}
    assert got == slots


def test_a_bare_number_is_still_a_number_not_a_date(resolver):
    assert resolver.resolve("52", today=MONDAY).intent == const.INTENT_NUMBER
