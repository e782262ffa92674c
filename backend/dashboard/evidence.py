"""An alert's evidence in words and numbers: the board's one line and the alert page's facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any

from backend import messages
from backend.dashboard import evidence_texts as t
from backend.domain import rules
from backend.domain.model import Alert, Severity
from backend.ports import ALERT_SEVERITY_ORDER
from backend.services.answer_words import shown
from questions.model import QuestionSet

MONTH_DAYS = 30.44


@dataclass(frozen=True)
class Fact:
    """One line of the alert page's evidence: a label and what it says."""

    label: str
    text: str


@dataclass(frozen=True)
class Evidence:
    """What happened (facts), the rule that fired and its threshold."""

    facts: tuple[Fact, ...]
    rule: str


def _day(text: str | None) -> str:
    if not text:
        return t.NONE
    d = date.fromisoformat(text[:10])
    return f"{d.month}/{d.day}"


def _at(text: str | None, tz: tzinfo) -> str:
    if not text:
        return t.NONE
    at = datetime.fromisoformat(text).astimezone(tz)
    return f"{at.month}/{at.day} {at.hour}:{at.minute:02d}"


def _hhmm(text: str | None, tz: tzinfo) -> str:
    if not text:
        return t.NONE
    at = datetime.fromisoformat(text).astimezone(tz)
    return f"{at.hour}:{at.minute:02d}"


def _kg(value: Any) -> str:
    return f"{float(value):.1f}"


