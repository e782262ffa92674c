"""Alert rules: each fires when it should, at the stage that applies now, and never when away."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.domain.model import (
    AwayKind,
    AwayPeriod,
    ElderStatus,
    Reading,
    ReadingKind,
    Severity,
)
from backend.domain.rules import (
    AlertCandidate,
    ElderHistory,
    days_needed,
    evaluate,
)
from questions.loader import load_sets
from questions.policy import BloodPressureLimit, Policy
from tests.builders import ELDER_ID, jst, make_answer, make_checkin, make_elder, make_event
from tests.clock import FakeClock

SETS = load_sets()
OSHU = SETS["032158"]  # morning 06:00–10:30, evening 17:00–21:00
KUDOYAMA = SETS["303445"]  # morning 07:00–11:00, noon 11:00–15:00, evening 16:00–20:00
# The fixed ladder and one alert per finding: what these tests describe. The default (each
# elder's own rhythm, follow-ups grouped by month) is in tests/unit/test_rhythm.py, and the
# properties at the end run with both.
POLICY = Policy(per_elder_rhythm=False, group_follow_ups=False)
DEFAULT = Policy()

SATURDAY = date(2026, 11, 21)
SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)  # ISO week 2026-W48; weight is asked on Mondays
TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)


def day_before(day: date, n: int = 1) -> date:
    return day - timedelta(days=n)


# The speaker was bound long before any test's dates (consent dates still apply).
WATCHED_SINCE = datetime(2020, 1, 1, tzinfo=UTC)


class History:
    """A growing history of one elder, built in test order."""

    def __init__(self, elder=None, watching_since=WATCHED_SINCE) -> None:
        self.elder = elder or make_elder()
        self.watching_since = watching_since
        self.checkins: list = []
        self.answers: list = []
        self.readings: list = []
        self.away: list = []
        self.events: list = []

    def answer(self, day, slot="morning", at=None, question_id="condition", value="good", **kw):
        """Record one answer in the check-in of (day, slot), opened at ``at``."""
        qset = kw.pop("qset", OSHU)
        at = at or jst(day, int(qset.slot(slot).start[:2]), 30)
        checkin_id = f"{day.isoformat()}-{slot}"
        if all(c.id != checkin_id for c in self.checkins):
            self.checkins.append(make_checkin(checkin_id, day=day, slot=slot, started_at=at))
        n = len(self.answers)
        self.answers.append(
            make_answer(
                checkin_id=checkin_id,
                day=day,
                question_id=question_id,
                value=value,
                answered_at=at + timedelta(seconds=n % 50),
                **kw,
            )
        )
        return self

    def answer_all(self, *days, qset=OSHU, unless=()):
        """Answer every slot of these days (except the (day, slot) pairs in ``unless``)."""
        for day in days:
            for slot in qset.slots:
                if (day, slot.id) not in unless:
                    self.answer(day, slot.id, qset=qset)
        return self

    def reading(self, at, kind, value):
        self.readings.append(Reading(ELDER_ID, at, kind, value))
        return self

    def away_from(self, start, end=None, kind=AwayKind.HOSPITAL):
        self.away.append(
            AwayPeriod(f"away-{len(self.away)}", ELDER_ID, kind, start, end, "elder", start)
        )
        return self

    def event(self, id="event-1", at=None):
        self.events.append(make_event(id, at=at))
        return self

    def build(self) -> ElderHistory:
        return ElderHistory(
            elder=self.elder,
            checkins=tuple(self.checkins),
            answers=tuple(self.answers),
            readings=tuple(self.readings),
            away_periods=tuple(self.away),
            events=tuple(self.events),
            watching_since=self.watching_since,
        )


def run(
    history: History, now: datetime, qset=OSHU, policy=POLICY, only: str = ""
) -> list[AlertCandidate]:
    """Evaluate at ``now``; with ``only``, keep the candidates of rules starting with it."""
    return [c for c in evaluate(history.build(), qset, policy, now) if c.rule.startswith(only)]


def keys(candidates) -> set[tuple[str, str]]:
    return {(c.rule, c.period) for c in candidates}


def missed(candidates) -> dict[str, int]:
    """Return the stage of each missed check-in by period."""
    return {c.period: c.stage for c in candidates if c.rule == "missed_checkin"}


def of_rule(candidates, prefix: str) -> list[AlertCandidate]:
    return [c for c in candidates if c.rule.startswith(prefix)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(jst(MONDAY, 11, 29))


@pytest.fixture
def skipped_monday_morning() -> History:
    """An elder who answered the weekend and then missed Monday morning."""
    return History().answer_all(SATURDAY, SUNDAY)


class TestMissedCheckin:
    def test_nothing_is_raised_before_the_slot_end_plus_grace(self, skipped_monday_morning, clock):
        assert run(skipped_monday_morning, clock()) == []

    def test_after_the_grace_the_elder_is_nudged(self, skipped_monday_morning, clock):
        clock.tick(timedelta(minutes=1))  # 10:30 + 60 min
        (candidate,) = run(skipped_monday_morning, clock())
        assert candidate.rule == "missed_checkin"
        assert candidate.period == "2026-11-23/morning"
        assert candidate.stage == 0
        assert candidate.severity is Severity.INFO
        assert "weight" in candidate.evidence["questions"]  # Monday: the weekly weight is due

    def test_the_family_is_told_once_the_next_slot_has_also_gone_unanswered(
        self, skipped_monday_morning, clock
    ):
        clock.set(jst(MONDAY, 21, 59))  # the evening slot ends 21:00, + 60 min grace
        assert missed(run(skipped_monday_morning, clock())) == {"2026-11-23/morning": 0}
        clock.tick(timedelta(minutes=1))
        assert missed(run(skipped_monday_morning, clock()))["2026-11-23/morning"] == 1

    def test_a_skipped_morning_made_up_in_the_evening_never_reaches_the_family(self, clock):
        history = History().answer_all(SATURDAY, SUNDAY).answer(MONDAY, "evening")
        for hour in (11, 14, 22, 23):
            found = missed(run(history, jst(MONDAY, hour, 59)))
            assert set(found.values()) <= {0}, (hour, found)

    def test_without_waiting_for_the_next_slot_family_after_minutes_decides(
        self, skipped_monday_morning, clock
    ):
        policy = POLICY.model_copy(update={"family_waits_for_next_slot": False})
        clock.set(jst(MONDAY, 13, 29))
        found = missed(run(skipped_monday_morning, clock(), policy=policy))
        assert found == {"2026-11-23/morning": 0}
        clock.tick(timedelta(minutes=1))
        found = missed(run(skipped_monday_morning, clock(), policy=policy))
        assert found == {"2026-11-23/morning": 1}

    def test_the_care_center_is_told_24_hours_after_the_slot_started(
        self, skipped_monday_morning, clock
    ):
        clock.set(jst(TUESDAY, 5, 59))
        assert missed(run(skipped_monday_morning, clock()))["2026-11-23/morning"] == 1
        clock.tick(timedelta(minutes=1))
        (candidate,) = of_rule(run(skipped_monday_morning, clock()), "missed")[:1]
        assert (candidate.period, candidate.stage) == ("2026-11-23/morning", 2)
        assert candidate.severity is Severity.SAME_DAY

    def test_no_answer_for_two_days_running_is_a_priority(self, skipped_monday_morning):
        # Saturday and Sunday answered; nothing since Monday 06:00.
        found = run(skipped_monday_morning, jst(TUESDAY, 11, 30))
        assert missed(found) == {
            "2026-11-23/morning": 2,
            "2026-11-23/evening": 1,
            "2026-11-24/morning": 3,
        }
        (priority,) = [c for c in found if c.stage == 3]
        assert priority.severity is Severity.PRIORITY
        assert priority.evidence["silent_since"] == jst(MONDAY, 6).isoformat()

    def test_an_evening_and_the_next_morning_are_not_two_days_running(self):
        history = History().answer_all(SUNDAY).answer(MONDAY, "morning")
        assert missed(run(history, jst(TUESDAY, 11, 30))) == {
            "2026-11-23/evening": 1,
            "2026-11-24/morning": 0,
        }

    def test_a_late_answer_after_the_nudge_ends_the_missed_check_in(
        self, skipped_monday_morning, clock
    ):
        clock.set(jst(MONDAY, 11, 45))
        assert missed(run(skipped_monday_morning, clock())) == {"2026-11-23/morning": 0}
        skipped_monday_morning.answer(MONDAY, "morning", at=jst(MONDAY, 12))
        assert missed(run(skipped_monday_morning, clock())) == {"2026-11-23/morning": 0}
        clock.set(jst(MONDAY, 12, 5))
        assert run(skipped_monday_morning, clock()) == []

    def test_an_answer_in_a_later_slot_stops_the_escalation(self, skipped_monday_morning):
        history = skipped_monday_morning.answer(MONDAY, "evening", at=jst(MONDAY, 17, 30))
        assert run(history, jst(TUESDAY, 6, 0)) == []

    def test_a_skipped_answer_still_counts_as_an_answer(self, skipped_monday_morning):
        history = skipped_monday_morning.answer(MONDAY, value=None, skipped="later")
        assert run(history, jst(MONDAY, 12)) == []

    def test_catch_up_after_an_outage_gives_the_stage_that_applies_now(self):
        # The first sweep after three quiet days: only the last two days' slots, at today's stage.
        history = History().answer_all(day_before(MONDAY, 3), SATURDAY, SUNDAY)
        assert missed(run(history, jst(WEDNESDAY, 12))) == {
            "2026-11-24/morning": 3,
            "2026-11-24/evening": 3,
            "2026-11-25/morning": 3,
        }

    def test_catch_up_across_one_deadline_gives_the_center_stage_at_once(
        self, skipped_monday_morning
    ):
        # The evening's family stage waits for Tuesday's morning slot (ends 10:30 + grace).
        assert missed(run(skipped_monday_morning, jst(TUESDAY, 9))) == {
            "2026-11-23/morning": 2,
            "2026-11-23/evening": 0,
        }

    def test_a_slot_without_due_questions_is_never_missed(self):
        elder = make_elder(overrides={"remove": ["medication", "dinner", "mood"]})
        history = History(elder).answer_all(SUNDAY, MONDAY, unless={(MONDAY, "evening")})
        assert run(history, jst(TUESDAY, 1)) == []

    def test_a_per_elder_medication_time_makes_a_slot_due(self):
        elder = make_elder(
            overrides={
                "remove": ["dinner", "mood"],
                "schedules": {"medication": {"slots": ["morning", "evening"]}},
            }
        )
        history = History(elder).answer_all(SUNDAY, MONDAY, unless={(MONDAY, "evening")})
        assert missed(run(history, jst(MONDAY, 22))) == {"2026-11-23/evening": 0}

    def test_slots_of_a_three_slot_municipality_are_each_watched(self):
        history = History().answer_all(SUNDAY, qset=KUDOYAMA).answer(MONDAY, qset=KUDOYAMA)
        assert missed(run(history, jst(MONDAY, 15, 59), KUDOYAMA)) == {}
        assert missed(run(history, jst(MONDAY, 16), KUDOYAMA)) == {"2026-11-23/noon": 0}

    def test_slots_before_the_consent_date_are_not_missed(self):
        elder = make_elder(consent=replace(make_elder().consent, consented_on=MONDAY))
        assert missed(run(History(elder), jst(MONDAY, 21, 59))) == {"2026-11-23/morning": 0}

    @pytest.mark.parametrize(
        "elder",
        [make_elder(consent=None), make_elder(status=ElderStatus.SUSPENDED)],
        ids=["without consent", "suspended"],
    )
    def test_an_elder_who_is_not_watched_gets_no_alerts(self, elder):
        history = History(elder).answer(MONDAY, value="bad")
        assert run(history, jst(TUESDAY, 12)) == []

    def test_the_policy_grace_is_used(self, skipped_monday_morning):
        policy = POLICY.model_copy(update={"grace_minutes": 15})
        assert missed(run(skipped_monday_morning, jst(MONDAY, 10, 45), policy=policy)) == {
            "2026-11-23/morning": 0
        }


class TestAwayPeriods:
    def test_a_hospital_stay_silences_missed_check_ins(self, skipped_monday_morning):
        history = skipped_monday_morning.away_from(jst(SUNDAY, 20), jst(WEDNESDAY, 10))
        for hour in range(0, 48, 3):
            assert run(history, jst(MONDAY) + timedelta(hours=hour)) == []

    def test_rules_resume_by_themselves_after_the_end(self, skipped_monday_morning):
        history = skipped_monday_morning.away_from(jst(SUNDAY, 20), jst(TUESDAY, 9))
        # Tuesday morning overlapped the stay; Tuesday evening is the first slot watched again,
        # and the days in hospital do not make it "two days running".
        assert missed(run(history, jst(TUESDAY, 22))) == {"2026-11-24/evening": 0}

    def test_an_away_period_declared_after_a_missed_slot_stops_its_escalation(
        self, skipped_monday_morning
    ):
        history = skipped_monday_morning.away_from(jst(MONDAY, 12))  # until ended by hand
        assert run(history, jst(MONDAY, 11, 45)) != []
        assert run(history, jst(MONDAY, 14)) == []

    def test_away_silences_answers_readings_and_measures_too(self):
        history = (
            History()
            .answer_all(SUNDAY)
            .answer(MONDAY, value="bad")
            .reading(jst(MONDAY, 7), ReadingKind.BLOOD_PRESSURE, {"systolic": 190, "diastolic": 95})
            .away_from(jst(MONDAY, 6))
        )
        assert run(history, jst(MONDAY, 8)) == []

    def test_readings_taken_during_a_stay_that_has_ended_are_not_raised(self):
        history = (
            History()
            .reading(
                jst(SUNDAY, 10), ReadingKind.BLOOD_PRESSURE, {"systolic": 190, "diastolic": 95}
            )
            .away_from(jst(SATURDAY, 9), jst(SUNDAY, 18))
        )
        assert run(history, jst(MONDAY, 8), only="bp") == []

    def test_an_emergency_is_never_silenced_by_an_away_period(self):
        history = History().away_from(jst(SUNDAY)).event("event-9", at=jst(MONDAY, 9))
        (candidate,) = run(history, jst(MONDAY, 9, 1))
        assert (candidate.rule, candidate.period, candidate.severity) == (
            "emergency",
            "event-9",
            Severity.URGENT,
        )

    def test_answers_given_while_away_do_not_count_towards_n_days(self):
        history = (
            History()
            .answer(SUNDAY, value="bad")
            .answer(MONDAY, value="bad")
            .away_from(jst(SUNDAY, 0), jst(SUNDAY, 23))
        )
        assert keys(of_rule(run(history, jst(MONDAY, 9)), "concern")) == {
            ("concern:condition", "2026-11-23")
        }


class TestConcerningAnswers:
    def test_a_bad_condition_is_a_same_day_concern(self):
        (candidate,) = run(History().answer(MONDAY, value="bad"), jst(MONDAY, 7))
        assert (candidate.rule, candidate.period) == ("concern:condition", "2026-11-23")
        assert candidate.severity is Severity.SAME_DAY
        assert candidate.evidence["answers"][0]["value"] == "bad"

    def test_a_good_condition_raises_nothing(self):
        assert run(History().answer(MONDAY, value="good"), jst(MONDAY, 7)) == []

    def test_a_bad_condition_two_days_running_is_also_an_n_days_concern(self):
        history = History().answer(SUNDAY, value="bad").answer(MONDAY, value="bad")
        found = of_rule(run(history, jst(MONDAY, 7)), "concern")
        assert keys(found) == {
            ("concern:condition", "2026-11-22"),
            ("concern:condition", "2026-11-23"),
            ("concern:condition:2d", "2026-11-23"),
        }
        (running,) = [c for c in found if c.rule.endswith(":2d")]
        assert running.severity is Severity.INFO
        assert [a["date"] for a in running.evidence["answers"]] == ["2026-11-22", "2026-11-23"]

    @pytest.mark.parametrize(("poor_days", "fires"), [(2, False), (3, True), (4, True)])
    def test_poor_sleep_fires_on_the_third_day_running(self, poor_days, fires):
        history = History()
        for n in range(poor_days):
            history.answer(day_before(MONDAY, n), question_id="sleep", value="slept_poorly")
        found = keys(run(history, jst(MONDAY, 7)))
        assert (("concern:sleep:3d", "2026-11-23") in found) is fires

    def test_a_day_without_an_answer_breaks_the_run(self):
        history = History()
        for day in (day_before(SATURDAY), SUNDAY, MONDAY):  # nothing on Saturday
            history.answer(day, question_id="sleep", value="slept_poorly")
        assert run(history, jst(MONDAY, 7)) == []

    def test_a_good_day_in_between_breaks_the_run(self):
        history = History()
        for day, value in ((SATURDAY, "slept_poorly"), (SUNDAY, "so_so"), (MONDAY, "slept_poorly")):
            history.answer(day, question_id="sleep", value=value)
        assert run(history, jst(MONDAY, 7)) == []

    def test_a_day_counts_by_its_latest_answer(self):
        history = History()
        for day in (SUNDAY, MONDAY):
            history.answer(day, question_id="medication", value=False)  # まだ, in the morning
            history.answer(day, "evening", question_id="medication", value=True)
        assert run(history, jst(MONDAY, 20)) == []
        for day in (SUNDAY, MONDAY):
            history.answer(day, "evening", at=jst(day, 20), question_id="medication", value=False)
        assert ("concern:medication:2d", "2026-11-23") in keys(run(history, jst(MONDAY, 20, 30)))

    @pytest.mark.parametrize(("first", "fires"), [(4, False), (5, True)])
    def test_a_scale_above_its_limit_for_three_evenings(self, first, fires):
        history = History()
        for day, value in ((SATURDAY, first), (SUNDAY, 5), (MONDAY, 5)):
            history.answer(day, "evening", question_id="tiredness", value=value, qset=KUDOYAMA)
        found = keys(run(history, jst(MONDAY, 17), KUDOYAMA))
        assert (("concern:tiredness:3d", "2026-11-23") in found) is fires

    def test_a_yes_to_a_fall_is_a_same_day_concern(self):
        day = date(2026, 12, 1)
        history = History().answer(day, question_id="fall_this_month", value=True, qset=KUDOYAMA)
        assert keys(run(history, jst(day, 8), KUDOYAMA)) == {
            ("concern:fall_this_month", "2026-12-01")
        }

    def test_skipped_answers_are_not_concerning(self):
        history = History().answer(MONDAY, value=None, skipped="unknown")
        assert run(history, jst(MONDAY, 7)) == []

    def test_only_recent_dates_are_raised(self):
        history = History().answer(SATURDAY, value="bad").answer_all(SUNDAY)
        assert run(history, jst(MONDAY, 7)) == []


def weekly_weights(history: History, until: date, weeks: int, kg: float) -> History:
    """Answer the Monday weight for ``weeks`` weeks ending on ``until``."""
    for n in range(weeks):
        day = until - timedelta(weeks=n)
        history.answer(day, question_id="weight", value=kg, raw=f"{kg}キロ")
    return history


class TestWeightDrop:
    NOW = jst(MONDAY, 12)
    SIX_MONTHS_AGO = MONDAY - timedelta(days=182)

    def with_weights(self, before: float, after: float) -> History:
        history = weekly_weights(History(), self.SIX_MONTHS_AGO, 6, before)
        return weekly_weights(history, MONDAY, 4, after)

    def test_two_kg_lost_over_six_months_fires_once_a_week(self):
        (candidate,) = run(self.with_weights(60.0, 58.0), self.NOW)
        assert (candidate.rule, candidate.period) == ("weight_drop", "2026-W48")
        assert candidate.severity is Severity.INFO
        evidence = candidate.evidence
        assert (evidence["baseline_median"], evidence["recent_median"]) == (60.0, 58.0)
        assert (evidence["baseline_count"], evidence["recent_count"]) == (4, 4)
        assert evidence["recent_window"] == ["2026-10-27", "2026-11-23"]
        assert evidence["baseline_window"] == ["2026-04-28", "2026-05-25"]

    def test_a_loss_just_under_two_kg_does_not_fire(self):
        assert run(self.with_weights(60.0, 58.1), self.NOW) == []

    def test_a_gain_does_not_fire(self):
        assert run(self.with_weights(58.0, 61.0), self.NOW) == []

    def test_one_misheard_weight_never_fires(self):
        history = weekly_weights(History(), MONDAY, 30, 60.0)
        history.answer(MONDAY, question_id="weight", value=40.0, raw="40キロ")
        assert run(history, self.NOW) == []

    def test_one_misheard_weight_six_months_ago_never_fires(self):
        history = self.with_weights(60.0, 59.0)
        history.answer(self.SIX_MONTHS_AGO, question_id="weight", value=80.0)
        assert run(history, self.NOW) == []

    def test_too_few_recent_weights_do_not_fire(self):
        history = weekly_weights(History(), self.SIX_MONTHS_AGO, 6, 60.0)
        weekly_weights(history, MONDAY, 2, 55.0)
        assert run(history, self.NOW) == []

    def test_too_few_weights_six_months_ago_do_not_fire(self):
        history = weekly_weights(History(), self.SIX_MONTHS_AGO, 2, 60.0)
        weekly_weights(history, MONDAY, 4, 55.0)
        assert run(history, self.NOW) == []

    def test_readings_from_a_scale_count_with_answers(self):
        history = History()
        for n in range(5):
            history.reading(
                jst(self.SIX_MONTHS_AGO - timedelta(days=n), 7), ReadingKind.WEIGHT, 62.0
            )
        weekly_weights(history, MONDAY, 3, 59.5)
        (candidate,) = run(history, self.NOW)
        assert candidate.evidence["drop_kg"] == 2.5

    def test_weights_taken_during_a_hospital_stay_are_left_out(self):
        history = self.with_weights(60.0, 60.0)
        for n in range(3):
            history.reading(jst(SUNDAY - timedelta(days=n), 7), ReadingKind.WEIGHT, 50.0)
            history.reading(jst(SUNDAY - timedelta(days=n), 8), ReadingKind.WEIGHT, 50.0)
        history.away_from(jst(SUNDAY - timedelta(days=3)), jst(SUNDAY, 12))
        assert run(history, self.NOW) == []


def daily_steps(history: History, start: date, days: int, steps: float, measure="steps"):
    for n in range(days):
        history.answer(start + timedelta(days=n), "evening", question_id=measure, value=steps)
    return history


class TestActivityDrop:
    NOW = jst(MONDAY, 9)
    LONG_START = MONDAY - timedelta(days=35)
    SHORT_START = MONDAY - timedelta(days=7)

    def with_steps(self, before, after, long_days=28, short_days=7, measure="steps"):
        history = daily_steps(History(), self.LONG_START, long_days, before, measure)
        return daily_steps(history, self.SHORT_START, short_days, after, measure)

    def test_steps_below_70_percent_of_the_previous_month_fire(self):
        (candidate,) = run(self.with_steps(5000, 3000), self.NOW, only="activity")
        assert (candidate.rule, candidate.period) == ("activity_drop:steps", "2026-11-23")
        assert candidate.evidence["ratio"] == 0.6
        assert candidate.evidence["short_window"] == ["2026-11-16", "2026-11-22"]
        assert candidate.evidence["long_window"] == ["2026-10-19", "2026-11-15"]

    def test_exactly_70_percent_does_not_fire(self):
        assert run(self.with_steps(5000, 3500), self.NOW, only="activity") == []

    def test_activity_minutes_are_watched_too(self):
        found = run(self.with_steps(60, 20, measure="activity_minutes"), self.NOW, only="activity")
        assert keys(found) == {("activity_drop:activity_minutes", "2026-11-23")}

    def test_four_days_of_seven_are_not_enough(self):
        assert run(self.with_steps(5000, 1000, short_days=4), self.NOW, only="activity") == []

    def test_five_days_of_seven_are_enough(self):
        assert run(self.with_steps(5000, 1000, short_days=5), self.NOW, only="activity") != []

    def test_nineteen_days_of_twenty_eight_are_not_enough(self):
        assert run(self.with_steps(5000, 1000, long_days=19), self.NOW, only="activity") == []

    def test_one_lazy_day_does_not_fire(self):
        history = self.with_steps(5000, 5000, short_days=6)
        history.answer(SUNDAY, "evening", question_id="steps", value=10)
        assert run(history, self.NOW, only="activity") == []

    def test_the_largest_value_of_a_day_is_used(self):
        history = self.with_steps(5000, 3000)
        for n in range(7):
            day = self.SHORT_START + timedelta(days=n)
            history.reading(jst(day, 12), ReadingKind.STEPS, 4800)
        assert run(history, self.NOW, only="activity") == []


class TestBloodPressure:
    @pytest.mark.parametrize(
        ("systolic", "diastolic", "rule"),
        [
            (159, 99, None),
            (160, 99, "bp_high"),
            (159, 100, "bp_high"),
            (179, 119, "bp_high"),
            (180, 90, "bp_urgent"),
            (150, 120, "bp_urgent"),
        ],
    )
    def test_home_limits(self, systolic, diastolic, rule):
        value = {"systolic": systolic, "diastolic": diastolic}
        history = History().answer(MONDAY, question_id="blood_pressure", value=value)
        found = run(history, jst(MONDAY, 7), only="bp")
        assert [c.rule for c in found] == ([rule] if rule else [])

    def test_urgent_is_urgent_and_high_is_same_day(self):
        history = History().reading(
            jst(MONDAY, 7), ReadingKind.BLOOD_PRESSURE, {"systolic": 185, "diastolic": 90}
        )
        history.reading(
            jst(SUNDAY, 7), ReadingKind.BLOOD_PRESSURE, {"systolic": 165, "diastolic": 90}
        )
        found = run(history, jst(MONDAY, 8), only="bp")
        assert [(c.rule, c.period, c.severity) for c in found] == [
            ("bp_urgent", "2026-11-23", Severity.URGENT),
            ("bp_high", "2026-11-22", Severity.SAME_DAY),
        ]

    def test_a_reading_late_at_night_is_caught_after_midnight(self):
        history = History().reading(
            jst(SUNDAY, 23, 50), ReadingKind.BLOOD_PRESSURE, {"systolic": 182, "diastolic": 95}
        )
        assert keys(run(history, jst(MONDAY, 0, 10), only="bp")) == {("bp_urgent", "2026-11-22")}

    def test_readings_before_the_recent_dates_are_not_raised(self):
        history = History().reading(
            jst(SATURDAY, 7), ReadingKind.BLOOD_PRESSURE, {"systolic": 200, "diastolic": 130}
        )
        assert run(history, jst(MONDAY, 0, 10), only="bp") == []

    def test_the_policy_limits_are_used(self):
        policy = POLICY.model_copy(
            update={"bp_follow_up": BloodPressureLimit(systolic=150, diastolic=95)}
        )
        value = {"systolic": 152, "diastolic": 80}
        history = History().answer(MONDAY, question_id="blood_pressure", value=value)
        assert keys(run(history, jst(MONDAY, 7), policy=policy, only="bp")) == {
            ("bp_high", "2026-11-23")
        }


class TestEmergency:
    def test_emergency_words_are_urgent_at_once(self):
        (candidate,) = run(
            History().event("e-1", at=jst(MONDAY, 9)), jst(MONDAY, 9), only="emergency"
        )
        assert (candidate.rule, candidate.period, candidate.severity) == (
            "emergency",
            "e-1",
            Severity.URGENT,
        )
        assert candidate.evidence["detail"] == {"words": "たすけて"}

    def test_each_event_is_its_own_alert(self):
        history = History().event("e-1", at=jst(MONDAY, 9)).event("e-2", at=jst(MONDAY, 9, 5))
        assert keys(run(history, jst(MONDAY, 10), only="emergency")) == {
            ("emergency", "e-1"),
            ("emergency", "e-2"),
        }

    def test_an_elder_who_is_not_watched_still_gets_help(self):
        history = History(make_elder(consent=None)).event(at=jst(MONDAY, 9))
        assert [c.rule for c in run(history, jst(MONDAY, 10))] == ["emergency"]

    def test_old_and_future_events_are_not_raised(self):
        history = History().event("old", at=jst(SATURDAY, 9)).event("later", at=jst(MONDAY, 11))
        assert run(history, jst(MONDAY, 10), only="emergency") == []


class TestEvaluate:
    def test_the_most_severe_come_first(self):
        history = (
            History()
            .answer_all(SUNDAY)
            .answer(MONDAY, value="bad")
            .event(at=jst(MONDAY, 9))
            .answer(MONDAY, question_id="blood_pressure", value={"systolic": 165, "diastolic": 80})
        )
        found = run(history, jst(MONDAY, 22, 30))
        assert [c.severity for c in found] == [
            Severity.URGENT,
            Severity.SAME_DAY,
            Severity.SAME_DAY,
            Severity.INFO,
        ]

    def test_the_default_policy_needs_209_days_for_the_weight_rule(self):
        assert days_needed(POLICY) == 182 + 28 - 1

    def test_now_without_a_time_zone_is_refused(self):
        with pytest.raises(ValueError, match="aware"):
            run(History(), datetime(2026, 11, 23, 12))

    def test_data_of_another_elder_is_ignored(self):
        history = History().answer_all(SUNDAY).answer(MONDAY, value="bad", elder_id="elder-2")
        assert keys(run(history, jst(MONDAY, 9))) == set()


# --- properties ----------------------------------------------------------------------------

START = SATURDAY  # generated data spans Saturday to Tuesday
HOURS = 4 * 24


@st.composite
def histories(draw) -> tuple[History, datetime]:
    """Draw a few days of answers, readings, events and away periods, and a ``now``."""
    history = History()
    for hour in sorted(draw(st.sets(st.integers(0, HOURS - 1), max_size=8))):
        at = jst(START) + timedelta(hours=hour, minutes=draw(st.integers(0, 59)))
        slot = OSHU.slot_at(at.time())
        day = at.date()
        if slot is None:
            continue
        question, value = draw(
            st.sampled_from(
                [
                    ("condition", "bad"),
                    ("condition", "good"),
                    ("medication", False),
                    ("sleep", "slept_poorly"),
                    ("blood_pressure", {"systolic": 185, "diastolic": 100}),
                    ("blood_pressure", {"systolic": 165, "diastolic": 80}),
                ]
            )
        )
        history.answer(day, slot.id, at=at, question_id=question, value=value)
    for hour in draw(st.lists(st.integers(0, HOURS - 1), max_size=3)):
        value = {"systolic": draw(st.integers(120, 200)), "diastolic": draw(st.integers(70, 125))}
        history.reading(jst(START) + timedelta(hours=hour), ReadingKind.BLOOD_PRESSURE, value)
    for n, hour in enumerate(draw(st.lists(st.integers(0, HOURS - 1), max_size=2))):
        history.event(f"event-{n}", at=jst(START) + timedelta(hours=hour))
    for _ in range(draw(st.integers(0, 2))):
        start = jst(START) + timedelta(hours=draw(st.integers(0, HOURS)))
        length = draw(st.one_of(st.none(), st.integers(1, 60)))
        history.away_from(start, None if length is None else start + timedelta(hours=length))
    now = jst(START) + timedelta(minutes=draw(st.integers(0, (HOURS + 24) * 60)))
    return history, now


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def times_in(value) -> list[datetime]:
    """Return every timestamp named in an evidence value ("at", "answered_at", ...)."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if key in ("at", "answered_at") and isinstance(item, str):
                found.append(datetime.fromisoformat(item))
            else:
                found.extend(times_in(item))
        return found
    if isinstance(value, list):
        return [t for item in value for t in times_in(item)]
    return []


