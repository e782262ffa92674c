"""The dashboard in headless Chromium (Playwright) against a real server and SQLite database.

The demo data is seeded as ``mimamori demo`` seeds it, a Sunday and a Monday morning go by
without an answer, and the alert sweep opens missed check-in alerts. A staff member then
logs in, sees the alert, claims and resolves it, adds an away period and reads the charts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from backend.bootstrap import bootstrap
from backend.domain.model import AlertStatus, Outcome, Reading, ReadingKind
from backend.services import alerts, demo
from backend.services.context import Services
from backend.web import create_app
from questions.policy import policy_for
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.e2e.test_alexa_endpoint import IsolatedSettings

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
JST = ZoneInfo("Asia/Tokyo")
SUNDAY_0500 = datetime(2026, 11, 22, 5, 0, tzinfo=JST)
MONDAY_1200 = datetime(2026, 11, 23, 12, 0, tzinfo=JST)
ELDER_ID = "demo-elder-1"  # 山田 ハナ
TIMEOUT_MS = 10_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Site:
    """The running app, its services (one clock) and the demo staff login."""

    def __init__(self, url: str, services: Services, login: str, password: str) -> None:
        self.url = url
        self.services = services
        self.login = login
        self.password = password


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    clock = FakeClock(SUNDAY_0500)
    settings = IsolatedSettings(
        database_url=fresh_sqlite(tmp_path),
        alexa_skill_id="amzn1.ask.skill.test",
        secret_key="browser-test-secret-" * 2,
        session_cookie_secure=False,  # plain http on 127.0.0.1
    )
    services = bootstrap(settings, clock=clock)
    seeded = demo.seed(services)
    with services.uow() as uow:
        uow.readings.add_many(
            Reading(ELDER_ID, SUNDAY_0500 - timedelta(days=7 * week), ReadingKind.WEIGHT, value)
            for week, value in enumerate((52.4, 52.6, 52.9, 53.1, 53.0, 53.4))
        )
        uow.readings.add_many(
            Reading(
                ELDER_ID,
                SUNDAY_0500 - timedelta(days=day),
                ReadingKind.BLOOD_PRESSURE,
                {"systolic": 128 + 6 * day, "diastolic": 80 + day},
            )
            for day in range(4)
        )
        uow.commit()
    clock.set(MONDAY_1200)
    report = alerts.sweep(services, cache(policy_for))
    assert report.opened > 0
    server = make_server("127.0.0.1", 0, create_app(settings, services), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        assert seeded.staff_login is not None
        assert seeded.staff_password is not None
        yield Site(
            f"http://127.0.0.1:{server.server_port}",
            services,
            seeded.staff_login,
            seeded.staff_password,
        )
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def page(browser, site: Site) -> Iterator[object]:
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    refused: list[str] = []  # what Chromium refused under the Content-Security-Policy
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert refused == []


def log_in(page, site: Site) -> None:
    page.goto(site.url + "/")
    assert "/login" in page.url
    page.get_by_label("ログインID").fill(site.login)
    page.get_by_label("パスワード").fill(site.password)
    page.get_by_label("パスワード").press("Enter")  # the keyboard is enough
    page.wait_for_url(site.url + "/")


def test_staff_log_in_see_the_alert_claim_and_resolve_it(page, site: Site) -> None:
    log_in(page, site)
    board = page.locator("table.board")
    assert "山田 ハナ" in board.inner_text()
    assert page.locator("tr.has-alert").count() >= 1
    page.get_by_role("link", name="アラート", exact=True).click()
    first = page.locator("li.alert-item").filter(has_text="山田 ハナさん").first
    assert "応答がありません" in first.inner_text()
    first.get_by_role("button", name="私が確認します").click()
    page.get_by_text("このアラートの確認を引き受けました。").wait_for()
    assert "デモ 職員" in page.locator("table").inner_text()
    alert_id = page.url.rsplit("/", 1)[1]
    page.get_by_label("対応の結果").select_option(Outcome.REACHED.value)
    page.get_by_label("メモ").fill("電話で元気な声を確認しました")
    page.get_by_role("button", name="対応済みにする").click()
    page.get_by_text("対応を記録しました。").wait_for()
    with site.services.uow() as uow:
        stored = uow.alerts.get(alert_id)
    assert stored is not None
    assert stored.status is AlertStatus.RESOLVED
    assert stored.outcome is Outcome.REACHED
    assert stored.note == "電話で元気な声を確認しました"
    assert stored.claimed_by is not None
    assert stored.claimed_by.startswith("staff:")


def test_staff_add_an_away_period_and_see_the_charts(page, site: Site) -> None:
    log_in(page, site)
    page.get_by_role("link", name="山田 ハナ").click()
    page.wait_for_url(f"{site.url}/elders/{ELDER_ID}")
    page.get_by_label("理由").select_option(label="旅行")
    page.get_by_label("開始日").fill("2026-11-24")
    page.get_by_label("終了日（わかれば）").fill("2026-11-27")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("お休みの期間を登録しました。").wait_for()
    assert "旅行" in page.get_by_role("table", name="お休みの記録").inner_text()
    with site.services.uow() as uow:
        (period,) = uow.away.list_for_elder(ELDER_ID)
    assert period.start == datetime(2026, 11, 24, tzinfo=JST)
    assert period.end == datetime(2026, 11, 28, tzinfo=JST)

    chart = page.locator('svg[data-chart="weight"]')
    assert chart.get_attribute("data-points") == "6"
    line = chart.locator("polyline.series")
    line.wait_for(state="visible")
    box = line.bounding_box()
    assert box is not None
    assert box["width"] > 100
    # Six weeks of weights: no six-month baseline, so no alert line (the rule cannot fire).
    assert chart.locator("line.threshold").count() == 0
    pressure = page.locator('svg[data-chart="blood_pressure"]')
    assert pressure.get_attribute("data-points") == "8"
    assert pressure.locator("polyline.series").count() == 2
    assert pressure.locator("line.threshold").count() == 3
    with site.services.uow() as uow:
        audited = uow.audit.list_for_elder(ELDER_ID)
    assert [e.action for e in audited].count("view_elder") >= 2


def test_staff_issue_a_pairing_code_that_pairs_a_speaker_then_record_a_withdrawal(
    page, site: Site
) -> None:
    from backend.services import checkin, turns

    elder_id = "demo-elder-4"  # the demo elder whose speaker is not paired yet
    log_in(page, site)
    page.goto(f"{site.url}/elders/{elder_id}")
    page.get_by_role("button", name="ペアリングコードを発行する").click()
    code = page.get_by_test_id("pairing-code").inner_text().strip()
    assert len(code) == 6
    assert code.isdigit()
    page.get_by_role("link", name="さんのページへ戻る").click()
    assert code not in page.content()
    assert "番号は発行したときにだけ表示します" in page.locator("#speaker").inner_text()

    caller = turns.Caller("amzn1.ask.account.E2E", "amzn1.ask.device.E2E", "e2e-1")
    turn = checkin.pair(site.services, caller, code)
    assert turn.lines[0].key == "paired"

    page.get_by_role("link", name="同意の撤回を記録する").click()
    page.get_by_label("撤回の方法").select_option(label="電話で")
    page.get_by_label("メモ（だれから、どのように）").fill("ご本人から電話")
    page.get_by_label("見守りをすべて止めることを").check()
    page.get_by_role("button", name="同意の撤回を記録して見守りを止める").click()
    page.get_by_text("同意の撤回を記録しました。見守りをすべて止めました。").wait_for()
    assert "同意は撤回されています" in page.content()
    assert page.get_by_role("button", name="ペアリングコードを発行する").count() == 0
    with site.services.uow() as uow:
        elder = uow.elders.get(elder_id)
        actions = [e.action for e in uow.audit.list_for_elder(elder_id)]
    assert elder is not None
    assert elder.withdrawn
    assert {"issue_pairing_code", "withdraw_consent", "view_elder_admin"} <= set(actions)
    again = checkin.start(site.services, caller)
    assert [line.key for line in again.lines] == ["not_watching"]


def test_a_family_letter_prints_styled_under_the_content_security_policy(page, site: Site) -> None:
    log_in(page, site)
    page.goto(f"{site.url}/elders/{ELDER_ID}")
    page.get_by_role("link", name="ご家族の登録コードを発行する（案内状）").click()
    page.get_by_label("お名前").fill("一郎")
    page.get_by_label("続柄（長女、長男、姪など）").fill("長男")
    page.get_by_role("button", name="登録コードを発行する").click()
    code = page.get_by_test_id("link-code")
    assert code.inner_text().strip().isdigit()
    assert code.evaluate("element => getComputedStyle(element).fontFamily") == "monospace"
    center = page.locator("p.right")
    assert center.evaluate("element => getComputedStyle(element).textAlign") == "right"


def test_a_hostile_next_after_sign_in_keeps_the_browser_on_the_site(page, site: Site) -> None:
    page.goto(site.url + "/login?next=%2F%09%2Fevil.example")
    page.get_by_label("ログインID").fill(site.login)
    page.get_by_label("パスワード").fill(site.password)
    page.get_by_label("パスワード").press("Enter")
    page.wait_for_url(site.url + "/")
    assert "山田 ハナ" in page.locator("table.board").inner_text()