def _count(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number >= 100 or number.is_integer() else f"{number:.1f}"


def _months(evidence: dict[str, Any]) -> int:
    recent, baseline = evidence.get("recent_window"), evidence.get("baseline_window")
    if not recent or not baseline:
        return 6
    days = (date.fromisoformat(recent[1]) - date.fromisoformat(baseline[1])).days
    return max(1, round(days / MONTH_DAYS))


def _slot_label(evidence: dict[str, Any]) -> str:
    slot = evidence.get("slot", "")
    return evidence.get("slot_label") or messages.SLOT_LABELS.get(slot, slot)


def _answer(qset: QuestionSet | None, question_id: str, value: Any) -> str:
    question = qset.question(question_id) if qset is not None else None
    return shown(question, value)


def _question_title(qset: QuestionSet | None, evidence: dict[str, Any]) -> str:
    question_id = evidence.get("question_id", "")
    question = qset.question(question_id) if qset is not None else None
    return evidence.get("title") or (question.title if question else "") or t.NONE


def _base(rule: str) -> str:
    return rule.partition(":")[0]


def worst_first(alerts: Sequence[Alert]) -> list[Alert]:
    """Return the alerts most serious first, then newest first."""
    rank = {s: i for i, s in enumerate(ALERT_SEVERITY_ORDER)}
    newest = sorted(alerts, key=lambda a: a.created_at, reverse=True)
    return sorted(newest, key=lambda a: rank[a.severity])


def headline(alerts: Sequence[Alert], tz: tzinfo, qset: QuestionSet | None = None) -> str:
    """Return the most serious of an elder's open alerts in one short line.

    Missed slots of the same date are said together (「朝・晩とも応答なし（12/3）」).
    """
    if not alerts:
        return ""
    alert = worst_first(alerts)[0]
    ev = alert.evidence
    base = _base(alert.rule)
    if base == "follow_up":
        found = findings(alert)
        if not found:
            return messages.title_for(alert.rule, alert.period, ev)
        line = headline(found[:1], tz, qset)
        return t.FOLLOW_UP_MORE.format(line=line, more=len(found) - 1) if found[1:] else line
    if base == "missed_checkin":
        line = _missed_line(alert, alerts)
        ended = ev.get(rules.SILENCE_ENDED_AT)
        return t.MISSED_ENDED.format(line=line, at=_at(ended, tz)) if ended else line
    if base == "concern":
        answers = ev.get("answers") or [{}]
        last = answers[-1]
        question = _question_title(qset, ev)
        answer = _answer(qset, ev.get("question_id", ""), last.get("value"))
        if ev.get("days_running", 1) > 1:
            return t.CONCERN_RUNNING.format(
                question=question, answer=answer, days=ev["days_running"], day=_day(alert.period)
            )
        return t.CONCERN_ONE.format(question=question, answer=answer, day=_day(alert.period))
    if base == "weight_drop" and "drop_kg" in ev:
        return t.WEIGHT.format(months=_months(ev), drop=_kg(ev["drop_kg"]))
    if base == "activity_drop" and "ratio" in ev:
        measure = t.MEASURES.get(ev.get("measure", ""), t.MEASURES["steps"])
        return t.ACTIVITY.format(measure=measure, percent=round(float(ev["ratio"]) * 100))
    if base in ("bp_high", "bp_urgent") and ev.get("readings"):
        top = max(ev["readings"], key=lambda r: (r["systolic"], r["diastolic"]))
        return t.BP.format(
            systolic=top["systolic"], diastolic=top["diastolic"], at=_at(top.get("at"), tz)
        )
    if base == "emergency":
        words = (ev.get("detail") or {}).get("words")
        at = _at(ev.get("at"), tz)
        return t.EMERGENCY_SAID.format(words=words, at=at) if words else t.EMERGENCY.format(at=at)
    if base == "disaster_help":
        return t.DISASTER.format(at=_at(ev.get("at"), tz))
    if base == "kihon_checklist":
        month = _month(ev.get("month") or alert.period)
        criteria = (ev.get("criteria") or {}).values()
        met = [c.get("label", "") for c in criteria if c.get("status") == "met"]
        if met:
            return t.CHECKLIST.format(month=month, criteria=t.SLOT_JOIN.join(met))
        return t.CHECKLIST_NONE.format(month=month)
    return messages.title_for(alert.rule, alert.period, ev)


def findings(alert: Alert) -> list[Alert]:
    """Return a follow-up item's findings as alerts of their own, most serious first."""
    rank = {s: i for i, s in enumerate(ALERT_SEVERITY_ORDER)}
    found = [
        replace(
            alert,
            rule=f.get("rule", ""),
            period=f.get("period", ""),
            evidence=f.get("evidence") or {},
            severity=Severity(f.get("severity", Severity.INFO.value)),
        )
        for f in alert.evidence.get("findings", ())
    ]
    newest = sorted(found, key=lambda a: a.period, reverse=True)
    return sorted(newest, key=lambda a: rank[a.severity])


def _follow_up(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    """Each finding in one line, then its own evidence; the rules of each kind once."""
    facts: list[Fact] = []
    rules = [t.FOLLOW_UP_RULE]
    for found in findings(alert):
        facts.append(
            Fact(
                messages.period_for(found.rule, found.period, found.evidence),
                headline([found], tz, qset),
            )
        )
        own = evidence(found, tz, qset)
        facts += [Fact(t.FOLLOW_UP_DETAIL.format(label=f.label), f.text) for f in own.facts]
        if own.rule and own.rule not in rules:
            rules.append(own.rule)
    return Evidence(tuple(facts), " ".join(rules))


def _month(text: str) -> str:
    year, _, month = text.partition("-")
    return f"{int(year)}年{int(month)}月" if year.isdigit() and month.isdigit() else text


def evidence(alert: Alert, tz: tzinfo, qset: QuestionSet | None = None) -> Evidence:
    """Return the alert's evidence as facts and the rule (with its threshold) in words."""
    ev = alert.evidence
    base = _base(alert.rule)
    builder = _BUILDERS.get(base)
    if builder is None:
        return Evidence((), "")
    return builder(alert, ev, tz, qset)


def _missed_line(alert: Alert, alerts: Sequence[Alert]) -> str:
    ev = alert.evidence
    if ev.get("silent_since"):
        return t.MISSED_RUNNING.format(
            days=ev.get("days_running", 2), since=_day(ev.get("silent_since"))
        )
    same_day = [
        a
        for a in alerts
        if _base(a.rule) == "missed_checkin" and a.evidence.get("date") == ev.get("date")
    ]
    starts = sorted(same_day, key=lambda a: a.evidence.get("slot_start", ""))
    labels = list(dict.fromkeys(_slot_label(a.evidence) for a in starts))
    template = t.MISSED_MANY if len(labels) > 1 else t.MISSED_ONE
    return template.format(slots=t.SLOT_JOIN.join(labels), day=_day(ev.get("date")))


def _missed(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    day = date.fromisoformat(ev["date"]) if ev.get("date") else None
    facts = [
        Fact(
            t.LABEL_SLOT,
            t.MISSED_WHEN.format(
                day=f"{day.month}月{day.day}日" if day else t.NONE,
                slot=_slot_label(ev),
                start=_hhmm(ev.get("slot_start"), tz),
                end=_hhmm(ev.get("slot_end"), tz),
            ),
        )
    ]
    if ev.get("silent_since"):
        facts.append(
            Fact(
                t.LABEL_DROP,
                t.MISSED_RUNNING_FACT.format(
                    since=_at(ev["silent_since"], tz), days=ev.get("days_running", 2)
                ),
            )
        )
    if ev.get(rules.SILENCE_ENDED_AT):
        facts.append(
            Fact(t.LABEL_AFTER, t.MISSED_ENDED_FACT.format(at=_at(ev[rules.SILENCE_ENDED_AT], tz)))
        )
    elif ev.get("family_at") and ev.get("center_at"):
        facts.append(
            Fact(
                t.LABEL_NEXT,
                t.MISSED_NEXT.format(
                    family=_at(ev["family_at"], tz), center=_at(ev["center_at"], tz)
                ),
            )
        )
    grace = 0
    if ev.get("slot_end") and ev.get("nudge_at"):
        gap = datetime.fromisoformat(ev["nudge_at"]) - datetime.fromisoformat(ev["slot_end"])
        grace = round(gap.total_seconds() / 60)
    days = ev.get("days_running", 2) if ev.get("silent_since") else 2
    return Evidence(tuple(facts), t.MISSED_RULE.format(grace=grace, days=days))


def _concern(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    question = _question_title(qset, ev)
    facts = []
    for a in ev.get("answers", ()):
        text = t.CONCERN_ANSWER.format(
            day=_at(a.get("answered_at"), tz),
            answer=_answer(qset, ev.get("question_id", ""), a.get("value")),
        )
        if a.get("raw"):
            text += t.CONCERN_RAW.format(raw=a["raw"])
        facts.append(Fact(t.LABEL_ANSWER, text))
    days = ev.get("days_running", 1)
    rule = (
        t.CONCERN_RULE_RUNNING.format(question=question, days=days)
        if days > 1
        else t.CONCERN_RULE_ONE.format(question=question)
    )
    return Evidence(tuple(facts), rule)


def _weight(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    def median(which: str) -> str:
        window = ev.get(f"{which}_window") or ["", ""]
        return t.WEIGHT_MEDIAN.format(
            median=_kg(ev.get(f"{which}_median", 0)),
            start=_day(window[0]),
            end=_day(window[1]),
            count=ev.get(f"{which}_count", 0),
        )

    facts = (
        Fact(t.LABEL_RECENT, median("recent")),
        Fact(t.LABEL_BASELINE, median("baseline")),
        Fact(t.LABEL_DROP, t.WEIGHT_DROP_FACT.format(drop=_kg(ev.get("drop_kg", 0)))),
    )
    rule = t.WEIGHT_RULE.format(months=_months(ev), threshold=f"{ev.get('threshold_kg', 2):g}")
    return Evidence(facts, rule)


def _window(label: str, template: str, days: Any, median: Any, unit: str, window: Any) -> Fact:
    """Return one window of an activity drop: its days, median and dates."""
    start, end = window or ["", ""]
    text = template.format(
        days=days or 0, value=_count(median or 0), unit=unit, start=_day(start), end=_day(end)
    )
    return Fact(label, text)


def _activity(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    unit = t.MEASURE_UNITS.get(ev.get("measure", ""), "")
    facts = (
        _window(t.LABEL_RECENT, t.ACTIVITY_RECENT, ev.get("short_days"), ev.get("short_median"),
                unit, ev.get("short_window")),
        _window(t.LABEL_BASELINE, t.ACTIVITY_BASELINE, ev.get("long_days"),
                ev.get("long_median"), unit, ev.get("long_window")),
        Fact(t.LABEL_DROP, t.ACTIVITY_RATIO.format(percent=round(float(ev.get("ratio", 0)) * 100))),
    )  # fmt: skip
    percent = round(float(ev.get("threshold_ratio", 0.7)) * 100)
    return Evidence(facts, t.ACTIVITY_RULE.format(percent=percent))


def _pressure(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    facts = tuple(
        Fact(
            t.LABEL_READINGS,
            t.BP_READING.format(
                at=_at(r.get("at"), tz), systolic=r["systolic"], diastolic=r["diastolic"]
            ),
        )
        for r in ev.get("readings", ())
    )
    limit = ev.get("limit") or {}
    rule = t.BP_RULE.format(systolic=limit.get("systolic"), diastolic=limit.get("diastolic"))
    return Evidence(facts, rule)


def _emergency(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    detail = ev.get("detail") or {}
    facts = [Fact(t.LABEL_WHEN, _at(ev.get("at"), tz))]
    intent = detail.get("intent") or ""
    if detail.get("words"):
        facts.append(Fact(t.LABEL_SAID, f"「{detail['words']}」"))
    elif intent == "words:message":
        facts.append(Fact(t.LABEL_SAID, t.EMERGENCY_MESSAGE))
    else:
        facts.append(Fact(t.LABEL_SAID, t.EMERGENCY_INTENT))
    if intent.startswith("words:") and intent != "words:message":
        kind = intent.removeprefix("words:")
        facts.append(Fact(t.LABEL_HOW, t.EMERGENCY_KINDS.get(kind, t.EMERGENCY_KIND_OTHER)))
    return Evidence(tuple(facts), t.EMERGENCY_RULE)


def _disaster(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    facts = (
        Fact(t.LABEL_WHEN, _at(ev.get("at"), tz)),
        Fact(t.LABEL_NOTICE, ev.get("title") or t.NONE),
    )
    return Evidence(facts, t.DISASTER_RULE)


def _checklist(alert: Alert, ev: dict, tz: tzinfo, qset: QuestionSet | None) -> Evidence:
    scores = []
    for domain in (ev.get("domains") or {}).values():
        text = t.CHECKLIST_DOMAIN.format(
            label=domain.get("label", ""), points=domain.get("points", 0), of=domain.get("of", 0)
        )
        if domain.get("missing"):
            text += t.CHECKLIST_MISSING.format(missing=len(domain["missing"]))
        scores.append(text)
    met = [
        t.CHECKLIST_CRITERION.format(
            label=c.get("label", ""), points=c.get("points", 0), cutoff=c.get("cutoff", 0)
        )
        for c in (ev.get("criteria") or {}).values()
        if c.get("status") == "met"
    ]
    facts = [Fact(t.LABEL_WHEN, _month(ev.get("month") or alert.period))]
    if met:
        facts.append(Fact(t.LABEL_CRITERIA, "、".join(met)))
    if scores:
        facts.append(Fact(t.LABEL_SCORES, "、".join(scores)))
    return Evidence(tuple(facts), t.CHECKLIST_RULE)


_BUILDERS = {
    "missed_checkin": _missed,
    "concern": _concern,
    "weight_drop": _weight,
    "activity_drop": _activity,
    "bp_high": _pressure,
    "bp_urgent": _pressure,
    "emergency": _emergency,
    "disaster_help": _disaster,
    "kihon_checklist": _checklist,
    "follow_up": _follow_up,
}
