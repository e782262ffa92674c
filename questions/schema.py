"""Pydantic schema of question sets, the catalog and per-elder overrides."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

_ID = r"^[a-z][a-z0-9_]*$"
WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _time(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError(f"時刻は HH:MM で書いてください（{value!r}）")
    return value


@functools.lru_cache(maxsize=512)
def parse_hhmm(value: str) -> dt.time:
    """Return the time of an ``HH:MM`` string (cached: the rules read slot times often)."""
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


class SlotWindow(_Strict):
    """A check-in time slot (朝/昼/晩 or custom) with its window."""

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return _time(value)

    @model_validator(mode="after")
    def _start_before_end(self) -> SlotWindow:
        if parse_hhmm(self.start) >= parse_hhmm(self.end):
            raise ValueError(f"start {self.start} は end {self.end} より前にしてください")
        return self


class Schedule(_Strict):
    """When a question is due: slots and daily, weekly or monthly."""

    slots: tuple[str, ...] = Field(min_length=1)
    every: Literal["day", "week", "month"] = "day"
    weekday: Literal["月", "火", "水", "木", "金", "土", "日"] | None = None
    day: int | None = Field(default=None, ge=1, le=31)

    @model_validator(mode="after")
    def _frequency_fields(self) -> Schedule:
        if self.every == "week" and self.weekday is None:
            raise ValueError("every: week には weekday（月〜日）が必要です")
        if self.every == "month" and self.day is None:
            raise ValueError("every: month には day（1〜31）が必要です")
        if self.every != "week" and self.weekday is not None:
            raise ValueError("weekday は every: week のときだけ書けます")
        if self.every != "month" and self.day is not None:
            raise ValueError("day は every: month のときだけ書けます")
        return self

    def is_due_on(self, day: dt.date) -> bool:
        """Return True if the question is due on ``day`` (a 31st falls on a short month's end)."""
        if self.every == "day":
            return True
        if self.every == "week":
            return WEEKDAYS[day.weekday()] == self.weekday
        last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return day.day == min(self.day or 1, last.day)


class Wording(_Strict):
    """What the speaker says and shows for a question."""

    speech: str = Field(min_length=1)
    screen: str = Field(min_length=1)
    reprompt: str = Field(min_length=1)
    hint: str = Field(min_length=1, description="どう答えればよいかの短い案内")


class Concern(_Strict):
    """An answer that is concerning, optionally only when it repeats for n days."""

    values: tuple[str, ...] = ()
    below: float | None = None
    above: float | None = None
    days_running: int = Field(default=1, ge=1, le=14)


class Option(_Strict):
    """One option of a choice question; ``id`` is an ANSWER slot value id."""

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()


class _QuestionBase(_Strict):
    id: str = Field(pattern=_ID)
    version: int = Field(default=1, ge=1)
    title: str = Field(min_length=1)
    wording: Wording
    schedule: Schedule
    concerning: tuple[Concern, ...] = ()


class YesNoQuestion(_QuestionBase):
    """A yes/no question; ``yes_ids`` and ``no_ids`` list ANSWER ids that also mean yes or no."""

    kind: Literal["yes_no"]
    yes_ids: tuple[str, ...] = ()
    no_ids: tuple[str, ...] = ()
    yes_label: str = "はい"
    no_label: str = "いいえ"


class ChoiceQuestion(_QuestionBase):
    """A question answered by one of a few options."""

    kind: Literal["choice"]
    options: tuple[Option, ...] = Field(min_length=2)
    yes_means: str | None = None
    no_means: str | None = None
    aliases: dict[str, str] = Field(
        default_factory=dict, description="他の答え（ANSWER の id）をどの選択肢とみなすか"
    )

    @model_validator(mode="after")
    def _options_unique(self) -> ChoiceQuestion:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("options の id が重複しています")
        for name in ("yes_means", "no_means"):
            value = getattr(self, name)
            if value is not None and value not in ids:
                raise ValueError(f"{name}: {value!r} は options にありません")
        for alias, target in self.aliases.items():
            if target not in ids:
                raise ValueError(f"aliases.{alias}: {target!r} は options にありません")
        return self


class ScaleQuestion(_QuestionBase):
    """A question answered by a whole number on a short scale."""

    kind: Literal["scale"]
    min: int = 1
    max: int = 5
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _range(self) -> ScaleQuestion:
        if not self.min < self.max <= self.min + 10:
            raise ValueError("min < max で、段階は 10 以下にしてください")
        for point in self.labels:
            if not self.min <= point <= self.max:
                raise ValueError(f"labels の {point} は {self.min}〜{self.max} の外です")
        return self


class NumberQuestion(_QuestionBase):
    """A question answered by a measured number."""

    kind: Literal["number"]
    unit: Literal["kg", "steps", "minutes", "count", "celsius"]
    plausible_min: float
    plausible_max: float
    decimals: int = Field(default=0, ge=0, le=2)
    max_change: float | None = Field(
        default=None, gt=0, description="前回の値からこれ以上違えば、もう一度たずねる"
    )

    @model_validator(mode="after")
    def _range(self) -> NumberQuestion:
        if self.plausible_min >= self.plausible_max:
            raise ValueError("plausible_min は plausible_max より小さくしてください")
        return self


class BloodPressureQuestion(_QuestionBase):
    """A question answered by two numbers: systolic and diastolic pressure."""

    kind: Literal["blood_pressure"]
    systolic_range: tuple[int, int] = (60, 260)
    diastolic_range: tuple[int, int] = (30, 160)


Question = Annotated[
    YesNoQuestion | ChoiceQuestion | ScaleQuestion | NumberQuestion | BloodPressureQuestion,
    Field(discriminator="kind"),
]


class Catalog(_Strict):
    """The built-in catalog of questions that sets can use by id."""

    questions: tuple[Question, ...]


class CatalogUse(_Strict):
    """A set entry that uses a catalog question, optionally changing its schedule or wording."""

    use: str = Field(pattern=_ID)
    schedule: Schedule | None = None
    wording: Wording | None = None
    concerning: tuple[Concern, ...] | None = None


def _entry_kind(value: object) -> str:
    if isinstance(value, dict):
        return "use" if "use" in value else "question"
    return "use" if isinstance(value, CatalogUse) else "question"


SetEntry = Annotated[
    Annotated[CatalogUse, Tag("use")] | Annotated[Question, Tag("question")],
    Discriminator(_entry_kind),
]


class InstrumentUse(_Strict):
    """A built-in instrument a set opts in to, asked a few items per check-in each month.

    Written ``instruments: [kihon_checklist]`` or with options:
    ``instruments: [{use: kihon_checklist, slot: morning, start_day: 1, per_session: 5}]``.
    ``slot`` defaults to the set's earliest slot; from ``start_day`` on, each check-in in that
    slot asks at most ``per_session`` items not yet answered that month, until all are.
    """

    use: Literal["kihon_checklist"]
    slot: str | None = Field(default=None, pattern=_ID)
    start_day: int = Field(default=1, ge=1, le=28)
    per_session: int = Field(default=5, ge=1, le=25)


class QuestionSetFile(_Strict):
    """A municipality's question set as written in ``questions/sets/<code>.yaml``."""

    municipality_code: str = Field(pattern=r"^\d{6}$")
    municipality_name: str = Field(min_length=1)
    version: int = Field(ge=1)
    slots: tuple[SlotWindow, ...] = Field(min_length=1)
    questions: tuple[SetEntry, ...] = Field(min_length=1)
    instruments: tuple[InstrumentUse, ...] = ()
    # The dialect lexicon of the municipality: ``questions/lexicons/<name>.yaml``.
    lexicon: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")

    @field_validator("instruments", mode="before")
    @classmethod
    def _instrument_names(cls, value: object) -> object:
        """Accept a bare instrument name for ``{use: <name>}``."""
        if isinstance(value, list | tuple):
            return [{"use": v} if isinstance(v, str) else v for v in value]
        return value


class ScheduleOverride(_Strict):
    """A per-elder change of when one question is asked (e.g. medication times)."""

    slots: tuple[str, ...] = Field(min_length=1)


class EngagementChoices(_Strict):
    """What the elder said of engagement after the check-in (「クイズはいらない」)."""

    topics: bool = True
    quiz: bool = True


class WeeklyAbsence(_Strict):
    """A known weekly absence of the elder (デイサービス, 通院): those slots are not missed."""

    kind: Literal["dayservice", "clinic", "other"] = "other"
    weekday: Literal["月", "火", "水", "木", "金", "土", "日"]
    # The slots the elder is out for; none listed means every slot of that day.
    slots: tuple[str, ...] = ()
    # Who told of it: staff on the elder page, or the elder (「水曜日はデイサービスです」).
    set_by: Literal["staff", "elder"] = "staff"

    def covers(self, day: dt.date, slot: str) -> bool:
        """Return True if the elder is out for ``slot`` on ``day``."""
        return WEEKDAYS[day.weekday()] == self.weekday and (not self.slots or slot in self.slots)


class ElderOverrides(_Strict):
    """Per-elder changes to the municipality's set."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    schedules: dict[str, ScheduleOverride] = Field(default_factory=dict)
    engagement: EngagementChoices | None = None
    absences: tuple[WeeklyAbsence, ...] = ()

    def absent(self, day: dt.date, slot: str) -> bool:
        """Return True if a known weekly absence covers ``slot`` on ``day``."""
        return any(a.covers(day, slot) for a in self.absences)
