"""Form editing of a question set and an alert policy: form values to YAML text and back.

The forms never publish by themselves: they turn what the admin chose into the same YAML text
the advanced editor takes, and the caller validates and publishes it with
``municipal_config`` (one path, one validation). The loader's problems are placed back on the
form's fields by their path (``questions[2].schedule.day`` → row 2, 日にち).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from questions.loader import Problem, load_catalog
from questions.policy import DEFAULT_POLICY
from questions.schema import WEEKDAYS, Question

EVERY = {"day": "毎日", "week": "毎週", "month": "毎月"}
_NUMBERISH = re.compile(r"^[0-9:._+\-]+$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)$")
_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:")


class _Dumper(yaml.SafeDumper):
    """Dump strings that look like numbers or times in quotes (``"06:00"``, ``"032158"``)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _NUMBERISH.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any, flow: bool | None = None) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=flow
    )


def _load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _number(value: str) -> int | float | str:
    """Return the number typed, else the text itself (the loader then says what is wrong)."""
    value = value.strip()
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


# --- question set ----------------------------------------------------------------------------


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
    data = _load(text)
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
        schedule["day"] = _number(row.day) if row.day.strip() else None
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
        return text.rstrip("\n") + "\nquestions:\n" + _dump(entries)
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
            dumped = _dump([entry], False if plain else None)
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
    data = _load(text)
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


# --- alert policy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyField:
    """One number of the alert policy as the form labels it."""

    name: str  # the YAML path: ``grace_minutes`` or ``bp_follow_up.systolic``
    label: str
    unit: str
    group: str
    step: str = "1"
    choice: bool = False  # a yes/no setting (``yes``, ``no``; blank: the default)

    @property
    def default(self) -> Any:
        """Return the built-in default (questions/policy.py)."""
        head, _, tail = self.name.partition(".")
        value = getattr(DEFAULT_POLICY, head)
        return getattr(value, tail) if tail else value


_MISSED = "返事がないとき"
_RHYTHM = "ご本人ごとのリズム"
_FOLLOW = "経過観察のまとめ"
_WEIGHT = "体重の減少"
_ACTIVITY = "歩数・活動時間の減少"
_BP = "家庭血圧"
_OTHER = "そのほか"
WAITS = "family_waits_for_next_slot"

