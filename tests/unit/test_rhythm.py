"""Alerts that know each elder (issue 15): rhythm, signs of life, outages, grouped follow-ups."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.domain import rhythm
from backend.domain.model import EventKind, Reading, ReadingKind, Severity
from backend.domain.rules import (
    FOLLOW_UP,
    MISSED_CHECKIN,
    SPEAKER_SILENT,
    STAGE_CENTER,
    STAGE_FAMILY,
    STAGE_NUDGE,
    STAGE_PRIORITY,
    AlertCandidate,
    activity_cohort,
    evaluate,
    group_follow_ups,
    merge_findings,
)
from questions.loader import load_sets
from questions.policy import Policy
from tests.builders import jst, make_elder, make_event
from tests.unit.test_rules import History

SETS = load_sets()
OSHU = SETS["032158"]  # morning 06:00-10:30, evening 17:00-21:00
KUDOYAMA = SETS["303445"]  # morning 07:00-11:00, noon 11:00-15:00, evening 16:00-20:00
POLICY = Policy()
MONDAY = date(2026, 11, 23)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def minutes(hhmm_minutes: int) -> tuple[int, int]:
    return divmod(hhmm_minutes, 60)


def regular(
    days: int = 14,
    until: date = MONDAY,
    times: dict[str, int] | None = None,
    qset=OSHU,
    skip=(),
    elder=None,
) -> History:
    """An elder who answered every slot (but ``skip``) of the ``days`` dates before ``until``."""
    times = times or {"morning": 7 * 60, "noon": 12 * 60, "evening": 18 * 60 + 30}
    history = History(elder=elder)
    for back in range(days, 0, -1):
        day = until - timedelta(days=back)
        for slot in qset.slots:
            if slot.id in times and (day, slot.id) not in skip:
                history.answer(day, slot.id, at=jst(day, *minutes(times[slot.id])), qset=qset)
    return history


def silence(history: History, now: datetime, qset=OSHU, policy=POLICY) -> list[AlertCandidate]:
    return [c for c in evaluate(history.build(), qset, policy, now) if c.rule == MISSED_CHECKIN]


# --- the pure rhythm functions -------------------------------------------------------------


@given(st.integers(0, 60), st.integers(0, 60), st.floats(0.05, 0.95), st.floats(0.5, 10))
def test_an_answer_rate_stays_between_floor_and_ceiling_and_grows_with_answers(
    answered, extra, prior, weight
):
    due = answered + extra
    rate = rhythm.answer_rate(answered, due, prior, weight)
    assert rhythm.RATE_FLOOR <= rate <= rhythm.RATE_CEILING
    if extra:
        assert rhythm.answer_rate(answered + 1, due, prior, weight) >= rate


def test_with_no_history_the_rate_is_the_prior():
    assert rhythm.answer_rate(0, 0, 0.9, 2) == pytest.approx(0.9)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError, match="answered 3 of 2 days"):
        rhythm.answer_rate(3, 2, 0.9, 2)


@given(
    st.lists(st.integers(6 * 60, 10 * 60), max_size=20), st.integers(0, 240), st.integers(0, 120)
)
def test_the_expected_minute_is_after_the_start_and_never_after_the_end_plus_grace(
    times, margin, grace
):
    learned = rhythm.learn("morning", len(times), times, 0.9, 2)
    minute = rhythm.expected_minute(learned, 6 * 60, 10 * 60 + 30, margin, grace)
    assert 6 * 60 < minute <= 10 * 60 + 30 + grace
    if learned.usual_minute is not None:
        assert minute >= min(learned.usual_minute + margin, 10 * 60 + 30 + grace)


def test_one_very_late_morning_does_not_move_the_expected_time():
    usual = rhythm.learn("morning", 10, [7 * 60] * 9 + [10 * 60 + 20], 0.9, 2)
    assert rhythm.expected_minute(usual, 360, 630, 90, 60) == 8 * 60 + 30


def test_a_known_absence_slot_is_not_expected_until_the_elder_answers_it_on_those_days():
    assert not rhythm.learn_absent("morning", 2, [], 0.98, 2).expected(0.5)
    once = rhythm.learn_absent("morning", 2, [7 * 60 + 30], 0.98, 2)
    assert once.expected(0.5)
    assert once.rate == pytest.approx((1 + 0.98 * 2) / 4)


@given(st.lists(st.floats(0.02, 0.98), min_size=1, max_size=8), st.floats(0.02, 0.98))
def test_every_further_miss_makes_a_silence_less_likely_to_be_habit(rates, more):
    chance = rhythm.silence_chance(rates)
    assert 0 < chance < 1
    assert rhythm.silence_chance([*rates, more]) < chance


# --- the elder's own rhythm -----------------------------------------------------------------


class TestRhythm:
    def test_a_morning_only_elders_silent_evening_is_normal(self):
        history = regular(times={"morning": 7 * 60})
        history.answer(MONDAY, "morning", at=jst(MONDAY, 7, 5))
        assert silence(history, jst(MONDAY + timedelta(days=1), 6, 0)) == []

    def test_a_reliable_seven_oclock_answerer_silent_at_nine_is_nudged(self):
        (found,) = silence(regular(), jst(MONDAY, 9, 0))
        assert (found.period, found.stage) == ("2026-11-23/morning", STAGE_NUDGE)
        assert found.evidence["nudge_at"] == jst(MONDAY, 8, 30).isoformat()

    def test_the_fixed_ladder_waits_for_the_slot_end(self):
        fixed = Policy(per_elder_rhythm=False)
        assert silence(regular(), jst(MONDAY, 9, 0), policy=fixed) == []

    def test_a_new_elder_counts_as_reliable_and_is_nudged_at_the_slot_end_plus_grace(self):
        history = History(watching_since=jst(MONDAY, 0, 0))  # the speaker came today
        assert silence(history, jst(MONDAY, 11, 29)) == []
        (found,) = silence(history, jst(MONDAY, 11, 30))
        assert (found.period, found.stage) == ("2026-11-23/morning", STAGE_NUDGE)

    def test_a_silence_is_one_alert_that_climbs(self):
        history = regular()
        history.answer(MONDAY, "morning", at=jst(MONDAY, 7, 0))
        stages = []
        for hour in range(20, 20 + 30):
            found = silence(history, jst(MONDAY, 0, 0) + timedelta(hours=hour))
            assert [c.period for c in found] in ([], ["2026-11-23/evening"])
            stages.append(found[0].stage if found else -1)
        assert stages == sorted(stages)
        assert stages[-1] >= STAGE_CENTER

    def test_the_center_is_told_in_a_day_and_two_days_running_are_a_priority(self):
        history = regular()  # silent from Monday morning (usual 07:00)
        tuesday = MONDAY + timedelta(days=1)
        # 06:00 + 24 h, moved toward 07:00 + margin, by 1 h 50 min at most: told within 26 h
        # also when the sweep runs a few minutes after the deadline.
        (by_center,) = silence(history, jst(tuesday, 7, 50))
        assert by_center.stage == STAGE_CENTER
        assert by_center.evidence["center_at"] == jst(tuesday, 7, 50).isoformat()
        (running,) = silence(history, jst(tuesday, 11, 30))  # Tuesday's morning gone by too
        assert running.stage == STAGE_PRIORITY
        assert running.severity is Severity.PRIORITY

    def test_family_learns_of_a_silence_found_at_night_after_the_next_morning(self):
        history = regular()  # silent from Monday morning (usual 07:00, evening 18:30)
        tuesday = MONDAY + timedelta(days=1)
        (at_night,) = silence(history, jst(MONDAY, 22, 30))  # the evening gone by too
        assert at_night.stage == STAGE_NUDGE
        assert at_night.evidence["family_at"] == jst(tuesday, 7, 50).isoformat()  # the deadline
        (told,) = silence(history, jst(tuesday, 7, 50))
        assert told.stage == STAGE_CENTER  # family and the center together
        eager = Policy(family_waits_overnight=False)
        (at_once,) = silence(history, jst(MONDAY, 22, 30), policy=eager)
        assert at_once.stage == STAGE_FAMILY

    def test_a_day_out_ended_by_the_morning_answer_never_reaches_family(self):
        history = regular()
        tuesday = MONDAY + timedelta(days=1)
        history.answer(tuesday, "morning", at=jst(tuesday, 7, 5))
        assert silence(history, jst(tuesday, 9, 0)) == []

    def test_after_the_night_family_is_told_at_the_elders_usual_morning_time(self):
        history = regular(qset=KUDOYAMA)  # morning 07:00, noon 12:00, evening 18:30
        history.answer(MONDAY, "morning", at=jst(MONDAY, 7, 0), qset=KUDOYAMA)
        # Noon (end 15:00 + 1 h) and evening (end 20:00 + 1 h) missed: unusual at 21:00,
        # after the day's last slot: family waits for Tuesday's morning (07:00 + 90 min).
        (found,) = silence(history, jst(MONDAY, 16, 30), qset=KUDOYAMA)
        assert found.stage == STAGE_NUDGE
        (night,) = silence(history, jst(MONDAY, 21, 30), qset=KUDOYAMA)
        assert night.stage == STAGE_NUDGE
        tuesday = MONDAY + timedelta(days=1)
        assert night.evidence["family_at"] == jst(tuesday, 8, 30).isoformat()
        assert night.evidence["center_at"] == jst(tuesday, 12, 50).isoformat()

    def test_a_known_weekly_day_service_is_no_miss(self):
        absences = {"absences": [{"kind": "dayservice", "weekday": "月", "slots": ["noon"]}]}
        elder = make_elder(overrides=absences)
        mondays = {(MONDAY - timedelta(days=n), "noon") for n in (7, 14)}  # out at noon
        history = regular(qset=KUDOYAMA, elder=elder, skip=mondays)
        history.answer(MONDAY, "morning", at=jst(MONDAY, 7, 0), qset=KUDOYAMA)
        assert silence(history, jst(MONDAY, 15, 59), qset=KUDOYAMA) == []
        assert silence(history, jst(MONDAY, 16, 30), qset=KUDOYAMA) == []
        without = regular(qset=KUDOYAMA)
        without.answer(MONDAY, "morning", at=jst(MONDAY, 7, 0), qset=KUDOYAMA)
        assert [c.period for c in silence(without, jst(MONDAY, 15, 59), qset=KUDOYAMA)] == [
            "2026-11-23/noon"
        ]

    def test_a_day_service_slot_the_elder_answers_anyway_still_counts(self):
        # Wednesday's morning is in the profile (pick-up at 08:30), but the elder answers at
        # 07:30 before leaving: a collapse on Tuesday night is found from Wednesday 06:00.
        absences = {"absences": [{"kind": "dayservice", "weekday": "水", "slots": ["morning"]}]}
        wednesday = MONDAY + timedelta(days=2)
        history = regular(until=wednesday, elder=make_elder(overrides=absences))
        first_missed = jst(wednesday, 6, 0)
        (found,) = silence(history, first_missed + timedelta(hours=26))
        assert found.period == "2026-11-25/morning"
        assert found.stage >= STAGE_CENTER
        assert datetime.fromisoformat(found.evidence["center_at"]) <= first_missed + timedelta(
            hours=26
        )

    def test_an_irregular_elder_reaches_the_center_at_the_deadline_once_the_next_morning_counts(
        self,
    ):
        # Answers about three slots in four: morning and evening missed are a 6 % chance of
        # habit; the next morning, an hour past their usual 07:00, makes it 1.6 %.
        skip = {
            (MONDAY - timedelta(days=n), slot)
            for n in range(1, 15)
            for i, slot in enumerate(("morning", "evening"))
            if (n + 2 * i) % 4 == 0
        }
        history = regular(skip=skip)
        first_start = jst(MONDAY, 6, 0)
        (before,) = silence(history, first_start + timedelta(hours=25, minutes=59))
        assert before.stage < STAGE_CENTER
        (at_day,) = silence(history, first_start + timedelta(hours=26))
        assert at_day.stage >= STAGE_CENTER

    def test_a_morning_only_elders_collapse_reaches_the_center_by_26_hours(self):
        # Answers the morning (usual 06:50) 13 days in 14 and never the evening: one missed
        # morning is a 7 % chance of habit; the next morning an hour late counts by 26 h.
        skip = {(MONDAY - timedelta(days=n), "evening") for n in range(1, 15)}
        skip |= {(MONDAY - timedelta(days=7), "morning")}
        times = {"morning": 6 * 60 + 50, "evening": 18 * 60 + 30}
        history = regular(skip=skip, times=times)
        first_start = jst(MONDAY, 6, 0)
        (found,) = silence(history, first_start + timedelta(hours=26))
        assert found.stage >= STAGE_CENTER
        (earlier,) = silence(history, first_start + timedelta(hours=25, minutes=49))
        assert earlier.stage < STAGE_CENTER  # 07:49: not yet an hour past their time


class TestOwnSilences:
    """The what-if ``wait_beyond_own_silences``: a silence as long as recent ones waits."""

    WAITS = Policy(wait_beyond_own_silences=True)

    @staticmethod
    def had_a_day_and_a_half_off() -> tuple:
        # Silent from last Monday's morning (06:00) to Tuesday's evening answer at 18:30.
        last_monday = MONDAY - timedelta(days=7)
        skip = {(last_monday, "morning"), (last_monday, "evening")}
        skip |= {(last_monday + timedelta(days=1), "morning")}
        return (
            regular(skip=skip),
            jst(last_monday, 6, 0),
            jst(last_monday + timedelta(days=1), 18, 30),
        )

    def test_the_longest_silence_runs_from_the_first_slot_missed_to_the_next_check_in(self):
        from backend.domain.alert_rules.context import Context
        from backend.domain.alert_rules.silence import learn_rhythms, longest_silence
        from questions.schema import ElderOverrides

        history, began, ended = self.had_a_day_and_a_half_off()
        ctx = Context.build(history.build(), OSHU, self.WAITS, jst(MONDAY, 12, 0))
        overrides = ElderOverrides()
        rhythms = learn_rhythms(ctx, overrides, MONDAY)
        assert longest_silence(ctx, overrides, rhythms, jst(MONDAY, 7, 0)) == ended - began
        steady = Context.build(regular().build(), OSHU, self.WAITS, jst(MONDAY, 12, 0))
        assert longest_silence(steady, overrides, rhythms, jst(MONDAY, 7, 0)) == timedelta(0)

    def test_a_silence_as_long_as_a_recent_one_waits_for_the_center(self):
        history, began, ended = self.had_a_day_and_a_half_off()
        first_start = jst(MONDAY, 6, 0)  # silent again from this morning
        (by_default,) = silence(history, first_start + timedelta(hours=26))
        assert by_default.stage >= STAGE_CENTER
        (waiting,) = silence(history, first_start + timedelta(hours=26), policy=self.WAITS)
        assert waiting.stage < STAGE_CENTER
        beyond = first_start + (ended - began) + timedelta(minutes=POLICY.grace_minutes)
        assert waiting.evidence["center_at"] == beyond.isoformat()
        (told,) = silence(history, beyond, policy=self.WAITS)
        assert told.stage >= STAGE_CENTER

    def test_a_waiting_center_is_told_by_center_max_hours_at_the_latest(self):
        back = MONDAY - timedelta(days=6)  # three whole days silent last week, then back
        skip = {(back + timedelta(days=d), s) for d in range(3) for s in ("morning", "evening")}
        history = regular(skip=skip)
        first_start = jst(MONDAY, 6, 0)
        latest = first_start + timedelta(hours=POLICY.center_max_hours)
        (waiting,) = silence(history, latest - timedelta(minutes=1), policy=self.WAITS)
        assert waiting.stage < STAGE_CENTER
        (found,) = silence(history, latest, policy=self.WAITS)
        assert found.stage >= STAGE_CENTER
        assert found.evidence["center_at"] == latest.isoformat()


@PROPERTY
@given(
    st.sets(st.tuples(st.integers(1, 14), st.sampled_from(["morning", "evening"])), max_size=12),
    st.integers(20 * 60, 50 * 60),
)
def test_waiting_beyond_own_silences_never_tells_earlier_nor_after_center_max_hours(skipped, after):
    """Whatever the elder's recent silences: never sooner than without, never past the cap."""
    history = regular(skip={(MONDAY - timedelta(days=n), slot) for n, slot in skipped})
    now = jst(MONDAY, 6, 0) + timedelta(minutes=after)
    (plain,) = silence(history, now)
    (waits,) = silence(history, now, policy=TestOwnSilences.WAITS)
    assert waits.stage <= plain.stage
    assert plain.evidence["center_at"] <= waits.evidence["center_at"]
    latest = datetime.fromisoformat(waits.evidence["slot_start"]) + timedelta(
        hours=POLICY.center_max_hours
    )
    assert datetime.fromisoformat(waits.evidence["center_at"]) <= max(
        latest, datetime.fromisoformat(plain.evidence["center_at"])
    )


