"""Municipality admin pages through Flask's test client on the fake store: editors, scope, CSRF."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from backend.domain.errors import NotFound
from backend.domain.model import StaffRole
from backend.domain.versions import ConfigKind
from backend.services import municipal_config
from backend.services.context import Services
from questions.loader import SETS_DIR, load_sets
from tests.builders import MUNICIPALITY_CODE, OTHER_MUNICIPALITY_CODE, make_municipality, make_user
from tests.clock import FakeClock
from tests.dashboard_world import (
    ADMIN,
    NOW,
    OPERATOR,
    OTHER_STAFF,
    STAFF,
    csrf_token,
    password_hash,
    populate,
)
from tests.fakes import FakeStore, FakeUnitOfWork
from tests.unit.test_dashboard_web import _app, login

CODE = MUNICIPALITY_CODE
OTHER_ADMIN = "other.admin"
SET_TEXT = (SETS_DIR / f"{CODE}.yaml").read_text(encoding="utf-8")
POLICY_TEXT = "municipality_code: '032158'\ngrace_minutes: 90\n"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        populate(uow)
        uow.municipalities.add(make_municipality(OTHER_MUNICIPALITY_CODE, name="他市"))
        uow.users.add(
            make_user(
                "user-9",
                login=OTHER_ADMIN,
                display_name="他市 担当",
                role=StaffRole.MUNICIPALITY_ADMIN,
                municipality_code=OTHER_MUNICIPALITY_CODE,
                center_id=None,
                password_hash=password_hash(),
            )
        )
        uow.commit()
    return store


@pytest.fixture
def services(store: FakeStore, clock: FakeClock) -> Services:
    sets = load_sets()
    return Services(
        uow=lambda: FakeUnitOfWork(store),
        question_sets=municipal_config.PublishedSets(lambda: FakeUnitOfWork(store), lambda: sets),
        clock=clock,
        tz=ZoneInfo("Asia/Tokyo"),
    )


@pytest.fixture
def client(services: Services) -> FlaskClient:
    return _app(services).test_client()


def signed_in(client: FlaskClient, who: str) -> FlaskClient:
    assert login(client, who).status_code == 302
    return client


def post_config(client: FlaskClient, path: str, text: str, action: str = "publish"):
    token = csrf_token(client.get(path).text)
    return client.post(path, data={"csrf_token": token, "text": text, "action": action})


def broken(text: str = SET_TEXT) -> str:
    return text.replace('start: "06:00", end: "10:30"', 'start: "6時", end: "10:30"')


class TestQuestionSetEditor:
    def test_the_editor_starts_from_the_file_and_previews_what_the_elder_hears(
        self, client: FlaskClient
    ) -> None:
        page = signed_in(client, ADMIN).get(f"/admin/{CODE}/questions")
        assert page.status_code == 200
        assert "municipality_code: &#34;032158&#34;" in page.text
        assert "questions/sets/032158.yaml" in page.text
        # The skill's intro and the question's own words, in the slot's order.
        assert "今日の様子を、" in page.text
        assert page.text.index("朝（06:00〜10:30）") < page.text.index("晩（17:00〜21:00）")

    def test_an_invalid_set_reports_what_the_cli_reports_and_stores_nothing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = post_config(client, f"/admin/{CODE}/questions", broken())
        assert response.status_code == 400
        try:
            municipal_config.check_question_set(broken(), CODE)
        except municipal_config.QuestionSetError as err:
            expected = err.report()
        else:
            pytest.fail("the broken text was accepted")
        assert expected.startswith("questions/sets/032158.yaml:8: slots[0].start: ")
        assert expected.replace('"', "&#34;").replace("'", "&#39;") in response.text
        assert store.state.config_versions == {}

    def test_check_validates_without_publishing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = post_config(client, f"/admin/{CODE}/questions", SET_TEXT, action="check")
        assert response.status_code == 200
        assert "誤りはありません" in response.text
        assert store.state.config_versions == {}

    def test_publishing_bumps_the_version_takes_precedence_and_keeps_history(
        self, client: FlaskClient, store: FakeStore, services: Services
    ) -> None:
        signed_in(client, ADMIN)
        changed = SET_TEXT.replace("  - use: mood\n", "")
        response = post_config(client, f"/admin/{CODE}/questions", changed)
        assert response.status_code == 302
        stored = store.state.config_versions[("question_set", CODE, 2)]
        assert "version: 2" in stored.text
        assert stored.published_by == "staff:user-3"
        in_force = services.question_set(CODE)
        assert in_force.version == 2
        assert "mood" not in {q.id for q in in_force.questions}
        # Answers record the question's version: every question of v2 carries 2.
        assert {q.version for q in in_force.questions} == {2}
        page = client.get(f"/admin/{CODE}/questions")
        assert "版 2 を公開しました" in page.text
        assert "版 2 が使われています" in page.text
        assert "市 担当" in page.text
        old = client.get(f"/admin/{CODE}/questions/versions/2")
        assert old.status_code == 200
        assert "version: 2" in old.text
        again = post_config(client, f"/admin/{CODE}/questions", changed)
        assert again.status_code == 302
        assert services.question_set(CODE).version == 3
        audit = [e for e in store.state.audit if e.action == "publish_question_set"]
        assert [e.detail["version"] for e in audit] == [2, 3]

    def test_an_old_version_can_be_loaded_into_the_editor(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        post_config(client, f"/admin/{CODE}/questions", SET_TEXT.replace("  - use: mood\n", ""))
        post_config(client, f"/admin/{CODE}/questions", SET_TEXT)
        page = client.get(f"/admin/{CODE}/questions?from=2")
        assert "use: mood" not in page.text
        assert client.get(f"/admin/{CODE}/questions/versions/9").status_code == 404

    def test_a_set_for_another_municipality_code_is_refused(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        other = SET_TEXT.replace('municipality_code: "032158"', 'municipality_code: "131016"')
        response = post_config(client, f"/admin/{CODE}/questions", other)
        assert response.status_code == 400
        assert "ファイル名 032158.yaml とコードが一致しません" in response.text


class TestPolicyEditor:
    def test_a_published_policy_takes_precedence_over_the_file(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        policies = municipal_config.published_policies(services.uow)
        assert policies(CODE).grace_minutes == 60
        signed_in(client, ADMIN)
        response = post_config(client, f"/admin/{CODE}/policy", POLICY_TEXT)
        assert response.status_code == 302
        assert policies(CODE).grace_minutes == 90
        assert ("policy", CODE, 2) in store.state.config_versions

    def test_an_invalid_policy_names_the_path_and_stores_nothing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = post_config(client, f"/admin/{CODE}/policy", "grace_minutes: -5\n")
        assert response.status_code == 400
        assert "questions/policies/032158.yaml:1: grace_minutes: 0 以上にしてください" in (
            response.text
        )
        assert store.state.config_versions == {}


class TestScope:
    @pytest.mark.parametrize("who", [STAFF, OTHER_STAFF, OTHER_ADMIN])
    def test_center_staff_and_other_municipalities_get_404(
        self, client: FlaskClient, who: str
    ) -> None:
        signed_in(client, who)
        for path in (
            f"/admin/{CODE}/questions",
            f"/admin/{CODE}/policy",
            f"/admin/{CODE}/questions/versions/1",
        ):
            assert client.get(path).status_code == 404, path
        token = csrf_token(client.get("/").text)
        posted = client.post(
            f"/admin/{CODE}/questions",
            data={"csrf_token": token, "text": SET_TEXT, "action": "publish"},
        )
        assert posted.status_code == 404

    def test_center_staff_see_no_admin_menu_and_are_told_why_at_its_address(
        self, client: FlaskClient
    ) -> None:
        assert "市町村の設定" not in signed_in(client, STAFF).get("/").text
        refused = signed_in(client, STAFF).get("/admin/")
        assert refused.status_code == 403
        assert "市町村担当のアカウントで使えます" in refused.text

    def test_an_operator_may_edit_any_municipality(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, OPERATOR)
        assert client.get("/admin/").status_code == 200
        assert post_config(client, f"/admin/{CODE}/policy", POLICY_TEXT).status_code == 302
        assert client.get("/admin/999999/policy").status_code == 404

    def test_the_pages_ask_for_a_login(self, client: FlaskClient) -> None:
        response = client.get(f"/admin/{CODE}/questions")
        assert response.status_code == 302
        assert response.location.startswith("/login")


class TestCsrf:
    def test_a_post_without_the_token_is_refused_and_nothing_is_stored(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = client.post(
            f"/admin/{CODE}/questions", data={"text": SET_TEXT, "action": "publish"}
        )
        assert response.status_code == 400
        assert store.state.config_versions == {}


class TestPublishedSets:
    def test_the_store_is_read_again_only_after_the_refresh_time(
        self, store: FakeStore, services: Services
    ) -> None:
        ticks = [0.0]
        sets = municipal_config.PublishedSets(
            lambda: FakeUnitOfWork(store), load_sets, monotonic=lambda: ticks[0]
        )
        assert sets()[CODE].version == 1
        admin = store.state.users["user-3"]
        municipal_config.publish(
            services, admin, ConfigKind.QUESTION_SET, CODE, SET_TEXT
        )  # another process
        assert sets()[CODE].version == 1
        ticks[0] += municipal_config.REFRESH_SECONDS
        assert sets()[CODE].version == 2


def notice_form(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "local_id": "kenko-taiso",
        "title": "健康体操教室",
        "priority": "通常",
        "speech": "12月5日の土曜日、午前10時から、公民館で健康体操教室があります。",
        "screen": "",
        "districts": "北地区",
        "start": "2026-11-23T08:00",
        "end": "2026-12-05T12:00",
    }
    values.update(changes)
    return values


def post_notice(client: FlaskClient, path: str, **changes: object):
    token = csrf_token(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **notice_form(**changes)})


class TestNoticesEditor:
    def test_a_notice_made_on_the_form_is_stored_as_an_import_would(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = post_notice(
            client, f"/admin/{CODE}/notices/new", weekdays=["月", "木"], nth=["1"]
        )
        assert response.status_code == 302
        stored = store.state.notices[f"{CODE}/kenko-taiso"]
        assert stored.status.value == "published"
        assert stored.audience.districts == ("北地区",)
        assert stored.recurrence.weekdays == (0, 3)
        assert stored.recurrence.nth == (1,)
        assert stored.screen_text == stored.speech
        assert [e.action for e in store.state.audit][-1] == "create_notice"
        listing = client.get(f"/admin/{CODE}/notices")
        assert "健康体操教室" in listing.text
        assert "第1月曜・木曜" in listing.text

    def test_invalid_input_gets_the_loaders_messages_and_stores_nothing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = post_notice(
            client,
            f"/admin/{CODE}/notices/new",
            speech="  ",
            image="http://example.jp/a.png",
            end="2026-11-01T08:00",
            nth=["2"],
        )
        assert response.status_code == 400
        assert "読み上げる文が空です" in response.text
        assert "画像は https:// の URL にしてください" in response.text
        assert "nth には weekdays が必要です" in response.text
        assert 'aria-invalid="true"' in response.text
        assert store.state.notices == {}

    def test_a_notice_is_edited_and_its_readers_counted_per_occurrence(
        self, client: FlaskClient, store: FakeStore, clock: FakeClock
    ) -> None:
        from notices.model import NoticeDelivery

        signed_in(client, ADMIN)
        post_notice(client, f"/admin/{CODE}/notices/new", draft="y")
        notice_id = f"{CODE}/kenko-taiso"
        assert store.state.notices[notice_id].status.value == "draft"
        response = post_notice(
            client, f"/admin/{CODE}/notices/kenko-taiso", title="健康体操（変更）"
        )
        assert response.status_code == 302
        assert store.state.notices[notice_id].title == "健康体操（変更）"
        assert store.state.notices[notice_id].status.value == "published"
        with FakeUnitOfWork(store) as uow:
            uow.notice_deliveries.mark_heard(NoticeDelivery(notice_id, "elder-1", "once", NOW))
            uow.commit()
        page = client.get(f"/admin/{CODE}/notices/kenko-taiso")
        # 北地区 is elder-1 only: one targeted elder, who heard it.
        assert "1 / 1人" in page.text
        withdrawn = client.post(
            f"/admin/{CODE}/notices/kenko-taiso/withdraw",
            data={"csrf_token": csrf_token(page.text)},
        )
        assert withdrawn.status_code == 302
        assert store.state.notices[notice_id].status.value == "withdrawn"

    def test_the_audience_is_picked_from_names_and_an_id_is_given_when_left_blank(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        page = client.get(f"/admin/{CODE}/notices/new").text
        (elder, *_) = sorted(
            (e for e in store.state.elders.values() if e.municipality_code == CODE),
            key=lambda e: e.id,
        )
        assert f'value="{elder.id}">{elder.name}（{elder.district}）</option>' in page
        assert "センター ID" not in page
        response = post_notice(
            client, f"/admin/{CODE}/notices/new", local_id="", districts=[], elders=[elder.id]
        )
        assert response.status_code == 302
        (stored,) = [n for n in store.state.notices.values() if n.title == "健康体操教室"]
        assert stored.id.startswith(f"{CODE}/notice-")
        assert stored.audience.elders == (elder.id,)
        tampered = post_notice(client, f"/admin/{CODE}/notices/new", elders=["elder-x"])
        assert tampered.status_code == 400
        assert "選べる項目の中から選んでください。" in tampered.text
        assert "not a valid choice" not in tampered.text

    def test_a_new_notice_cannot_take_an_existing_id(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        post_notice(client, f"/admin/{CODE}/notices/new")
        again = post_notice(client, f"/admin/{CODE}/notices/new", title="別の")
        assert again.status_code == 400
        assert "この ID はすでに使われています" in again.text

    def test_an_id_taken_by_another_admin_in_the_meantime_is_said_not_a_500(
        self, client: FlaskClient, store: FakeStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        signed_in(client, ADMIN)
        post_notice(client, f"/admin/{CODE}/notices/new")
        before = dict(store.state.notices)
        from backend.services import notice_admin

        def not_yet(*_args: object) -> None:
            raise NotFound("the other admin's notice was not there yet")

        monkeypatch.setattr(notice_admin, "get_tracked", not_yet)
        again = post_notice(client, f"/admin/{CODE}/notices/new", title="別の")
        assert again.status_code == 409
        assert "この ID はすでに使われています" in again.text
        assert store.state.notices == before

    @pytest.mark.parametrize("who", [STAFF, OTHER_ADMIN])
    def test_others_get_404(self, client: FlaskClient, who: str, store: FakeStore) -> None:
        signed_in(client, ADMIN)
        post_notice(client, f"/admin/{CODE}/notices/new")
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
        signed_in(client, who)
        for path in (
            f"/admin/{CODE}/notices",
            f"/admin/{CODE}/notices/new",
            f"/admin/{CODE}/notices/kenko-taiso",
        ):
            assert client.get(path).status_code == 404, path
        token = csrf_token(client.get("/").text)
        posted = client.post(
            f"/admin/{CODE}/notices/kenko-taiso/withdraw", data={"csrf_token": token}
        )
        assert posted.status_code == 404
        assert store.state.notices[f"{CODE}/kenko-taiso"].status.value == "published"


class TestExerciseNoticesOnTheForm:
    def test_staff_pick_the_exercise_kind_by_its_japanese_label(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        page = client.get(f"/admin/{CODE}/notices/new").text
        assert "お知らせの形" in page
        assert '<option value="体操">体操のおさそい（' in page
        assert "体操の時刻（10:00 のように）" in page
        assert 'type="time"' in page

    def test_an_exercise_made_on_the_form_is_stored_read_back_and_listed(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        from datetime import time

        from notices.model import NoticeKind, TimeWindow

        signed_in(client, ADMIN)
        exercise = {
            "local_id": "hyakusai",
            "kind": "体操",
            "title": "いきいき百歳体操",
            "speech": "",
            "districts": [],
            "weekdays": ["火", "金"],
            "exercise_time": "10:00",
            "window_end": "11:30",
        }
        response = post_notice(client, f"/admin/{CODE}/notices/new", **exercise)
        assert response.status_code == 302, response.text
        stored = store.state.notices[f"{CODE}/hyakusai"]
        assert stored.kind is NoticeKind.EXERCISE
        assert stored.window == TimeWindow(time(10, 0), time(10, 0), time(11, 30))
        assert stored.speech == ""
        assert stored.recurrence.weekdays == (1, 4)
        listing = client.get(f"/admin/{CODE}/notices").text
        assert "毎週火曜・金曜 10:00から（10:00〜11:30に読み上げ）" in listing
        page = client.get(f"/admin/{CODE}/notices/hyakusai").text
        assert '<option selected value="体操">' in page
        assert 'value="10:00"' in page
        assert 'value="11:30"' in page
        again = post_notice(
            client, f"/admin/{CODE}/notices/hyakusai", **exercise, window_start="09:45"
        )
        assert again.status_code == 302
        changed = store.state.notices[f"{CODE}/hyakusai"]
        assert changed.window == TimeWindow(time(10, 0), time(9, 45), time(11, 30))

    def test_an_exercise_without_its_days_or_time_gets_the_loaders_messages(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        response = post_notice(client, f"/admin/{CODE}/notices/new", kind="体操", speech="")
        assert response.status_code == 400
        assert "体操のお知らせには recurrence（曜日）が必要です" in response.text
        assert "体操のお知らせには time（" in response.text
        assert 'href="#kind"' in response.text  # the problems point at the kind field
        announcement = post_notice(client, f"/admin/{CODE}/notices/new", exercise_time="10:00")
        assert announcement.status_code == 400
        assert "time は、kind が 体操 のお知らせだけに書けます" in announcement.text
        assert 'href="#exercise_time"' in announcement.text
        assert store.state.notices == {}

    def test_the_answers_to_an_exercise_are_counted_per_day_on_its_page(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        from backend.domain.model import Event, EventKind
        from notices.model import NoticeDelivery
        from tests.builders import make_exercise

        taiso = make_exercise(f"{CODE}/taiso")
        day = "2026-11-24"
        with FakeUnitOfWork(store) as uow:
            uow.notices.add(taiso)
            for i, elder in enumerate(uow.elders.list_for_municipality(CODE)[:2]):
                uow.notice_deliveries.mark_heard(NoticeDelivery(taiso.id, elder.id, day, NOW))
                detail = {"notice_id": taiso.id, "occurrence": day, "answer": "done"}
                if i:
                    detail["answer"] = "not_today"
                uow.events.add(Event(f"ev-{i}", elder.id, EventKind.EXERCISE, NOW, detail))
            uow.commit()
        signed_in(client, ADMIN)
        page = client.get(f"/admin/{CODE}/notices/taiso").text
        assert "おさそいへのお返事" in page
        assert "やった 1人、今日はやめとく 1人" in page


class TestMessageToAnElder:
    def test_center_staff_send_a_message_to_their_elder_and_see_it_waiting(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, STAFF)
        listing = client.get("/admin/elders")
        assert listing.status_code == 200
        assert "/admin/elders/elder-1/message" in listing.text
        assert "elder-2" not in listing.text  # another center's elder
        page = client.get("/admin/elders/elder-1/message")
        assert page.status_code == 200
        assert 'for="text"' in page.text
        response = client.post(
            "/admin/elders/elder-1/message",
            data={"csrf_token": csrf_token(page.text), "text": "明日、訪問します。"},
        )
        assert response.status_code == 302
        (message,) = store.state.family_messages.values()
        assert message.elder_id == "elder-1"
        assert message.kind.value == "center_text"
        assert message.sender_name == "見守り市北地域包括支援センター"
        assert "明日、訪問します。" in client.get("/admin/elders/elder-1/message").text
        actions = [e.action for e in store.state.audit if e.elder_id == "elder-1"]
        assert "send_message" in actions
        assert "view_messages" in actions

    def test_an_empty_message_is_refused_with_a_clear_error(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        page = client.get("/admin/elders/elder-1/message")
        response = client.post(
            "/admin/elders/elder-1/message",
            data={"csrf_token": csrf_token(page.text), "text": "  "},
        )
        assert response.status_code == 400
        assert "読み上げる文を入力してください" in response.text
        assert store.state.family_messages == {}

    @pytest.mark.parametrize("who", [OTHER_STAFF, OTHER_ADMIN])
    def test_staff_of_another_center_or_municipality_get_404(
        self, client: FlaskClient, store: FakeStore, who: str
    ) -> None:
        signed_in(client, who)
        assert client.get("/admin/elders/elder-1/message").status_code == 404
        token = csrf_token(client.get("/").text)
        response = client.post(
            "/admin/elders/elder-1/message", data={"csrf_token": token, "text": "こんにちは"}
        )
        assert response.status_code == 404
        assert store.state.family_messages == {}

    def test_a_post_without_the_csrf_token_sends_nothing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, STAFF)
        response = client.post("/admin/elders/elder-1/message", data={"text": "こんにちは"})
        assert response.status_code == 400
        assert store.state.family_messages == {}


class TestExports:
    def download(self, client: FlaskClient, code: str = CODE, **form: str):
        token = csrf_token(client.get("/").text)
        return client.post(f"/admin/{code}/exports", data={"csrf_token": token, **form})

    def test_alerts_of_a_month_download_as_csv_with_ids_only_and_are_audited(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        signed_in(client, ADMIN)
        assert client.get(f"/admin/{CODE}/exports").status_code == 200
        response = self.download(client, kind="alerts", month="2026-11", bom="1")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert 'filename="alerts-032158-2026-11.csv"' in response.headers["Content-Disposition"]
        text = response.get_data(as_text=True)
        assert text.startswith("\ufeffid,elder_id,rule,")
        assert "alert-own" in text
        assert "alert-other" in text  # both centers are in the municipality
        assert "山田" not in text
        assert text.count("\r\n") == 3  # header and two alerts
        (entry,) = [e for e in store.state.audit if e.action == "export_alerts"]
        assert entry.detail == {"municipality_code": CODE, "month": "2026-11", "rows": 2}

    def test_staff_notes_leave_only_in_the_export_that_says_so(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        own = store.state.alerts["alert-own"]
        store.state.alerts["alert-own"] = dataclasses.replace(own, note="長女の明美さんと訪問")
        signed_in(client, ADMIN)
        ids_only = self.download(client, kind="alerts", month="2026-11").get_data(as_text=True)
        assert "明美" not in ids_only
        assert ",note" not in ids_only.splitlines()[0]
        noted = self.download(client, kind="alert_notes", month="2026-11")
        assert noted.status_code == 200
        assert "長女の明美さんと訪問" in noted.get_data(as_text=True)
        assert [e.action for e in store.state.audit if e.action.startswith("export_")] == [
            "export_alerts",
            "export_alert_notes",
        ]
        assert "対応メモ" in client.get(f"/admin/{CODE}/exports").text

    def test_the_field_figures_per_rule_download_for_the_municipality(
        self, client: FlaskClient
    ) -> None:
        signed_in(client, ADMIN)
        response = self.download(client, kind="alert_figures", month="2026-11")
        assert response.status_code == 200
        lines = response.get_data(as_text=True).splitlines()
        assert lines[0].startswith("municipality_code,month,rule,alerts,per_100_elder_months,")
        total = next(line for line in lines if ",*," in line).split(",")
        assert total[:4] == [CODE, "2026-11", "*", "2"]  # both centers' alerts

    def test_another_month_has_only_the_header(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        response = self.download(client, kind="alerts", month="2026-10")
        assert response.get_data(as_text=True).count("\r\n") == 1

    def test_checkins_export_and_a_bad_month_or_kind_is_refused(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        checkins = self.download(client, kind="checkins", month="2026-11")
        assert checkins.get_data(as_text=True).startswith("elder_id,date,slot,")
        assert self.download(client, kind="checkins", month="2026-13").status_code == 400
        assert self.download(client, kind="names", month="2026-11").status_code == 404

    @pytest.mark.parametrize("who", [STAFF, OTHER_ADMIN])
    def test_center_staff_and_other_municipalities_cannot_export(
        self, client: FlaskClient, store: FakeStore, who: str
    ) -> None:
        signed_in(client, who)
        assert client.get(f"/admin/{CODE}/exports").status_code == 404
        assert self.download(client, kind="alerts", month="2026-11").status_code == 404
        assert not [e for e in store.state.audit if e.action.startswith("export_")]

    def test_an_export_without_the_csrf_token_is_refused(self, client: FlaskClient) -> None:
        signed_in(client, ADMIN)
        response = client.post(f"/admin/{CODE}/exports", data={"kind": "alerts"})
        assert response.status_code == 400
