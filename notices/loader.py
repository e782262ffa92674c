"""Load notice files (YAML), reporting the file, the line, the path inside it and what is wrong.

A file holds one municipality's notices::

    municipality_code: "032158"
    notices:
      - id: moeru_gomi
        title: 燃えるごみの日
        priority: 通常            # 通常 | 重要 | 災害
        speech: 今日は燃えるごみの日です。朝8時半までに出してください。
        screen: 今日は 燃えるごみの日（朝8:30まで）
        image: https://example.jp/gomi.png      # optional, https only
        audience: {districts: [水沢], centers: [], elders: []}   # optional: everyone
        from: 2026-04-01          # a date (from 0:00) or a date and time
        to: 2027-03-31            # optional; a date counts in full
        recurrence:               # optional: without it the notice is heard once
          weekdays: [月, 木]       # 毎週月曜・木曜
          nth: [1, 3]             # optional: only the 1st and 3rd of those weekdays
          dates: [2026-12-30]     # optional extra days
        draft: false              # optional: true keeps it unpublished

A 体操 notice invites the elder at its time, on its days, inside its window only::

      - id: hyakusai-taiso
        kind: 体操                 # お知らせ (default) | 体操 (also: exercise)
        title: いきいき百歳体操     # read as 「いきいき百歳体操の時間です。ご一緒にいかがですか。」
        time: "10:00"             # when it begins (quoted: YAML reads 10:00 as a number)
        window: "10:00-11:30"     # optional: read from 10:00 until 11:30 (default: 90 minutes)
        speech: 椅子を用意して、ゆっくり始めましょう。   # optional words after the invitation
        from: 2026-04-01
        recurrence: {weekdays: [火, 金]}

Errors read ``file:line: path: message`` in Japanese, as for question sets.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from notices.model import (
    SCREEN_MAX,
    SPEECH_MAX,
    TITLE_MAX,
    WEEKDAY_NAMES,
    Audience,
    Notice,
    NoticeKind,
    NoticeStatus,
    Priority,
    Recurrence,
    TimeWindow,
    check_text,
)
from questions.codes import InvalidMunicipalityCode, validate_municipality_code
from questions.loader import (
    FileProblemsError,
    Problem,
    TextDateLoader,
    _line_of,
    _message,
    _path_text,
)

SAMPLES_DIR = Path(__file__).parent / "samples"
_ID = r"^[a-z0-9][a-z0-9_-]*$"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEKDAY = re.compile(r"^([月火水木金土日])(曜|曜日)?$")


def _weekday_of(name: str) -> int:
    """Return the weekday number (月 is 0) of a name that the weekdays validator accepted."""
    match = _WEEKDAY.match(name)
    assert match is not None, "the weekdays validator accepts only weekday names"
    return WEEKDAY_NAMES.index(match.group(1))


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_WINDOW = re.compile(r"^\s*(\S+?)\s*[-〜~－]\s*(\S+?)\s*$")
DEFAULT_WINDOW = dt.timedelta(minutes=90)
_KINDS = {"exercise": NoticeKind.EXERCISE, "notice": NoticeKind.GENERAL}


class NoticeFileError(FileProblemsError):
    """A notice file is invalid; ``report()`` lists every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AudienceSpec(_Strict):
    """Who hears the notice (nothing listed: the whole municipality)."""

    districts: list[str] = Field(default_factory=list)
    centers: list[str] = Field(default_factory=list)
    elders: list[str] = Field(default_factory=list)


class RecurrenceSpec(_Strict):
    """The days a notice is announced."""

    weekdays: list[str] = Field(default_factory=list)
    nth: list[int] = Field(default_factory=list)
    dates: list[dt.date] = Field(default_factory=list)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[str]) -> list[str]:
        for day in value:
            if not _WEEKDAY.match(str(day)):
                raise ValueError(f"曜日は 月〜日 で書いてください（{day!r}）")
        return value

    @field_validator("nth")
    @classmethod
    def _nth(cls, value: list[int]) -> list[int]:
        for n in value:
            if not 1 <= n <= 5:
                raise ValueError(f"第n曜日の n は 1〜5 です（{n}）")
        return value

    @model_validator(mode="after")
    def _something(self) -> RecurrenceSpec:
        if self.nth and not self.weekdays:
            raise ValueError("nth には weekdays が必要です")
        if not (self.weekdays or self.dates):
            raise ValueError("weekdays か dates を書いてください")
        return self

    def to_recurrence(self) -> Recurrence:
        """Return the domain recurrence."""
        days = sorted({_weekday_of(d) for d in self.weekdays})
        return Recurrence(tuple(days), tuple(sorted(set(self.nth))), tuple(sorted(set(self.dates))))


