"""Alert policies: the shipped ones are valid; bad ones say where and what is wrong."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from questions.loader import QuestionSetError
from questions.policy import (
    DEFAULT_POLICY,
    POLICIES_DIR,
    Policy,
    PolicyError,
    load_policies,
    load_policy,
    policy_for,
)

SHIPPED = sorted(POLICIES_DIR.glob("*.yaml"))


def write(directory, name: str, text: str):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def report_of(path) -> str:
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    return info.value.report()


class TestShippedPolicies:
    @pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
    def test_every_shipped_policy_is_valid(self, path):
        policy = load_policy(path)
        assert policy.municipality_code in (path.stem, None)

    def test_both_sample_municipalities_have_a_policy(self):
        assert {"032158", "303445"} <= set(load_policies())

    def test_a_municipality_without_a_file_gets_the_defaults(self):
        assert policy_for("131016") == DEFAULT_POLICY

    def test_a_municipality_with_a_file_gets_its_own(self):
        assert policy_for("303445").municipality_code == "303445"


class TestDefaults:
    def test_missed_check_in_defaults(self):
        assert (
            DEFAULT_POLICY.grace_minutes,
            DEFAULT_POLICY.family_after_minutes,
            DEFAULT_POLICY.center_after_hours,
            DEFAULT_POLICY.priority_days_running,
        ) == (60, 120, 24, 2)

    def test_weight_and_activity_defaults(self):
        p = DEFAULT_POLICY
        assert (p.weight_drop_kg, p.weight_window_days, p.weight_median_days) == (2.0, 182, 28)
        assert p.weight_min_values == 3
        assert (p.activity_drop_ratio, p.activity_short_days, p.activity_long_days) == (0.7, 7, 28)
        assert (p.activity_short_min_days, p.activity_long_min_days) == (5, 20)

    def test_blood_pressure_defaults(self):
        assert (DEFAULT_POLICY.bp_follow_up.systolic, DEFAULT_POLICY.bp_follow_up.diastolic) == (
            160,
            100,
        )
        assert (DEFAULT_POLICY.bp_urgent.systolic, DEFAULT_POLICY.bp_urgent.diastolic) == (180, 120)

    def test_a_policy_cannot_be_changed_after_loading(self):
        with pytest.raises(ValidationError):
            DEFAULT_POLICY.grace_minutes = 5  # type: ignore[misc]


class TestPolicyFiles:
    def test_an_empty_file_means_every_default(self, tmp_path):
        assert load_policy(write(tmp_path, "x.yaml", "# 既定値のまま\n")) == DEFAULT_POLICY

    def test_a_file_changes_only_what_it_lists(self, tmp_path):
        policy = load_policy(write(tmp_path, "x.yaml", "grace_minutes: 90\n"))
        assert policy.grace_minutes == 90
        assert policy.family_after_minutes == DEFAULT_POLICY.family_after_minutes

    def test_default_yaml_is_the_fallback_of_its_folder(self, tmp_path):
        write(tmp_path, "default.yaml", "grace_minutes: 30\n")
        assert policy_for("131016", tmp_path).grace_minutes == 30

    def test_without_any_file_the_built_in_defaults_apply(self, tmp_path):
        assert policy_for("131016", tmp_path) == Policy()


class TestInvalidPolicies:
    def test_a_bad_value_names_the_file_line_path_and_problem(self, tmp_path):
        path = write(
            tmp_path, "bad.yaml", '# 方針\nmunicipality_code: "032158"\ngrace_minutes: -5\n'
        )
        assert report_of(path) == f"{path}:3: grace_minutes: 0 以上にしてください"

    def test_a_misspelt_key_is_refused(self, tmp_path):
        path = write(tmp_path, "bad.yaml", "grace_minutes: 60\ngrace_minute: 60\n")
        assert f"{path}:2: grace_minute: この項目は使えません" in report_of(path)

    def test_a_nested_value_has_its_own_path_and_line(self, tmp_path):
        text = "bp_urgent:\n  systolic: 180\n  diastolic: 20\n"
        path = write(tmp_path, "bad.yaml", text)
        assert report_of(path) == f"{path}:3: bp_urgent.diastolic: 50 以上にしてください"

    def test_a_fraction_where_a_whole_number_is_needed_is_said_in_japanese(self, tmp_path):
        path = write(tmp_path, "bad.yaml", "center_after_hours: 1.5\n")
        assert report_of(path) == f"{path}:1: center_after_hours: 整数を書いてください"

    def test_limits_that_contradict_each_other_are_refused(self, tmp_path):
        text = "bp_follow_up: {systolic: 190, diastolic: 100}\n"
        path = write(tmp_path, "bad.yaml", text)
        assert "bp_follow_up は bp_urgent 以下にしてください" in report_of(path)

    def test_a_center_cap_before_the_center_deadline_is_refused(self, tmp_path):
        path = write(tmp_path, "bad.yaml", "center_after_hours: 36\ncenter_max_hours: 30\n")
        assert "center_max_hours は center_after_hours 以上にしてください" in report_of(path)

    def test_a_list_instead_of_settings_is_refused(self, tmp_path):
        path = write(tmp_path, "bad.yaml", "- grace_minutes: 60\n")
        assert "「項目: 値」の形で書いてください" in report_of(path)

    def test_broken_yaml_says_which_line(self, tmp_path):
        path = write(tmp_path, "bad.yaml", "grace_minutes: 60\nfamily_after_minutes: [\n")
        with pytest.raises(PolicyError) as info:
            load_policy(path)
        assert "YAML として読めません" in info.value.report()
        assert info.value.problems[0].line is not None

    def test_a_missing_file_is_an_error_not_a_crash(self, tmp_path):
        with pytest.raises(PolicyError, match="読めません"):
            load_policy(tmp_path / "none.yaml")

    def test_a_wrong_check_digit_is_refused(self, tmp_path):
        path = write(tmp_path, "bad.yaml", 'municipality_code: "032159"\n')
        assert "municipality_code: 検査数字が一致しません" in report_of(path)

    def test_the_file_name_must_match_the_code(self, tmp_path):
        path = write(tmp_path / "policies", "032158.yaml", 'municipality_code: "303445"\n')
        assert f"{path}:1: municipality_code: ファイル名 032158.yaml" in report_of(path)

    def test_policy_errors_are_question_set_errors_for_the_validate_command(self):
        assert issubclass(PolicyError, QuestionSetError)
