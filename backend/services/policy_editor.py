"""Form editing of an alert policy: its numbers by label, to YAML text (comments kept) and back.

Like ``set_editor``, the form never publishes by itself: the caller validates and publishes
the text with ``municipal_config``; the loader's problems are placed back on the fields.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from backend.services import form_yaml
from questions.loader import Problem
from questions.policy import DEFAULT_POLICY


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
    data = form_yaml.load(text)
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
            limit[tail] = form_yaml.number(raw)
        else:
            data[head] = form_yaml.number(raw)
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
    kept = form_yaml.load(base) if base.strip() else None
    if isinstance(kept, dict):  # settings the form does not show are never dropped
        data.update({k: v for k, v in kept.items() if k not in known})
    if base.strip():
        edited = _edited(base, data)
        if form_yaml.load(edited) == data:
            return edited
    header = (
        "# 画面のフォームから作った内容です。書かなかった項目は既定値になります"
        "（既定値とその出典は questions/policy.py）。\n"
    )
    return header + form_yaml.dump(data)


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