# --- never miss a collapse --------------------------------------------------------------------


@PROPERTY
@given(
    st.integers(6 * 60 + 5, 9 * 60),
    st.integers(17 * 60 + 5, 20 * 60),
    st.integers(0, 2 * 24 * 60),
    st.sampled_from([OSHU, KUDOYAMA]),
)
def test_a_reliable_elders_collapse_reaches_family_then_the_center_within_26_hours(
    morning, evening, collapse_after, qset
):
    """Whenever the elder stops, whatever their usual times: family, then center, by 26 h."""
    if qset is KUDOYAMA:
        morning, evening = max(morning, 7 * 60 + 5), min(evening, 19 * 60 + 30)
    times = {"morning": morning, "noon": 12 * 60, "evening": evening}
    collapse = jst(MONDAY).replace(hour=0) + timedelta(minutes=collapse_after)
    history = regular(times=times, qset=qset)
    first_missed = None
    for back in range(0, 4):
        day = MONDAY + timedelta(days=back)
        for slot in qset.slots:
            at = jst(day, *minutes(times[slot.id]))
            if at < collapse:
                history.answer(day, slot.id, at=at, qset=qset)
            elif first_missed is None and jst(day, *minutes(_minute(slot.end))) > collapse:
                first_missed = jst(day, *minutes(_minute(slot.start)))
    deadline = first_missed + timedelta(hours=26)
    (found,) = silence(history, deadline, qset=qset)
    assert found.stage >= STAGE_CENTER
    family_at = datetime.fromisoformat(found.evidence["family_at"])
    center_at = datetime.fromisoformat(found.evidence["center_at"])
    assert family_at <= center_at <= deadline


