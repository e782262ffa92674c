"""Device readings imported from CSV (weight, blood pressure, steps, activity minutes).

Readings file (``mimamori import readings FILE.csv``)
-----------------------------------------------------

UTF-8 (with or without a BOM), comma separated, one header row naming the columns
(in any order; names are compared without case and surrounding spaces)::

    elder_id,measured_at,kind,value,value2
    demo-elder-1,2026-11-20T07:05:00+09:00,weight,52.4,
    demo-elder-1,2026-11-20 07:06,blood_pressure,128,82
    demo-elder-1,2026-11-20T21:00,steps,4210,

- ``elder_id``: the elder's id in Mimamori (never a name).
- ``measured_at``: ISO 8601 date and time; without an offset it is a time in the
  deployment's time zone (``MIMAMORI_TIMEZONE``, Asia/Tokyo by default). A time in the
  future (more than ``FUTURE_SLACK`` ahead) is refused.
- ``kind``: ``weight`` (kg, 20-200), ``steps`` (whole number, 0-100000),
  ``activity_minutes`` (minutes a day, 0-1440) or ``blood_pressure`` (``bp`` also
  accepted: systolic mmHg in ``value``, 60-260, diastolic mmHg in ``value2``, 30-160,
  whole numbers, systolic above diastolic).
- ``value2``: only for blood pressure; empty otherwise. The column may be left out of a
  file without blood pressure rows.

Every row is checked before anything is stored. A file with any problem stores nothing;
each problem is reported as ``FILE:LINE: column: what is wrong``. A good file is stored
in one unit of work; rows already stored (same elder, kind and instant) are counted and
skipped, so importing a file again adds nothing.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from backend.domain.model import Elder, Reading, ReadingKind
from backend.ports import AbstractUnitOfWork
from backend.services.context import Services

READING_SOURCE = "import"
FUTURE_SLACK = timedelta(minutes=5)
"""How far ahead of now a measured time may be (device clocks drift a little)."""

REQUIRED_COLUMNS = ("elder_id", "measured_at", "kind", "value")
OPTIONAL_COLUMNS = ("value2",)
READINGS_HEADER = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)

KIND_NAMES: dict[str, ReadingKind] = {
    "weight": ReadingKind.WEIGHT,
    "steps": ReadingKind.STEPS,
    "activity_minutes": ReadingKind.ACTIVITY_MINUTES,
    "blood_pressure": ReadingKind.BLOOD_PRESSURE,
    "bp": ReadingKind.BLOOD_PRESSURE,
}


@dataclass(frozen=True)
class Limit:
    """The plausible range of one measured value, and whether it must be whole."""

    low: float
    high: float
    unit: str
    whole: bool


LIMITS: dict[ReadingKind, Limit] = {
    ReadingKind.WEIGHT: Limit(20, 200, "kg", whole=False),
    ReadingKind.STEPS: Limit(0, 100_000, "歩", whole=True),
    ReadingKind.ACTIVITY_MINUTES: Limit(0, 1440, "分", whole=False),
    ReadingKind.BLOOD_PRESSURE: Limit(60, 260, "mmHg（最高血圧）", whole=True),
}
DIASTOLIC = Limit(30, 160, "mmHg（最低血圧）", whole=True)

# What an operator reads (the message catalog of this module).
MESSAGES = {
    "not_utf8": "UTF-8 として読めません（Excel の「CSV UTF-8」などで保存し直してください）",
    "empty_file": "空のファイルです（1 行目に見出し {header} が必要です）",
    "bad_csv": "CSV として読めません: {error}",
    "missing_column": "見出しにこの列がありません（見出しは {header}）",
    "unknown_column": "不明な列です（使える列は {header}）",
    "repeated_column": "見出しに同じ列が 2 回あります",
    "no_rows": "データの行がありません",
    "cell_missing": "列が足りません（見出しは {count} 列、この行は {found} 列）",
    "too_many_cells": "列が多すぎます（見出しは {count} 列、この行は {found} 列）",
    "empty": "空です",
    "unknown_elder": "登録されていない利用者 ID です",
    "not_watchable": "見守りの同意が記録されていないか、見守りが終了・停止中の利用者です",
    "bad_time": "日時として読めません（例: 2026-11-20T07:05:00+09:00 または 2026-11-20 07:05）",
    "no_time": "時刻がありません（例: 2026-11-20 07:05）",
    "future_time": "未来の日時です（現在 {now}）",
    "unknown_kind": "不明な種類です（{kinds} のいずれか）",
    "not_number": "数値ではありません（単位は付けずに数字だけを書いてください）",
    "not_whole": "整数ではありません",
    "out_of_range": "範囲外です（{low}〜{high} {unit}）",
    "value2_not_empty": "血圧以外では空にしてください",
    "value2_missing": "血圧の最低血圧（拡張期）がありません",
    "not_above": "最高血圧（value: {systolic}）が最低血圧（{diastolic}）より高くありません",
    "duplicate": "{line} 行目と同じ利用者・種類・日時です",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a readings file, at a line and column."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.column}: {self.message}"


class ReadingsFileError(ValueError):
    """A readings file has problems; nothing was imported."""

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        super().__init__(f"{path}: {len(problems)} 件の誤り")
        self.path = path
        self.problems = list(problems)

    def report(self) -> str:
        """Return every problem, one a line, in file order."""
        return "\n".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows in the file, new readings stored, and those already there."""

    path: str
    rows: int
    new: int

    @property
    def already_present(self) -> int:
        """Return how many rows were stored before (by an earlier import)."""
        return self.rows - self.new


