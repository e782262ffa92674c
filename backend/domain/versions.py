"""Versions of a municipality's settings published from the dashboard (set, policy, engagement)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConfigKind(StrEnum):
    """What a published version holds."""

    QUESTION_SET = "question_set"
    POLICY = "policy"
    ENGAGEMENT = "engagement"  # 今日は何の日・季節の話題・クイズ (questions/engagement/<code>.yaml)


@dataclass(frozen=True)
class ConfigVersion:
    """One published version: the YAML text as validated, who published it and when.

    The newest version of a kind takes precedence over the file in ``questions/`` for
    that municipality; older versions stay for the history (answers keep their version).
    """

    kind: ConfigKind
    municipality_code: str
    version: int
    text: str
    published_by: str  # "staff:<user id>"
    published_at: datetime
