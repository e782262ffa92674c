"""How the speaker opens a check-in (ja-JP): the words before its questions, by their count.

Neutral ground: the skill says them, and the dashboard's set editor previews them.
"""

from __future__ import annotations

INTRO_JA_JP: dict[str, str] = {
    "intro": "今日の様子を、{count}お伺いしますね。",
    "intro_one": "今日は、ひとつだけお伺いしますね。",
    "intro_many": "今日の様子を、少しお伺いしますね。",
    "resume": "この前の続きから、あと{count}お伺いしますね。",
    "resume_one": "この前の続きから、あとひとつお伺いしますね。",
    "resume_many": "この前の続きを、お伺いしますね。",
}
_COUNTERS = (
    "",
    "ひとつ",
    "ふたつ",
    "みっつ",
    "よっつ",
    "いつつ",
    "むっつ",
    "ななつ",
    "やっつ",
    "ここのつ",
    "とお",
)
INTRO_COUNT_MAX = 3  # 「みっつお伺いしますね」 is natural; 「むっつ」 is not (said 「少し」)


def count_words(n: int) -> str:
    """Return ひとつ, ふたつ … for small counts and "N個" above."""
    return _COUNTERS[n] if 0 < n < len(_COUNTERS) else f"{n}個"


def intro_key(count: int) -> str:
    """Return how the check-in is announced: one question, a few (counted), or several."""
    if count == 1:
        return "intro_one"
    return "intro" if count <= INTRO_COUNT_MAX else "intro_many"


def intro_words(count: int, key: str = "intro") -> str:
    """Return the words that open (``intro``) or resume (``resume``) ``count`` questions."""
    return INTRO_JA_JP[intro_key(count).replace("intro", key)].format(count=count_words(count))
