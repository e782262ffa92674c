"""The alert sweep, escalation and the claim → resolve life cycle, on the fake store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.domain.errors import Conflict
from backend.domain.model import AlertStatus, AwayKind, Event, EventKind, Outcome, Severity
from backend.services import alerts, away
from questions.policy import Policy
from tests.builders import (
    jst,
    make_binding,
    make_center_inbox,
    make_consent,
    make_elder,
    make_recipient,
    seed,
)
from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import MONDAY

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def watched(store):
    with FakeUnitOfWork(store) as uow:
        # Watched from Monday: the days before consent are never "missed".
        seed(uow, make_elder(consent=make_consent(consented_on=MONDAY)))
        uow.devices.bind(make_binding(bound_at=jst(MONDAY, 0, 0)))
        uow.recipients.add(make_recipient())
        uow.recipients.add(make_center_inbox())
        uow.commit()


def sweep(services):
    return alerts.sweep(services, lambda code: Policy())


def state(store):
    return list(store.state.alerts.values()), list(store.state.outbox.values())


class TestMissedCheckIn:
    def test_nothing_happens_before_the_slot_end_and_grace(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 11, 29))
        assert sweep(services).opened == 0
        assert state(store) == ([], [])

    def test_a_skipped_morning_nudges_then_tells_family_then_the_center(
        self, services, clock, store, watched
    ):
        clock.set(jst(MONDAY, 11, 31))
        assert sweep(services).opened == 1
        (alert,), messages = state(store)
        assert (alert.rule, alert.period, alert.stage) == (
            "missed_checkin",
            "2026-11-23/morning",
            0,
        )
        assert messages == []
        assert [c.action for c in store.state.alert_changes] == ["opened", "nudged"]

        clock.set(jst(MONDAY, 13, 31))
        assert sweep(services).escalated == 1
        _, messages = state(store)
        assert [m.recipient_id for m in messages] == ["recipient-1"]
        assert "朝の確認に応答がありません" in messages[0].subject

        clock.set(jst(TUESDAY, 6, 1))
        sweep(services)
        alerts_, messages = state(store)
        morning = next(a for a in alerts_ if a.period == "2026-11-23/morning")
        assert morning.stage == 2
        assert morning.severity is Severity.SAME_DAY
        assert sorted(m.recipient_id for m in messages if m.alert_id == morning.id) == [
            "inbox-1",
            "recipient-1",
        ]

    def test_running_the_sweep_twice_creates_nothing_twice(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 13, 31))
        sweep(services)
        before = state(store)
        again = sweep(services)
        assert (again.opened, again.escalated, again.messages) == (0, 0, 0)
        assert state(store) == before

    def test_catching_up_after_an_outage_tells_everyone_once(self, services, clock, store, watched):
        clock.set(jst(TUESDAY, 6, 1))
        sweep(services)
        alerts_, messages = state(store)
        morning = next(a for a in alerts_ if a.period == "2026-11-23/morning")
        assert morning.stage == 2
        assert sorted(m.recipient_id for m in messages if m.alert_id == morning.id) == [
            "inbox-1",
            "recipient-1",
        ]

    def test_a_declared_hospital_stay_produces_nothing(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 8, 0))
        away.declare(
            services, "elder-1", AwayKind.HOSPITAL, start=clock(), end=None, set_by="staff:1"
        )
        for hour in (11, 14, 20, 23):
            clock.set(jst(MONDAY, hour, 45))
            sweep(services)
        clock.set(jst(TUESDAY, 12, 0))
        sweep(services)
        assert state(store) == ([], [])


class TestOtherRules:
    def test_an_emergency_tells_family_and_center_at_once_as_urgent(
        self, services, clock, store, watched
    ):
        clock.set(jst(MONDAY, 7, 40))
        with FakeUnitOfWork(store) as uow:
            uow.events.add(Event("ev-1", "elder-1", EventKind.EMERGENCY, jst(MONDAY, 7, 35)))
            uow.commit()
        sweep(services)
        (alert,), messages = state(store)
        assert alert.severity is Severity.URGENT
        assert sorted(m.recipient_id for m in messages) == ["inbox-1", "recipient-1"]
        assert all(m.urgent for m in messages)


class TestLifeCycle:
    @pytest.fixture
    def alert(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 11, 31))
        sweep(services)
        (alert,), _ = state(store)
        return alert

    def test_a_claim_is_recorded_and_a_second_claimer_is_refused(self, services, alert, store):
        claimed = alerts.claim(services, alert.id, "family:recipient-1", "line")
        assert claimed.status is AlertStatus.CLAIMED
        assert alerts.claim(services, alert.id, "family:recipient-1", "line") == claimed
        with pytest.raises(Conflict):
            alerts.claim(services, alert.id, "staff:s1", "dashboard")

    def test_resolving_keeps_the_outcome_note_and_history(self, services, alert, store):
        alerts.claim(services, alert.id, "staff:s1", "dashboard")
        done = alerts.resolve(services, alert.id, "staff:s1", Outcome.REACHED, "電話で元気を確認")
        assert done.outcome is Outcome.REACHED
        assert done.note == "電話で元気を確認"
        actions = [c.action for c in store.state.alert_changes if c.alert_id == alert.id]
        assert actions == ["opened", "nudged", "claimed", "resolved"]
        with pytest.raises(Conflict):
            alerts.resolve(services, alert.id, "staff:s1", Outcome.OTHER)

    def test_a_claimed_alert_does_not_escalate(self, services, clock, alert, store):
        alerts.claim(services, alert.id, "family:recipient-1", "line")
        clock.set(jst(TUESDAY, 6, 1))
        sweep(services)
        assert store.state.alerts[alert.id].stage == 0
        assert [m for m in store.state.outbox.values() if m.alert_id == alert.id] == []


class TestUnclaimedEscalation:
    def test_an_unclaimed_non_urgent_alert_reaches_the_center_again(
        self, services, clock, store, watched
    ):
        clock.set(jst(MONDAY, 7, 40))
        with FakeUnitOfWork(store) as uow:
            uow.events.add(Event("ev-1", "elder-1", EventKind.EMERGENCY, jst(MONDAY, 7, 35)))
            uow.commit()
        sweep(services)
        clock.set(jst(MONDAY, 10, 0))
        assert alerts.escalate_unclaimed(services, timedelta(hours=2)) == 1
        assert alerts.escalate_unclaimed(services, timedelta(hours=2)) == 0
        center = [m for m in store.state.outbox.values() if m.recipient_id == "inbox-1"]
        assert len(center) == 2

    def test_missed_check_ins_keep_their_own_ladder(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 11, 31))
        sweep(services)
        clock.set(jst(MONDAY, 14, 0))
        assert alerts.escalate_unclaimed(services, timedelta(hours=2)) == 0