class NoticeSpec(_Strict):
    """One notice as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=_ID)
    kind: NoticeKind = NoticeKind.GENERAL
    title: str
    priority: Priority = Priority.NORMAL
    speech: str | None = None
    screen: str | None = None
    image: str | None = None
    audience: AudienceSpec = Field(default_factory=AudienceSpec)
    start: Any = Field(alias="from")
    end: Any = Field(default=None, alias="to")
    recurrence: RecurrenceSpec | None = None
    time: Any = None
    window: Any = None
    draft: bool = False

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return _KINDS.get(str(value).strip().lower(), value) if value is not None else value

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> dt.time | None:
        return None if value is None else _clock_time(value)

    @field_validator("window", mode="before")
    @classmethod
    def _window(cls, value: Any) -> tuple[dt.time, dt.time] | None:
        if value is None:
            return None
        match = _WINDOW.match(str(value)) if isinstance(value, str) else None
        if match is None:
            raise ValueError('時間帯は "10:00-11:30" のように書いてください')
        return _clock_time(match.group(1)), _clock_time(match.group(2))

    def kind_problems(self) -> list[tuple[str, str]]:
        """Return (field, message) for what this kind of notice lacks or may not have."""
        if self.kind is not NoticeKind.EXERCISE:
            if self.speech is None:
                return [("speech", "読み上げる文（speech）を書いてください")]
            extra = "time" if self.time is not None else "window" if self.window else None
            return [(extra, f"{extra} は、kind が 体操 のお知らせだけに書けます")] if extra else []
        problems = []
        if self.time is None:
            problems.append(("kind", '体操のお知らせには time（"10:00" のような時刻）が必要です'))
        if self.recurrence is None:
            problems.append(("kind", "体操のお知らせには recurrence（曜日）が必要です"))
        if self.priority is not Priority.NORMAL:
            problems.append(("priority", "体操のお知らせは 通常 にしてください"))
        return problems

    def time_window(self) -> TimeWindow | None:
        """Return the window of a 体操 notice (90 minutes from its time unless written)."""
        if self.time is None:
            return None
        if self.window is not None:
            start, end = self.window
        else:
            start, end = self.time, _default_end(self.time)
        return TimeWindow(self.time, start, end)

    @field_validator("start", "end")
    @classmethod
    def _when(cls, value: Any) -> dt.date | dt.datetime | None:
        if value is None or type(value) in (dt.date, dt.datetime):
            return value
        text = str(value).strip()
        try:
            if _DATE.match(text):
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"日付（2026-12-01）か日時（2026-12-01T08:00）で書いてください（{text!r}）"
            ) from None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return check_text(value, TITLE_MAX, "題名")

    @field_validator("speech")
    @classmethod
    def _speech(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, SPEECH_MAX, "読み上げる文")

    @field_validator("screen")
    @classmethod
    def _screen(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, SCREEN_MAX, "画面の文")

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https://[^\s]+$", value):
            raise ValueError("画像は https:// の URL にしてください")
        return value

    def period(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime | None]:
        """Return (starts_at, ends_at) aware: a date starts at 0:00, an end date counts in full."""
        return _instant(self.start, tz, end=False), (
            None if self.end is None else _instant(self.end, tz, end=True)
        )


class NoticeFileSpec(_Strict):
    """A notice file."""

    municipality_code: str
    notices: list[NoticeSpec] = Field(min_length=1)


def _default_end(at: dt.time) -> dt.time:
    """Return the end of the default window: 90 minutes after ``at``, at most 23:59."""
    begins = dt.datetime.combine(dt.date.min, at)
    return min(begins + DEFAULT_WINDOW, begins.replace(hour=23, minute=59)).time()


def _clock_time(value: Any) -> dt.time:
    """Return a wall-clock time written ``HH:MM``; a YAML sexagesimal number is refused."""
    match = _HHMM.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'時刻は "10:00" のように引用符つきで書いてください（{value!r}）')
    return dt.time(int(match.group(1)), int(match.group(2)))


def _instant(value: dt.datetime | dt.date, tz: ZoneInfo, *, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


@dataclass(frozen=True)
class NoticeFile:
    """A valid notice file: its municipality and its notices (ids ``<code>/<id>``)."""

    municipality_code: str
    notices: tuple[Notice, ...]


def notice_id(municipality_code: str, local_id: str) -> str:
    """Return the stored id of a notice of a file: ``<municipality code>/<id>``."""
    return f"{municipality_code}/{local_id}"


def _read(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise NoticeFileError(str(path), [Problem("", f"読めません: {err.strerror}")]) from err
    except UnicodeDecodeError as err:
        raise NoticeFileError(str(path), [Problem("", "UTF-8 のテキストではありません")]) from err
    return _parse_text(text, path)


def _parse_text(text: str, path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        return yaml.load(text, Loader=TextDateLoader), yaml.compose(text, Loader=TextDateLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = f"YAML として読めません: {getattr(err, 'problem', None) or err}"
        raise NoticeFileError(str(path), [Problem("", message, line)]) from err


def _error_text(error: Any) -> str:
    if error["type"] == "enum":
        expected = str(error.get("ctx", {}).get("expected", ""))
        return "次のどれかにしてください: " + expected.replace("'", "").replace(" or ", ", ")
    if error["type"] in ("bool_parsing", "bool_type"):
        return "true か false で書いてください"
    if error["type"] in ("string_type",):
        return "文字列で書いてください"
    return _message(error)


def load_notice_file(path: Path | str, tz: ZoneInfo, now: dt.datetime) -> NoticeFile:
    """Load and validate a notice file; its notices are stamped created/updated at ``now``."""
    path = Path(path)
    return _load(*_read(path), path, tz, now)


def load_notice_text(text: str, path: Path | str, tz: ZoneInfo, now: dt.datetime) -> NoticeFile:
    """Validate notices given as text, as ``load_notice_file`` does for a file at ``path``."""
    path = Path(path)
    return _load(*_parse_text(text, path), path, tz, now)


def _load(
    data: Any, node: yaml.Node | None, path: Path, tz: ZoneInfo, now: dt.datetime
) -> NoticeFile:
    try:
        raw = NoticeFileSpec.model_validate(data)
    except ValidationError as err:
        found: list[Problem] = []
        for e in err.errors():
            loc = [p for p in e["loc"] if not (isinstance(p, str) and p in ("date", "datetime"))]
            text, parts = _path_text(loc)
            found.append(Problem(text, _error_text(e), _line_of(node, parts)))
        raise NoticeFileError(str(path), found) from err
    problems: list[Problem] = []

    def problem(parts: list[str | int], message: str) -> None:
        text, _ = _path_text(parts)
        problems.append(Problem(text, message, _line_of(node, parts)))

    try:
        validate_municipality_code(raw.municipality_code)
    except InvalidMunicipalityCode as err:
        problem(["municipality_code"], err.reason)
    notices: list[Notice] = []
    seen: set[str] = set()
    for i, spec in enumerate(raw.notices):
        if spec.id in seen:
            problem(["notices", i, "id"], f"id {spec.id!r} が重複しています")
            continue
        seen.add(spec.id)
        kind_problems = spec.kind_problems()
        for name, message in kind_problems:
            problem(["notices", i, name], message)
        if kind_problems:
            continue
        starts_at, ends_at = spec.period(tz)
        if ends_at is not None and ends_at <= starts_at:
            problem(["notices", i, "to"], "to は from より後にしてください")
            continue
        try:
            window = spec.time_window()
        except ValueError as err:
            problem(["notices", i, "window" if spec.window else "time"], str(err))
            continue
        try:
            notices.append(
                Notice(
                    id=notice_id(raw.municipality_code, spec.id),
                    municipality_code=raw.municipality_code,
                    title=spec.title,
                    speech=spec.speech or "",
                    screen_text=spec.screen or (spec.speech or spec.title)[:SCREEN_MAX],
                    priority=spec.priority,
                    audience=Audience(
                        tuple(spec.audience.districts),
                        tuple(spec.audience.centers),
                        tuple(spec.audience.elders),
                    ),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    created_at=now,
                    updated_at=now,
                    recurrence=spec.recurrence.to_recurrence() if spec.recurrence else None,
                    image_url=spec.image,
                    status=NoticeStatus.DRAFT if spec.draft else NoticeStatus.PUBLISHED,
                    published_at=None if spec.draft else now,
                    kind=spec.kind,
                    window=window,
                )
            )
        except ValueError as err:
            problem(["notices", i], str(err))
    if problems:
        raise NoticeFileError(str(path), problems)
    return NoticeFile(raw.municipality_code, tuple(notices))
