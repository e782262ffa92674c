"""The alert sweep, escalation and the claim → resolve life cycle, on the fake store."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from backend.domain import rules
from backend.domain.errors import Conflict
from backend.domain.model import (
    AlertStatus,
    AwayKind,
    Event,
    EventKind,
    Outcome,
    ReadingKind,
    Severity,
)
from backend.services import alerts, away
from questions.loader import load_sets
from questions.policy import Policy
from tests.builders import (
    MUNICIPALITY_CODE,
    jst,
    make_answer,
    make_binding,
    make_center_inbox,
    make_checkin,
    make_consent,
    make_elder,
    make_reading,
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


# The fixed ladder and one alert per finding (what most of these tests describe); the
# default policy's rhythm and grouped follow-ups are in TestDefaultPolicy.
FIXED = Policy(per_elder_rhythm=False, group_follow_ups=False)


def sweep(services, policy=FIXED):
    return alerts.sweep(services, lambda code: policy)


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
        # The elder is asked first: a notification to their own speaker, no watcher told.
        (nudge,) = messages
        assert (nudge.channel, nudge.subject, nudge.alert_id) == ("alexa", "みまもり", None)
        assert nudge.recipient_id.startswith("speaker-")
        assert [c.action for c in store.state.alert_changes] == ["opened", "nudged"]

        clock.set(jst(MONDAY, 13, 31))
        assert sweep(services).escalated == 0  # family waits for the evening slot too
        clock.set(jst(MONDAY, 22, 1))
        assert sweep(services).escalated == 1
        _, messages = state(store)
        messages = [m for m in messages if m.alert_id]
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


class TestHistoryLoading:
    """The sweep reads each part of the history as far back as its rule needs, no further."""

    @pytest.fixture
    def long_history(self, store):
        rng = random.Random(20261123)
        first = MONDAY - timedelta(days=260)
        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder(consent=make_consent(consented_on=first)))
            uow.devices.bind(make_binding(bound_at=jst(first, 0, 0)))
            for back in range(1, 261):
                day = MONDAY - timedelta(days=back)
                checkin_id = f"c-{day}"
                uow.checkins.add(make_checkin(checkin_id, day=day, started_at=jst(day, 7, 50)))
                values = [
                    ("condition", rng.choice(["good", "good", "bad"])),
                    ("medication", rng.random() > 0.1),
                    ("steps", 2500.0 if back <= 7 else 5000.0 + rng.randint(-300, 300)),
                ]
                if day.weekday() == 0:
                    values.append(("weight", (57.0 if back <= 28 else 60.0) + rng.random()))
                if day.month == 10 and day.day <= 5:
                    values.extend((f"kc{n:02d}", rng.random() < 0.6) for n in range(1, 26))
                for minute, (question_id, value) in enumerate(values):
                    uow.answers.add(
                        make_answer(
                            checkin_id=checkin_id,
                            day=day,
                            question_id=question_id,
                            value=value,
                            answered_at=jst(day, 8, minute),
                        )
                    )
                steps = 2000.0 if back <= 7 else 4000.0
                uow.readings.add_many(
                    [make_reading(measured_at=jst(day, 21), kind=ReadingKind.STEPS, value=steps)]
                )
            uow.commit()

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            (jst(MONDAY, 12, 0), {"weight_drop", "activity_drop:steps"}),
            (jst(MONDAY, 0, 5), {"weight_drop", "activity_drop:steps"}),
            (jst(MONDAY + timedelta(days=9), 9, 0), {"missed_checkin"}),
        ],
    )
    def test_what_the_sweep_loads_gives_the_same_candidates_as_the_whole_history(
        self, store, long_history, now, expected
    ):
        for policy in (FIXED, Policy()):
            self.check_loading(store, policy, now, expected if policy == FIXED else set())

    def check_loading(self, store, policy, now, expected):
        qset = load_sets()[MUNICIPALITY_CODE]
        with FakeUnitOfWork(store) as uow:
            (elder,) = uow.elders.list_all()
            (loaded,) = alerts._histories(uow, [elder], policy, now)
            everything = rules.ElderHistory(
                elder=elder,
                checkins=uow.checkins.list_for_elder(elder.id, date.min, date.max),
                answers=uow.answers.list_for_elder(elder.id, date.min, date.max),
                readings=[
                    r
                    for kind in ReadingKind
                    for r in uow.readings.list_for_elders(
                        [elder.id], kind, jst(date(2000, 1, 1)), jst(date(2100, 1, 1))
                    )[elder.id]
                ],
                watching_since=uow.devices.bound_since([elder.id])[elder.id],
            )
        found = rules.evaluate(loaded, qset, policy, now)
        assert found == rules.evaluate(everything, qset, policy, now)
        assert expected <= {c.rule for c in found}
        assert len(loaded.answers) < len(everything.answers) / 3

    def test_a_lasting_drop_opens_one_alert_not_one_a_day(
        self, services, clock, store, long_history
    ):
        for now in (jst(MONDAY, 12, 0), jst(MONDAY, 23, 0), jst(TUESDAY, 0, 30)):
            clock.set(now)
            sweep(services)
        lasting = [a for a in store.state.alerts.values() if a.rule in rules.LASTING_RULES]
        assert sorted(a.rule for a in lasting) == ["activity_drop:steps", "weight_drop"]


class TestDefaultPolicy:
    """The default policy: grouped follow-ups and the speaker state reach nobody by message."""

    def add_answers(self, store, day, *values, hour=7):
        with FakeUnitOfWork(store) as uow:
            checkin_id = f"c-{day}-{hour}"
            uow.checkins.add(make_checkin(checkin_id, day=day, started_at=jst(day, hour)))
            for minute, (question_id, value) in enumerate(values):
                uow.answers.add(
                    make_answer(
                        checkin_id=checkin_id,
                        day=day,
                        question_id=question_id,
                        value=value,
                        answered_at=jst(day, hour, minute),
                    )
                )
            uow.commit()

    def test_a_months_findings_are_one_follow_up_that_grows_and_tells_nobody(
        self, services, clock, store, watched
    ):
        self.add_answers(store, MONDAY, ("blood_pressure", {"systolic": 165, "diastolic": 80}))
        clock.set(jst(MONDAY, 8))
        assert sweep(services, Policy()).opened == 1
        self.add_answers(store, TUESDAY, ("condition", "bad"))
        clock.set(jst(TUESDAY + timedelta(days=1), 8))  # Monday has left the recent dates
        sweep(services, Policy())
        (item,) = [a for a in store.state.alerts.values() if a.rule == rules.FOLLOW_UP]
        assert item.period == MONDAY.strftime("%Y-%m")
        assert [(f["rule"], f["period"]) for f in item.evidence["findings"]] == [
            ("bp_high", MONDAY.isoformat()),
            ("concern:condition", TUESDAY.isoformat()),
        ]
        assert item.severity is Severity.SAME_DAY
        assert [m for m in store.state.outbox.values() if m.alert_id == item.id] == []
        actions = [c.action for c in store.state.alert_changes if c.alert_id == item.id]
        assert actions == ["opened", "findings"]
        clock.set(jst(TUESDAY + timedelta(days=1), 12))
        assert alerts.escalate_unclaimed(services, timedelta(hours=2)) == 0

    def test_an_urgent_reading_is_still_its_own_alert_to_family_and_center(
        self, services, clock, store, watched
    ):
        self.add_answers(store, MONDAY, ("blood_pressure", {"systolic": 190, "diastolic": 100}))
        clock.set(jst(MONDAY, 8))
        sweep(services, Policy())
        (urgent,) = [a for a in store.state.alerts.values() if a.rule == rules.BP_URGENT]
        told = sorted(
            m.recipient_id for m in store.state.outbox.values() if m.alert_id == urgent.id
        )
        assert told == ["inbox-1", "recipient-1"]

    def test_a_speaker_outage_is_shown_but_sent_to_nobody(self, services, clock, store, watched):
        self.add_answers(store, MONDAY, ("condition", "good"))
        with FakeUnitOfWork(store) as uow:
            uow.readings.add_many(
                [make_reading(measured_at=jst(TUESDAY, 9), kind=ReadingKind.WEIGHT, value=52.0)]
            )
            uow.commit()
        clock.set(jst(TUESDAY, 9, 30))
        sweep(services, Policy())
        (outage,) = [a for a in store.state.alerts.values() if a.rule == rules.SPEAKER_SILENT]
        assert [m for m in store.state.outbox.values() if m.alert_id == outage.id] == []
