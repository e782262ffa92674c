"""基本チェックリスト: the item file, scoring at the MHLW cut-offs, items spread over days, the rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from backend.domain.kihon_scoring import Status, bmi, score_kihon_checklist
from backend.domain.model import AwayKind, AwayPeriod, Severity
from backend.domain.rules import ElderHistory, evaluate, kihon_checklist
from questions.instruments import instrument_items_due, instrument_questions_due
from questions.kihon import BMI_ITEM, CRITERIA, ITEM_IDS, POINT_ON, VOICE_ITEMS, item_id
from questions.loader import (
    INSTRUMENT_PATHS,
    SETS_DIR,
    QuestionSetError,
    load_instrument,
    load_question_set,
)
from questions.policy import Policy
from questions.schema import ElderOverrides
from tests.builders import ELDER_ID, jst, make_answer, make_checkin, make_elder

INSTRUMENT = load_instrument()
OSHU_TEXT = (SETS_DIR / "032158.yaml").read_text(encoding="utf-8")
NOVEMBER = date(2026, 11, 1)


def ids(questions) -> list[str]:
    return [q.id for q in questions]


def nos(*numbers: int) -> list[str]:
    return [item_id(n) for n in numbers]


def answers_scoring(points: set[int], answered: set[int] | None = None) -> dict[str, bool]:
    """Return answers to the items ``answered`` (default all) scoring exactly on ``points``."""
    answered = set(range(1, 26)) if answered is None else answered
    assert points <= answered
    return {
        item_id(n): POINT_ON[item_id(n)] if n in points else not POINT_ON[item_id(n)]
        for n in answered
    }


def set_with(tmp_path: Path, instruments: str) -> object:
    path = tmp_path / "032158.yaml"
    path.write_text(OSHU_TEXT + instruments, encoding="utf-8")
    return load_question_set(path)


# --- the item file ------------------------------------------------------------------------------


class TestItemFile:
    def test_it_has_the_25_items_in_order_as_yes_no_questions(self):
        assert ids(INSTRUMENT.questions) == list(ITEM_IDS) == [f"kc{n:02d}" for n in range(1, 26)]
        assert [i.number for i in INSTRUMENT.items] == list(range(1, 26))
        assert {q.kind for q in INSTRUMENT.questions} == {"yes_no"}

    def test_the_items_that_score_on_iie_are_1_to_8_16_and_19(self):
        on_no = {i.number for i in INSTRUMENT.items if i.point_on == "no"}
        assert on_no == {1, 2, 3, 4, 5, 6, 7, 8, 16, 19}
        assert {n for n in range(1, 26) if not POINT_ON[item_id(n)]} == on_no

    def test_only_the_bmi_item_is_not_asked_by_voice(self):
        assert [i.question.id for i in INSTRUMENT.items if not i.voice] == [BMI_ITEM]
        assert ids(INSTRUMENT.voice_questions) == list(VOICE_ITEMS)
        assert len(VOICE_ITEMS) == 24

    def test_items_raise_no_same_day_concern(self):
        assert all(not q.concerning for q in INSTRUMENT.questions)

    def test_the_official_wording_is_kept_for_the_center(self):
        official = {i.number: i.official for i in INSTRUMENT.items}
        assert official[1] == "バスや電車で1人で外出していますか"
        assert official[16] == "週に1回以上は外出していますか"
        assert official[25] == "（ここ2週間）わけもなく疲れたような感じがする"

    def test_the_spoken_wording_is_short_and_the_mood_items_name_their_two_weeks(self):
        for q in INSTRUMENT.voice_questions:
            assert len(q.wording.speech) <= 45, q.id
            assert q.wording.speech.endswith("か。"), q.id
        for n in range(21, 26):
            assert "2週間" in INSTRUMENT.questions[n - 1].wording.speech

    def test_a_wrong_scoring_answer_is_refused_with_its_path(self, tmp_path):
        source = INSTRUMENT_PATHS["kihon_checklist"].read_text(encoding="utf-8")
        broken = source.replace(
            'official: 日用品の買物をしていますか\n    point_on: "no"',
            'official: 日用品の買物をしていますか\n    point_on: "yes"',
        )
        assert broken != source
        path = tmp_path / "kihon_checklist.yaml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(QuestionSetError) as info:
            load_instrument("kihon_checklist", path)
        (problem,) = info.value.problems
        assert problem.path == "items[1].point_on"
        assert "'no' で1点" in problem.message
        assert problem.line is not None

    def test_an_unknown_instrument_is_an_error(self):
        with pytest.raises(QuestionSetError, match="ありません"):
            load_instrument("gds15")


# --- opting in from a question set ---------------------------------------------------------------


class TestQuestionSetOptIn:
    def test_a_set_opts_in_by_name_and_gets_the_items_in_its_earliest_slot(self, tmp_path):
        qset = set_with(tmp_path, "instruments: [kihon_checklist]\n")
        (use,) = qset.instruments
        assert (use.use, use.slot, use.start_day, use.per_session) == (
            "kihon_checklist",
            "morning",
            1,
            5,
        )
        assert qset.question("kc05").schedule.slots == ("morning",)
        assert qset.question("kc12") is not None  # staff may record it

    def test_the_items_are_never_in_the_daily_due_list(self, tmp_path):
        qset = set_with(tmp_path, "instruments: [kihon_checklist]\n")
        for day in (NOVEMBER, NOVEMBER + timedelta(days=1)):
            assert not any(q.id.startswith("kc") for q in qset.due(day, "morning"))

    def test_options_can_be_written(self, tmp_path):
        qset = set_with(
            tmp_path,
            "instruments:\n  - {use: kihon_checklist, slot: evening, start_day: 3, per_session: 4}\n",
        )
        (use,) = qset.instruments
        assert (use.slot, use.start_day, use.per_session) == ("evening", 3, 4)

    def test_an_unknown_slot_says_where(self, tmp_path):
        with pytest.raises(QuestionSetError) as info:
            set_with(tmp_path, "instruments: [{use: kihon_checklist, slot: noon}]\n")
        (problem,) = info.value.problems
        assert problem.path == "instruments[0].slot"
        assert "noon" in problem.message

    def test_an_unknown_instrument_is_refused(self, tmp_path):
        with pytest.raises(QuestionSetError) as info:
            set_with(tmp_path, "instruments: [gds15]\n")
        assert info.value.problems[0].path.startswith("instruments[0]")

    def test_sets_without_instruments_are_unchanged(self):
        qset = load_question_set(SETS_DIR / "032158.yaml")
        assert qset.instruments == ()
        assert qset.question("kc01") is None


# --- scoring --------------------------------------------------------------------------------------


CUTOFF_CASES = [
    # criterion, items of the criterion, cut-off
    ("overall", range(1, 21), 10),
    ("motor", range(6, 11), 3),
    ("nutrition", range(11, 13), 2),
    ("oral", range(13, 16), 2),
    ("housebound", [16], 1),
    ("cognition", range(18, 21), 1),
    ("depression", range(21, 26), 2),
]


class TestScoring:
    def test_the_criteria_are_the_mhlw_cut_offs(self):
        assert [(c.id, c.cutoff, [int(i[2:]) for i in c.items]) for c in CRITERIA] == [
            (name, cutoff, list(items)) for name, items, cutoff in CUTOFF_CASES
        ]

    @pytest.mark.parametrize(("name", "items", "cutoff"), CUTOFF_CASES)
    def test_each_cut_off_is_met_at_it_and_not_one_below(self, name, items, cutoff):
        items = list(items)
        below = score_kihon_checklist(answers_scoring(set(items[: cutoff - 1])))
        at = score_kihon_checklist(answers_scoring(set(items[:cutoff])))
        assert below.criterion(name).status is Status.NOT_MET
        assert below.criterion(name).points == cutoff - 1
        assert at.criterion(name).status is Status.MET
        assert at.criterion(name).points == cutoff
        assert name in at.met
        if cutoff < len(items):
            above = score_kihon_checklist(answers_scoring(set(items[: cutoff + 1])))
            assert above.criterion(name).status is Status.MET

    def test_no_risk_answers_meet_nothing_and_all_risk_answers_meet_everything(self):
        none = score_kihon_checklist(answers_scoring(set()))
        assert none.complete
        assert none.total == 0
        assert none.met == ()
        assert not none.flagged
        every = score_kihon_checklist(answers_scoring(set(range(1, 26))))
        assert every.total == 25
        assert every.met == tuple(c.id for c in CRITERIA)

    def test_iie_scores_for_the_things_one_still_does(self):
        result = score_kihon_checklist({"kc06": False, "kc07": False, "kc08": False})
        assert result.criterion("motor").status is Status.MET  # 3 of 5, two unanswered
        assert result.domain("motor").points == 3
        assert score_kihon_checklist({"kc06": True}).points == {"kc06": False}

    def test_housebound_is_item_16_only(self):
        assert score_kihon_checklist({"kc16": False}).criterion("housebound").status is Status.MET
        result = score_kihon_checklist({"kc16": True, "kc17": True})
        assert result.criterion("housebound").status is Status.NOT_MET
        assert result.domain("housebound").points == 1  # No.17 counts in the domain's score

    def test_the_domain_scores_are_reported(self):
        result = score_kihon_checklist(answers_scoring({1, 2, 9, 13, 21, 22, 23}))
        assert {d.id: d.points for d in result.domains} == {
            "iadl": 2,
            "motor": 1,
            "nutrition": 0,
            "oral": 1,
            "housebound": 0,
            "cognition": 0,
            "depression": 3,
        }
        assert result.total == 7
        assert result.met == ("depression",)

    def test_an_empty_month_decides_nothing(self):
        result = score_kihon_checklist({})
        assert result.answered == 0
        assert result.met == ()
        assert result.incomplete == tuple(c.id for c in CRITERIA)

    def test_an_incomplete_domain_is_reported_not_guessed(self):
        result = score_kihon_checklist(answers_scoring({21}, answered={21, 22, 23}))
        depression = result.criterion("depression")
        assert depression.status is Status.INCOMPLETE
        assert (depression.points, depression.answered, depression.of) == (1, 3, 5)
        assert depression.missing == ("kc24", "kc25")
        assert "depression" in result.incomplete
        assert not result.domain("depression").complete

    def test_a_cut_off_the_answers_already_reach_is_met_and_one_they_cannot_reach_is_not(self):
        reached = score_kihon_checklist(answers_scoring({21, 22}, answered={21, 22}))
        assert reached.criterion("depression").status is Status.MET
        unreachable = score_kihon_checklist(answers_scoring(set(), answered={13, 14}))
        assert unreachable.criterion("oral").status is Status.NOT_MET  # 0 + 1 missing < 2

    def test_without_bmi_nutrition_needs_the_weight_loss_answer_to_be_decided(self):
        lost = score_kihon_checklist(answers_scoring({11}, answered=set(range(1, 26)) - {12}))
        assert lost.criterion("nutrition").status is Status.INCOMPLETE
        kept = score_kihon_checklist(answers_scoring(set(), answered=set(range(1, 26)) - {12}))
        assert kept.criterion("nutrition").status is Status.NOT_MET
        assert not kept.complete

    @pytest.mark.parametrize(("points", "status"), [(8, "not_met"), (9, "incomplete"), (10, "met")])
    def test_without_bmi_the_overall_cut_off_is_decided_when_it_can_be(self, points, status):
        answered = set(range(1, 26)) - {12}
        scoring = set(sorted(answered - {12})[:points])
        result = score_kihon_checklist(answers_scoring(scoring, answered=answered))
        assert result.criterion("overall").status.value == status

    def test_bmi_decides_item_12_below_18_5(self):
        assert score_kihon_checklist({}, bmi=18.4).points == {BMI_ITEM: True}
        assert score_kihon_checklist({}, bmi=18.5).points == {BMI_ITEM: False}
        assert score_kihon_checklist({BMI_ITEM: True}, bmi=22.0).points == {BMI_ITEM: False}
        both = score_kihon_checklist({"kc11": True}, bmi=bmi(150, 40))  # BMI 17.8
        assert both.criterion("nutrition").status is Status.MET
        assert bmi(160, 51.2) == pytest.approx(20.0)

    def test_other_ids_are_ignored_and_non_yes_no_values_refused(self):
        assert score_kihon_checklist({"condition": "good", "kc01": None}).answered == 0
        with pytest.raises(TypeError):
            score_kihon_checklist({"kc01": "yes"})

    def test_the_evidence_is_plain_data(self):
        evidence = score_kihon_checklist(answers_scoring({6, 7, 8})).evidence()
        assert evidence["met"] == ["motor"]
        assert evidence["criteria"]["motor"] == {
            "label": "運動器の機能低下（No.6〜10 のうち3項目以上）",
            "cutoff": 3,
            "points": 3,
            "answered": 5,
            "of": 5,
            "missing": [],
            "status": "met",
        }
        assert evidence["domains"]["motor"]["points"] == 3
        assert (evidence["total"], evidence["answered"], evidence["of"]) == (3, 25, 25)


# --- items spread over the days of a month ------------------------------------------------------


def month_of_sessions(items, per_session=5) -> list[list[str]]:
    """Answer every chosen item each day, as the check-in service would; return each day's items."""
    answered: set[str] = set()
    days = []
    for _ in range(len(items) + 1):
        chosen = ids(instrument_items_due(items, answered, per_session))
        if not chosen:
            break
        days.append(chosen)
        answered.update(chosen)
    return days


