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

from backend.domain.errors import InvalidMunicipalityCode
from backend.domain.model import validate_municipality_code
from notices.model import (
    SCREEN_MAX,
    SPEECH_MAX,
    TITLE_MAX,
    WEEKDAY_NAMES,
    Audience,
    Notice,
    NoticeStatus,
    Priority,
    Recurrence,
    check_text,
)
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
        days = sorted({WEEKDAY_NAMES.index(_WEEKDAY.match(d).group(1)) for d in self.weekdays})
        return Recurrence(tuple(days), tuple(sorted(set(self.nth))), tuple(sorted(set(self.dates))))


class NoticeSpec(_Strict):
    """One notice as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=_ID)
    title: str
    priority: Priority = Priority.NORMAL
    speech: str
    screen: str | None = None
    image: str | None = None
    audience: AudienceSpec = Field(default_factory=AudienceSpec)
    start: Any = Field(alias="from")
    end: Any = Field(default=None, alias="to")
    recurrence: RecurrenceSpec | None = None
    draft: bool = False

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
    def _speech(cls, value: str) -> str:
        return check_text(value, SPEECH_MAX, "読み上げる文")

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
        problems = []
        for e in err.errors():
            loc = [p for p in e["loc"] if not (isinstance(p, str) and p in ("date", "datetime"))]
            text, parts = _path_text(loc)
            problems.append(Problem(text, _error_text(e), _line_of(node, parts)))
        raise NoticeFileError(str(path), problems) from err
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
        starts_at, ends_at = spec.period(tz)
        if ends_at is not None and ends_at <= starts_at:
            problem(["notices", i, "to"], "to は from より後にしてください")
            continue
        try:
            notices.append(
                Notice(
                    id=notice_id(raw.municipality_code, spec.id),
                    municipality_code=raw.municipality_code,
                    title=spec.title,
                    speech=spec.speech,
                    screen_text=spec.screen or spec.speech[:SCREEN_MAX],
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
                )
            )
        except ValueError as err:
            problem(["notices", i], str(err))
    if problems:
        raise NoticeFileError(str(path), problems)
    return NoticeFile(raw.municipality_code, tuple(notices))
