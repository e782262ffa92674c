"""A silence the elder ends: the alert says so, and messages not yet sent are withdrawn."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.domain import rules
from backend.domain.model import Alert, EventKind, Outcome, ReadingKind, Severity
from backend.services import alerts
from backend.services.outbox import WITHDRAWN_ERROR, deliver_due
from questions.policy import Policy
from tests.builders import (
    jst,
    make_answer,
    make_binding,
    make_center_inbox,
    make_checkin,
    make_consent,
    make_elder,
    make_event,
    make_outbox_message,
    make_reading,
    make_recipient,
    seed,
)
from tests.fakes import FakeChannel, FakeUnitOfWork
from tests.unit.conftest import MONDAY

TUESDAY = MONDAY + timedelta(days=1)
FIXED = Policy(per_elder_rhythm=False, group_follow_ups=False)
MORNING = "2026-11-23/morning"


@pytest.fixture
def watched(store):
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder(consent=make_consent(consented_on=MONDAY)))
        uow.devices.bind(make_binding(bound_at=jst(MONDAY, 0, 0)))
        uow.recipients.add(make_recipient(quiet_start="21:00", quiet_end="07:00"))
        uow.recipients.add(make_center_inbox())
        uow.commit()


@pytest.fixture
def email():
    return FakeChannel("email")


def sweep(services):
    return alerts.sweep(services, lambda code: FIXED)


def answered(store, day, hour, minute, slot="morning"):
    at = jst(day, hour, minute)
    with FakeUnitOfWork(store) as uow:
        uow.checkins.add(make_checkin(f"c-{day}-{slot}", day=day, slot=slot, started_at=at))
        uow.answers.add(
            make_answer(
                checkin_id=f"c-{day}-{slot}", day=day, answered_at=at + timedelta(minutes=1)
            )
        )
        uow.commit()


def family_message(store):
    """Return the one message about the alert to the family member."""
    (message,) = [
        m for m in store.state.outbox.values() if m.recipient_id == "recipient-1" and m.alert_id
    ]
    return message


def silence(store):
    return next(a for a in store.state.alerts.values() if a.period == MORNING)


class TestTheFamilyIsNotWokenForNothing:
    def test_a_message_held_for_quiet_hours_is_withdrawn_when_the_elder_answers_first(
        self, services, clock, store, watched, email
    ):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        assert deliver_due(services, {"email": email}).deferred == 1
        answered(store, TUESDAY, 5, 40)  # up early: before the care center's deadline too
        clock.set(jst(TUESDAY, 5, 50))
        sweep(services)
        alert = silence(store)
        assert alert.evidence[rules.SILENCE_ENDED_AT] == jst(TUESDAY, 5, 41).isoformat()
        assert alert.stage == rules.STAGE_FAMILY  # nothing else changes: staff see it ended
        assert [c.action for c in store.state.alert_changes][-1] == "silence_ended"

        clock.set(jst(TUESDAY, 7, 0))
        report = deliver_due(services, {"email": email})
        assert (report.sent, report.withdrawn) == (0, 1)
        assert email.sent == []
        message = family_message(store)
        assert (message.sent_at, message.last_error) == (None, WITHDRAWN_ERROR)
        # The center's deadline has gone by without a new silence: nobody else is told, and
        # nobody hears "it is over" about a message that never reached them.
        clock.set(jst(TUESDAY, 8, 0))
        sweep(services)
        deliver_due(services, {"email": email})
        assert email.sent == []

    def test_a_message_already_sent_stays_sent_and_nothing_more_goes(
        self, services, clock, store, watched, email
    ):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        clock.set(jst(TUESDAY, 7, 0))
        assert deliver_due(services, {"email": email}).sent == 1
        # It says the speaker itself may be off: the family phones before they worry.
        ((told, _),) = email.sent
        assert "スピーカーの電源やWi-Fiの不具合で、お返事が届かないこともあります。" in told.body
        answered(store, TUESDAY, 7, 20)
        clock.set(jst(TUESDAY, 7, 30))
        sweep(services)
        assert rules.silence_ended(silence(store))
        assert family_message(store).sent_at is not None
        # Instead, the family hears it is over (after quiet hours, like any message).
        deliver_due(services, {"email": email})
        (_, (ended, to)) = email.sent
        assert (ended.alert_id, to.id) == (None, "recipient-1")
        assert ended.subject == "【みまもり】山田 花子さん：その後、反応がありました"
        assert (
            "11月24日 7:21に、山田 花子さんの反応がありました（スピーカーでのお返事やご利用）"
            in ended.body
        )

    def test_while_the_silence_goes_on_the_message_goes_at_the_end_of_quiet_hours(
        self, services, clock, store, watched, email
    ):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        clock.set(jst(TUESDAY, 7, 0))
        sweep(services)
        assert not rules.silence_ended(silence(store))
        report = deliver_due(services, {"email": email})
        assert (report.sent, report.withdrawn) == (2, 0)  # family and the center (stage 2)

    def test_an_urgent_message_is_never_withdrawn(self, services, clock, store, watched, email):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        alert = silence(store)
        with FakeUnitOfWork(store) as uow:
            uow.outbox.add_if_absent(
                make_outbox_message(
                    "urgent-1",
                    recipient_id="recipient-1",
                    alert_id=alert.id,
                    urgent=True,
                    created_at=jst(MONDAY, 22, 2),
                )
            )
            uow.commit()
        answered(store, TUESDAY, 5, 40)
        clock.set(jst(TUESDAY, 5, 50))
        sweep(services)
        report = deliver_due(services, {"email": email})
        assert (report.sent, report.withdrawn) == (1, 1)
        assert [m.id for m, _ in email.sent] == ["urgent-1"]


class TestWhatEndsASilence:
    def test_a_step_count_of_the_same_day_does_not_end_it_a_later_day_does(
        self, services, clock, store, watched
    ):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        with FakeUnitOfWork(store) as uow:
            uow.readings.add_many(
                [make_reading(kind=ReadingKind.STEPS, value=3200, measured_at=jst(MONDAY, 21))]
            )
            uow.commit()
        clock.set(jst(MONDAY, 23, 31))
        sweep(services)
        assert not rules.silence_ended(silence(store))
        with FakeUnitOfWork(store) as uow:
            uow.readings.add_many(
                [make_reading(kind=ReadingKind.STEPS, value=900, measured_at=jst(TUESDAY, 9))]
            )
            uow.commit()
        clock.set(jst(TUESDAY, 9, 30))
        sweep(services)
        assert silence(store).evidence[rules.SILENCE_ENDED_AT] == jst(TUESDAY, 0, 0).isoformat()

    def test_hearing_a_family_message_ends_it(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        with FakeUnitOfWork(store) as uow:
            uow.events.add(make_event(kind=EventKind.CONTACT, at=jst(MONDAY, 22, 30)))
            uow.commit()
        clock.set(jst(MONDAY, 22, 45))
        sweep(services)
        assert rules.silence_ended(silence(store))

    def test_a_resolved_alert_is_left_alone(self, services, clock, store, watched):
        clock.set(jst(MONDAY, 22, 1))
        sweep(services)
        alerts.resolve(services, silence(store).id, "staff-1", Outcome.NO_ACTION)
        answered(store, TUESDAY, 5, 40)
        clock.set(jst(TUESDAY, 5, 50))
        sweep(services)
        assert rules.SILENCE_ENDED_AT not in silence(store).evidence

    def test_another_rule_is_never_a_silence(self, services):
        alert = Alert(
            "a",
            "e",
            rules.BP_HIGH,
            "2026-11-23",
            Severity.INFO,
            {"slot_start": "x"},
            jst(MONDAY, 9),
        )
        assert not rules.silence_ended(alert)