class TestSpreadOverDays:
    def test_the_24_voice_items_take_five_check_ins_a_domain_at_a_time(self):
        assert month_of_sessions(INSTRUMENT.voice_questions) == [
            nos(1, 2, 3, 4, 5),
            nos(6, 7, 8, 9, 10),
            nos(11, 13, 14, 15),
            nos(16, 17, 18, 19, 20),
            nos(21, 22, 23, 24, 25),
        ]

    @pytest.mark.parametrize("per_session", [1, 2, 3, 4, 5, 7, 25])
    def test_never_more_than_per_session_and_every_item_once(self, per_session):
        days = month_of_sessions(INSTRUMENT.voice_questions, per_session)
        assert all(1 <= len(d) <= per_session for d in days)
        asked = [i for d in days for i in d]
        assert sorted(asked) == sorted(VOICE_ITEMS)

    def test_a_large_domain_is_cut_when_per_session_is_small(self):
        assert month_of_sessions(INSTRUMENT.voice_questions, 3)[:2] == [
            nos(1, 2, 3),
            nos(4, 5),
        ]

    def test_the_choice_stays_the_same_while_the_check_in_goes_on(self):
        items = INSTRUMENT.voice_questions
        before = set(nos(1, 2, 3, 4, 5))
        first = ids(instrument_items_due(items, before))
        assert first == nos(6, 7, 8, 9, 10)
        now: set[str] = set()
        for item in first:
            now.add(item)
            month = before | now  # everything answered this month, this check-in included
            assert ids(instrument_items_due(items, month, answered_in_this_checkin=now)) == first

    def test_a_skipped_item_counts_as_asked_and_a_postponed_one_comes_back(self):
        items = INSTRUMENT.voice_questions
        # kc03 skipped (stored), kc05 postponed (not stored): only kc05 is asked again.
        answered = set(nos(1, 2, 3, 4))
        assert ids(instrument_items_due(items, answered)) == nos(5)
        assert ids(instrument_items_due(items, set(VOICE_ITEMS))) == []

    def test_per_session_must_be_positive(self):
        with pytest.raises(ValueError, match="per_session"):
            instrument_items_due(INSTRUMENT.voice_questions, set(), 0)

    def test_the_set_decides_the_slot_and_the_start_day(self, tmp_path):
        qset = set_with(
            tmp_path, "instruments: [{use: kihon_checklist, start_day: 3, per_session: 5}]\n"
        )
        assert instrument_questions_due(qset, date(2026, 11, 2), "morning", set()) == []
        assert ids(instrument_questions_due(qset, date(2026, 11, 3), "morning", set())) == nos(
            1, 2, 3, 4, 5
        )
        assert instrument_questions_due(qset, date(2026, 11, 3), "evening", set()) == []
        late = instrument_questions_due(qset, date(2026, 11, 30), "morning", set(nos(1, 2, 3)))
        assert ids(late) == nos(4, 5)

    def test_sets_without_the_instrument_ask_nothing(self):
        qset = load_question_set(SETS_DIR / "032158.yaml")
        assert instrument_questions_due(qset, NOVEMBER, "morning", set()) == []

    def test_an_elder_can_be_left_out_of_the_instrument_or_of_single_items(self, tmp_path):
        qset = set_with(tmp_path, "instruments: [kihon_checklist]\n")
        out = ElderOverrides(remove=("kihon_checklist",))
        assert instrument_questions_due(qset, NOVEMBER, "morning", set(), out) == []
        some = ElderOverrides(remove=("kc02",))
        assert ids(instrument_questions_due(qset, NOVEMBER, "morning", set(), some)) == nos(
            1, 3, 4, 5
        )


