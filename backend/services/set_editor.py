"""Form editing of a question set: its rows of questions to YAML text and back.

The form never publishes by itself: it turns what the admin chose into the same YAML text
the advanced editor takes, and the caller validates and publishes it with
``municipal_config`` (one path, one validation). The loader's problems are placed back on the
form's fields by their path (``questions[2].schedule.day`` → row 2, 日にち).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backend.services import form_yaml
from questions.loader import Problem, load_catalog
from questions.schema import WEEKDAYS, Question

EVERY = {"day": "毎日", "week": "毎週", "month": "毎月"}
_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:")


@dataclass
class Row:
    """One question of the set as the form shows it."""

    id: str
    title: str
    speech: str
    from_catalog: bool
    slots: list[str]
    every: str
    weekday: str
    day: str
    errors: dict[str, list[str]] = field(default_factory=dict)  # field name → messages


@dataclass
class SetForm:
    """The question-set form: the set's slots, its questions, and what the catalog adds."""

    slots: list[tuple[str, str]]  # (id, label)
    rows: list[Row]
    addable: list[tuple[str, str]]  # catalog (id, title) not in the set yet
    general: list[str] = field(default_factory=list)
    weekdays: tuple[str, ...] = WEEKDAYS
    every: dict[str, str] = field(default_factory=lambda: dict(EVERY))


def _entry_id(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("use") or entry.get("id") or "")
    return ""


def _schedule_of(entry: dict[str, Any], catalog: dict[str, Question]) -> dict[str, Any]:
    schedule = entry.get("schedule")
    if isinstance(schedule, dict):
        return schedule
    base = catalog.get(str(entry.get("use")))
    if base is not None:
        return base.schedule.model_dump(mode="json", exclude_defaults=True)
    return {}


def set_form(text: str, catalog: dict[str, Question] | None = None) -> SetForm | None:
    """Return the form of a set's text; None when the text is not a set a form can show."""
    catalog = load_catalog() if catalog is None else catalog
    data = form_yaml.load(text)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return None
    slots = [
        (str(s.get("id")), str(s.get("label") or s.get("id")))
        for s in data.get("slots") or []
        if isinstance(s, dict)
    ]
    rows = []
    for entry in data["questions"]:
        if not isinstance(entry, dict):
            return None
        base = catalog.get(str(entry.get("use"))) if "use" in entry else None
        given = entry.get("wording")
        wording = given if isinstance(given, dict) else {}
        schedule = _schedule_of(entry, catalog)
        raw_slots = schedule.get("slots")
        rows.append(
            Row(
                id=_entry_id(entry),
                title=str(entry.get("title") or (base.title if base else _entry_id(entry))),
                speech=str(wording.get("speech") or (base.wording.speech if base else "")),
                from_catalog="use" in entry,
                slots=[str(s) for s in raw_slots] if isinstance(raw_slots, list) else [],
                every=str(schedule.get("every") or "day"),
                weekday=str(schedule.get("weekday") or ""),
                day="" if schedule.get("day") is None else str(schedule.get("day")),
            )
        )
    used = {r.id for r in rows}
    addable = [(q.id, q.title) for q in catalog.values() if q.id not in used]
    return SetForm(slots, rows, addable)


@dataclass(frozen=True)
class RowInput:
    """What the form posted for one question."""

    id: str
    order: str
    remove: bool
    slots: tuple[str, ...]
    every: str
    weekday: str
    day: str


def _schedule(row: RowInput) -> dict[str, Any]:
    schedule: dict[str, Any] = {"slots": list(row.slots)}
    if row.every in ("week", "month"):
        schedule["every"] = row.every
    elif row.every != "day":
        schedule["every"] = row.every  # not offered: the loader names the choices
    if row.every == "week":
        schedule["weekday"] = row.weekday or None
    if row.every == "month":
        schedule["day"] = form_yaml.number(row.day) if row.day.strip() else None
    return {k: v for k, v in schedule.items() if v is not None}


def _order_key(position: int, row: RowInput) -> tuple[float, int]:
    try:
        return float(row.order), position
    except ValueError:
        return float(position + 1), position


def _chunks(lines: list[str]) -> tuple[str, list[str]]:
    """Return the list items' indent and the text of each item of a ``questions:`` block."""
    indent = next(
        (
            line[: len(line) - len(line.lstrip())]
            for line in lines
            if line.lstrip().startswith("- ")
        ),
        "",
    )
    chunks: list[str] = []
    for line in lines:
        if line.startswith(indent + "- "):
            chunks.append(line)
        elif chunks:
            chunks[-1] += line
    return indent, chunks