@PROPERTY
@given(
    st.integers(0, 2 * 24 * 60),
    st.sampled_from("月火水木金土日"),
    st.lists(st.sampled_from(["morning", "noon", "evening"]), min_size=1, unique=True),
    st.sampled_from([OSHU, KUDOYAMA]),
)
def test_a_weekly_absence_the_elder_answers_anyway_never_delays_a_collapse(
    collapse_after, weekday, slots, qset
):
    """A declared デイサービス day the elder still answers: family, then center, by 26 h."""
    known = [s for s in slots if s in {slot.id for slot in qset.slots}] or [qset.slots[0].id]
    overrides = {"absences": [{"kind": "dayservice", "weekday": weekday, "slots": known}]}
    times = {"morning": 7 * 60 + 30, "noon": 12 * 60, "evening": 18 * 60}
    collapse = jst(MONDAY).replace(hour=0) + timedelta(minutes=collapse_after)
    history = regular(times=times, qset=qset, elder=make_elder(overrides=overrides))
    first_missed = None
    for back in range(0, 4):
        day = MONDAY + timedelta(days=back)
        for slot in qset.slots:
            at = jst(day, *minutes(times[slot.id]))
            if at < collapse:
                history.answer(day, slot.id, at=at, qset=qset)
            elif first_missed is None and jst(day, *minutes(_minute(slot.end))) > collapse:
                first_missed = jst(day, *minutes(_minute(slot.start)))
    deadline = first_missed + timedelta(hours=26)
    (found,) = silence(history, deadline, qset=qset)
    assert found.stage >= STAGE_CENTER
    family_at = datetime.fromisoformat(found.evidence["family_at"])
    center_at = datetime.fromisoformat(found.evidence["center_at"])
    assert family_at <= center_at <= deadline