BOTH = pytest.mark.parametrize("policy", [POLICY, DEFAULT], ids=["fixed", "default"])


@BOTH
@PROPERTY
@given(histories())
def test_no_candidate_but_emergency_concerns_a_time_inside_an_away_period(policy, drawn):
    history, now = drawn
    for candidate in run(history, now, policy=policy):
        if candidate.rule == "emergency":
            continue
        assert not any(p.covers(now) for p in history.away)
        for at in times_in(candidate.evidence):
            assert not any(p.covers(at) for p in history.away), (candidate, at)
        if candidate.rule == "missed_checkin":
            start = datetime.fromisoformat(candidate.evidence["slot_start"])
            for p in history.away:
                assert p.start > now or (p.end is not None and p.end <= start), candidate


@BOTH
@PROPERTY
@given(histories())
def test_evaluate_gives_each_key_once_and_the_same_answer_every_time(policy, drawn):
    history, now = drawn
    first = run(history, now, policy=policy)
    assert len(keys(first)) == len(first)
    assert run(history, now, policy=policy) == first
    shuffled = history.build()
    shuffled = replace(
        shuffled,
        answers=shuffled.answers[::-1],
        readings=shuffled.readings[::-1],
        checkins=shuffled.checkins[::-1],
        events=shuffled.events[::-1],
        away_periods=shuffled.away_periods[::-1],
    )
    assert evaluate(shuffled, OSHU, policy, now) == first


