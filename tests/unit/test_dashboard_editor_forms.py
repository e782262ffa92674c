"""The question-set and alert-policy forms through Flask's test client: same path as the YAML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from backend.services import municipal_config
from backend.services.context import Services
from tests.fakes import FakeStore
from tests.unit import test_dashboard_admin as admin_tests
from tests.unit.test_dashboard_admin import (
    ADMIN,
    CODE,
    OTHER_ADMIN,
    SET_TEXT,
    post_config,
    signed_in,
)

# The admin editor tests' fixtures: the fake store with the dashboard world, and the app.
clock = admin_tests.clock
store = admin_tests.store
services = admin_tests.services
client = admin_tests.client

SET_PAGE = f"/admin/{CODE}/questions"
POLICY_PAGE = f"/admin/{CODE}/policy"


class _FormFields(HTMLParser):
    """What a browser would post for the form whose action ends with ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action)
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type") or "text"
            if kind == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"] or "", a.get("value") or ""))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value") or "", "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = next((v for v, s in self.options if s), self.options[0][0])
            self.fields.append((self.select, chosen))
            self.select = None


def form_of(html: str, action: str) -> dict[str, list[str]]:
    parser = _FormFields(action)
    parser.feed(html)
    found: dict[str, list[str]] = {}
    for name, value in parser.fields:
        found.setdefault(name, []).append(value)
    return found


def row_of(fields: dict[str, list[str]], question: str) -> int:
    count = int(fields["count"][0])
    return next(i for i in range(count) if fields[f"q-{i}-id"] == [question])


def post_form(client: FlaskClient, page: str, action: str, change) -> object:
    fields = form_of(client.get(page).text, action)
    change(fields)
    return client.post(page + "/form", data=fields)


def row_html(html: str, index: int) -> str:
    match = re.search(rf'<tr id="q-{index}".*?</tr>', html, re.DOTALL)
    assert match, f"no row {index}"
    return match.group(0)


