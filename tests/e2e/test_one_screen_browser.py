"""Staff act from one screen (issue 16), in headless Chromium with Japanese fonts.

The demo data as ``mimamori demo`` seeds it, then a Monday as the elders live it: 佐藤 一郎
says 「胸が苦しい」 to his speaker, 鈴木 トメ answers that she feels bad, 山田 ハナ's home
blood pressure is high and her weekly weight has gone down over six months; the other slots go
by unanswered. After the alert sweep, a care worker reads the board, the alert pages and the
elder pages. Screenshots of each main page are kept in ``MIMAMORI_SCREENSHOTS`` (default
``build/screenshots``) for CI to keep as artifacts.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from backend.bootstrap import bootstrap
from backend.domain.model import AlertStatus, Reading, ReadingKind
from backend.services import alerts, demo
from questions.policy import policy_for
from skill.builder import build_skill
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.e2e.test_alexa_endpoint import IsolatedSettings
from tests.e2e.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Site, log_in
from tests.speaker import SKILL_ID, Speaker

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

JST = ZoneInfo("Asia/Tokyo")
SUNDAY_0500 = datetime(2026, 11, 22, 5, 0, tzinfo=JST)
MONDAY = datetime(2026, 11, 23, tzinfo=JST)
HANA, ICHIRO, TOME = "demo-elder-1", "demo-elder-2", "demo-elder-3"
MUMBLED = ("孫が来てね", "畑の大根がね")  # twice not understood: an unheard event
SHOTS = Path(os.environ.get("MIMAMORI_SCREENSHOTS", "build/screenshots"))
# An internal code: snake_case ids (so_so, ate_little, missed_checkin), rule keys, enum values.
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\bcondition\b|\bweight_drop\b|段階 ?\d")


def _talk(services, clock, device: str, at: datetime, *said: str) -> None:
    speaker = Speaker(
        build_skill(services, SKILL_ID),
        clock,
        user_id=demo.alexa_user_id(device),
        device_id=demo.alexa_device_id(device),
    )
    clock.set(at)
    speaker.open()
    for words in said:
        clock.tick(timedelta(seconds=20))
        speaker.say(words)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    clock = FakeClock(SUNDAY_0500)
    settings = IsolatedSettings(
        database_url=fresh_sqlite(tmp_path_factory.mktemp("one-screen")),
        alexa_skill_id=SKILL_ID,
        secret_key="browser-test-secret-" * 2,
        session_cookie_secure=False,
    )
    services = bootstrap(settings, clock=clock)
    seeded = demo.seed(services)
    weights = [(SUNDAY_0500 - timedelta(days=7 * week), 50.1 + 0.1 * week) for week in range(30)]
    with services.uow() as uow:
        uow.readings.add_many(Reading(HANA, at, ReadingKind.WEIGHT, kg) for at, kg in weights)
        pressure = {"systolic": 172, "diastolic": 104}
        uow.readings.add_many(
            [Reading(HANA, MONDAY + timedelta(hours=7), ReadingKind.BLOOD_PRESSURE, pressure)]
        )
        uow.commit()
    _talk(
        services, clock, "demo-2", MONDAY + timedelta(hours=7, minutes=30), "胸がちょっと苦しくて"
    )
    _talk(
        services,
        clock,
        "demo-3",
        MONDAY + timedelta(hours=7, minutes=40),
        "あとで",
        "調子が悪い",
        *MUMBLED,
    )
    clock.set(MONDAY + timedelta(hours=22))
    assert alerts.sweep(services, cache(policy_for)).opened > 0
    server = make_server("127.0.0.1", 0, create_app_for(settings, services), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        assert seeded.staff_login is not None
        assert seeded.staff_password is not None
        url = f"http://127.0.0.1:{server.server_port}"
        found = Site(url, services, seeded.staff_login, seeded.staff_password)
        found.admin_password = seeded.passwords[demo.DEMO_ADMIN_LOGIN]  # type: ignore[attr-defined]
        yield found
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def create_app_for(settings, services):
    from backend.web import create_app

    return create_app(settings, services)


@pytest.fixture
def page(browser, site: Site) -> Iterator[object]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, site)
    yield page
    context.close()


def shoot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def alert_of(site: Site, elder_id: str, rule: str):
    """Return the elder's alert of ``rule``, or the month's follow-up item that lists it."""
    with site.services.uow() as uow:
        alerts = uow.alerts.list_for_center("demo-center", tuple(AlertStatus))
    mine = [a for a in alerts if a.elder_id == elder_id]
    found = [a for a in mine if a.rule.startswith(rule)]
    found += [
        a
        for a in mine
        if a.rule == "follow_up"
        and any(f["rule"].startswith(rule) for f in a.evidence.get("findings", ()))
    ]
    assert found, f"no {rule} alert for {elder_id}"
    return found[0]


def evidence_of(alert, rule: str) -> dict:
    """Return the evidence of ``rule`` in an alert, or in a follow-up item's finding of it."""
    if alert.rule.startswith(rule):
        return alert.evidence
    return next(f["evidence"] for f in alert.evidence["findings"] if f["rule"].startswith(rule))


