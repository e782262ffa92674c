"""A municipality's alert policy: every threshold of the alert rules, validated like question sets.

Each default below names its source (a service, a guideline or a study). A municipality
changes them in ``questions/policies/<code>.yaml``; what the file does not list keeps its default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from questions.codes import InvalidMunicipalityCode, validate_municipality_code
from questions.loader import (
    PACKAGE_DIR,
    Problem,
    QuestionSetError,
    _line_of,
    _message,
    _path_text,
    _read_text,
    _yaml_of,
    file_code_problem,
)

POLICIES_DIR = PACKAGE_DIR / "policies"
DEFAULT_NAME = "default"

# Pydantic error types the question-set loader has no Japanese wording for.
_MORE_MESSAGES = {
    "model_type": "「項目: 値」の形で書いてください",
    "dict_type": "「項目: 値」の形で書いてください",
    "int_from_float": "整数を書いてください",
    "float_type": "数を書いてください",
    "string_type": "文字列を書いてください",
}


class PolicyError(QuestionSetError):
    """A policy file is invalid; the report names the file, line, path and problem."""


class BloodPressureLimit(BaseModel):
    """A home blood-pressure limit: reached when either number is at or above it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systolic: int = Field(ge=100, le=300)
    diastolic: int = Field(ge=50, le=200)


