"""The notices commands: the demo's garbage day on the right morning only, import, export."""

from __future__ import annotations

import csv
import io

from tests.e2e.test_cli import MONDAY_MORNING, env, run  # noqa: F401 - env is a fixture

TUESDAY_MORNING = "2026-11-24T07:30:00"


def test_the_demo_garbage_day_is_heard_on_monday_and_not_on_tuesday(env):  # noqa: F811
    run("demo", "--no-serve")
    monday = run("talk", "--device", "demo-1", "--now", MONDAY_MORNING, input="はい\nストップ\n")
    assert "新しいお知らせが1件あります" in monday.output
    assert "燃えるごみの日。今日は、燃えるごみの日です。" in monday.output
    tuesday = run("talk", "--device", "demo-1", "--now", TUESDAY_MORNING, input="ストップ\n")
    assert "お知らせ" not in tuesday.output
    assert "今日の体調はいかがですか" in tuesday.output


def test_notices_import_reports_every_problem_and_imports_nothing(env, tmp_path):  # noqa: F811
    run("demo", "--no-serve")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'municipality_code: "032158"\nnotices:\n  - id: a\n    title: 避難\n'
        "    priority: 緊急\n    speech: 避難してください。\n    from: 2026-11-31\n",
        encoding="utf-8",
    )
    result = run("notices", "import", str(bad))
    assert result.exit_code == 1
    assert (
        f"{bad}:5: notices[0].priority: 次のどれかにしてください: 通常, 重要, 災害" in result.stderr
    )
    assert f"{bad}:7: notices[0].from: 日付" in result.stderr
    assert "2 件の誤りがあります。何も取り込んでいません。" in result.stderr


def test_import_then_export_lists_who_heard_and_who_has_not(env, tmp_path):  # noqa: F811
    run("demo", "--no-serve")
    good = tmp_path / "n.yaml"
    good.write_text(
        'municipality_code: "032158"\nnotices:\n  - id: kinkyu\n    title: 避難所の開設\n'
        "    priority: 災害\n    speech: 公民館に避難所を開きました。\n"
        "    from: 2026-11-23T06:00\n    audience: {districts: [水沢, 江刺]}\n",
        encoding="utf-8",
    )
    imported = run("notices", "import", str(good))
    assert imported.exit_code == 0, imported.output
    assert "新規 1 件" in imported.output
    assert "スピーカーへの通知 2 件" in imported.output  # demo-1 (水沢), demo-2 (江刺)
    talked = run(
        "talk", "--device", "demo-1", "--now", MONDAY_MORNING, input="無事です\nストップ\n"
    )
    assert "ご無事ですか" in talked.output
    exported = run("export", "notices", "--format", "csv", "--hours", "0")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    quake = {r["elder_id"]: r for r in rows if r["notice_id"] == "032158/kinkyu"}
    assert set(quake) == {"demo-elder-1", "demo-elder-2"}
    assert quake["demo-elder-1"]["safety"] == "safe"
    assert quake["demo-elder-2"]["heard"] == "no"
    assert quake["demo-elder-2"]["needs_call"] == "yes"  # no answer 0 hours after publication


def test_the_demo_hyakusai_taiso_is_offered_after_a_friday_morning_check_in(env):  # noqa: F811
    run("demo", "--no-serve")
    friday = run("talk", "--device", "demo-1", "--now", "2026-11-27T10:15:00", input="#1\n" * 12)
    assert "いきいき百歳体操の時間です。ご一緒にいかがですか。" in friday.output
    assert "[#1] やった  [#2] 今日はやめとく" in friday.output
    assert "よかったです。おつかれさまでした。今日の分は、これでおしまいです。" in friday.output
    late = run("talk", "--device", "demo-1", "--now", "2026-12-01T11:40:00", input="#1\n" * 12)
    assert "今日の分は、これでおしまいです。" in late.output  # a Tuesday, after its window
    assert "体操の時間" not in late.output