@dataclass
class ParsedReadings:
    """A readings file checked without the store: its readings, elder ids and problems."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[tuple[int, Reading]] = field(default_factory=list)
    elder_refs: list[tuple[int, str]] = field(default_factory=list)  # (line, elder id)


def import_readings(svc: Services, path: str | Path) -> ImportReport:
    """Check every row of a readings CSV file, then store all of them or nothing.

    Raise ``ReadingsFileError`` listing every problem (and store nothing) if any row is
    wrong; raise OSError if the file cannot be read.
    """
    name = str(path)
    data = Path(path).read_bytes()
    parsed = parse_readings(name, data, svc)
    with svc.uow() as uow:
        parsed.problems.extend(_check_elders(name, uow, parsed.elder_refs))
        if parsed.problems:
            raise ReadingsFileError(name, sorted(parsed.problems, key=_problem_order))
        new = uow.readings.add_many(reading for _, reading in parsed.rows)
        uow.commit()
    return ImportReport(path=name, rows=len(parsed.rows), new=new)


def parse_readings(name: str, data: bytes, svc: Services) -> ParsedReadings:
    """Return the readings of a file's bytes and every problem found without the store."""
    parsed = ParsedReadings()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        parsed.problems.append(Problem(name, line, "-", MESSAGES["not_utf8"]))
        return parsed
    records = _records(name, text, parsed.problems)
    if records is None:
        return parsed
    header_line, header = next(records, (1, []))
    if not any(cell.strip() for cell in header):
        hint = ",".join(READINGS_HEADER)
        parsed.problems.append(
            Problem(name, header_line, "-", MESSAGES["empty_file"].format(header=hint))
        )
        return parsed
    columns = _columns(name, header_line, header, parsed.problems)
    if columns is None:
        return parsed
    now = svc.now()
    first_seen: dict[tuple[str, ReadingKind, datetime], int] = {}
    seen_rows = 0
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        seen_rows += 1
        elder_index = columns["elder_id"]
        if elder_index < len(cells) and cells[elder_index].strip():
            parsed.elder_refs.append((line, cells[elder_index].strip()))
        reading = _row(name, line, cells, columns, svc, now, parsed.problems)
        if reading is None:
            continue
        key = (reading.elder_id, reading.kind, reading.measured_at)
        if key in first_seen:
            message = MESSAGES["duplicate"].format(line=first_seen[key])
            parsed.problems.append(Problem(name, line, "measured_at", message))
            continue
        first_seen[key] = line
        parsed.rows.append((line, reading))
    if not seen_rows and not parsed.problems:
        parsed.problems.append(Problem(name, header_line + 1, "-", MESSAGES["no_rows"]))
    return parsed