def visible_text(page) -> str:
    return page.locator("main").inner_text()


def test_the_board_says_each_elders_most_serious_item_in_words(page, site: Site) -> None:
    board = page.locator("table.board")
    heads = [h.strip() for h in board.locator("thead th").all_inner_texts()]
    assert "気になること" in heads
    assert "お知らせ" not in heads
    ichiro = board.locator("tr", has_text="佐藤 一郎")
    assert "緊急の言葉「胸がちょっと苦しくて」" in ichiro.inner_text()
    assert "至急" in ichiro.inner_text()
    assert "row-urgent" in (ichiro.get_attribute("class") or "")
    assert re.search(r"\d\d/\d\d \d\d:\d\d", ichiro.inner_text())
    tome = board.locator("tr", has_text="鈴木 トメ")
    assert "体調「悪い」" in tome.inner_text()
    hana = board.locator("tr", has_text="山田 ハナ")
    assert len(hana.locator("a.badge-link").all()) == 1  # one line; the rest one click away
    assert re.search(r"ほか\d+件", hana.inner_text())
    for row in ("佐藤 一郎", "山田 ハナ", "鈴木 トメ"):
        name = board.locator("th[scope=row]", has_text=row)
        assert name.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    page.set_viewport_size({"width": 700, "height": 900})  # a tablet held upright
    name = board.locator("th[scope=row] a", has_text="山田 ハナ")
    box = name.bounding_box()
    assert box is not None
    line = float(name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert box["height"] < 1.5 * line  # one line: never one character per line
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not CODE.search(visible_text(page)), CODE.search(visible_text(page))
    shoot(page, "board")
    hana.locator("a.more").click()
    page.wait_for_url(f"{site.url}/elders/{HANA}#alerts")


def test_the_emergency_alert_shows_the_words_said(page, site: Site) -> None:
    alert = alert_of(site, ICHIRO, "emergency")
    page.goto(f"{site.url}/alerts/{alert.id}")
    evidence = page.get_by_role("region", name="何があったか")
    text = evidence.inner_text()
    assert "「胸がちょっと苦しくて」" in text
    assert "胸の痛み・息苦しさ" in text
    assert "119" in text
    assert not CODE.search(visible_text(page)), CODE.search(visible_text(page))
    shoot(page, "alert-emergency")


def test_the_weight_alert_shows_kilograms_and_its_baseline(page, site: Site) -> None:
    alert = alert_of(site, HANA, "weight_drop")
    page.goto(f"{site.url}/alerts/{alert.id}")
    text = page.get_by_role("region", name="何があったか").inner_text()
    found = evidence_of(alert, "weight_drop")
    assert f"{found['drop_kg']:.1f}kg 減りました" in text
    assert f"中央値 {found['baseline_median']:.1f}kg" in text
    assert "2kg 以上減ったとき" in text
    assert "6か月" in text
    history = page.locator("table").last.inner_text()
    assert "段階" not in history
    assert not CODE.search(visible_text(page)), CODE.search(visible_text(page))
    shoot(page, "alert-weight")


def test_a_missed_slot_title_says_its_date_and_the_history_no_stage_numbers(
    page, site: Site
) -> None:
    alert = alert_of(site, HANA, "missed_checkin")
    page.goto(f"{site.url}/alerts/{alert.id}")
    title = page.locator("h1").inner_text()
    assert re.search(r"11月2[23]日 (朝|昼|晩)の確認に応答がありません", title)
    assert "段階" not in visible_text(page)
    history = page.locator("table").last.inner_text()
    assert re.search("まずご本人に声かけ|ご家族へ連絡|センターへ連絡|2日続けて応答なし", history)
    assert not CODE.search(visible_text(page)), CODE.search(visible_text(page))


def test_a_concern_title_and_the_answer_table_are_in_japanese(page, site: Site) -> None:
    alert = alert_of(site, TOME, "concern")
    page.goto(f"{site.url}/alerts/{alert.id}")
    assert "condition" not in page.locator("h1").inner_text()
    assert "体調「悪い」" in page.get_by_role("region", name="何があったか").inner_text()
    shoot(page, "alert-concern")
    page.goto(f"{site.url}/elders/{TOME}")
    text = visible_text(page)
    assert "悪い" in text
    assert not CODE.search(text), CODE.search(text)
    shoot(page, "elder")
    unheard = page.get_by_role("region", name="聞き取れなかったお答え").inner_text()
    assert "睡眠" in unheard
    assert all(f"「{words}」" in unheard for words in MUMBLED)
    shoot(page, "elder")
    with site.services.uow() as uow:
        actions = [e.action for e in uow.audit.list_for_elder(TOME)]
    assert "view_unheard" in actions


def test_the_elder_page_shows_the_question_added_for_this_elder(page, site: Site) -> None:
    page.goto(f"{site.url}/elders/{HANA}")  # the demo adds 歩数 for 山田 ハナ
    profile = page.get_by_role("heading", name="プロフィール").locator("..").inner_text()
    assert "この方だけの追加の質問" in profile
    assert "歩数（" in profile
    shoot(page, "elder-hana")


def test_the_weight_chart_draws_the_rules_baseline_with_round_ticks(page, site: Site) -> None:
    alert = alert_of(site, HANA, "weight_drop")
    page.goto(f"{site.url}/elders/{HANA}")
    chart = page.locator('svg[data-chart="weight"]')
    line = chart.locator("line.threshold")
    assert line.count() == 1
    label = chart.locator("text", has_text="か月前の中央値").text_content()
    baseline = evidence_of(alert, "weight_drop")["baseline_median"]
    assert label == f"6か月前の中央値 {baseline:.1f}kg −2kg"
    ticks = [float(t.replace(",", "")) for t in chart.locator("text.tick").all_text_contents()]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    assert steps.pop() in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10)
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] >= 900  # large enough to read on a PC
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(SHOTS / "chart-weight.png"))