class TestQuestionSetForm:
    def test_the_form_lists_each_question_with_its_words_and_slots(
        self, client: FlaskClient
    ) -> None:
        page = signed_in(client, ADMIN).get(SET_PAGE).text
        fields = form_of(page, "/questions/form")
        medication = row_of(fields, "medication")
        assert fields[f"q-{medication}-slots"] == ["morning", "evening"]
        assert fields[f"q-{row_of(fields, 'condition')}-slots"] == ["morning"]
        assert fields[f"q-{row_of(fields, 'weight')}-every"] == ["week"]
        assert fields[f"q-{row_of(fields, 'weight')}-weekday"] == ["月"]
        assert "お薬" in row_html(page, medication)
        assert "上級者向け：YAML で編集する" in page
        # The catalog questions the set does not use yet are offered, the ones it uses are not.
        offered = re.search(r'<select id="add" name="add">(.*?)</select>', page, re.DOTALL)
        assert offered is not None
        assert '<option value="steps">歩数</option>' in offered.group(1)
        assert 'value="condition"' not in offered.group(1)

    def test_a_form_save_publishes_the_set_the_yaml_would(
        self, client: FlaskClient, store: FakeStore, services: Services
    ) -> None:
        signed_in(client, ADMIN)

        def only_evening(fields: dict[str, list[str]]) -> None:
            fields[f"q-{row_of(fields, 'medication')}-slots"] = ["evening"]
            fields["action"] = ["publish"]

        response = post_form(client, SET_PAGE, "/questions/form", only_evening)
        assert response.status_code == 302
        from_form = services.question_set(CODE)
        assert from_form.version == 2
        assert from_form.question("medication").schedule.slots == ("evening",)
        stored = store.state.config_versions[("question_set", CODE, 2)]
        assert stored.text.startswith("# サンプル：奥州市")  # the file's comments are kept
        audit = [e for e in store.state.audit if e.action == "publish_question_set"]
        assert [(e.actor, e.detail["version"]) for e in audit] == [("staff:user-3", 2)]
        assert "版 2 を公開しました" in client.get(SET_PAGE).text

        same_yaml = SET_TEXT.replace(
            "schedule: {slots: [morning, evening]}", "schedule: {slots: [evening]}"
        )
        assert post_config(client, SET_PAGE, same_yaml).status_code == 302
        from_yaml = services.question_set(CODE)
        assert from_yaml.version == 3

        def unversioned(qset) -> list[dict]:
            return [q.model_dump(exclude={"version"}) for q in qset.questions]

        assert unversioned(from_form) == unversioned(from_yaml)
        assert from_form.slots == from_yaml.slots
        assert from_form.instruments == from_yaml.instruments

    def test_questions_are_removed_reordered_and_added_from_the_catalog(
        self, client: FlaskClient, store: FakeStore, services: Services
    ) -> None:
        signed_in(client, ADMIN)

        def add_steps(fields: dict[str, list[str]]) -> None:
            fields["add"] = ["steps"]
            fields["action"] = ["add"]

        added = post_form(client, SET_PAGE, "/questions/form", add_steps)
        assert added.status_code == 200
        assert store.state.config_versions == {}  # adding only shows the new row
        fields = form_of(added.text, "/questions/form")
        assert fields[f"q-{row_of(fields, 'steps')}-slots"] == ["evening"]
        fields[f"q-{row_of(fields, 'mood')}-remove"] = ["1"]
        fields[f"q-{row_of(fields, 'dinner')}-order"] = ["0"]
        fields["action"] = ["publish"]
        assert client.post(SET_PAGE + "/form", data=fields).status_code == 302
        ids = [q.id for q in services.question_set(CODE).questions]
        stored = store.state.config_versions[("question_set", CODE, 2)].text
        # Untouched questions keep their own lines; the added one is written the same way.
        assert "  - use: medication\n    schedule: {slots: [morning, evening]}\n" in stored
        assert stored.endswith("  - use: steps\n")
        assert ids[0] == "dinner"
        assert "mood" not in ids
        assert ids[-1] == "steps"

    def test_a_bad_day_is_reported_in_japanese_next_to_its_field_and_nothing_is_published(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        index: dict[str, int] = {}

        def bad(fields: dict[str, list[str]]) -> None:
            index["sleep"] = row_of(fields, "sleep")
            index["mood"] = row_of(fields, "mood")
            index["dinner"] = row_of(fields, "dinner")
            fields[f"q-{index['sleep']}-every"] = ["month"]
            fields[f"q-{index['sleep']}-day"] = ["32"]
            fields[f"q-{index['mood']}-slots"] = []
            fields[f"q-{index['dinner']}-every"] = ["week"]
            fields["action"] = ["publish"]

        response = post_form(client, SET_PAGE, "/questions/form", bad)
        assert response.status_code == 400
        sleep = row_html(response.text, index["sleep"])
        assert '<span class="error">31 以下にしてください</span>' in sleep
        mood = row_html(response.text, index["mood"])
        assert "時間帯を1つ以上選んでください" in mood
        assert "31 以下" not in mood
        dinner = row_html(response.text, index["dinner"])
        assert '<span class="error">毎週のときは曜日を選んでください</span>' in dinner
        assert "誤りがあります。何も保存していません。" in response.text
        assert store.state.config_versions == {}
        # What was typed stays on the form to be corrected.
        fields = form_of(response.text, "/questions/form")
        assert fields[f"q-{index['sleep']}-day"] == ["32"]

    def test_a_slot_the_set_does_not_have_is_reported_on_the_added_row(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)

        def add_lunch(fields: dict[str, list[str]]) -> None:
            fields["add"] = ["lunch"]
            fields["action"] = ["add"]

        response = post_form(client, SET_PAGE, "/questions/form", add_lunch)
        assert response.status_code == 400
        fields = form_of(response.text, "/questions/form")
        lunch = row_html(response.text, row_of(fields, "lunch"))
        assert "slot &#39;noon&#39; は slots にありません" in lunch
        assert store.state.config_versions == {}

    def test_another_municipality_and_a_missing_token_are_refused(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        fields = form_of(signed_in(client, ADMIN).get(SET_PAGE).text, "/questions/form")
        fields["action"] = ["publish"]
        no_token = {k: v for k, v in fields.items() if k != "csrf_token"}
        assert client.post(SET_PAGE + "/form", data=no_token).status_code == 400
        client.get("/logout")
        client.post("/logout")
        other = FlaskClientLike(client, OTHER_ADMIN)
        assert other.post(SET_PAGE + "/form", fields).status_code == 404
        assert store.state.config_versions == {}


class FlaskClientLike:
    """A second person signed in on a fresh session of the same app."""

    def __init__(self, client: FlaskClient, who: str) -> None:
        self.client = client.application.test_client()
        signed_in(self.client, who)

    def post(self, path: str, fields: dict[str, list[str]]):
        from tests.dashboard_world import csrf_token

        token = csrf_token(self.client.get("/").text)
        return self.client.post(path, data={**fields, "csrf_token": [token]})


class TestPolicyForm:
    def test_each_field_shows_its_unit_and_default(self, client: FlaskClient) -> None:
        page = signed_in(client, ADMIN).get(POLICY_PAGE).text
        assert "時間帯の終わりから、ご本人へ声をかけるまで（分）" in page
        assert "既定値 60分" in page
        assert "既定値 160mmHg" in page
        fields = form_of(page, "/policy/form")
        assert fields["grace_minutes"] == ["60"]  # the sample file writes every value
        assert fields["weight_repeat_days"] == [""]  # not in the file: the default applies

    def test_a_form_save_publishes_the_policy_the_yaml_would(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)

        def change(fields: dict[str, list[str]]) -> None:
            fields["grace_minutes"] = ["90"]
            fields["bp_follow_up.systolic"] = ["150"]
            fields["action"] = ["publish"]

        response = post_form(client, POLICY_PAGE, "/policy/form", change)
        assert response.status_code == 302
        in_force = municipal_config.published_policies(services.uow)(CODE)
        from questions.policy import POLICIES_DIR

        yaml_text = (
            (POLICIES_DIR / f"{CODE}.yaml")
            .read_text(encoding="utf-8")
            .replace("grace_minutes: 60 ", "grace_minutes: 90 ")
            .replace("{systolic: 160, diastolic: 100}", "{systolic: 150, diastolic: 100}")
        )
        assert in_force == municipal_config.check_policy(yaml_text, CODE)
        assert in_force.grace_minutes == 90
        stored = store.state.config_versions[("policy", CODE, 2)].text
        # Only the changed lines change: the file's comments and layout stay.
        assert "grace_minutes: 90            # 時間帯の終わりから、本人へ声かけするまで（分）" in (
            stored
        )
        assert stored.splitlines()[0].startswith("# サンプル：奥州市")
        audit = [e for e in store.state.audit if e.action == "publish_policy"]
        assert [(e.actor, e.detail["version"]) for e in audit] == [("staff:user-3", 2)]

    def test_a_blank_field_goes_back_to_the_default(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)

        def blank(fields: dict[str, list[str]]) -> None:
            fields["grace_minutes"] = [""]
            fields["retention_days"] = ["730"]
            fields["family_waits_for_next_slot"] = ["no"]
            fields["action"] = ["publish"]

        assert post_form(client, POLICY_PAGE, "/policy/form", blank).status_code == 302
        stored = store.state.config_versions[("policy", CODE, 2)].text
        assert "grace_minutes" not in stored
        in_force = municipal_config.published_policies(services.uow)(CODE)
        assert in_force.grace_minutes == 60
        assert in_force.retention_days == 730
        assert in_force.family_waits_for_next_slot is False
        fields = form_of(client.get(POLICY_PAGE).text, "/policy/form")
        assert fields["grace_minutes"] == [""]
        assert fields["family_waits_for_next_slot"] == ["no"]

    def test_each_elders_rhythm_and_grouping_are_set_on_the_form_and_kept_when_saved(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        fields = form_of(client.get(POLICY_PAGE).text, "/policy/form")
        assert fields["per_elder_rhythm"] == ["yes"]  # the sample file writes it out
        assert fields["family_chance"] == ["0.001"]

        def change(fields: dict[str, list[str]]) -> None:
            fields["per_elder_rhythm"] = ["no"]
            fields["center_max_hours"] = ["36"]
            fields["action"] = ["publish"]

        assert post_form(client, POLICY_PAGE, "/policy/form", change).status_code == 302
        in_force = municipal_config.published_policies(services.uow)(CODE)
        assert (in_force.per_elder_rhythm, in_force.center_max_hours) == (False, 36)
        assert in_force.group_follow_ups is True
        stored = store.state.config_versions[("policy", CODE, 2)].text
        assert "per_elder_rhythm: false" in stored
        assert "rhythm_prior_rate: 0.9" in stored  # untouched lines stay as written

    def test_a_setting_the_form_does_not_show_is_never_dropped_by_a_save(self) -> None:
        from backend.services import policy_editor

        flow = '{municipality_code: "032158", later_setting: 3, grace_minutes: 60}\n'
        text = policy_editor.policy_text(CODE, {"grace_minutes": "90"}, flow)  # written anew
        assert "later_setting: 3" in text
        assert "grace_minutes: 90" in text

    def test_a_bad_value_is_reported_next_to_its_field_and_nothing_is_published(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)

        def bad(fields: dict[str, list[str]]) -> None:
            fields["grace_minutes"] = ["-5"]
            fields["family_after_minutes"] = ["すぐ"]
            fields["action"] = ["publish"]

        def inconsistent(fields: dict[str, list[str]]) -> None:
            fields["activity_short_min_days"] = ["9"]
            fields["action"] = ["publish"]

        response = post_form(client, POLICY_PAGE, "/policy/form", bad)
        assert response.status_code == 400
        text = response.text
        assert '<span class="error" id="p-grace_minutes-error">0 以上にしてください</span>' in text
        assert 'id="p-family_after_minutes-error">整数を書いてください</span>' in text
        assert form_of(text, "/policy/form")["family_after_minutes"] == ["すぐ"]
        response = post_form(client, POLICY_PAGE, "/policy/form", inconsistent)
        assert response.status_code == 400
        text = response.text
        assert (
            'id="p-activity_short_min_days-error">「直近の期間に値が必要な日数」は'
            "「直近の期間」以下にしてください</span>"
        ) in text
        assert store.state.config_versions == {}


@pytest.mark.parametrize("page", [SET_PAGE, POLICY_PAGE])
def test_the_yaml_editor_stays_as_the_advanced_view(client: FlaskClient, page: str) -> None:
    html = signed_in(client, ADMIN).get(page).text
    assert '<details class="card" id="advanced">' in html
    assert "内容（YAML）" in html