def _records(
    name: str, text: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]] | None:
    """Return (first line, cells) of each CSV record, or None if the text is not CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    found: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            found.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as err:
        problems.append(Problem(name, start, "-", MESSAGES["bad_csv"].format(error=err)))
        return None
    return iter(found)


def _columns(
    name: str, line: int, header: list[str], problems: list[Problem]
) -> dict[str, int] | None:
    """Return the index of each column named in the header, or None if it is wrong."""
    hint = ",".join(READINGS_HEADER)
    columns: dict[str, int] = {}
    ok = True
    for index, raw in enumerate(header):
        column = raw.strip().lower()
        if column not in READINGS_HEADER:
            shown = raw.strip() or f"{index + 1} 列目"
            problems.append(
                Problem(name, line, shown, MESSAGES["unknown_column"].format(header=hint))
            )
            ok = False
        elif column in columns:
            problems.append(Problem(name, line, column, MESSAGES["repeated_column"]))
            ok = False
        else:
            columns[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(
                Problem(name, line, column, MESSAGES["missing_column"].format(header=hint))
            )
            ok = False
    return columns if ok else None


def _row(
    name: str,
    line: int,
    cells: list[str],
    columns: dict[str, int],
    svc: Services,
    now: datetime,
    problems: list[Problem],
) -> Reading | None:
    """Return the reading of one data row, or None after adding its problems."""
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(name, line, column, message))

    width = max(columns.values()) + 1
    needed = max(columns[c] for c in REQUIRED_COLUMNS) + 1
    if len(cells) > width:
        problem("-", MESSAGES["too_many_cells"].format(count=width, found=len(cells)))
    elif len(cells) < needed:
        problem("-", MESSAGES["cell_missing"].format(count=width, found=len(cells)))

    def cell(column: str) -> str | None:
        index = columns.get(column)
        if index is None or (index >= len(cells) and column in OPTIONAL_COLUMNS):
            return ""  # an optional column left out of the file or of a short row
        if index >= len(cells):
            return None  # reported above
        return cells[index].strip()

    elder_id = cell("elder_id")
    if elder_id == "":
        problem("elder_id", MESSAGES["empty"])
    measured_at = _measured_at(cell("measured_at"), svc, now, problem)
    kind = _kind(cell("kind"), problem)
    value = _value(cell("value"), kind, problem)
    value2 = cell("value2")
    stored: float | dict[str, float | None] | None = value  # a blood pressure is two numbers
    if kind is ReadingKind.BLOOD_PRESSURE:
        diastolic = _value2(value2, problem)
        if isinstance(value, int) and diastolic is not None and value <= diastolic:
            problem("value2", MESSAGES["not_above"].format(systolic=value, diastolic=diastolic))
        stored = {"systolic": value, "diastolic": diastolic}
    elif kind is not None and value2:
        problem("value2", MESSAGES["value2_not_empty"])
    if len(problems) > before or not elder_id or measured_at is None or kind is None:
        return None
    return Reading(
        elder_id=elder_id, measured_at=measured_at, kind=kind, value=stored, source=READING_SOURCE
    )


def _measured_at(text: str | None, svc: Services, now: datetime, problem: Any) -> datetime | None:
    if text is None:
        return None
    if not text:
        problem("measured_at", MESSAGES["empty"])
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        problem("measured_at", MESSAGES["bad_time"])
        return None
    if "T" not in text.upper() and " " not in text:
        # A date alone ("2026-11-20", "20261120") parses as midnight: refuse the guess.
        problem("measured_at", MESSAGES["no_time"])
        return None
    if at.tzinfo is None or at.utcoffset() is None:
        at = at.replace(tzinfo=svc.tz)
    if at > now + FUTURE_SLACK:
        shown = now.isoformat(timespec="minutes")
        problem("measured_at", MESSAGES["future_time"].format(now=shown))
        return None
    return at


def _kind(text: str | None, problem: Any) -> ReadingKind | None:
    if text is None:
        return None
    if not text:
        problem("kind", MESSAGES["empty"])
        return None
    kind = KIND_NAMES.get(text.lower())
    if kind is None:
        kinds = ", ".join(k.value for k in ReadingKind)
        problem("kind", MESSAGES["unknown_kind"].format(kinds=kinds))
    return kind


def _number(text: str | None, limit: Limit | None, column: str, problem: Any) -> float | None:
    """Return the number in ``text`` checked against ``limit`` (None: not checked)."""
    if text is None:
        return None
    if not text:
        problem(column, MESSAGES["empty"])
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        problem(column, MESSAGES["not_number"])
        return None
    if limit is None:
        return number
    if limit.whole and not number.is_integer():
        problem(column, MESSAGES["not_whole"])
        return None
    if not limit.low <= number <= limit.high:
        low, high = (f"{x:,g}" for x in (limit.low, limit.high))
        problem(column, MESSAGES["out_of_range"].format(low=low, high=high, unit=limit.unit))
        return None
    return number


def _value(text: str | None, kind: ReadingKind | None, problem: Any) -> float | int | None:
    number = _number(text, LIMITS[kind] if kind else None, "value", problem)
    if number is None or kind is None:
        return None
    if LIMITS[kind].whole or (kind is ReadingKind.ACTIVITY_MINUTES and number.is_integer()):
        return int(number)
    return number


def _value2(text: str | None, problem: Any) -> int | None:
    if text == "":
        problem("value2", MESSAGES["value2_missing"])
        return None
    number = _number(text, DIASTOLIC, "value2", problem)
    return None if number is None else int(number)


def _check_elders(
    name: str, uow: AbstractUnitOfWork, refs: Sequence[tuple[int, str]]
) -> list[Problem]:
    """Return a problem for each row whose elder is unknown or not watched (one get per id)."""
    elders: dict[str, Elder | None] = {}
    problems = []
    for line, elder_id in refs:
        if elder_id not in elders:
            elders[elder_id] = uow.elders.get(elder_id)
        elder = elders[elder_id]
        if elder is None:
            problems.append(Problem(name, line, "elder_id", MESSAGES["unknown_elder"]))
        elif not elder.is_watchable:
            problems.append(Problem(name, line, "elder_id", MESSAGES["not_watchable"]))
    return problems


_COLUMN_ORDER = {column: i for i, column in enumerate(("-", *READINGS_HEADER))}


def _problem_order(p: Problem) -> tuple[int, int, str]:
    return (p.line, _COLUMN_ORDER.get(p.column, -1), p.message)
