"""Municipality admin pages in headless Chromium against a real server and SQLite database.

An admin opens the question-set editor, breaks a time, sees the loader's error, fixes it,
publishes, and finds the new version in force and in the history.
"""

from __future__ import annotations

import pytest

from backend.domain.model import StaffRole
from backend.services import accounts
from tests.e2e import test_dashboard_browser as dashboard_browser
from tests.e2e.test_dashboard_browser import CHROMIUM, Site

# The dashboard test's fixtures: a real server on a migrated SQLite file, and Chromium.
browser = dashboard_browser.browser
site = dashboard_browser.site
page = dashboard_browser.page

CODE = "032158"  # the demo municipality (奥州市)
LOGIN = "oshu.admin"
PASSWORD = "admin password for the browser test"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


def log_in_as_admin(page, site: Site) -> None:
    accounts.create_user(
        site.services,
        login=LOGIN,
        display_name="奥州 担当",
        role=StaffRole.MUNICIPALITY_ADMIN,
        password=PASSWORD,
        municipality_code=CODE,
    )
    page.goto(site.url + "/login")
    page.get_by_label("ログインID").fill(LOGIN)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("パスワード").press("Enter")
    page.wait_for_url(site.url + "/")


def test_an_admin_edits_a_question_sees_the_error_fixes_it_and_publishes(page, site: Site) -> None:
    log_in_as_admin(page, site)
    page.get_by_role("link", name="市町村の設定").click()
    page.get_by_role("link", name="質問セットを編集する").click()
    page.wait_for_url(f"{site.url}/admin/{CODE}/questions")
    assert "朝（06:00〜10:30）" in page.get_by_role("region", name="ご本人が聞く内容").inner_text()
    editor = page.get_by_label("内容（YAML）")
    original = editor.input_value()
    assert "version: 1" in original

    broken = original.replace('start: "06:00"', 'start: "6時"')
    editor.fill(broken)
    page.get_by_role("button", name="公開する").click()
    problems = page.get_by_role("alert")
    problems.wait_for()
    assert "questions/sets/032158.yaml:8: slots[0].start:" in problems.inner_text()
    assert page.get_by_label("内容（YAML）").get_attribute("aria-invalid") == "true"
    with site.services.uow() as uow:
        assert uow.config_versions.list_for("question_set", CODE) == []

    fixed = original.replace('start: "06:00"', 'start: "06:30"')
    page.get_by_label("内容（YAML）").fill(fixed)
    page.get_by_role("button", name="確認する").click()
    page.get_by_text("誤りはありません。まだ公開していません。").wait_for()
    assert "朝（06:30〜10:30）" in page.get_by_role("region", name="ご本人が聞く内容").inner_text()
    page.get_by_role("button", name="公開する").click()
    page.get_by_text("版 2 を公開しました。").wait_for()
    assert "版 2 が使われています" in page.locator("#in-force").inner_text()
    history = page.get_by_role("table", name="質問セットの公開の履歴")
    assert "奥州 担当" in history.inner_text()
    assert site.services.question_set(CODE).version == 2
    assert site.services.question_set(CODE).slot("morning").start == "06:30"

    history.get_by_role("link", name="版 2 を見る").click()
    page.wait_for_url(f"{site.url}/admin/{CODE}/questions/versions/2")
    assert 'start: "06:30"' in page.locator("pre.yaml").inner_text()
    assert "version: 2" in page.locator("pre.yaml").inner_text()
