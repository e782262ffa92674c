"""Load and validate the files of daily engagement: 今日は何の日, 季節の話題 and the quiz.

The product ships ``questions/engagement/calendar.yaml`` (days, 行事 and a word for each
二十四節気), ``quiz.yaml`` (脳トレ questions) and ``solar_terms.yaml`` (the terms' dates).
A municipality turns engagement on and adds its own days and quiz questions in
``questions/engagement/<code>.yaml``; without that file everything stays off. Every problem is
reported as ``file:line: path: message``, as for question sets.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from questions.loader import (
    FileProblemsError,
    Problem,
    QuestionSetError,
    _line_of,
    _read_text,
    _validation_problems,
    _yaml_of,
    file_code_problem,
)

ENGAGEMENT_DIR = Path(__file__).parent / "engagement"
CALENDAR_PATH = ENGAGEMENT_DIR / "calendar.yaml"
QUIZ_PATH = ENGAGEMENT_DIR / "quiz.yaml"
SOLAR_TERMS_PATH = ENGAGEMENT_DIR / "solar_terms.yaml"

# The 24 solar terms in calendar order from 小寒 (early January).
TERMS = (
    "小寒", "大寒", "立春", "雨水", "啓蟄", "春分", "清明", "穀雨", "立夏", "小満", "芒種", "夏至",
    "小暑", "大暑", "立秋", "処暑", "白露", "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至",
)  # fmt: skip
WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
QUIZ_KINDS = ("言葉", "計算", "昔の歌", "地元")
Term = Literal[
    "小寒", "大寒", "立春", "雨水", "啓蟄", "春分", "清明", "穀雨", "立夏", "小満", "芒種", "夏至",
    "小暑", "大暑", "立秋", "処暑", "白露", "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至",
]  # fmt: skip
_NOT_SPOKEN = re.compile(r"[A-Za-z{}〇○●◯_<>]")


class EngagementFileError(FileProblemsError):
    """An engagement file is invalid; ``report()`` lists every problem."""


def _spoken(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("空にはできません")
    bad = _NOT_SPOKEN.search(value)
    if bad:
        raise ValueError(f"読み上げられない文字 {bad.group()!r} があります")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Day(_Strict):
    """A day to mention: every year on a date, on the n-th weekday of a month, or by a term."""

    name: str = Field(min_length=1)
    say: str
    date: str | None = Field(default=None, pattern=r"^\d\d-\d\d$")
    month: int | None = Field(default=None, ge=1, le=12)
    nth: int | None = Field(default=None, ge=1, le=5)
    weekday: Literal["月", "火", "水", "木", "金", "土", "日"] | None = None
    term: Term | None = None
    offset: int = Field(default=0, ge=-15, le=15)

    @model_validator(mode="after")
    def _one_way(self) -> Day:
        _spoken(self.say)
        by_weekday = (self.month, self.nth, self.weekday)
        ways = [
            self.date is not None,
            any(v is not None for v in by_weekday),
            self.term is not None,
        ]
        if sum(ways) != 1:
            raise ValueError("date、month/nth/weekday、term のどれか一つで日を書いてください")
        if ways[1] and not all(v is not None for v in by_weekday):
            raise ValueError("month、nth、weekday の三つをそろえて書いてください")
        if self.date is not None:
            month, day = (int(part) for part in self.date.split("-"))
            try:
                dt.date(2024, month, day)  # a leap year: 02-29 is a real date
            except ValueError as err:
                raise ValueError(f"{self.date} という日付はありません") from err
        if self.offset and self.term is None:
            raise ValueError("offset は term と一緒に書きます")
        return self


class Season(_Strict):
    """What to say on a solar term's first day, and words for the days after it."""

    say: str
    words: tuple[str, ...] = Field(default=(), max_length=2)

    @model_validator(mode="after")
    def _speakable(self) -> Season:
        for text in (self.say, *self.words):
            _spoken(text)
        return self


class QuizQuestion(_Strict):
    """One quiz question: asked by voice, answered by voice or with a button."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal["言葉", "計算", "昔の歌", "地元"]
    ask: str
    choices: tuple[str, ...] = Field(min_length=2, max_length=3)
    answer: str
    also: tuple[str, ...] = ()  # other words that mean the right answer (漢字, 読み)
    after: str = ""  # a short word after the answer, right or not

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> QuizQuestion:
        for text in (self.ask, *self.choices, self.answer, *self.also):
            _spoken(text)
        if self.after:
            _spoken(self.after)
        if self.answer not in self.choices:
            raise ValueError(f"answer {self.answer!r} が choices にありません")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices に同じものがあります")
        return self


class CalendarFile(_Strict):
    """The shipped calendar: days and one entry per solar term."""

    days: tuple[Day, ...] = ()
    seasons: dict[Term, Season] = {}


class QuizFile(_Strict):
    """The shipped quiz."""

    quiz: tuple[QuizQuestion, ...] = ()


class MunicipalEngagement(_Strict):
    """A municipality's choice: on or off, which parts, its own days and quiz questions."""

    municipality_code: str = Field(pattern=r"^\d{6}$")
    enabled: bool = False
    topics: bool = True  # 今日は何の日 and 季節の話題
    quiz: bool = True
    stamps: bool = True
    quiz_per_day: int = Field(default=1, ge=1, le=2)
    days: tuple[Day, ...] = ()
    questions: tuple[QuizQuestion, ...] = ()
    # The speaker offers a daily medication reminder after the medication answer (once per
    # elder). Apart from ``enabled``; the elder can always ask for one (「薬の時間に教えて」).
    medication_reminder: bool = False


