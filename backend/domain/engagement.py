"""Daily engagement after the check-in: today's topic, the quiz, stamps and streaks (pure)."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

import jaconv

from backend.domain.understanding.text import compact, digits, normalise
from questions.engagement_files import WEEKDAYS, Day, Engagement, QuizQuestion

SEASON_WORD_DAYS = (5, 10)  # days after a term's first day on which its words are said


class TopicKind(StrEnum):
    """Where today's topic comes from."""

    DAY = "day"  # a 行事, 記念日 or local day
    TERM = "term"  # the first day of a solar term
    SEASON = "season"  # a seasonal word some days into a term


@dataclass(frozen=True)
class Topic:
    """One thing to say about today."""

    kind: TopicKind
    name: str
    say: str


def nth_weekday(year: int, month: int, nth: int, weekday: str) -> dt.date | None:
    """Return the n-th given weekday (月…日) of a month, or None when the month has none."""
    wanted = WEEKDAYS.index(weekday)
    first = dt.date(year, month, 1)
    day = 1 + (wanted - first.weekday()) % 7 + 7 * (nth - 1)
    if day > calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, day)


def day_date(entry: Day, year: int, terms: dict[int, dict[str, dt.date]]) -> dt.date | None:
    """Return the date of a calendar entry in a year (None: not that year, or no term table)."""
    if entry.date is not None:
        month, day = (int(part) for part in entry.date.split("-"))
        if (month, day) == (2, 29) and not calendar.isleap(year):
            return None
        return dt.date(year, month, day)
    if entry.term is not None:
        start = terms.get(year, {}).get(entry.term)
        return None if start is None else start + dt.timedelta(days=entry.offset)
    assert entry.month is not None
    assert entry.nth is not None
    assert entry.weekday is not None
    return nth_weekday(year, entry.month, entry.nth, entry.weekday)


def current_term(day: dt.date, terms: dict[int, dict[str, dt.date]]) -> tuple[str, dt.date] | None:
    """Return the solar term ``day`` falls in and the term's first day (None: outside the table)."""
    best: tuple[str, dt.date] | None = None
    for year in (day.year - 1, day.year):
        for name, start in terms.get(year, {}).items():
            if start <= day and (best is None or start > best[1]):
                best = (name, start)
    if best is None or (day - best[1]).days > 16:
        return None
    return best


def topic_for(day: dt.date, engagement: Engagement) -> Topic | None:
    """Return what to say about ``day``: a special day, else a term's day, else a season word."""
    for entry in engagement.days:
        if day_date(entry, day.year, engagement.terms) == day:
            return Topic(TopicKind.DAY, entry.name, entry.say)
    term = current_term(day, engagement.terms)
    if term is None:
        return None
    name, start = term
    season = engagement.seasons.get(name)
    if season is None:
        return None
    into = (day - start).days
    if into == 0:
        return Topic(TopicKind.TERM, name, season.say)
    if into in SEASON_WORD_DAYS[: len(season.words)]:
        return Topic(TopicKind.SEASON, name, season.words[SEASON_WORD_DAYS.index(into)])
    return None


def _order(elder_id: str, question_id: str) -> str:
    return hashlib.sha256(f"{elder_id}:{question_id}".encode()).hexdigest()


def quiz_for(elder_id: str, day: dt.date, engagement: Engagement) -> tuple[QuizQuestion, ...]:
    """Return today's quiz questions for an elder: each in turn, no repeat before all were asked.

    Every elder goes through the municipality's questions in an order of their own, so
    neighbours do not compare the same question each day; the order is stable.
    """
    pool = sorted(engagement.questions, key=lambda q: _order(elder_id, q.id))
    if not pool:
        return ()
    count = min(engagement.quiz_per_day, len(pool))
    first = (day.toordinal() * count) % len(pool)
    return tuple(pool[(first + i) % len(pool)] for i in range(count))


class Verdict(StrEnum):
    """How a quiz answer was taken."""

    RIGHT = "right"
    WRONG = "wrong"
    UNCLEAR = "unclear"  # nothing of the choices heard, or more than one


def _plain(text: str) -> str:
    return jaconv.kata2hira(digits(compact(normalise(text))))


_NUMBER = re.compile(r"\d+")


def _says(heard: str, form: str) -> bool:
    plain = _plain(form)
    number = re.fullmatch(r"(\d+)\D{0,2}", plain)  # 30円, 12個, 3年: the number must be said
    if number is not None:
        return number.group(1) in _NUMBER.findall(heard)
    return bool(plain) and plain in heard


def judge(question: QuizQuestion, heard: str) -> Verdict:
    """Return whether the words heard give the right answer, a wrong one, or neither clearly."""
    said = _plain(heard)
    right = any(_says(said, form) for form in (question.answer, *question.also))
    wrong = any(_says(said, choice) for choice in question.choices if choice != question.answer)
    if right and not wrong:
        return Verdict.RIGHT
    if wrong and not right:
        return Verdict.WRONG
    return Verdict.UNCLEAR


def streak(days: Collection[dt.date], today: dt.date) -> int:
    """Return the run of consecutive days with a stamp up to today (or yesterday, if not yet)."""
    stamped = set(days)
    day = today if today in stamped else today - dt.timedelta(days=1)
    run = 0
    while day in stamped:
        run += 1
        day -= dt.timedelta(days=1)
    return run


@dataclass(frozen=True)
class MonthCard:
    """A month's stamp card: which days have a stamp, up to today."""

    year: int
    month: int
    stamped: tuple[int, ...]  # days of the month
    days_so_far: int  # days of the month up to today (all of a past month)
    length: int  # days in the month


def month_card(days: Collection[dt.date], today: dt.date) -> MonthCard:
    """Return this month's stamp card."""
    length = calendar.monthrange(today.year, today.month)[1]
    stamped = sorted(
        {d.day for d in days if (d.year, d.month) == (today.year, today.month) and d <= today}
    )
    return MonthCard(today.year, today.month, tuple(stamped), today.day, length)