def _replace_questions(text: str, old: list[Any], entries: list[Any]) -> str:
    """Return the text with only its top-level ``questions:`` block rewritten.

    An entry the form did not change keeps its own lines (and comments); one it changed is
    written anew at the same indent.
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^questions\s*:", line)), None)
    if start is None:
        return text.rstrip("\n") + "\nquestions:\n" + form_yaml.dump(entries)
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
    # A comment line just before the next key belongs to that key, not to the questions.
    while end - 1 > start and lines[end - 1].startswith("#"):
        end -= 1
    indent, chunks = _chunks(lines[start + 1 : end])
    own = (
        dict(zip([_entry_id(e) for e in old], chunks, strict=False))
        if len(chunks) == len(old)
        else {}
    )
    originals = {_entry_id(e): e for e in old if isinstance(e, dict)}
    block = [lines[start] if lines[start].endswith("\n") else lines[start] + "\n"]
    for entry in entries:
        key = _entry_id(entry)
        if key in own and originals.get(key) == entry:
            chunk = own[key]
            block.append(chunk if chunk.endswith("\n") else chunk + "\n")
        else:
            plain = isinstance(entry, dict) and all(
                not isinstance(v, dict | list) for v in entry.values()
            )  # ``- use: steps``, not ``- {use: steps}``
            dumped = form_yaml.dump([entry], False if plain else None)
            block += [indent + line + "\n" for line in dumped.splitlines()]
    return "".join(lines[:start]) + "".join(block) + "".join(lines[end:])


def apply_set_form(
    text: str, rows: list[RowInput], add: str = "", catalog: dict[str, Question] | None = None
) -> tuple[str, list[str]]:
    """Return the set's text with the form's questions, and the ids in their new order.

    Questions are matched to the text's entries by id; one the text does not have is ignored
    (the page was out of date), a catalog id in ``add`` is appended with its own schedule.
    """
    catalog = load_catalog() if catalog is None else catalog
    data = form_yaml.load(text)
    entries = data.get("questions") if isinstance(data, dict) else None
    by_id = {_entry_id(e): e for e in entries or [] if isinstance(e, dict)}
    kept = sorted(
        ((p, r) for p, r in enumerate(rows) if r.id in by_id and not r.remove),
        key=lambda pr: _order_key(*pr),
    )
    new: list[Any] = []
    for _, row in kept:
        entry = dict(by_id[row.id])
        schedule = _schedule(row)
        base = catalog.get(str(entry.get("use"))) if "use" in entry else None
        if base is not None and schedule == base.schedule.model_dump(
            mode="json", exclude_defaults=True
        ):
            entry.pop("schedule", None)  # the catalog's own schedule: nothing to write
        else:
            entry["schedule"] = schedule
        new.append(entry)
    if add and add not in {_entry_id(e) for e in new}:
        new.append({"use": add})
    return _replace_questions(text, list(entries or []), new), [_entry_id(e) for e in new]


_ROW_FIELDS = {"slots": "slots", "every": "every", "weekday": "weekday", "day": "day"}
# The schedule's rules in the form's words, on the field that needs the change.
_FORM_WORDS = {
    "every: week には weekday（月〜日）が必要です": ("weekday", "毎週のときは曜日を選んでください"),
    "every: month には day（1〜31）が必要です": (
        "day",
        "毎月のときは日にち（1〜31）を入れてください",
    ),
    "少なくとも 1 個必要です": ("slots", "時間帯を1つ以上選んでください"),
}
_ROW_PATH = re.compile(r"^questions\[(\d+)\](?:\.(.*))?$")


def place_set_problems(form: SetForm, problems: tuple[Problem, ...]) -> None:
    """Put each problem on its row and field (Japanese as the loader wrote it)."""
    for p in problems:
        match = _ROW_PATH.match(p.path)
        if match is None or int(match.group(1)) >= len(form.rows):
            form.general.append(f"{p.path or '(全体)'}: {p.message}")
            continue
        row = form.rows[int(match.group(1))]
        rest = match.group(2) or ""
        message = p.message
        if rest.startswith("schedule"):
            name = _ROW_FIELDS.get(rest.removeprefix("schedule.").split(".")[0], "every")
            name, message = _FORM_WORDS.get(message, (name, message))
        else:
            name = "row"
        row.errors.setdefault(name, []).append(message)
