"""Enrolment in headless Chromium against a real server and SQLite database.

A staff member enrols a new elder with their consent: a wrong kana is shown next to its
field, the corrected form opens the elder page that issues the speaker's pairing code,
and the elder is on the board.
"""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain import consent as vocabulary
from tests.e2e import test_dashboard_browser as dashboard_browser
from tests.e2e.test_dashboard_browser import CHROMIUM, Site, log_in

# The dashboard test's fixtures: a real server on a migrated SQLite file, and Chromium.
browser = dashboard_browser.browser
site = dashboard_browser.site
page = dashboard_browser.page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


def test_staff_enrol_an_elder_with_consent_pair_the_speaker_and_see_them_on_the_board(
    page, site: Site
) -> None:
    log_in(page, site)
    page.get_by_role("link", name="利用者の登録").click()
    page.wait_for_url(site.url + "/elders/new")
    page.get_by_label("お名前").fill("小林 サチ")
    page.get_by_label("ふりがな").fill("kobayashi")
    page.get_by_label("地区", exact=True).fill("衣川")
    assert page.get_by_label("同意日").input_value() == "2026-11-23"
    page.get_by_label("ご家族が、応答がないときなどの連絡（アラート）を受け取る").check()
    page.get_by_role("button", name="登録する").click()
    error = page.locator("#kana-error")
    error.wait_for()
    assert "ひらがなかカタカナ" in error.inner_text()
    assert page.get_by_label("ふりがな").get_attribute("aria-invalid") == "true"
    with site.services.uow() as uow:
        assert not [e for e in uow.elders.list_all() if e.name == "小林 サチ"]

    page.get_by_label("ふりがな").fill("こばやし さち")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("小林 サチさんを登録しました。").wait_for()
    with site.services.uow() as uow:
        (elder,) = [e for e in uow.elders.list_all() if e.name == "小林 サチ"]
        actions = [e.action for e in uow.audit.list_for_elder(elder.id)]
    assert elder.is_watchable
    assert elder.consent.reconfirm_on == date(2027, 11, 23)
    assert vocabulary.STANDARD_SHARES[vocabulary.FAMILY_ALERTS] in elder.consent.shares
    assert "enrol_elder" in actions
    assert page.url.endswith(f"/elders/{elder.id}#speaker")
    assert "2027-11-23" in page.content()

    page.get_by_role("button", name="ペアリングコードを発行する").click()
    code = page.get_by_test_id("pairing-code").inner_text().strip()
    assert len(code) == 6
    assert code.isdigit()

    page.goto(site.url + "/")
    row = page.locator("table.board tr").filter(has_text="小林 サチ")
    assert row.count() == 1
    assert "スピーカー未登録" in row.inner_text()
    assert "同意" not in row.inner_text()  # no badge: consent fresh, re-confirmation a year away