@BOTH
@PROPERTY
@given(histories(), st.integers(1, 400), st.integers(1, 72))
def test_data_outside_every_window_never_changes_the_result(policy, drawn, days_back, hours_ahead):
    history, now = drawn
    before = run(history, now, policy=policy)
    old = now.date() - timedelta(days=days_needed(POLICY) + days_back)
    later = now + timedelta(hours=hours_ahead)
    history.answer(old, value="bad").answer(old, question_id="weight", value=90.0)
    history.answer(later.date(), "evening", at=later, value="bad")
    history.reading(jst(old, 7), ReadingKind.BLOOD_PRESSURE, {"systolic": 200, "diastolic": 130})
    history.reading(later, ReadingKind.BLOOD_PRESSURE, {"systolic": 200, "diastolic": 130})
    history.reading(jst(old, 7), ReadingKind.STEPS, 99999)
    history.event("old-event", at=jst(old, 9)).event("later-event", at=later)
    assert run(history, now, policy=policy) == before


class TestWatchingSince:
    def test_no_check_in_is_missed_before_a_speaker_is_bound(self):
        history = History(watching_since=jst(MONDAY, 12, 0))
        periods = [c.period for c in run(history, jst(TUESDAY, 9, 0), only="missed")]
        assert periods == ["2026-11-23/evening"]  # the morning was before the speaker

    def test_an_elder_without_a_speaker_never_misses_a_check_in(self):
        assert run(History(watching_since=None), jst(TUESDAY, 12, 0), only="missed") == []

    def test_slots_after_the_binding_count(self):
        history = History(watching_since=jst(MONDAY, 5, 0))
        periods = [c.period for c in run(history, jst(MONDAY, 11, 31), only="missed")]
        assert periods == ["2026-11-23/morning"]
