"""Question sets: the shipped ones are valid; bad ones say where and what is wrong."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main
from questions.loader import SETS_DIR, QuestionSetError, load_question_set, load_sets
from questions.schema import ElderOverrides, Schedule, ScheduleOverride

FIXTURES = Path(__file__).parents[1] / "fixtures" / "questions"
MODEL = Path(__file__).parents[2] / "skill/skill-package/interactionModels/custom/ja-JP.json"
SHIPPED = sorted(SETS_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def sets():
    return load_sets()


def answer_ids() -> set[str]:
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    (answer_type,) = [
        t for t in model["interactionModel"]["languageModel"]["types"] if t["name"] == "ANSWER"
    ]
    return {v["id"] for v in answer_type["values"]}


class TestShippedSets:
    @pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
    def test_every_shipped_set_is_valid(self, path):
        qset = load_question_set(path)
        assert qset.municipality_code == path.stem

    @pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
    def test_every_choice_option_is_an_answer_alexa_can_resolve(self, path):
        ids = answer_ids()
        for q in load_question_set(path).questions:
            for option in getattr(q, "options", ()):
                assert option.id in ids, (q.id, option.id)
            for value in (
                *getattr(q, "yes_ids", ()),
                *getattr(q, "no_ids", ()),
                *getattr(q, "aliases", {}),
            ):
                assert value in ids, (q.id, value)

    def test_there_are_two_sample_municipalities_that_ask_different_things(self, sets):
        assert len(sets) >= 2
        asked = [frozenset(q.id for q in s.questions) for s in sets.values()]
        assert len(set(asked)) == len(asked)

    def test_the_catalog_has_the_built_in_questions(self, sets):
        catalog = next(iter(sets.values())).catalog
        assert {
            "condition",
            "sleep",
            "medication",
            "breakfast",
            "lunch",
            "dinner",
            "blood_pressure",
            "weight",
            "steps",
            "activity_minutes",
            "mood",
        } <= set(catalog)


class TestSchedules:
    def test_weekly_questions_are_due_on_their_weekday_only(self, sets):
        oshu = sets["032158"]
        assert "weight" in [q.id for q in oshu.due(date(2026, 11, 23), "morning")]  # Monday
        assert "weight" not in [q.id for q in oshu.due(date(2026, 11, 24), "morning")]

    def test_monthly_questions_are_due_on_their_day(self, sets):
        kudoyama = sets["303445"]
        assert "fall_this_month" in [q.id for q in kudoyama.due(date(2026, 12, 1), "morning")]
        assert "fall_this_month" not in [q.id for q in kudoyama.due(date(2026, 12, 2), "morning")]

    def test_a_31st_falls_on_the_last_day_of_a_short_month(self):
        schedule = Schedule(slots=("morning",), every="month", day=31)
        assert schedule.is_due_on(date(2027, 2, 28))
        assert not schedule.is_due_on(date(2027, 2, 27))
        assert schedule.is_due_on(date(2028, 2, 29))
        assert schedule.is_due_on(date(2026, 12, 31))

    def test_the_slot_is_the_latest_one_started(self, sets):
        oshu = sets["032158"]
        assert oshu.slot_at(time(5, 59)) is None
        assert oshu.slot_at(time(6, 0)).id == "morning"
        assert oshu.slot_at(time(14, 0)).id == "morning"  # late answers still count
        assert oshu.slot_at(time(17, 0)).id == "evening"

    def test_overrides_remove_add_and_move_questions(self, sets):
        oshu = sets["032158"]
        overrides = ElderOverrides(
            remove=("sleep",),
            add=("steps",),
            schedules={"medication": ScheduleOverride(slots=("evening",))},
        )
        morning = [q.id for q in oshu.due(date(2026, 11, 24), "morning", overrides)]
        evening = [q.id for q in oshu.due(date(2026, 11, 24), "evening", overrides)]
        assert "sleep" not in morning
        assert "medication" not in morning
        assert "medication" in evening
        assert "steps" in evening


class TestInvalidSets:
    def test_an_unknown_slot_names_the_file_the_path_and_the_problem(self):
        with pytest.raises(QuestionSetError) as info:
            load_question_set(FIXTURES / "bad_slot.yaml")
        report = info.value.report()
        assert (
            "bad_slot.yaml:8: questions[1].schedule.slots: slot 'evening' は slots にありません"
            in report
        )

    def test_a_choice_with_one_option_is_refused_with_its_path(self):
        with pytest.raises(QuestionSetError) as info:
            load_question_set(FIXTURES / "bad_kind.yaml")
        (problem,) = info.value.problems
        assert problem.path == "questions[1].options"
        assert problem.line == 17
        assert problem.message == "少なくとも 2 個必要です"

    def test_every_problem_is_reported_at_once_in_japanese_a_mistyped_use_too(self):
        from questions.loader import SETS_DIR, load_question_set_text

        text = (SETS_DIR / "032158.yaml").read_text(encoding="utf-8")
        broken = text.replace("use: mood", "use: moood", 1).replace('start: "06:00"', "start: 6")
        with pytest.raises(QuestionSetError) as info:
            load_question_set_text(broken, SETS_DIR / "032158.yaml")
        messages = {p.message for p in info.value.problems}
        assert "文字で書いてください" in messages  # not pydantic's "Input should be a valid string"
        assert "カタログに 'moood' はありません" in messages
        assert all(not m.isascii() for m in messages)

    def test_broken_yaml_says_which_line(self):
        with pytest.raises(QuestionSetError) as info:
            load_question_set(FIXTURES / "bad_yaml.yaml")
        assert "YAML として読めません" in info.value.report()
        assert info.value.problems[0].line is not None

    def test_a_wrong_check_digit_is_refused(self, tmp_path):
        text = (FIXTURES / "bad_slot.yaml").read_text(encoding="utf-8")
        path = tmp_path / "bad.yaml"
        path.write_text(
            text.replace('"032158"', '"032159"').replace("  - use: dinner\n", ""), encoding="utf-8"
        )
        with pytest.raises(QuestionSetError) as info:
            load_question_set(path)
        assert info.value.problems[0].path == "municipality_code"
        assert "検査数字" in info.value.problems[0].message

    def test_an_impossible_date_is_reported_with_its_path_not_a_crash(self, tmp_path):
        text = (FIXTURES / "bad_slot.yaml").read_text(encoding="utf-8")
        path = tmp_path / "bad.yaml"
        path.write_text(text + "checked: 2026-02-30\n", encoding="utf-8")
        with pytest.raises(QuestionSetError) as info:
            load_question_set(path)
        assert any(problem.path == "checked" for problem in info.value.problems)

    def test_a_file_that_is_not_utf8_is_refused(self, tmp_path):
        path = tmp_path / "bad.yaml"
        path.write_bytes(b"municipality_code: \xff\xfe\n")
        with pytest.raises(QuestionSetError) as info:
            load_question_set(path)
        assert "UTF-8" in info.value.problems[0].message


class TestValidateCommand:
    def test_valid_sets_print_ok_and_exit_zero(self):
        result = CliRunner().invoke(main, ["questions", "validate", str(SETS_DIR)])
        assert result.exit_code == 0, result.output
        assert result.output.count("OK ") == len(SHIPPED)

    def test_an_invalid_set_prints_where_and_what_and_exits_non_zero(self):
        result = CliRunner().invoke(
            main, ["questions", "validate", str(FIXTURES / "bad_slot.yaml")]
        )
        assert result.exit_code != 0
        assert "bad_slot.yaml:8: questions[1].schedule.slots" in result.output

    def test_a_missing_file_is_an_error_not_a_crash(self, tmp_path):
        result = CliRunner().invoke(main, ["questions", "validate", str(tmp_path / "none.yaml")])
        assert result.exit_code != 0
        assert "読めません" in result.output
