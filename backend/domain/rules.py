"""Alert rules: pure functions of one elder's history, the question set, the policy and ``now``.

``evaluate`` returns what should be alerted *now*; the caller stores each candidate under the
unique key (elder, rule, period), so running it again (a restart, a second scheduler, a catch-up
after an outage) adds nothing twice, and a candidate whose ``stage`` grew escalates its alert.

Rules and their keys:

- ``missed_checkin`` ``YYYY-MM-DD/<slot>``: a slot with due questions and no answer by its end
  plus grace. Stage 0 nudge the elder, 1 family, 2 care center, 3 priority (n days running).
- ``concern:<question>`` ``YYYY-MM-DD``: a concerning answer; ``concern:<question>:<n>d`` when
  the answers of the last n dates are all concerning.
- ``weight_drop`` ``YYYY-Www``: robust medians of weights 6 months apart differ by 2 kg or more.
- ``activity_drop:steps`` / ``activity_drop:activity_minutes`` ``YYYY-MM-DD``.
- ``bp_urgent`` / ``bp_high`` ``YYYY-MM-DD``: home blood pressure at the policy's limits.
- ``emergency`` ``<event id>``: emergency words recorded by the skill.
- ``kihon_checklist`` ``YYYY-MM``: the month's 基本チェックリスト answers meet an MHLW cut-off.

Every rule but ``emergency`` is silent for an elder who is not watchable (no consent, suspended)
and for anything inside an away period; ``emergency`` never is (life first; APPI art. 27 allows
sharing without consent when life may be at risk).

This module is the rules' one entry point (``evaluate``, the rule names, what services read);
each family of rules lives in ``backend/domain/alert_rules/``.
"""

from __future__ import annotations

from datetime import datetime

from backend.domain.alert_rules.answers import concerning_answers, emergency, kihon_checklist
from backend.domain.alert_rules.context import (
    ACTIVITY_DROP,
    ACTIVITY_MEASURES,
    BP_HIGH,
    BP_URGENT,
    CONCERN,
    DISASTER_HELP,
    EMERGENCY,
    FOLLOW_UP,
    MISSED_CHECKIN,
    SEVERITY_RANK,
    SPEAKER_SILENT,
    STAGE_CENTER,
    STAGE_FAMILY,
    STAGE_NUDGE,
    STAGE_PRIORITY,
    WEIGHT_DROP,
    AlertCandidate,
    Context,
    ElderHistory,
    HistoryWindows,
    Rule,
    days_needed,
    history_windows,
)
from backend.domain.alert_rules.follow_ups import (
    follow_up_severity,
    group_follow_ups,
    is_follow_up,
    merge_findings,
)
from backend.domain.alert_rules.measures import (
    activity_cohort,
    activity_drop,
    blood_pressure,
    weight_drop,
)
from backend.domain.alert_rules.missed import missed_checkin
from backend.domain.alert_rules.silence import (
    SILENCE_ENDED_AT,
    Rhythms,
    SilenceEnd,
    end_of_silence,
    learn_rhythms,
    silence_ended,
    speaker_silent,
)
from questions.kihon import KIHON_CHECKLIST
from questions.model import QuestionSet
from questions.policy import Policy

__all__ = [
    "ACTIVITY_DROP",
    "BP_HIGH",
    "BP_URGENT",
    "CONCERN",
    "DISASTER_HELP",
    "EMERGENCY",
    "FOLLOW_UP",
    "KIHON_CHECKLIST",
    "LASTING_RULES",
    "MISSED_CHECKIN",
    "RULES",
    "SILENCE_ENDED_AT",
    "SPEAKER_SILENT",
    "STAGE_CENTER",
    "STAGE_FAMILY",
    "STAGE_NUDGE",
    "STAGE_PRIORITY",
    "WEIGHT_DROP",
    "AlertCandidate",
    "Context",
    "ElderHistory",
    "HistoryWindows",
    "Rhythms",
    "Rule",
    "SilenceEnd",
    "activity_cohort",
    "activity_drop",
    "blood_pressure",
    "concerning_answers",
    "days_needed",
    "emergency",
    "end_of_silence",
    "evaluate",
    "follow_up_severity",
    "group_follow_ups",
    "history_windows",
    "is_follow_up",
    "kihon_checklist",
    "learn_rhythms",
    "merge_findings",
    "missed_checkin",
    "repeat_after_days",
    "silence_ended",
    "speaker_silent",
    "weight_drop",
]


LASTING_RULES = (WEIGHT_DROP, *(f"{ACTIVITY_DROP}:{m}" for m, _ in ACTIVITY_MEASURES))


def repeat_after_days(rule: str, policy: Policy) -> int | None:
    """Return the days after an alert of a lasting condition during which none reopens."""
    if rule == WEIGHT_DROP:
        return policy.weight_repeat_days
    if rule.startswith(f"{ACTIVITY_DROP}:"):
        return policy.activity_repeat_days
    return None


RULES: tuple[Rule, ...] = (
    emergency,
    missed_checkin,
    speaker_silent,
    concerning_answers,
    weight_drop,
    activity_drop,
    blood_pressure,
    kihon_checklist,
)


def evaluate(
    history: ElderHistory, qset: QuestionSet, policy: Policy, now: datetime
) -> list[AlertCandidate]:
    """Return the alert candidates of one elder at ``now``: most severe first, one per key.

    ``now`` must be in the municipality's time zone (Asia/Tokyo): slot times and dates are read
    in it. ``history`` must hold the elder's data of the dates ``history_windows(policy)`` names
    (at most ``days_needed(policy)`` back); older data and anything after ``now`` are ignored,
    so the result depends on nothing else.
    """
    ctx = Context.build(history, qset, policy, now)
    found: dict[tuple[str, str], AlertCandidate] = {}
    for rule in RULES:
        for candidate in rule(ctx):
            key = (candidate.rule, candidate.period)
            kept = found.get(key)
            if kept is None or candidate.stage > kept.stage:
                found[key] = candidate
    candidates = list(found.values())
    if policy.group_follow_ups:
        candidates = group_follow_ups(candidates, ctx.today)
    return sorted(candidates, key=lambda c: (SEVERITY_RANK[c.severity], c.rule, c.period))
