"""Field figures of the alerts (issue 15): per rule, per 100 elder-months, share 対応不要."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from backend.domain.model import AlertStatus, Outcome
from backend.services.alert_figures import TOTAL, elder_months, figures
from tests.builders import jst, make_alert, make_elder


def resolved(alert_id, rule, outcome, minutes_to_claim):
    alert = make_alert(alert_id, rule=rule)
    return replace(
        alert,
        status=AlertStatus.RESOLVED,
        outcome=outcome,
        claimed_at=alert.created_at + timedelta(minutes=minutes_to_claim),
        resolved_at=alert.created_at + timedelta(hours=1),
    )


def test_each_rule_has_its_rate_share_of_no_action_and_time_to_claim():
    alerts = [
        resolved("a1", "missed_checkin", Outcome.NO_ACTION, 10),
        resolved("a2", "missed_checkin", Outcome.REACHED, 30),
        resolved("a3", "concern:condition", Outcome.NO_ACTION, 60),
        make_alert("a4", rule="missed_checkin"),
    ]
    rows = {r.rule: r for r in figures(alerts, months=20)}
    missed = rows["missed_checkin"]
    assert (missed.alerts, missed.per_100_elder_months, missed.resolved) == (3, 15.0, 2)
    assert missed.no_action_share == 0.5
    assert missed.median_minutes_to_claim == 20
    assert rows["concern"].no_action_share == 1.0
    assert rows[TOTAL].alerts == 4
    assert rows[TOTAL].no_action == 2


def test_no_elders_no_rate_and_nothing_resolved_no_share():
    (total,) = figures([], months=0)
    assert (total.alerts, total.per_100_elder_months, total.no_action_share) == (0, None, None)


def test_only_watchable_elders_count_for_elder_months():
    elders = [make_elder("e1"), make_elder("e2", consent=None)]
    assert elder_months(elders, 30) == 1.0


@given(st.lists(st.sampled_from(["missed_checkin", "bp_high", "follow_up"]), max_size=30))
def test_the_rules_add_up_to_the_total(rules):
    alerts = [make_alert(f"a{n}", rule=rule, created_at=jst()) for n, rule in enumerate(rules)]
    rows = figures(alerts, months=10)
    assert rows[-1].rule == TOTAL
    assert sum(r.alerts for r in rows[:-1]) == rows[-1].alerts == len(rules)