# --- the rule -------------------------------------------------------------------------------------


class Month:
    """A history of checklist answers, five items a day from a month's first day."""

    def __init__(self) -> None:
        self.checkins: list = []
        self.answers: list = []
        self.away: list = []

    def answer(self, day: date, items: dict[str, bool | None], hour: int = 8) -> Month:
        checkin_id = f"{day.isoformat()}-morning"
        if all(c.id != checkin_id for c in self.checkins):
            self.checkins.append(make_checkin(checkin_id, day=day, started_at=jst(day, hour)))
        for n, (item, value) in enumerate(items.items()):
            self.answers.append(
                make_answer(
                    checkin_id=checkin_id,
                    day=day,
                    question_id=item,
                    value=value,
                    raw="はい" if value else "いいえ",
                    answered_at=jst(day, hour, 1 + n),
                    skipped="unknown" if value is None else None,
                )
            )
        return self

    def whole(self, first: date, answers: dict[str, bool | None]) -> Month:
        """Answer ``answers`` (voice items) over the days from ``first``, as they would be asked."""
        asked: set[str] = set()
        day = first
        while True:
            chosen = ids(instrument_items_due(INSTRUMENT.voice_questions, asked))
            if not chosen:
                return self
            self.answer(day, {i: answers[i] for i in chosen})
            asked.update(chosen)
            day += timedelta(days=1)

    def away_from(self, start: datetime, end: datetime | None = None) -> Month:
        self.away.append(
            AwayPeriod(
                f"away-{len(self.away)}", ELDER_ID, AwayKind.HOSPITAL, start, end, "elder", start
            )
        )
        return self

    def build(self) -> ElderHistory:
        return ElderHistory(
            elder=make_elder(),
            checkins=tuple(self.checkins),
            answers=tuple(self.answers),
            away_periods=tuple(self.away),
            watching_since=datetime(2020, 1, 1, tzinfo=jst().tzinfo),
        )