POLICY_FIELDS: tuple[PolicyField, ...] = (
    PolicyField("grace_minutes", "時間帯の終わりから、ご本人へ声をかけるまで", "分", _MISSED),
    PolicyField("family_after_minutes", "声をかけてから、ご家族へ知らせるまで", "分", _MISSED),
    PolicyField(
        "center_after_hours", "時間帯の始まりから、センターへ知らせるまで", "時間", _MISSED
    ),
    PolicyField("priority_days_running", "何日続けて返事がなければ「優先」にするか", "日", _MISSED),
    PolicyField(
        WAITS,
        "ご家族へ知らせるのは、次の時間帯も返事がなかったときだけにする",
        "",
        _MISSED,
        choice=True,
    ),
    PolicyField(
        "per_elder_rhythm",
        "ご本人ごとのリズム（ふだん答える時間帯と時刻）で判断する（いいえ：上の固定の段階）",
        "",
        _RHYTHM,
        choice=True,
    ),
    PolicyField(
        "rhythm_prior_rate", "記録の少ない方を、この割合で答える方とみなす", "割合", _RHYTHM, "0.01"
    ),
    PolicyField("rhythm_prior_days", "その見なしの重み", "日分", _RHYTHM, "0.1"),
    PolicyField(
        "rhythm_expected_rate",
        "この割合より答えない時間帯は、答えなくても知らせない",
        "割合",
        _RHYTHM,
        "0.01",
    ),
    PolicyField("rhythm_margin_minutes", "ふだんの時刻からご本人へ声をかけるまで", "分", _RHYTHM),
    PolicyField(
        "family_chance", "「たまたま」の確率がこれ以下でご家族へ", "確率", _RHYTHM, "0.001"
    ),
    PolicyField(
        "center_margin_minutes", "センターへの時間を翌日のふだんの時刻まで延ばす上限", "分", _RHYTHM
    ),
    PolicyField(
        "center_chance", "「たまたま」の確率がこれ以下で期限にセンターへ", "確率", _RHYTHM, "0.001"
    ),
    PolicyField(
        "center_max_hours", "答え方が不規則な方でも、この時間でセンターへ", "時間", _RHYTHM
    ),
    PolicyField(
        "speaker_silent_hours",
        "スピーカーからの連絡がなく機器は動いているとき、職員へ示すまで",
        "時間",
        _RHYTHM,
    ),
    PolicyField(
        "group_follow_ups",
        "経過観察の所見（血圧 160〜179、気になる答え、チェックリストなど）を月ごとに1件にまとめる",
        "",
        _FOLLOW,
        choice=True,
    ),
    PolicyField(
        "activity_cohort_min_elders",
        "歩数・体重を同じ市町村のほかの方と比べるのに必要な人数",
        "人",
        _FOLLOW,
    ),
    PolicyField("weight_drop_kg", "この重さ以上減ったら知らせる", "kg", _WEIGHT, "0.1"),
    PolicyField("weight_window_days", "何日前の体重と比べるか", "日", _WEIGHT),
    PolicyField("weight_median_days", "中央値をとる期間", "日", _WEIGHT),
    PolicyField("weight_min_values", "それぞれの期間に必要な体重の数", "回", _WEIGHT),
    PolicyField("weight_repeat_days", "次の体重のアラートまであける日数", "日", _WEIGHT),
    PolicyField(
        "activity_drop_ratio", "直近が以前のこの割合を下回ったら知らせる", "倍", _ACTIVITY, "0.01"
    ),
    PolicyField("activity_short_days", "直近の期間", "日", _ACTIVITY),
    PolicyField("activity_long_days", "比べる以前の期間", "日", _ACTIVITY),
    PolicyField("activity_short_min_days", "直近の期間に値が必要な日数", "日", _ACTIVITY),
    PolicyField("activity_long_min_days", "以前の期間に値が必要な日数", "日", _ACTIVITY),
    PolicyField("activity_repeat_days", "次のアラートまであける日数", "日", _ACTIVITY),
    PolicyField("bp_follow_up.systolic", "当日中に確認：上（収縮期）", "mmHg", _BP),
    PolicyField("bp_follow_up.diastolic", "当日中に確認：下（拡張期）", "mmHg", _BP),
    PolicyField("bp_urgent.systolic", "すぐに対応：上（収縮期）", "mmHg", _BP),
    PolicyField("bp_urgent.diastolic", "すぐに対応：下（拡張期）", "mmHg", _BP),
    PolicyField("lookback_days", "何日分（今日を含む）をさかのぼって見るか", "日", _OTHER),
    PolicyField("retention_days", "同意の撤回のあと、個人情報を消すまで", "日", _OTHER),
)
FIELD_NAMES = {f.name for f in POLICY_FIELDS}


@dataclass
class PolicyFormState:
    """The policy form: each field's typed value (blank: the default) and its errors."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    fields: tuple[PolicyField, ...] = POLICY_FIELDS

    def groups(self) -> list[tuple[str, list[PolicyField]]]:
        """Return the fields in their groups, in order."""
        found: dict[str, list[PolicyField]] = {}
        for f in self.fields:
            found.setdefault(f.group, []).append(f)
        return list(found.items())


def policy_form(text: str) -> PolicyFormState | None:
    """Return the form of a policy's text (blank where it keeps the default); None if unreadable."""
    data = _load(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None
    values: dict[str, str] = {}
    for f in POLICY_FIELDS:
        head, _, tail = f.name.partition(".")
        value = data.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, dict) else None
        if f.choice and isinstance(value, bool):
            values[f.name] = "yes" if value else "no"
        else:
            values[f.name] = "" if value is None else str(value)
    return PolicyFormState(values)


