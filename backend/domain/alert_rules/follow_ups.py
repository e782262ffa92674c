"""One follow-up item per elder and month: the follow-up-level findings grouped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from backend.domain.alert_rules.answers import month_of
from backend.domain.alert_rules.context import (
    ACTIVITY_DROP,
    BP_HIGH,
    CONCERN,
    FOLLOW_UP,
    SEVERITY_RANK,
    STAGE_NUDGE,
    WEIGHT_DROP,
    AlertCandidate,
)
from backend.domain.model import (
    Severity,
)
from questions.kihon import KIHON_CHECKLIST

# --- one follow-up item per elder and month -----------------------------------------


def is_follow_up(candidate: AlertCandidate) -> bool:
    """Return True for a follow-up-level finding: never urgent, never a missed check-in."""
    if candidate.severity is Severity.URGENT:
        return False
    base = candidate.rule.partition(":")[0]
    return base in (BP_HIGH, CONCERN, KIHON_CHECKLIST, WEIGHT_DROP, ACTIVITY_DROP)


def _finding_month(candidate: AlertCandidate, today: date) -> str:
    """Return the month a finding belongs to: its date's (or its month's), else today's."""
    period = candidate.period
    try:
        return month_of(date.fromisoformat(period[:10]))
    except ValueError:
        pass
    if len(period) == 7 and period[4] == "-" and period[:4].isdigit() and period[5:].isdigit():
        return period
    return month_of(today)


def _finding(candidate: AlertCandidate) -> dict[str, Any]:
    return {
        "rule": candidate.rule,
        "period": candidate.period,
        "severity": candidate.severity.value,
        "evidence": candidate.evidence,
    }


def group_follow_ups(candidates: Iterable[AlertCandidate], today: date) -> list[AlertCandidate]:
    """Return the candidates with every follow-up finding grouped into one per month.

    The grouped candidate (``follow_up``, period ``YYYY-MM``) lists its findings, sorted by
    rule and period, and has the severity of the most severe; the others pass unchanged.
    """
    kept: list[AlertCandidate] = []
    months: dict[str, list[AlertCandidate]] = defaultdict(list)
    for candidate in candidates:
        if is_follow_up(candidate):
            months[_finding_month(candidate, today)].append(candidate)
        else:
            kept.append(candidate)
    for month, findings in sorted(months.items()):
        findings.sort(key=lambda c: (c.rule, c.period))
        kept.append(
            AlertCandidate(
                rule=FOLLOW_UP,
                period=month,
                severity=min((c.severity for c in findings), key=SEVERITY_RANK.__getitem__),
                stage=STAGE_NUDGE,
                evidence={"month": month, "findings": [_finding(c) for c in findings]},
            )
        )
    return kept


def merge_findings(stored: Mapping[str, Any], found: Mapping[str, Any]) -> dict[str, Any]:
    """Return a follow-up's evidence with the findings of both, one per (rule, period).

    A finding found again replaces the stored one; one no longer found (its dates left the
    rules' window) stays, so the month's item keeps everything it ever listed.
    """
    merged = {(f["rule"], f["period"]): f for f in stored.get("findings", ())}
    merged.update({(f["rule"], f["period"]): f for f in found.get("findings", ())})
    return {**stored, **found, "findings": [merged[k] for k in sorted(merged)]}


def follow_up_severity(evidence: Mapping[str, Any]) -> Severity:
    """Return the severity of the most severe finding of a follow-up's evidence."""
    return min(
        (Severity(f["severity"]) for f in evidence.get("findings", ())),
        key=SEVERITY_RANK.__getitem__,
        default=Severity.INFO,
    )