@dataclass(frozen=True)
class Engagement:
    """What a municipality's elders get after their check-in (everything off by default)."""

    municipality_code: str
    enabled: bool
    topics: bool
    quiz: bool
    stamps: bool
    quiz_per_day: int
    days: tuple[Day, ...]  # the municipality's own first, then the shipped ones
    seasons: dict[str, Season]
    terms: dict[int, dict[str, dt.date]]  # year → term → first day
    questions: tuple[QuizQuestion, ...]  # the municipality's own first
    medication_reminder: bool = False  # the reminder is offered after the medication answer

    def question(self, question_id: str) -> QuizQuestion | None:
        """Return the quiz question of that id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)


def _load(model: type[_Strict], path: Path, text: str | None = None) -> tuple[Any, Any]:
    try:
        data, node = _yaml_of(_read_text(path) if text is None else text, path)
    except QuestionSetError as err:
        raise EngagementFileError(err.file, err.problems) from err
    try:
        return model.model_validate({} if data is None else data), node
    except ValidationError as err:
        raise EngagementFileError(str(path), _validation_problems(err, node)) from err


def _unique_ids(questions: tuple[QuizQuestion, ...], key: str, node: Any) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, question in enumerate(questions):
        if question.id in seen:
            problems.append(
                Problem(
                    f"{key}[{i}].id",
                    f"id {question.id!r} が重複しています",
                    _line_of(node, [key, i, "id"]),
                )
            )
        seen.add(question.id)
    return problems


@cache
def load_calendar(path: Path = CALENDAR_PATH) -> CalendarFile:
    """Return the shipped calendar; every solar term must have its entry."""
    calendar, node = _load(CalendarFile, path)
    missing = [term for term in TERMS if term not in calendar.seasons]
    if missing:
        problem = Problem("seasons", f"節気 {'、'.join(missing)} がありません", _line_of(node, []))
        raise EngagementFileError(str(path), [problem])
    return calendar


@cache
def load_quiz(path: Path = QUIZ_PATH) -> QuizFile:
    """Return the shipped quiz questions."""
    quiz, node = _load(QuizFile, path)
    problems = _unique_ids(quiz.quiz, "quiz", node)
    if problems:
        raise EngagementFileError(str(path), problems)
    return quiz


@cache
def load_solar_terms(path: Path = SOLAR_TERMS_PATH) -> dict[int, dict[str, dt.date]]:
    """Return year → term → the term's first day in Japan."""
    try:
        data, node = _yaml_of(_read_text(path), path)
    except QuestionSetError as err:
        raise EngagementFileError(err.file, err.problems) from err
    table: dict[int, dict[str, dt.date]] = {}
    problems = []
    for year_text, terms in (data or {}).items():
        year = int(year_text)
        where = [str(year_text)]
        if not isinstance(terms, dict) or tuple(terms) != TERMS:
            line = _line_of(node, where)
            problems.append(Problem(str(year), "24 の節気を順に書いてください", line))
            continue
        table[year] = {}
        for term, text in terms.items():
            try:
                month, day = (int(part) for part in str(text).split("-"))
                table[year][term] = dt.date(year, month, day)
            except ValueError:
                problems.append(
                    Problem(f"{year}.{term}", f"日付 {text!r} が読めません", _line_of(node, where))
                )
    if problems:
        raise EngagementFileError(str(path), problems)
    return table


def municipal_path(code: str, directory: Path = ENGAGEMENT_DIR) -> Path:
    """Return where a municipality's engagement file lives."""
    return Path(directory) / f"{code}.yaml"


def load_municipal_text(text: str, path: Path | str) -> MunicipalEngagement:
    """Validate a municipality's engagement file given as text (the dashboard's editor)."""
    path = Path(path)
    local, node = _load(MunicipalEngagement, path, text)
    problems = _unique_ids(local.questions, "questions", node)
    shipped = {q.id for q in load_quiz().quiz}
    for i, question in enumerate(local.questions):
        if question.id in shipped:
            problems.append(
                Problem(
                    f"questions[{i}].id",
                    f"id {question.id!r} は同梱のクイズと同じです。別の id にしてください",
                    _line_of(node, ["questions", i, "id"]),
                )
            )
    misnamed = file_code_problem(path, local.municipality_code, ENGAGEMENT_DIR.name, node)
    if misnamed is not None:
        problems.append(misnamed)
    if problems:
        raise EngagementFileError(str(path), problems)
    return local


def engagement_off(code: str) -> Engagement:
    """Return engagement turned off (services built without the files, e.g. in unit tests)."""
    return Engagement(code, False, False, False, False, 1, (), {}, {}, ())


def engagement_for(code: str, directory: Path = ENGAGEMENT_DIR) -> Engagement:
    """Return the municipality's engagement: its file over the shipped catalogs; off without one."""
    path = municipal_path(code, directory)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise EngagementFileError(str(path), [Problem("", f"読めません: {err}")]) from err
        local = load_municipal_text(text, path)
    else:
        local = MunicipalEngagement(municipality_code=code)
    return engagement_of(code, local)


def engagement_of(code: str, local: MunicipalEngagement) -> Engagement:
    """Return a municipality's engagement: its own choices over the shipped catalogs."""
    calendar = load_calendar()
    return Engagement(
        municipality_code=code,
        enabled=local.enabled,
        topics=local.topics,
        quiz=local.quiz,
        stamps=local.stamps,
        quiz_per_day=local.quiz_per_day,
        days=local.days + calendar.days,
        seasons=dict(calendar.seasons.items()),
        terms=load_solar_terms(),
        questions=local.questions + load_quiz().quiz,
        medication_reminder=local.medication_reminder,
    )