def test_no_main_page_shows_an_internal_code(page, site: Site) -> None:
    for path in ("/", "/alerts", f"/elders/{HANA}", f"/elders/{ICHIRO}", "/alerts/stats"):
        page.goto(site.url + path)
        text = visible_text(page)
        assert not CODE.search(text), (path, CODE.search(text))
    shoot(page, "stats")
    page.goto(site.url + "/alerts")
    ichiro = page.locator("li.alert-item").filter(has_text="佐藤 一郎さん").first
    assert "緊急の言葉「胸がちょっと苦しくて」" in ichiro.inner_text()  # the evidence, in the list
    shoot(page, "alerts")


def test_staff_store_contacts_with_consent_and_read_them_on_the_alert_page(
    page, site: Site
) -> None:
    page.goto(f"{site.url}/elders/{ICHIRO}")
    page.get_by_role("link", name="連絡先を登録する").click()
    page.get_by_label("ご本人の電話番号").fill("０１９７－２４－２１１１")  # full width, as typed
    page.get_by_label("住所").fill("岩手県奥州市江刺大通り1-8")
    page.get_by_label("緊急連絡先 1 お名前").fill("佐藤 健太")
    page.get_by_label("緊急連絡先 1 続柄").fill("長男")
    page.get_by_label("緊急連絡先 1 電話番号").fill("090-12")
    page.get_by_label("担当の民生委員").fill("高橋 和子")
    page.get_by_role("button", name="保存する").click()
    assert "2 件の誤りがあります。何も保存していません。" in visible_text(page)
    assert "緊急連絡先 1の電話番号は 0197-24-2111 のように" in visible_text(page)
    assert "同意を確かめて" in visible_text(page)
    with site.services.uow() as uow:
        assert uow.contacts.get(ICHIRO) is None
    page.get_by_label("緊急連絡先 1 電話番号").fill("090-1234-5678")
    page.get_by_label("鍵を預かっている人").fill("隣の千葉さん")
    page.get_by_label("ご本人が、センターがこの連絡先を保管することに同意しています").check()
    shoot(page, "contacts-form")
    page.get_by_role("button", name="保存する").click()
    page.get_by_text("連絡先を保存しました。").wait_for()
    card = page.get_by_role("region", name="連絡先").inner_text()
    assert "0197-24-2111" in card
    assert "佐藤 健太（長男） 090-1234-5678" in card
    assert "隣の千葉さん" in card
    alert = alert_of(site, ICHIRO, "emergency")
    page.goto(f"{site.url}/alerts/{alert.id}")
    card = page.get_by_role("region", name="連絡先")
    assert card.get_by_role("link", name="090-1234-5678").get_attribute("href") == (
        "tel:090-1234-5678"
    )
    assert "高橋 和子" in card.inner_text()
    assert card.get_by_role("link", name="連絡先を編集する").count() == 0
    shoot(page, "alert-with-contacts")
    with site.services.uow() as uow:
        entries = [e for e in uow.audit.list_for_elder(ICHIRO) if e.action.endswith("contacts")]
    assert [e.action for e in entries].count("edit_contacts") == 1
    assert {"elder", "alert"} <= {e.detail.get("page") for e in entries}
    assert all("090" not in str(e.detail) for e in entries)  # ids only in the audit log


def test_the_demo_admin_opens_the_settings_and_picks_a_notice_audience_by_name(
    browser, site: Site
) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        admin = Site(site.url, site.services, demo.DEMO_ADMIN_LOGIN, site.admin_password)
        log_in(page, admin)
        page.get_by_role("link", name="市町村の設定").click()
        assert page.url.endswith("/admin/")
        page.goto(f"{site.url}/admin/032158/notices/new")
        centers = page.get_by_role("group", name="対象のセンター")
        assert "中央地域包括支援センター" in centers.inner_text()
        elders = page.get_by_label("対象のご本人")
        assert "山田 ハナ（水沢）" in elders.inner_text()
        box = page.get_by_label("月曜")
        size = box.bounding_box()
        assert size is not None
        assert size["width"] >= 18  # a box a finger can hit
        text = visible_text(page)
        assert "センター ID" not in text
        assert "ご本人 ID" not in text
        shoot(page, "notice-form")
    finally:
        context.close()
