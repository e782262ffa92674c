"""Alert titles, periods and evidence in the words staff read: no ids, no codes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from backend import messages
from backend.dashboard import evidence
from backend.domain.model import Alert, AlertStatus, Severity
from backend.services.answer_words import shown
from questions.loader import SETS_DIR, load_question_set

JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def _alert(rule: str, period: str, severity: Severity = Severity.INFO, **ev) -> Alert:
    return Alert(
        id=f"{rule}-{period}",
        elder_id="e1",
        rule=rule,
        period=period,
        severity=severity,
        stage=0,
        status=AlertStatus.OPEN,
        created_at=AT,
        evidence=ev,
    )


def _missed(day: str, slot: str, label: str, start: str) -> Alert:
    return _alert(
        "missed_checkin",
        f"{day}/{slot}",
        Severity.SAME_DAY,
        date=day,
        slot=slot,
        slot_label=label,
        slot_start=f"{day}T{start}:00+09:00",
        slot_end=f"{day}T{start}:00+09:00",
    )


def test_a_concern_title_names_the_question_by_its_title_never_its_id() -> None:
    title = messages.title_for("concern:condition", "2026-12-03", {"title": "体調"})
    assert title == "気になる答えがありました（体調）"
    assert "condition" not in messages.title_for("concern:condition", "2026-12-03", {})


def test_a_missed_slot_title_and_the_mail_period_say_the_date() -> None:
    ev = {"date": "2026-12-03", "slot_label": "朝"}
    assert messages.title_for("missed_checkin", "2026-12-03/morning", ev).startswith(
        "12月3日 朝の確認"
    )
    assert messages.period_for("missed_checkin", "2026-12-03/morning", ev) == "12月3日 朝"
    assert messages.period_for("weight_drop", "2026-W49", {}) == "この6か月"


def test_the_board_says_two_missed_slots_of_a_day_together() -> None:
    morning = _missed("2026-12-03", "morning", "朝", "07:00")
    evening = _missed("2026-12-03", "evening", "晩", "18:00")
    assert evidence.headline([evening, morning], JST) == "朝・晩とも応答なし（12/3）"
    assert evidence.headline([morning], JST) == "朝の応答なし（12/3）"


def test_a_silence_the_elder_ended_says_so_on_the_board_and_the_alert_page() -> None:
    morning = _missed("2026-12-03", "morning", "朝", "07:00")
    morning.evidence.update(
        ended_at="2026-12-03T21:40:00+09:00",
        family_at="2026-12-03T22:00:00+09:00",
        center_at="2026-12-04T08:00:00+09:00",
    )
    assert evidence.headline([morning], JST) == "朝の応答なし（12/3）→その後反応あり（12/3 21:40）"
    facts = {f.label: f.text for f in evidence.evidence(morning, JST).facts}
    assert facts["その後"].startswith("12/3 21:40 に、ご本人の反応がありました。")
    assert "この先の連絡" not in facts  # no "family at … / center at …" once it is over


def test_the_board_says_a_weight_drop_in_kilograms_over_six_months() -> None:
    weight = _alert(
        "weight_drop",
        "2026-W49",
        drop_kg=2.75,
        threshold_kg=2.0,
        recent_window=["2026-11-06", "2026-12-03"],
        baseline_window=["2026-05-08", "2026-06-04"],
    )
    assert evidence.headline([weight], JST) == "体重 6か月で2.8kg減"
    assert messages.title_for("weight_drop", "2026-W49", weight.evidence).endswith("（2.8kg 減）")


def test_a_follow_up_item_leads_with_its_most_serious_finding_and_counts_the_rest() -> None:
    weight = {
        "rule": "weight_drop",
        "period": "2026-W49",
        "severity": "info",
        "evidence": {"drop_kg": 2.75, "threshold_kg": 2.0},
    }
    pressure = {
        "rule": "bp_high",
        "period": "2026-12-01",
        "severity": "same_day",
        "evidence": {
            "readings": [{"systolic": 168, "diastolic": 96, "at": "2026-12-01T07:10+09:00"}]
        },
    }
    item = _alert(
        "follow_up", "2026-12", Severity.SAME_DAY, month="2026-12", findings=[weight, pressure]
    )
    assert evidence.headline([item], JST) == "血圧 168/96（12/1 7:10） ほか1件（今月のまとめ）"
    alone = _alert("follow_up", "2026-12", month="2026-12", findings=[weight])
    assert evidence.headline([alone], JST) == "体重 6か月で2.8kg減"
    facts = [(f.label, f.text) for f in evidence.evidence(item, JST).facts]
    assert facts[0] == ("12月1日", "血圧 168/96（12/1 7:10）")
    assert ("　測った値", "12/1 7:10：上 168／下 96 mmHg") in facts  # each finding's own evidence


def test_the_most_serious_alert_leads_the_line() -> None:
    weight = _alert("weight_drop", "2026-W49", drop_kg=2.1)
    said = _alert(
        "emergency",
        "ev1",
        Severity.URGENT,
        at="2026-12-03T07:10:00+09:00",
        detail={"intent": "words:help", "words": "助けて"},
    )
    assert evidence.headline([weight, said], JST) == "緊急の言葉「助けて」（12/3 7:10）"
    facts = evidence.evidence(said, JST).facts
    assert ("ご本人の言葉", "「助けて」") in [(f.label, f.text) for f in facts]


def test_answers_are_shown_with_the_labels_the_elder_was_offered() -> None:
    qset = load_question_set(SETS_DIR / "032158.yaml")
    assert shown(qset.question("condition"), "so_so") == "まあまあ"
    assert shown(qset.question("breakfast"), "ate_little") == "少し"
    assert shown(qset.question("medication"), True) == "飲んだ"
    assert shown(qset.question("weight"), 52.5) == "52.5kg"
    assert shown(qset.question("condition"), "retired_option") == "（記録の形が読めません）"
