"""The dashboard through Flask's test client on the fake store: access, sessions, CSRF, scope."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from backend.dashboard.sessions import COOKIE_NAME, VISITOR_COOKIE_NAME
from backend.domain.model import AlertStatus, Outcome, Severity
from backend.services import staff_auth
from backend.services.context import Services
from backend.web import create_app
from questions.loader import load_sets
from tests.builders import make_alert
from tests.clock import FakeClock
from tests.dashboard_world import (
    ADMIN,
    NAMES,
    NOW,
    OPERATOR,
    OTHER_ALERT,
    OTHER_CENTER_ID,
    OTHER_ELDER,
    OTHER_STAFF,
    OWN_ALERT,
    OWN_ELDER,
    PASSWORD,
    STAFF,
    csrf_token,
    populate,
)
from tests.e2e.test_alexa_endpoint import IsolatedSettings
from tests.fakes import FakeStore, FakeUnitOfWork

_SETS = load_sets()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        populate(uow)
        uow.commit()
    return store


@pytest.fixture
def services(store: FakeStore, clock: FakeClock) -> Services:
    return Services(
        uow=lambda: FakeUnitOfWork(store),
        question_sets=lambda: _SETS,
        clock=clock,
        tz=ZoneInfo("Asia/Tokyo"),
    )


def _app(services: Services, **settings: object):
    values = {
        "alexa_skill_id": "amzn1.ask.skill.test",
        "secret_key": "test-secret-key-" * 3,
        **settings,
    }
    app = create_app(IsolatedSettings(**values), services)
    app.testing = True
    return app


@pytest.fixture
def client(services: Services) -> FlaskClient:
    return _app(services).test_client()


def login(client: FlaskClient, login_name: str = STAFF, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "login": login_name, "password": password},
    )


def token_of(client: FlaskClient, path: str = "/") -> str:
    return csrf_token(client.get(path).text)


def _alert(store: FakeStore, alert_id: str):
    return store.state.alerts[alert_id]


# --- sign-in -----------------------------------------------------------------------------------


class TestSignIn:
    def test_every_page_asks_for_a_login_first(self, client: FlaskClient) -> None:
        for path in ("/", "/alerts", f"/elders/{OWN_ELDER.id}", f"/alerts/{OWN_ALERT}"):
            response = client.get(path)
            assert response.status_code == 302
            assert response.location.startswith("/login?next=")

    def test_a_right_password_opens_the_board_and_a_wrong_one_does_not(
        self, client: FlaskClient
    ) -> None:
        refused = login(client, password="wrong password here")
        assert refused.status_code == 401
        assert "ログインIDまたはパスワードが違います" in refused.text
        assert client.get("/").status_code == 302
        assert login(client).status_code == 302
        board = client.get("/")
        assert board.status_code == 200
        assert OWN_ELDER.name in board.text

    def test_an_unknown_login_is_refused_with_the_same_words(self, client: FlaskClient) -> None:
        refused = login(client, login_name="nobody")
        assert refused.status_code == 401
        assert "ログインIDまたはパスワードが違います" in refused.text

    def test_the_session_cookie_is_random_http_only_secure_and_lax(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        cookie = client.get_cookie(COOKIE_NAME)
        assert cookie is not None
        assert cookie.http_only
        assert cookie.secure
        assert cookie.same_site == "Lax"
        assert len(cookie.value) >= 40
        # The store keeps only a hash of the value, and the data is server-side.
        assert cookie.value not in store.state.sessions
        assert staff_auth.session_id_of(cookie.value) in store.state.sessions
        assert store.state.sessions[staff_auth.session_id_of(cookie.value)].user_id == "user-1"

    def test_secure_can_be_turned_off_for_a_local_demo(self, services: Services) -> None:
        client = _app(services, session_cookie_secure=False).test_client()
        login(client)
        cookie = client.get_cookie(COOKIE_NAME)
        assert cookie is not None
        assert not cookie.secure

    def test_signing_in_again_gives_a_new_session_id(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        before = client.get_cookie(COOKIE_NAME)
        assert before is not None
        login(client)
        after = client.get_cookie(COOKIE_NAME)
        assert after is not None
        assert after.value != before.value
        assert staff_auth.session_id_of(before.value) not in store.state.sessions

    def test_a_visitor_has_no_stored_session_until_signed_in(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        page = client.get("/login")
        assert client.get_cookie(COOKIE_NAME) is None
        visitor = client.get_cookie(VISITOR_COOKIE_NAME)
        assert visitor is not None
        assert visitor.http_only
        assert store.state.sessions == {}
        client.set_cookie(COOKIE_NAME, "planted-by-an-attacker")  # fixation: not honoured
        response = client.post(
            "/login",
            data={"csrf_token": csrf_token(page.text), "login": STAFF, "password": PASSWORD},
        )
        assert response.status_code == 302
        cookie = client.get_cookie(COOKIE_NAME)
        assert cookie is not None
        assert cookie.value != "planted-by-an-attacker"
        assert client.get_cookie(VISITOR_COOKIE_NAME) is None
        assert len(store.state.sessions) == 1

    def test_a_forged_visitor_cookie_is_ignored(self, client: FlaskClient) -> None:
        client.set_cookie(VISITOR_COOKIE_NAME, "eyJfdXNlcl9pZCI6InVzZXItMSJ9.forged.sig")
        assert client.get("/").status_code == 302
        page = client.get("/login")
        assert page.status_code == 200

    def test_logging_out_deletes_the_session(self, client: FlaskClient, store: FakeStore) -> None:
        login(client)
        cookie = client.get_cookie(COOKIE_NAME)
        assert cookie is not None
        response = client.post("/logout", data={"csrf_token": token_of(client)})
        assert response.status_code == 302
        assert staff_auth.session_id_of(cookie.value) not in store.state.sessions
        assert client.get("/").status_code == 302

    def test_a_stolen_old_cookie_opens_nothing_after_logout(self, services: Services) -> None:
        client = _app(services).test_client()
        login(client)
        cookie = client.get_cookie(COOKIE_NAME)
        assert cookie is not None
        client.post("/logout", data={"csrf_token": token_of(client)})
        thief = _app(services).test_client()
        thief.set_cookie(COOKIE_NAME, cookie.value)
        assert thief.get("/").status_code == 302


class TestRateLimits:
    def test_five_failures_lock_the_account_even_for_the_right_password(
        self, client: FlaskClient, clock: FakeClock
    ) -> None:
        for _ in range(staff_auth.MAX_FAILURES_PER_LOGIN):
            assert login(client, password="wrong password!").status_code == 401
        locked = login(client)
        assert locked.status_code == 429
        assert "しばらく受け付けません" in locked.text
        clock.tick(staff_auth.FAILURE_WINDOW + timedelta(seconds=1))
        assert login(client).status_code == 302

    def test_many_failures_from_one_address_lock_that_address(self, client: FlaskClient) -> None:
        logins = (OTHER_STAFF, ADMIN, OPERATOR, "guess")  # not STAFF: her own limit stays unmet
        for n in range(staff_auth.MAX_FAILURES_PER_ADDRESS):
            login(client, login_name=logins[n % len(logins)], password="wrong password!")
        assert login(client).status_code == 429
        other_address = client.application.test_client()
        page = other_address.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"})
        response = other_address.post(
            "/login",
            data={"csrf_token": csrf_token(page.text), "login": STAFF, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert response.status_code == 302

    def test_failures_are_kept_in_the_store(self, client: FlaskClient, store: FakeStore) -> None:
        login(client, password="wrong password!")
        keys = {key for key, _at in store.state.login_failures}
        assert keys == {f"login:{STAFF}", "ip:127.0.0.1"}


class TestSessionTimeouts:
    def test_an_idle_session_ends_after_the_idle_timeout(
        self, client: FlaskClient, clock: FakeClock
    ) -> None:
        login(client)
        clock.tick(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity starts the idle time again
        clock.tick(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=30))
        response = client.get("/")
        assert response.status_code == 302
        assert response.location.startswith("/login")

    def test_an_active_session_still_ends_after_the_absolute_timeout(
        self, client: FlaskClient, clock: FakeClock
    ) -> None:
        login(client)
        for _ in range(12 * 3 - 1):  # every 20 minutes for just under 12 hours
            clock.tick(timedelta(minutes=20))
            assert client.get("/alerts").status_code == 200
        clock.tick(timedelta(minutes=20))
        assert client.get("/alerts").status_code == 302

    def test_requests_a_moment_apart_do_not_rewrite_an_unchanged_session(
        self, client: FlaskClient, store: FakeStore, clock: FakeClock
    ) -> None:
        login(client)
        cookie = client.get_cookie(COOKIE_NAME)
        assert cookie is not None
        key = staff_auth.session_id_of(cookie.value)
        client.get("/")  # the page's CSRF token is stored in the session: a write
        seen = store.state.sessions[key].last_seen_at
        clock.tick(timedelta(seconds=30))
        client.get("/")
        assert store.state.sessions[key].last_seen_at == seen
        clock.tick(timedelta(seconds=31))
        client.get("/")
        assert store.state.sessions[key].last_seen_at == clock.now

    def test_the_timeouts_are_settings(self, services: Services, clock: FakeClock) -> None:
        client = _app(services, session_idle_minutes=5).test_client()
        login(client)
        clock.tick(timedelta(minutes=5))
        assert client.get("/").status_code == 302


# --- CSRF --------------------------------------------------------------------------------------


class TestCsrf:
    def test_a_post_without_a_token_is_refused_and_changes_nothing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        for path, data in (
            (f"/alerts/{OWN_ALERT}/claim", {}),
            (f"/alerts/{OWN_ALERT}/resolve", {"outcome": Outcome.NO_ACTION.value}),
            (f"/elders/{OWN_ELDER.id}/away", {"kind": "hospital", "start": "2026-11-23"}),
            (f"/elders/{OWN_ELDER.id}/away/end", {}),
            ("/logout", {}),
        ):
            response = client.post(path, data=data)
            assert response.status_code == 400, path
            assert "有効期限が切れました" in response.text
        assert _alert(store, OWN_ALERT).status is AlertStatus.OPEN
        assert store.state.away == {}
        assert client.get("/").status_code == 200  # still signed in

    def test_a_token_of_another_session_is_refused(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        login(client)
        other = _app(services).test_client()
        login(other)
        foreign = token_of(other)
        response = client.post(f"/alerts/{OWN_ALERT}/claim", data={"csrf_token": foreign})
        assert response.status_code == 400
        assert _alert(store, OWN_ALERT).status is AlertStatus.OPEN

    def test_the_login_form_needs_its_token_too(self, client: FlaskClient) -> None:
        response = client.post("/login", data={"login": STAFF, "password": PASSWORD})
        assert response.status_code == 400
        assert client.get("/").status_code == 302

    def test_the_alexa_endpoint_is_not_subject_to_the_dashboard_csrf_check(
        self, client: FlaskClient
    ) -> None:
        response = client.post("/alexa", data=b"{}", content_type="application/json")
        assert response.status_code != 400 or "有効期限" not in response.text


# --- scope -------------------------------------------------------------------------------------

ELDER_SCOPED_GETS = (
    f"/elders/{OTHER_ELDER.id}",
    f"/alerts/{OTHER_ALERT}",
    f"/?center={OTHER_CENTER_ID}",
    f"/alerts?center={OTHER_CENTER_ID}",
    f"/alerts/stats?center={OTHER_CENTER_ID}",
)
ELDER_SCOPED_POSTS = (
    (f"/alerts/{OTHER_ALERT}/claim", {}),
    (f"/alerts/{OTHER_ALERT}/resolve", {"outcome": Outcome.NO_ACTION.value, "note": "x"}),
    (f"/elders/{OTHER_ELDER.id}/away", {"kind": "hospital", "start": "2026-11-23"}),
    (f"/elders/{OTHER_ELDER.id}/away/end", {}),
)


class TestScope:
    @pytest.mark.parametrize("path", ELDER_SCOPED_GETS)
    def test_another_centers_page_is_not_found(self, client: FlaskClient, path: str) -> None:
        login(client)
        response = client.get(path)
        assert response.status_code == 404
        assert OTHER_ELDER.name not in response.text
        assert "ページが見つかりません" in response.text

    @pytest.mark.parametrize(("path", "data"), ELDER_SCOPED_POSTS)
    def test_another_centers_elder_cannot_be_changed(
        self, client: FlaskClient, store: FakeStore, path: str, data: dict
    ) -> None:
        login(client)
        response = client.post(path, data={**data, "csrf_token": token_of(client)})
        assert response.status_code == 404
        assert _alert(store, OTHER_ALERT).status is AlertStatus.OPEN
        assert store.state.away == {}

    def test_an_unknown_elder_and_a_foreign_one_look_the_same(self, client: FlaskClient) -> None:
        login(client)
        foreign = client.get(f"/elders/{OTHER_ELDER.id}")
        unknown = client.get("/elders/no-such-elder")

        def page(text: str) -> str:  # the CSRF token is signed with a timestamp
            return re.sub(r'name="csrf_token" value="[^"]+"', "", text)

        assert foreign.status_code == unknown.status_code == 404
        assert page(foreign.text) == page(unknown.text)

    def test_the_other_center_sees_its_own_elder_and_not_ours(self, client: FlaskClient) -> None:
        login(client, OTHER_STAFF)
        assert client.get(f"/elders/{OTHER_ELDER.id}").status_code == 200
        assert client.get(f"/elders/{OWN_ELDER.id}").status_code == 404
        board = client.get("/").text
        assert OTHER_ELDER.name in board
        assert OWN_ELDER.name not in board

    @pytest.mark.parametrize("who", [ADMIN, OPERATOR])
    def test_a_municipality_admin_and_an_operator_see_every_center(
        self, client: FlaskClient, who: str
    ) -> None:
        login(client, who)
        for path in (*ELDER_SCOPED_GETS, f"/elders/{OWN_ELDER.id}"):
            assert client.get(path).status_code == 200, path
        board = client.get(f"/?center={OTHER_CENTER_ID}").text
        assert OTHER_ELDER.name in board


# --- board, inbox, elder page ------------------------------------------------------------------


class TestBoard:
    def test_the_board_lists_the_centers_elders_alerts_first_with_counts(
        self, client: FlaskClient
    ) -> None:
        login(client)
        text = client.get("/").text
        assert text.index("山田 花子") < text.index("鈴木 トメ")  # her open alert puts her first
        assert "田中 次郎" not in text
        assert "state-missed" in text
        assert "state-answered" in text
        assert '<span class="n">2</span>人' in text
        assert '<span class="n">1</span>件 対応待ちのアラート' in text

    def test_the_board_filters_by_district(self, client: FlaskClient) -> None:
        login(client)
        text = client.get("/?district=南地区").text
        assert "鈴木 トメ" in text
        assert "山田 花子" not in text

    def test_a_speaker_silent_for_days_is_told_apart_from_a_missed_answer(
        self, client: FlaskClient, clock: FakeClock
    ) -> None:
        login(client)
        clock.tick(timedelta(days=2))
        login(client)
        text = client.get("/").text
        assert "スピーカーから" in text
        assert "応答なし（機器の確認を）" in text


class TestAlerts:
    def test_claim_then_resolve_with_outcome_and_note(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        inbox = client.get("/alerts").text
        assert re.search(r"山田 花子さん：\d+月\d+日 朝の確認に応答がありません", inbox)
        assert OTHER_ELDER.name not in inbox
        client.post(f"/alerts/{OWN_ALERT}/claim", data={"csrf_token": token_of(client)})
        claimed = _alert(store, OWN_ALERT)
        assert claimed.status is AlertStatus.CLAIMED
        assert claimed.claimed_by == "staff:user-1"
        page = client.get(f"/alerts/{OWN_ALERT}").text
        assert "佐藤 花子" in page
        assert "確認を引き受けました（ダッシュボード）" in page
        response = client.post(
            f"/alerts/{OWN_ALERT}/resolve",
            data={
                "csrf_token": token_of(client),
                "outcome": Outcome.REACHED.value,
                "note": "電話で元気と確認",
            },
        )
        assert response.status_code == 302
        resolved = _alert(store, OWN_ALERT)
        assert resolved.status is AlertStatus.RESOLVED
        assert (resolved.outcome, resolved.note) == (Outcome.REACHED, "電話で元気と確認")
        assert "対応待ちのアラートはありません" in client.get("/alerts").text

    def test_resolving_without_an_outcome_says_what_is_missing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        response = client.post(
            f"/alerts/{OWN_ALERT}/resolve", data={"csrf_token": token_of(client), "outcome": ""}
        )
        assert response.status_code == 400
        assert "対応の結果を入力してください" in response.text
        assert _alert(store, OWN_ALERT).status is AlertStatus.OPEN

    def test_a_claim_taken_by_someone_else_is_said_plainly(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        login(client)
        colleague = _app(services).test_client()
        login(colleague, ADMIN)
        colleague.post(f"/alerts/{OWN_ALERT}/claim", data={"csrf_token": token_of(colleague)})
        client.post(f"/alerts/{OWN_ALERT}/claim", data={"csrf_token": token_of(client)})
        assert "ほかの方がすでに引き受けています" in client.get("/alerts").text
        assert _alert(store, OWN_ALERT).claimed_by == "staff:user-3"


class TestFollowUpItems:
    def test_a_follow_up_item_lists_its_findings_and_the_outage_state_says_what_to_do(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        findings = [
            {
                "rule": "bp_high",
                "period": "2026-11-20",
                "severity": "same_day",
                "evidence": {
                    "readings": [
                        {"systolic": 168, "diastolic": 96, "at": "2026-11-20T07:10:00+09:00"}
                    ]
                },
            },
            {
                "rule": "concern:sleep:3d",
                "period": "2026-11-22",
                "severity": "info",
                "evidence": {
                    "title": "睡眠",
                    "question_id": "sleep",
                    "days_running": 3,
                    "answers": [{"value": "slept_poorly"}],
                },
            },
        ]
        with FakeUnitOfWork(store) as uow:
            uow.alerts.add_if_absent(
                make_alert(
                    "follow-up-1",
                    elder_id=OWN_ELDER.id,
                    rule="follow_up",
                    period="2026-11",
                    severity=Severity.SAME_DAY,
                    evidence={"month": "2026-11", "findings": findings},
                )
            )
            uow.alerts.add_if_absent(
                make_alert("outage-1", elder_id=OWN_ELDER.id, rule="speaker_silent", period="x")
            )
            uow.commit()
        login(client)
        page = client.get("/alerts/follow-up-1").text
        assert "今月のフォローアップ項目があります" in page
        assert "<dd>血圧 168/96（11/20 7:10）</dd>" in page  # the most serious finding first
        assert "<dd>睡眠「眠れなかった」が3日続く（11/22まで）</dd>" in page
        outage = client.get("/alerts/outage-1").text
        assert "スピーカーと連絡が取れません" in outage
        assert "お電話で確認してください" in outage


class TestMonthlyStats:
    def test_the_month_counts_alerts_outcomes_no_action_share_and_time_to_claim(
        self, client: FlaskClient, clock: FakeClock
    ) -> None:
        login(client)
        clock.tick(timedelta(minutes=15))  # opened 10:45, claimed 11:15
        client.post(f"/alerts/{OWN_ALERT}/claim", data={"csrf_token": token_of(client)})
        client.post(
            f"/alerts/{OWN_ALERT}/resolve",
            data={"csrf_token": token_of(client), "outcome": Outcome.NO_ACTION.value},
        )
        text = client.get("/alerts/stats?month=2026-11").text
        assert '<span class="n">1</span>件 発生' in text
        assert '<span class="n">100</span>% 対応不要だった割合' in text
        assert '<span class="n">30</span>分 引き受けまでの時間（中央値）' in text
        assert "<td>応答なし</td><td>1</td>" in text
        # The field figures: per rule, per 100 elder-months, share 対応不要, time to claim.
        assert "<td>合計</td><td>1</td>" in text
        assert "<td>100%</td><td>30分</td>" in text
        assert OTHER_ELDER.name not in text
        october = client.get("/alerts/stats?month=2026-10").text
        assert "この月のアラートはありません" in october

    def test_a_bad_month_is_a_clear_400_and_another_center_a_404(self, client: FlaskClient) -> None:
        login(client)
        bad = client.get("/alerts/stats?month=11月")
        assert bad.status_code == 400
        assert "2026-11 のように" in bad.text
        assert client.get(f"/alerts/stats?center={OTHER_CENTER_ID}").status_code == 404


class TestElderPage:
    def test_the_page_shows_profile_consent_charts_and_is_audited(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        text = client.get(f"/elders/{OWN_ELDER.id}").text
        assert "同意の記録" in text
        assert "再確認日" in text
        assert 'data-chart="weight" data-points="8"' in text
        assert 'data-chart="blood_pressure" data-points="16"' in text
        assert text.count('class="threshold"') >= 3
        views = [e for e in store.state.audit if e.action == "view_elder"]
        assert [(e.actor, e.elder_id, e.at) for e in views] == [("staff:user-1", OWN_ELDER.id, NOW)]

    def test_the_checklist_is_scored_by_domain_and_month(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        from questions.kihon import item_id
        from tests.builders import make_answer

        day = NOW.astimezone(ZoneInfo("Asia/Tokyo")).date()
        with FakeUnitOfWork(store) as uow:
            for no, value in ((6, True), (7, False), (8, False), (9, True), (10, True)):
                answer = make_answer(
                    elder_id=OWN_ELDER.id,
                    day=day,
                    question_id=item_id(no),
                    value=value,
                    raw="はい" if value else "いいえ",
                    answered_at=NOW - timedelta(hours=1),
                )
                uow.answers.add(answer)
            uow.commit()
        login(client)
        text = client.get(f"/elders/{OWN_ELDER.id}").text
        assert "基本チェックリスト（月ごと・領域ごとの点数）" in text
        # No.6 はい is no risk point (points on いいえ), 7 and 8 いいえ score, 9 and 10 はい score.
        assert "4/5点" in text
        assert "運動器" in text

    def test_the_medication_reminder_the_elder_set_is_shown_until_removed(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        from backend.domain.model import Event, EventKind

        def reminder(event_id: str, action: str, minutes: int) -> Event:
            detail = {"action": action, "alert_token": "amzn1.alert.t-1", "time": "08:00"}
            if action == "set":
                detail["set_by"] = "elder"
            at = NOW - timedelta(minutes=minutes)
            return Event(event_id, OWN_ELDER.id, EventKind.REMINDER, at, detail)

        login(client)
        assert "お薬のお知らせ" not in client.get(f"/elders/{OWN_ELDER.id}").text
        with FakeUnitOfWork(store) as uow:
            uow.events.add(reminder("ev-set", "set", 30))
            uow.commit()
        text = client.get(f"/elders/{OWN_ELDER.id}").text
        assert (
            '<dt>お薬のお知らせ</dt><dd id="medication-reminder">毎日 8:00（ご本人が設定）</dd>'
            in text
        )
        with FakeUnitOfWork(store) as uow:
            uow.events.add(reminder("ev-removed", "removed", 10))
            uow.commit()
        assert "お薬のお知らせ" not in client.get(f"/elders/{OWN_ELDER.id}").text

    def test_a_refused_view_is_not_audited_as_a_view(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        client.get(f"/elders/{OTHER_ELDER.id}")
        assert not [e for e in store.state.audit if e.elder_id == OTHER_ELDER.id]

    def test_staff_add_an_away_period_and_end_it(
        self, client: FlaskClient, store: FakeStore, clock: FakeClock
    ) -> None:
        login(client)
        path = f"/elders/{OWN_ELDER.id}"
        response = client.post(
            f"{path}/away",
            data={
                "csrf_token": token_of(client, path),
                "kind": "hospital",
                "start": "2026-11-23",
                "end": "2026-11-30",
            },
        )
        assert response.status_code == 302
        (period,) = store.state.away.values()
        assert period.set_by == "staff:user-1"
        assert period.end is not None
        assert period.end.date().isoformat() == "2026-12-01"
        assert "入院でお休み中" in client.get("/").text
        clock.tick(timedelta(minutes=10))
        client.post(f"{path}/away/end", data={"csrf_token": token_of(client, path)})
        (period,) = store.state.away.values()
        assert period.end == clock.now

    def test_an_end_before_the_start_is_refused_with_a_clear_message(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        login(client)
        path = f"/elders/{OWN_ELDER.id}"
        response = client.post(
            f"{path}/away",
            data={
                "csrf_token": token_of(client, path),
                "kind": "travel",
                "start": "2026-11-23",
                "end": "2026-11-20",
            },
        )
        assert response.status_code == 400
        assert "終了日は開始日より後の日にしてください" in response.text
        bad = client.post(
            f"{path}/away",
            data={"csrf_token": token_of(client, path), "kind": "travel", "start": "来週"},
        )
        assert bad.status_code == 400
        assert "日付は 2026-11-23 のように入力してください" in bad.text
        assert store.state.away == {}


def test_no_personal_data_reaches_the_logs(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    login(client, password="wrong password!")
    login(client)
    for path in ("/", "/alerts", f"/alerts/{OWN_ALERT}", f"/elders/{OWN_ELDER.id}"):
        assert client.get(path).status_code == 200
    client.post(f"/alerts/{OWN_ALERT}/claim", data={"csrf_token": token_of(client)})
    client.get(f"/elders/{OTHER_ELDER.id}")
    logged = caplog.text
    for secret in (*NAMES, PASSWORD, "wrong password!"):
        assert secret not in logged