def _policy_data(code: str, values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"municipality_code": code}
    for f in POLICY_FIELDS:
        raw = (values.get(f.name) or "").strip()
        if not raw:
            continue
        if f.choice:
            if raw in ("yes", "no"):
                data[f.name] = raw == "yes"
            continue
        head, _, tail = f.name.partition(".")
        if tail:
            limit = data.setdefault(head, {})
            limit[tail] = _number(raw)
        else:
            data[head] = _number(raw)
    for head in ("bp_follow_up", "bp_urgent"):  # one number typed: the other keeps its default
        if head in data:
            data[head] = {**getattr(DEFAULT_POLICY, head).model_dump(), **data[head]}
    return data


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


_KEY_LINE = re.compile(r"^(?P<key>[a-z_]+):(?P<value>[^#\n]*?)(?P<comment>\s+#.*)?$")


def _edited(base: str, data: dict[str, Any]) -> str:
    """Return the base text with each top-level value changed in place (its comment kept)."""
    known = {f.name.partition(".")[0] for f in POLICY_FIELDS} | {"municipality_code"}
    lines, seen = [], set()
    for line in base.splitlines():
        match = _KEY_LINE.match(line)
        key = match.group("key") if match else None
        if key is None or key not in known:
            lines.append(line)
            continue
        seen.add(key)
        if key not in data:
            continue  # blank on the form: the default, so the line goes
        comment = match.group("comment") or ""  # type: ignore[union-attr]
        lines.append(f"{key}: {_scalar(data[key])}{comment}")
    lines += [f"{k}: {_scalar(v)}" for k, v in data.items() if k not in seen]
    return "\n".join(lines).rstrip("\n") + "\n"


def policy_text(code: str, values: dict[str, str], base: str = "") -> str:
    """Return the policy YAML of the form's values; a blank value keeps the default.

    The text in force (``base``) is changed line by line so its comments stay; when it is
    written in a way a line cannot change, the whole text is written anew.
    """
    data = _policy_data(code, values)
    known = {f.name.partition(".")[0] for f in POLICY_FIELDS} | {"municipality_code"}
    kept = _load(base) if base.strip() else None
    if isinstance(kept, dict):  # settings the form does not show are never dropped
        data.update({k: v for k, v in kept.items() if k not in known})
    if base.strip():
        edited = _edited(base, data)
        if _load(edited) == data:
            return edited
    header = (
        "# 画面のフォームから作った内容です。書かなかった項目は既定値になります"
        "（既定値とその出典は questions/policy.py）。\n"
    )
    return header + _dump(data)


def _label_names(message: str) -> str:
    """Return the message with the policy's YAML names replaced by the form's labels."""
    for f in sorted(POLICY_FIELDS, key=lambda f: -len(f.name)):
        if "." not in f.name:
            message = re.sub(rf"\s*\b{f.name}\b\s*", f"「{f.label}」", message)
    message = re.sub(r"\s*\bbp_follow_up\b\s*", "「当日中に確認」の血圧", message)
    return re.sub(r"\s*\bbp_urgent\b\s*", "「すぐに対応」の血圧", message)


def _named(name: str, problem: Problem) -> re.Match[str] | None:
    return re.search(rf"\b{name}\b", problem.message)


def place_policy_problems(form: PolicyFormState, problems: tuple[Problem, ...]) -> None:
    """Put each problem next to its field; a rule between two fields goes on the first named."""
    for p in problems:
        name = p.path if p.path in FIELD_NAMES or p.path == WAITS else None
        if name is None:
            found = [(m.start(), f.name) for f in POLICY_FIELDS for m in [_named(f.name, p)] if m]
            if "bp_follow_up" in p.message:
                found.append((p.message.index("bp_follow_up"), "bp_follow_up.systolic"))
            name = min(found)[1] if found else None
        if name is None:
            form.general.append(f"{p.path or '(全体)'}: {_label_names(p.message)}")
            continue
        form.errors.setdefault(name, []).append(_label_names(p.message))