class Policy(BaseModel):
    """Every threshold of the alert rules, for one municipality (or the defaults)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality_code: str | None = Field(default=None, pattern=r"^\d{6}$")

    # How many dates (today and the ones before it) the rules look at for missed check-ins,
    # answers, blood pressure and emergencies; 2 lets a sweep catch up after a day's outage.
    # Design choice (ARCHITECTURE §6: "misses no evaluation"), not from a field source.
    lookback_days: int = Field(default=2, ge=1, le=7)

    # --- missed check-in -------------------------------------------------------------------
    # Minutes after a slot's end before the elder is nudged. Japan Post みまもりでんわ calls
    # again once after 1 hour before it mails "不在"; the water-meter
    # pilot's false alerts came mostly from late waking (§ water-meter, 2.3/person/month).
    grace_minutes: int = Field(default=60, ge=0, le=24 * 60)
    # Minutes after the nudge before family is told. Design choice between hearth's
    # +30/+90 min ladder and 恵那市's "1日応答が無い場合は家族に通知".
    family_after_minutes: int = Field(default=120, ge=0, le=48 * 60)
    # Hours after a slot's start before the care center is told: Japan Post's smart-speaker
    # service, "24時間返事がない場合も連絡が届く".
    center_after_hours: int = Field(default=24, ge=1, le=96)
    # Family is told only once the next due slot has also gone unanswered (its end + grace),
    # never for one skipped slot that the elder makes up at the next one. Design choice
    # against the false alarms that made 奥州市's families cancel (a 2 % skip rate alone sent
    # each family ~1.2 messages a month), after 恵那市's "1日応答が無い場合は家族に通知";
    # bench/simulate.py measures both settings.
    family_waits_for_next_slot: bool = True
    # Days running without an answer that make the alert a priority: 九度山町 (みまもりでんわ,
    # 2018): "no answer 2 days running → 民生委員 visits and reports to the town".
    priority_days_running: int = Field(default=2, ge=2, le=7)

    # --- each elder's own rhythm (missed check-ins) ---------------------------------
    # On (the default), a missed check-in is judged against the elder's own history instead of
    # the fixed ladder above: per slot, the share of the elder's recent days answered and the
    # usual opening time. Design choice after the water-meter pilot and 奥州市's cancellations:
    # most false alarms were habits (a morning-only
    # elder's evening, デイサービス days), not emergencies. Off: the fixed ladder.
    per_elder_rhythm: bool = True
    # The prior of a slot's answer rate, and how many days it weighs: a new elder (or a slot
    # with little history) counts as a reliable answerer, so nothing is lost at the start.
    rhythm_prior_rate: float = Field(default=0.9, gt=0, lt=1)
    rhythm_prior_days: float = Field(default=2.0, gt=0, le=28)
    # A slot the elder answers on fewer than this share of days is not expected: missing it
    # alone never alerts (a morning-only elder's silent evening is normal).
    rhythm_expected_rate: float = Field(default=0.5, gt=0, lt=1)
    # The elder is nudged this many minutes after their usual opening time of the slot (the
    # median of recent days; never before the latest of their recent times), and at the
    # slot's end + grace at the latest.
    rhythm_margin_minutes: int = Field(default=90, ge=0, le=12 * 60)
    # The chance that the elder skipped every expected slot missed by habit (the product of
    # 1 - answer rate, each slot counting from its end + grace) at which the silence is
    # unusual for this elder: family is told then, the care center at the deadline below.
    # 0.1 % ≈ two misses of a 49-in-50 answerer, three of a 9-in-10 one, five of a 3-in-4
    # one: a silence has many chances a month to look unusual, so the bar is per silence low.
    # Design choice (bench/simulate.py: 1 % sent families 30 % more false alerts, on the same
    # seed and with every collapse still told in time; BENCHMARKS.md (d2)).
    family_chance: float = Field(default=0.001, gt=0, lt=1)
    # A silence that becomes unusual after the day's last slot (e.g. the evening missed too,
    # at 22:00) is told to family at the elder's usual time of the next morning's slot (+
    # margin), by the care-center deadline at the latest, not overnight: most such silences
    # end with the morning answer (a day out, a skipped evening), and a family told at 22:00
    # or woken at 07:00 for nothing stops trusting the messages. Design choice
    # (bench/simulate.py); false: family is told as soon as the silence is unusual.
    family_waits_overnight: bool = True
    # The care-center deadline (center_after_hours from the start of the first expected slot
    # missed) moves later by up to this many minutes so that the elder's usual time of the
    # same slot the next day has passed: the center is not called 30 minutes before a
    # morning-only elder's usual answer. 24 h + 110 min: inside Japan Post's 24 h plus the
    # 2 h of its own re-call, with 10 minutes left for the sweep's cadence (every 5 minutes)
    # and the outbox, so that the center is told within 26 h, not at 26 h plus a sweep.
    center_margin_minutes: int = Field(default=110, ge=0, le=6 * 60)
    # The care center is told at the deadline once the chance that the silence is habit is
    # this or less (1 in 20: any elder who usually answers the slots missed; recall first),
    # else when it is, at center_max_hours after the first miss began at the latest (an
    # irregular answerer; 九度山町: two days running → 民生委員 visit).
    # Family is told then at the latest too. Design choice (bench/simulate.py, three seeds).
    center_chance: float = Field(default=0.05, gt=0, lt=1)
    center_max_hours: int = Field(default=48, ge=1, le=7 * 24)
    # Family and the care center also wait until the silence is longer than the longest one
    # the elder ended by a check-in in the learned dates (+ grace), center_max_hours at the
    # latest: a silence as long as ones they had lately is not unusual for them. Off by
    # default (a what-if: bench/simulate.py --policy wait_beyond_own_silences=true).
    wait_beyond_own_silences: bool = False
    # The speaker made no contact for this many hours while a device (pedometer, scale) shows
    # the elder is up: shown to staff as 「スピーカーと連絡が取れません」 (no message sent).
    speaker_silent_hours: int = Field(default=24, ge=1, le=7 * 24)

    # --- follow-up findings --------------------------------------------------------
    # Follow-up-level findings (BP 160-179, a concerning answer, a poor-sleep spell, the
    # monthly checklist, weight and step drops) are grouped into one follow-up item per elder
    # and month on the dashboard, not an alert (and a message to the center) each. Urgent
    # findings (bp_urgent, emergency) are never grouped. Design choice.
    group_follow_ups: bool = True
    # Steps and activity minutes are compared with the municipality's other elders the same
    # days (their median ratio to their own past), so a rainy week or the winter moves
    # everybody's baseline, not one elder's alarm. Needs this many other elders with data.
    activity_cohort_min_elders: int = Field(default=5, ge=1, le=1000)

    # --- weight drop -----------------------------------------------------------------------
    # Revised J-CHS (国立長寿医療研究センター, 2020): unintended loss of 2 kg or more in
    # 6 months. 182 days = 26 weeks ≈ 6 months.
    weight_drop_kg: float = Field(default=2.0, gt=0, le=20)
    weight_window_days: int = Field(default=182, ge=28, le=400)
    # Robust medians (design choice, ARCHITECTURE §6 "not on one reading"): the median of the
    # last 28 days (4 weekly weights) against the median of the 28 days ending 6 months ago,
    # each from at least 3 values, so one misheard weight can never move a median far.
    weight_median_days: int = Field(default=28, ge=7, le=91)
    weight_min_values: int = Field(default=3, ge=1, le=91)
    # A lasting loss opens one alert, not one a week: no new weight alert within this many
    # days of the last one opened (design choice; bench/simulate.py counts episodes).
    weight_repeat_days: int = Field(default=28, ge=1, le=365)

    # --- activity drop (steps, activity minutes) ----------------------------------------------
    # ARCHITECTURE §6 default: the 7-day median below 70% of the previous 28-day median, with
    # enough data (5 of 7 and 20 of 28 days). A design default: steps and activity minutes are
    # only a proxy for J-CHS 身体活動, not a validated cut-off.
    activity_drop_ratio: float = Field(default=0.7, gt=0, le=0.99)
    activity_short_days: int = Field(default=7, ge=3, le=28)
    activity_long_days: int = Field(default=28, ge=7, le=91)
    activity_short_min_days: int = Field(default=5, ge=1, le=28)
    activity_long_min_days: int = Field(default=20, ge=1, le=91)
    # No new activity alert for a measure within this many days of the last one opened: a
    # drop that lasts is one alert (design choice; bench/simulate.py counts episodes).
    activity_repeat_days: int = Field(default=14, ge=1, le=365)

    # --- blood pressure (home readings) -----------------------------------------------------
    # JSH2019 home III度 hypertension is ≥160 and/or ≥100 → same-day follow-up by staff.
    # (A design suggestion that needs a municipal 保健師/医師 sign-off.)
    bp_follow_up: BloodPressureLimit = BloodPressureLimit(systolic=160, diastolic=100)
    # ≥180/120 is the level of 高血圧緊急症/切迫症 (JSH, Minds) → urgent, and the elder is told
    # to seek care. BP alone never diagnoses an emergency.
    bp_urgent: BloodPressureLimit = BloodPressureLimit(systolic=180, diastolic=120)

    # --- privacy --------------------------------------------------------------------------
    # Days the personal data of an elder who withdrew consent is kept before the nightly job
    # deletes or anonymises it (counts for statistics stay). APPI art. 22 asks for deletion
    # "without delay" once the data is no longer needed; a year leaves room for a
    # disclosure request (開示請求), an incident review or a complaint about the service.
    # Design default: each municipality sets its own from its 文書管理規程 / 条例.
    retention_days: int = Field(default=365, ge=0, le=3650)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.activity_short_min_days > self.activity_short_days:
            raise ValueError("activity_short_min_days は activity_short_days 以下にしてください")
        if self.activity_long_min_days > self.activity_long_days:
            raise ValueError("activity_long_min_days は activity_long_days 以下にしてください")
        if self.family_chance > self.center_chance:
            raise ValueError("family_chance は center_chance 以下にしてください")
        if self.center_max_hours < self.center_after_hours:
            raise ValueError("center_max_hours は center_after_hours 以上にしてください")
        if self.weight_median_days > self.weight_window_days:
            raise ValueError("weight_median_days は weight_window_days 以下にしてください")
        if self.weight_min_values > self.weight_median_days:
            raise ValueError("weight_min_values は weight_median_days 以下にしてください")
        if (
            self.bp_follow_up.systolic > self.bp_urgent.systolic
            or self.bp_follow_up.diastolic > self.bp_urgent.diastolic
        ):
            raise ValueError("bp_follow_up は bp_urgent 以下にしてください")
        return self


DEFAULT_POLICY = Policy()


def _problems(err: ValidationError, node: Any) -> list[Problem]:
    problems = []
    for e in err.errors():
        text, parts = _path_text(e["loc"])
        message = _MORE_MESSAGES.get(e["type"]) or _message(e)
        problems.append(Problem(text, message, _line_of(node, parts)))
    return problems


def load_policy(path: Path | str) -> Policy:
    """Load and validate one policy file; an empty file means every default."""
    path = Path(path)
    try:
        text = _read_text(path)
    except QuestionSetError as err:
        raise PolicyError(err.file, err.problems) from err
    return load_policy_text(text, path)


def load_policy_text(text: str, path: Path | str) -> Policy:
    """Validate a policy given as text, as if read from ``path`` (the dashboard's editor)."""
    path = Path(path)
    try:
        data, node = _yaml_of(text, path)
    except QuestionSetError as err:
        raise PolicyError(err.file, err.problems) from err
    try:
        policy = Policy.model_validate({} if data is None else data)
    except ValidationError as err:
        raise PolicyError(str(path), _problems(err, node)) from err
    code = policy.municipality_code
    problems = []
    if code is not None:
        try:
            validate_municipality_code(code)
        except InvalidMunicipalityCode as err:
            problems.append(Problem("municipality_code", err.reason, _line_of(node, [])))
        misnamed = file_code_problem(path, code, POLICIES_DIR.name, node, also=(DEFAULT_NAME,))
        if misnamed is not None:
            problems.append(misnamed)
    if problems:
        raise PolicyError(str(path), problems)
    return policy


def policy_for(code: str, directory: Path | str = POLICIES_DIR) -> Policy:
    """Return the municipality's policy, else ``default.yaml`` there, else the built-in defaults."""
    for name in (code, DEFAULT_NAME):
        path = Path(directory) / f"{name}.yaml"
        if path.is_file():
            return load_policy(path)
    return DEFAULT_POLICY


def load_policies(directory: Path | str = POLICIES_DIR) -> dict[str, Policy]:
    """Load every ``<code>.yaml`` in a folder, keyed by municipality code (not ``default``)."""
    policies = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        policy = load_policy(path)
        if path.stem != DEFAULT_NAME:
            policies[path.stem] = policy
    return policies
