"""A weekly absence the elder tells of: 「水曜日はデイサービスです」「毎週月曜と木曜は通院やで」.

Pure. Precision first: a weekday and a kind of outing must both be said, as a habit (毎週, or
the weekday as the topic: 水曜はデイ), not negated (水曜はデイはない, デイはやめた) and not a
one-off in the past (水曜日にデイサービスに行った). Anything else is not understood here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.domain.understanding.text import compact, normalise
from questions.lexicon import EMPTY, Lexicon

WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
_WEEKDAY = re.compile(r"([月火水木金土日])(?:曜日?|よう(?:び)?)")
# 「月水金は透析」: two or more weekdays run together, as the topic.
_RUN = re.compile(r"(?<![今明昨毎一])([月火水木金土日]{2,})(?=は|が|に|、|と)")
_KINDS = (
    ("dayservice", ("デイサービス", "ディサービス", "デイケア", "デイ", "通所", "リハビリ")),
    ("clinic", ("通院", "透析", "病院", "医者", "医院", "診療所", "クリニック")),
)
# Said of the outing: it is not (or no longer) so, or it happened once.
_NOT = re.compile(
    r"(?:ない|ねえ|へん|ひん|あらへん|やめ|辞め|止め|休み|休ん|休む|休ま|なくな|無くな|行かな|行かん|"
    r"いかな|いかん|終わ|おわっ|ません|じゃな|ではな)"
)
_PAST = re.compile(
    r"(?:った|(?<!な)んだ|いた|した|ました|でした|だった|やった)(?:けど|けれど)?[。よねわの]*$"
)
_ONE_OFF = re.compile(r"(?:今日|きょう|明日|あした|あす|昨日|きのう|今週|来週|先週|こんど|今度)")


_HABIT = re.compile(r"曜日?(?:と|、)?(?:は|が|です|や|だ|に(?:行|い|通|かよ))")


def _after_weekdays(flat: str) -> str:
    """Return what is said after the last weekday: where a negation would be about the outing."""
    cut = max((m.end() for m in (*_WEEKDAY.finditer(flat), *_RUN.finditer(flat))), default=0)
    return flat[cut:]


@dataclass(frozen=True)
class WeeklySaid:
    """What the elder said: the kind of outing and the weekdays (月…日, in week order)."""

    kind: str  # dayservice, clinic, other (both said)
    weekdays: tuple[str, ...]


def weekly_absence(text: str, lexicon: Lexicon = EMPTY) -> WeeklySaid | None:
    """Return the weekly absence ``text`` tells of, or None if it tells of none."""
    flat = compact(normalise(text, lexicon))
    found = {m.group(1) for m in _WEEKDAY.finditer(flat)}
    found |= {d for m in _RUN.finditer(flat) for d in m.group(1)}
    days = sorted(found, key=WEEKDAYS.index)
    if not days or _ONE_OFF.search(flat) or _PAST.search(flat):
        return None
    kinds = [k for k, words in _KINDS if any(w in flat for w in words)]
    if not kinds:
        return None
    kind = kinds[0] if len(kinds) == 1 else "other"  # デイサービスも通院も: お出かけ
    habit = "毎週" in flat or "いつも" in flat or _HABIT.search(flat) or _RUN.search(flat)
    if not habit or _NOT.search(_after_weekdays(flat)):
        return None
    return WeeklySaid(kind, tuple(days))