def voice_answers(points: set[int]) -> dict[str, bool]:
    return {k: v for k, v in answers_scoring(points).items() if k in VOICE_ITEMS}


@pytest.fixture(scope="module")
def qset(tmp_path_factory):
    return set_with(tmp_path_factory.mktemp("sets"), "instruments: [kihon_checklist]\n")


UNGROUPED = Policy(group_follow_ups=False)  # the rule's own candidates, before grouping


def checklist(month: Month, now: datetime, qset) -> list:
    found = evaluate(month.build(), qset, UNGROUPED, now)
    return [c for c in found if c.rule == "kihon_checklist"]


MOTOR_AND_MOOD = {6, 7, 8, 21, 22}


class TestRule:
    def test_it_fires_once_the_month_is_asked_with_the_cut_offs_met(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        (candidate,) = checklist(month, jst(date(2026, 11, 5), 12), qset)
        assert (candidate.rule, candidate.period) == ("kihon_checklist", "2026-11")
        assert candidate.severity is Severity.INFO
        assert candidate.stage == 0
        evidence = candidate.evidence
        assert evidence["month"] == "2026-11"
        assert evidence["all_asked"] is True
        assert evidence["month_over"] is False
        assert evidence["met"] == ["motor", "depression"]
        assert evidence["incomplete"] == []  # nutrition and overall decided without BMI
        assert evidence["criteria"]["nutrition"]["status"] == "not_met"
        assert evidence["domains"]["motor"]["points"] == 3
        assert evidence["domains"]["depression"]["points"] == 2
        assert evidence["total"] == 5
        assert evidence["answered"] == 24
        kc06 = next(a for a in evidence["answers"] if a["item"] == "kc06")
        assert kc06 == {
            "item": "kc06",
            "value": False,
            "skipped": None,
            "point": True,
            "date": "2026-11-02",
            "answered_at": jst(date(2026, 11, 2), 8, 1).isoformat(),
        }

    def test_nothing_before_the_month_is_asked_even_if_a_cut_off_is_met(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        assert checklist(month, jst(date(2026, 11, 4), 12), qset) == []  # motor met on day 2

    def test_nothing_when_no_cut_off_is_met(self, qset):
        month = Month().whole(NOVEMBER, voice_answers({1, 6, 9, 13, 17, 21}))
        assert checklist(month, jst(date(2026, 11, 20), 12), qset) == []
        assert checklist(month, jst(date(2026, 12, 2), 12), qset) == []

    def test_the_key_is_the_same_on_every_later_run_so_it_is_alerted_once(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        keys = set()
        for n in range(5, 45):
            now = jst(NOVEMBER + timedelta(days=n - 1), 12)
            keys |= {(c.rule, c.period) for c in checklist(month, now, qset)}
        assert keys == {("kihon_checklist", "2026-11")}

    def test_an_unfinished_month_is_alerted_when_it_is_over(self, qset):
        month = Month().answer(date(2026, 11, 20), {"kc06": False, "kc07": False, "kc08": False})
        assert checklist(month, jst(date(2026, 11, 30), 23), qset) == []
        (candidate,) = checklist(month, jst(date(2026, 12, 1), 9), qset)
        assert candidate.period == "2026-11"
        assert candidate.evidence["month_over"] is True
        assert candidate.evidence["all_asked"] is False
        assert candidate.evidence["met"] == ["motor"]
        assert "depression" in candidate.evidence["incomplete"]

    def test_each_month_has_its_own_key(self, qset):
        month = (
            Month()
            .whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
            .whole(date(2026, 12, 1), voice_answers({16}))
        )
        (november,) = checklist(month, jst(date(2026, 12, 3), 12), qset)  # December half asked
        assert november.period == "2026-11"
        both = {c.period: c for c in checklist(month, jst(date(2026, 12, 5), 12), qset)}
        assert sorted(both) == ["2026-11", "2026-12"]
        assert both["2026-12"].evidence["met"] == ["housebound"]
        assert both["2026-11"].evidence == november.evidence

    def test_the_latest_answer_of_an_item_counts_and_skips_are_unanswered(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(set()))
        month.answer(date(2026, 11, 10), {"kc21": True, "kc22": True}, hour=9)
        month.answer(date(2026, 11, 11), {"kc22": None}, hour=9)
        assert checklist(month, jst(date(2026, 11, 11), 12), qset) == []  # 1 + kc22 unknown
        month.answer(date(2026, 11, 12), {"kc23": True}, hour=9)
        (candidate,) = checklist(month, jst(date(2026, 11, 12), 12), qset)
        kc22 = next(a for a in candidate.evidence["answers"] if a["item"] == "kc22")
        assert (kc22["value"], kc22["skipped"], kc22["point"]) == (None, "unknown", None)

    def test_it_is_silent_while_away_and_resumes_on_return(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        month.away_from(jst(date(2026, 11, 6), 10), jst(date(2026, 11, 20), 10))
        assert checklist(month, jst(date(2026, 11, 10), 12), qset) == []
        (candidate,) = checklist(month, jst(date(2026, 11, 21), 12), qset)
        assert candidate.period == "2026-11"

    def test_answers_given_while_away_do_not_count(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        month.away_from(jst(date(2026, 11, 2), 0), jst(date(2026, 11, 3), 0))  # the motor day
        (candidate,) = checklist(month, jst(date(2026, 12, 1), 12), qset)
        assert candidate.evidence["met"] == ["depression"]
        assert candidate.evidence["criteria"]["motor"]["status"] == "incomplete"
        assert candidate.evidence["all_asked"] is False

    def test_it_is_silent_for_an_elder_without_consent(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        history = month.build()
        history = ElderHistory(
            elder=make_elder(consent=None),
            answers=history.answers,
            checkins=history.checkins,
            watching_since=history.watching_since,
        )
        found = evaluate(history, qset, UNGROUPED, jst(date(2026, 11, 20), 12))
        assert [c for c in found if c.rule == "kihon_checklist"] == []

    def test_the_rule_is_pure_and_needs_no_opt_in_to_score_recorded_answers(self):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        plain = load_question_set(SETS_DIR / "032158.yaml")
        found = evaluate(month.build(), plain, UNGROUPED, jst(date(2026, 11, 20), 12))
        assert [c.period for c in found if c.rule == "kihon_checklist"] == ["2026-11"]
        assert kihon_checklist.__doc__

    def test_by_default_the_result_reaches_staff_inside_the_months_follow_up_item(self, qset):
        month = Month().whole(NOVEMBER, voice_answers(MOTOR_AND_MOOD))
        found = evaluate(month.build(), qset, Policy(), jst(date(2026, 11, 20), 12))
        assert [c.rule for c in found if c.rule == "kihon_checklist"] == []
        (item,) = [c for c in found if c.rule == "follow_up"]
        assert item.period == "2026-11"
        assert [f["rule"] for f in item.evidence["findings"]] == ["kihon_checklist"]