def _minute(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@PROPERTY
@given(st.integers(0, 72 * 60), st.integers(1, 72 * 60))
def test_a_later_sweep_never_gives_a_lower_stage(first, later):
    """A sweep after an outage of the scheduler gives at once the stage that applies then."""
    history = regular()
    history.answer(MONDAY, "morning", at=jst(MONDAY, 7, 0))
    start = jst(MONDAY, 7, 30)
    before = silence(history, start + timedelta(minutes=first))
    after = silence(history, start + timedelta(minutes=first + later))
    if before:
        assert after
        assert after[0].period == before[0].period
        assert after[0].stage >= before[0].stage


# --- signs of life and outages -----------------------------------------------------------------


class TestSignsOfLife:
    def test_hearing_a_notice_after_the_slot_counts_as_a_sign_of_life(self):
        history = regular()
        history.events.append(
            make_event("contact-1", kind=EventKind.CONTACT, at=jst(MONDAY, 11, 0))
        )
        assert silence(history, jst(MONDAY, 16, 0)) == []

    def test_a_contact_the_caller_knows_of_counts_too(self):
        built = replace(regular().build(), contacts=(jst(MONDAY, 11, 0),))
        found = [
            c for c in evaluate(built, OSHU, POLICY, jst(MONDAY, 16)) if c.rule == MISSED_CHECKIN
        ]
        assert found == []

    def test_a_scale_reading_counts_as_a_sign_of_life(self):
        history = regular().reading(jst(MONDAY, 9, 30), ReadingKind.WEIGHT, 52.0)
        assert silence(history, jst(MONDAY, 16, 0)) == []

    def test_a_days_step_count_does_not_hide_a_silence_that_began_that_day(self):
        history = regular()
        history.answer(MONDAY, "morning", at=jst(MONDAY, 7, 0))
        history.reading(jst(MONDAY, 21, 0), ReadingKind.STEPS, 3000)
        tuesday = MONDAY + timedelta(days=1)
        (found,) = silence(history, jst(tuesday, 12, 0))
        assert found.period == "2026-11-23/evening"
        assert found.stage >= STAGE_FAMILY


class TestSpeakerSilent:
    def test_a_speaker_silent_for_a_day_while_the_scale_shows_the_elder_up(self):
        history = regular()
        tuesday = MONDAY + timedelta(days=1)
        history.reading(jst(tuesday, 6, 40), ReadingKind.WEIGHT, 52.0)
        found = [
            c
            for c in evaluate(history.build(), OSHU, POLICY, jst(tuesday, 10))
            if c.rule == SPEAKER_SILENT
        ]
        assert [(c.period, c.severity, c.stage) for c in found] == [
            ("2026-11-22", Severity.INFO, STAGE_NUDGE)
        ]

    def test_no_device_sign_no_outage_state(self):
        tuesday = MONDAY + timedelta(days=1)
        found = evaluate(regular().build(), OSHU, POLICY, jst(tuesday, 10))
        assert SPEAKER_SILENT not in {c.rule for c in found}


# --- follow-ups: one item per elder and month --------------------------------------------------


def candidate(rule: str, period: str, severity=Severity.SAME_DAY) -> AlertCandidate:
    return AlertCandidate(rule, period, severity, 0, {"n": period})


class TestFollowUps:
    def test_a_months_findings_are_one_item_and_urgent_ones_stay_apart(self):
        found = group_follow_ups(
            [
                candidate("bp_high", "2026-11-20"),
                candidate("concern:sleep:3d", "2026-11-21", Severity.INFO),
                candidate("kihon_checklist", "2026-11", Severity.INFO),
                candidate("bp_urgent", "2026-11-22", Severity.URGENT),
                candidate(MISSED_CHECKIN, "2026-11-22/morning", Severity.INFO),
            ],
            MONDAY,
        )
        rules_ = sorted(c.rule for c in found)
        assert rules_ == ["bp_urgent", FOLLOW_UP, MISSED_CHECKIN]
        (item,) = [c for c in found if c.rule == FOLLOW_UP]
        assert (item.period, item.severity) == ("2026-11", Severity.SAME_DAY)
        assert [f["rule"] for f in item.evidence["findings"]] == [
            "bp_high",
            "concern:sleep:3d",
            "kihon_checklist",
        ]

    def test_findings_of_two_months_are_two_items(self):
        found = group_follow_ups(
            [candidate("bp_high", "2026-10-31"), candidate("bp_high", "2026-11-01")], MONDAY
        )
        assert sorted(c.period for c in found) == ["2026-10", "2026-11"]

    def test_the_default_policy_groups_what_the_rules_find(self):
        history = History().answer(
            MONDAY, question_id="blood_pressure", value={"systolic": 165, "diastolic": 80}
        )
        history.answer(MONDAY, question_id="condition", value="bad")
        found = evaluate(history.build(), OSHU, POLICY, jst(MONDAY, 8))
        (item,) = [c for c in found if c.rule == FOLLOW_UP]
        assert {f["rule"] for f in item.evidence["findings"]} == {"bp_high", "concern:condition"}


finding_keys = st.lists(
    st.tuples(
        st.sampled_from(["bp_high", "concern:sleep", "weight_drop"]),
        st.sampled_from(["a", "b", "c"]),
    ),
    max_size=6,
)


@given(finding_keys, finding_keys)
def test_merging_findings_keeps_every_one_once(stored, found):
    def evidence(keys):
        return {"findings": [{"rule": r, "period": p} for r, p in keys]}

    merged = merge_findings(evidence(stored), evidence(found))
    keys = [(f["rule"], f["period"]) for f in merged["findings"]]
    assert keys == sorted(set(stored) | set(found))
    assert merge_findings(merged, evidence(found)) == merged


# --- weather- and season-aware baselines --------------------------------------------------------


def steps_history(elder_id: str, drop_from: date | None, rain: set[date]) -> History:
    history = History(elder=make_elder(id=elder_id))
    for back in range(40, 0, -1):
        day = MONDAY - timedelta(days=back)
        value = 5000.0 * (0.5 if day in rain else 1.0)
        if drop_from is not None and day >= drop_from:
            value *= 0.5
        history.readings.append(Reading(elder_id, jst(day, 21), ReadingKind.STEPS, value))
    return history


RAIN = frozenset(MONDAY - timedelta(days=n) for n in range(1, 8))


class TestCohort:
    def test_a_rainy_week_for_everyone_is_no_activity_drop(self):
        histories = [steps_history(f"e{n}", None, RAIN).build() for n in range(6)]
        cohort = activity_cohort(histories, POLICY, jst(MONDAY, 12))
        alone = evaluate(histories[0], OSHU, Policy(group_follow_ups=False), jst(MONDAY, 12))
        assert "activity_drop:steps" in {c.rule for c in alone}
        together = evaluate(
            replace(histories[0], cohort=cohort),
            OSHU,
            Policy(group_follow_ups=False),
            jst(MONDAY, 12),
        )
        assert "activity_drop:steps" not in {c.rule for c in together}

    def test_one_elders_own_drop_still_shows_in_a_rainy_week(self):
        histories = [steps_history(f"e{n}", None, RAIN).build() for n in range(6)]
        own = steps_history("e-own", MONDAY - timedelta(days=7), RAIN).build()
        cohort = activity_cohort([*histories, own], POLICY, jst(MONDAY, 12))
        found = evaluate(
            replace(own, cohort=cohort), OSHU, Policy(group_follow_ups=False), jst(MONDAY, 12)
        )
        assert "activity_drop:steps" in {c.rule for c in found}

    def test_too_few_elders_give_no_cohort(self):
        histories = [steps_history(f"e{n}", None, RAIN).build() for n in range(3)]
        assert activity_cohort(histories, POLICY, jst(MONDAY, 12)) == {}
