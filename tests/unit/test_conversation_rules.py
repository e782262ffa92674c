"""The pure rules that decide what a reply means."""

from __future__ import annotations

import pytest

from backend.domain.conversation import (
    ReaskReason,
    Reply,
    ReplyKind,
    StepKind,
    interpret,
    is_concerning,
    number_from_parts,
)
from questions.codes import InvalidMunicipalityCode, validate_municipality_code
from questions.loader import load_catalog, load_sets

CATALOG = load_catalog()
TIREDNESS = load_sets()["303445"].question("tiredness")


def number(value):
    return Reply(ReplyKind.NUMBER, value)


class TestNumbers:
    @pytest.mark.parametrize(
        ("whole", "fraction", "hours", "expected"),
        [
            (52, None, None, 52),
            (52, "5", None, 52.5),
            (52, "500", None, 52.5),
            (52, "25", None, 52.25),
            (30, None, 1, 90),
            (None, None, 2, 120),
            (None, None, None, None),
            (52, "x", None, None),
        ],
    )
    def test_spoken_parts_make_one_number(self, whole, fraction, hours, expected):
        assert number_from_parts(whole, fraction, hours) == expected

    def test_weight_is_rounded_to_its_decimals_and_read_back(self):
        step = interpret(CATALOG["weight"], number(52.25))
        assert step.kind is StepKind.CONFIRM
        assert step.value == 52.3

    def test_steps_are_whole_numbers(self):
        assert interpret(CATALOG["steps"], number(6500.0)).value == 6500

    def test_a_value_outside_the_plausible_range_is_asked_again(self):
        step = interpret(CATALOG["weight"], number(5))
        assert (step.kind, step.reason) == (StepKind.REASK, ReaskReason.OUT_OF_RANGE)

    def test_a_value_far_from_the_last_is_asked_again_once(self):
        first = interpret(CATALOG["weight"], number(58), last_value=52.0)
        assert (first.kind, first.reason, first.value) == (
            StepKind.REASK,
            ReaskReason.CHECK_AGAIN,
            58,
        )
        second = interpret(CATALOG["weight"], number(58), last_value=52.0, attempt=58)
        assert second.kind is StepKind.CONFIRM

    def test_a_different_second_value_is_checked_again(self):
        step = interpret(CATALOG["weight"], number(60), last_value=52.0, attempt=58)
        assert step.reason is ReaskReason.CHECK_AGAIN

    def test_a_pending_value_is_stored_on_yes_and_asked_again_on_no(self):
        yes = interpret(CATALOG["weight"], Reply(ReplyKind.YES), pending=52.5)
        no = interpret(CATALOG["weight"], Reply(ReplyKind.NO), pending=52.5)
        assert (yes.kind, yes.value) == (StepKind.STORE, 52.5)
        assert (no.kind, no.reason) == (StepKind.REASK, ReaskReason.SAY_AGAIN)


class TestBloodPressure:
    def bp(self, systolic, diastolic):
        return Reply(ReplyKind.BLOOD_PRESSURE, {"systolic": systolic, "diastolic": diastolic})

    def test_a_human_pressure_is_read_back(self):
        step = interpret(CATALOG["blood_pressure"], self.bp(135, 85))
        assert (step.kind, step.value) == (StepKind.CONFIRM, {"systolic": 135, "diastolic": 85})

    @pytest.mark.parametrize(
        ("systolic", "diastolic"), [(300, 85), (135, 10), (80, 120), (None, 80)]
    )
    def test_an_impossible_pressure_is_asked_again(self, systolic, diastolic):
        assert (
            interpret(CATALOG["blood_pressure"], self.bp(systolic, diastolic)).kind
            is StepKind.REASK
        )


class TestScale:
    def test_a_point_on_the_scale_is_stored(self):
        assert interpret(TIREDNESS, number(3.0)).value == 3

    @pytest.mark.parametrize("value", [0, 6, 2.5])
    def test_a_point_off_the_scale_is_asked_again(self, value):
        assert interpret(TIREDNESS, number(value)).reason is ReaskReason.OUT_OF_RANGE


class TestConcerning:
    def test_single_day_concerns_are_flagged(self):
        assert is_concerning(CATALOG["condition"], "bad")
        assert not is_concerning(CATALOG["condition"], "good")

    def test_days_running_concerns_are_left_to_the_alert_rules(self):
        assert not is_concerning(CATALOG["medication"], False)

    def test_numeric_concerns_use_thresholds(self):
        assert not is_concerning(TIREDNESS, 5)  # only 3 days running is concerning


class TestMunicipalityCodes:
    @pytest.mark.parametrize("code", ["032158", "303445", "131016", "011002"])
    def test_real_codes_pass_the_check_digit(self, code):
        assert validate_municipality_code(code) == code

    @pytest.mark.parametrize("code", ["032159", "12345", "abcdef", ""])
    def test_wrong_codes_are_refused(self, code):
        with pytest.raises(InvalidMunicipalityCode):
            validate_municipality_code(code)
