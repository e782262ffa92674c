"""Enrolment: a new elder with their consent, profile and consent edits, the board's consent
badges, the elders API and the CSV import, through the services and Flask's test client."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from backend.domain import consent as vocabulary
from backend.domain.errors import NotFound
from backend.domain.model import Share, StaffUser, WithdrawalMethod
from backend.services import (
    checkin,
    elder_admin,
    enrolment,
    privacy,
    staff_auth,
    today_board,
    turns,
)
from backend.services.context import Services
from backend.web import create_app
from questions.loader import load_sets
from tests.builders import make_binding, make_consent
from tests.clock import FakeClock
from tests.dashboard_world import (
    ADMIN,
    NOW,
    OTHER_CENTER_ID,
    OTHER_ELDER,
    OWN_ELDER,
    PASSWORD,
    STAFF,
    csrf_token,
    populate,
)
from tests.e2e.test_alexa_endpoint import IsolatedSettings
from tests.fakes import FakeStore, FakeUnitOfWork

_SETS = load_sets()
TODAY = NOW.date()  # 2026-11-23
GOOD = {
    "name": "高橋 ウメ",
    "kana": "たかはし うめ",
    "district": "西地区",
    "consented_on": "2026-11-20",
    "explained_by": "佐藤 花子",
    "shares": [vocabulary.CENTER_ANSWERS, vocabulary.FAMILY_ALERTS],
    "other_shares": "",
    "reconfirm_on": "",
}


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        populate(uow)
        uow.commit()
    return store


@pytest.fixture
def services(store: FakeStore) -> Services:
    return Services(
        uow=lambda: FakeUnitOfWork(store),
        question_sets=lambda: _SETS,
        clock=FakeClock(NOW),
        tz=ZoneInfo("Asia/Tokyo"),
    )


def user(store: FakeStore, login: str) -> StaffUser:
    return next(u for u in store.state.users.values() if u.login == login)


def given(**changes) -> enrolment.ConsentInput:
    fields = {k: GOOD[k] for k in ("consented_on", "explained_by", "reconfirm_on")}
    fields["shares"] = tuple(GOOD["shares"])
    fields.update(changes)
    return enrolment.ConsentInput(**fields)


def audited(store: FakeStore, action: str) -> list:
    return [e for e in store.state.audit if e.action == action]


def enrol(services: Services, store: FakeStore, login: str = STAFF, **changes):
    profile = {"name": GOOD["name"], "kana": GOOD["kana"], "district": GOOD["district"]}
    profile.update({k: v for k, v in changes.items() if k in profile})
    consent = given(**{k: v for k, v in changes.items() if k not in profile and k != "center"})
    return enrolment.enrol(
        services,
        user(store, login),
        center_id=changes.get("center", "center-1"),
        consent=consent,
        **profile,
    )


# --- the service ------------------------------------------------------------------------------


class TestEnrolService:
    def test_a_new_elder_is_stored_watchable_with_the_standard_shares_and_audited(
        self, services: Services, store: FakeStore
    ) -> None:
        elder = enrol(services, store)
        stored = store.state.elders[elder.id]
        assert stored.is_watchable
        assert (stored.municipality_code, stored.center_id) == ("032158", "center-1")
        assert stored.consent.shares == (
            vocabulary.STANDARD_SHARES[vocabulary.CENTER_ANSWERS],
            vocabulary.STANDARD_SHARES[vocabulary.FAMILY_ALERTS],
        )
        assert stored.consent.reconfirm_on == date(2027, 11, 20)  # a year later by default
        (entry,) = audited(store, "enrol_elder")
        assert entry.elder_id == elder.id
        assert "高橋" not in str(entry.detail)

    def test_the_standard_shares_are_read_by_the_family_checks(self) -> None:
        from backend.domain.family import family_may_be_alerted, family_may_see_status
        from tests.builders import make_recipient

        member = make_recipient("m", elder_id="e", relation="長女", name="明美")
        status = make_consent(shares=(vocabulary.STANDARD_SHARES[vocabulary.FAMILY_STATUS],))
        alerts = make_consent(shares=(vocabulary.STANDARD_SHARES[vocabulary.FAMILY_ALERTS],))
        center = make_consent(shares=(vocabulary.STANDARD_SHARES[vocabulary.CENTER_ANSWERS],))
        assert family_may_see_status(status, member)
        assert not family_may_be_alerted(status, member)
        assert family_may_be_alerted(alerts, member)
        assert not family_may_see_status(center, member)
        assert not family_may_be_alerted(center, member)

    @pytest.mark.parametrize(
        ("changes", "field", "words"),
        [
            ({"name": " "}, "name", "お名前を入力"),
            ({"kana": "Takahashi"}, "kana", "ひらがなかカタカナ"),
            ({"district": "あ" * 31}, "district", "30文字まで"),
            ({"consented_on": "2026/11/20"}, "consented_on", "2026-11-23 のように"),
            ({"consented_on": "2026-11-24"}, "consented_on", "未来の日付"),
            ({"consented_on": ""}, "consented_on", "同意日を入力"),
            ({"explained_by": ""}, "explained_by", "説明した職員を入力"),
            ({"reconfirm_on": "2026-11-01"}, "reconfirm_on", "同意日より後"),
            ({"reconfirm_on": "2031-01-01"}, "reconfirm_on", "3年以内"),
            ({"shares": (vocabulary.FAMILY_ALERTS,)}, "shares", "センターの職員"),
            ({"shares": ()}, "shares", "センターの職員"),
            ({"shares": ("center_answers", "everyone")}, "shares", "不明な共有先"),
            ({"other_shares": "民生委員"}, "other_shares", "「相手：内容」"),
        ],
    )
    def test_a_wrong_field_is_named_in_japanese_and_nothing_is_stored(
        self, services: Services, store: FakeStore, changes: dict, field: str, words: str
    ) -> None:
        before = dict(store.state.elders)
        with pytest.raises(enrolment.Invalid) as err:
            enrol(services, store, **changes)
        assert words in err.value.errors[field]
        assert store.state.elders == before
        assert audited(store, "enrol_elder") == []

    def test_other_shares_are_kept_after_the_standard_ones(
        self, services: Services, store: FakeStore
    ) -> None:
        elder = enrol(services, store, other_shares="民生委員：応答がないときの連絡\n\n")
        assert elder.consent.shares[-1] == Share("民生委員", "応答がないときの連絡")

    def test_center_staff_enrol_only_into_their_own_center(
        self, services: Services, store: FakeStore
    ) -> None:
        with pytest.raises(NotFound):
            enrol(services, store, center=OTHER_CENTER_ID)
        assert audited(store, "enrol_elder") == []

    def test_a_municipality_admin_enrols_into_any_center_of_the_municipality(
        self, services: Services, store: FakeStore
    ) -> None:
        elder = enrol(services, store, login=ADMIN, center=OTHER_CENTER_ID)
        assert store.state.elders[elder.id].center_id == OTHER_CENTER_ID

    def test_an_enrolled_elder_is_asked_at_once_and_one_without_consent_is_not(
        self, services: Services, store: FakeStore
    ) -> None:
        elder = enrol(services, store)
        with FakeUnitOfWork(store) as uow:
            uow.devices.bind(
                make_binding(alexa_user_id="u-new", device_id="d-new", elder_id=elder.id)
            )
            uow.commit()
        services.clock.set(datetime.combine(TODAY, time(7), tzinfo=NOW.tzinfo))
        caller = turns.Caller("u-new", "d-new", "req-1")
        asked = checkin.start(services, caller)
        assert asked.question is not None
        with FakeUnitOfWork(store) as uow:
            uow.elders.update(replace(uow.elders.get(elder.id), consent=None))
            uow.commit()
        before = len(store.state.checkins)
        refused = checkin.start(services, caller)
        assert refused.question is None
        assert [line.key for line in refused.lines] == ["not_watching"]
        assert len(store.state.checkins) == before

    def test_the_profile_is_updated_and_the_changed_fields_audited(
        self, services: Services, store: FakeStore
    ) -> None:
        enrolment.update_profile(
            services,
            user(store, STAFF),
            OWN_ELDER.id,
            name=OWN_ELDER.name,
            kana="ヤマダ ハナコ",
            district="中地区",
        )
        stored = store.state.elders[OWN_ELDER.id]
        assert (stored.kana, stored.district) == ("ヤマダ ハナコ", "中地区")
        (entry,) = audited(store, "edit_profile")
        assert entry.detail == {"fields": ["district", "kana"]}

    def test_a_reconfirmed_consent_replaces_the_record_and_is_audited(
        self, services: Services, store: FakeStore
    ) -> None:
        enrolment.reconfirm_consent(
            services,
            user(store, STAFF),
            OWN_ELDER.id,
            given(consented_on="2026-11-23", shares=(vocabulary.CENTER_ANSWERS,)),
        )
        consent = store.state.elders[OWN_ELDER.id].consent
        assert consent.consented_on == TODAY
        assert consent.reconfirm_on == date(2027, 11, 23)
        assert consent.shares == (vocabulary.STANDARD_SHARES[vocabulary.CENTER_ANSWERS],)
        (entry,) = audited(store, "reconfirm_consent")
        assert entry.detail["reconfirm_on"] == "2027-11-23"

    def test_after_a_withdrawal_neither_profile_nor_consent_can_be_changed(
        self, services: Services, store: FakeStore
    ) -> None:
        staff = user(store, STAFF)
        privacy.withdraw_consent(services, staff, OWN_ELDER.id, WithdrawalMethod.WRITTEN)
        with pytest.raises(elder_admin.ElderNotWatched):
            enrolment.reconfirm_consent(services, staff, OWN_ELDER.id, given())
        with pytest.raises(elder_admin.ElderNotWatched):
            enrolment.update_profile(
                services, staff, OWN_ELDER.id, name="山田", kana="やまだ", district="北"
            )
        assert store.state.elders[OWN_ELDER.id].withdrawn

    @pytest.mark.parametrize(
        "call",
        [
            lambda s, u: enrolment.update_profile(
                s, u, OTHER_ELDER.id, name="a", kana="あ", district="b"
            ),
            lambda s, u: enrolment.reconfirm_consent(s, u, OTHER_ELDER.id, given()),
            lambda s, u: enrolment.elder_detail(s, u, OTHER_ELDER.id),
        ],
    )
    def test_another_center_s_elder_is_not_found(
        self, services: Services, store: FakeStore, call
    ) -> None:
        before = store.state.elders[OTHER_ELDER.id]
        with pytest.raises(NotFound):
            call(services, user(store, STAFF))
        assert store.state.elders[OTHER_ELDER.id] == before


# --- consent flags ----------------------------------------------------------------------------


class TestConsentFlags:
    @pytest.mark.parametrize(
        ("reconfirm_on", "flag"),
        [
            (date(2026, 11, 1), vocabulary.FLAG_RECONFIRM),  # past
            (date(2026, 12, 23), vocabulary.FLAG_RECONFIRM),  # in 30 days
            (date(2026, 12, 24), None),  # in 31 days
            (None, None),
        ],
    )
    def test_re_confirmation_is_flagged_when_past_or_within_30_days(
        self, reconfirm_on: date | None, flag: str | None
    ) -> None:
        elder = replace(OWN_ELDER, consent=make_consent(reconfirm_on=reconfirm_on))
        assert vocabulary.consent_flag(elder, TODAY) == flag

    def test_a_withdrawal_and_a_missing_record_are_flagged(self) -> None:
        assert vocabulary.consent_flag(replace(OWN_ELDER, consent=None), TODAY) == "missing"

    def test_default_re_confirmation_of_29_february_is_28_february(self) -> None:
        assert vocabulary.default_reconfirm_on(date(2028, 2, 29)) == date(2029, 2, 28)

    def test_the_board_flags_withdrawn_and_due_elders(
        self, services: Services, store: FakeStore
    ) -> None:
        staff = user(store, STAFF)
        privacy.withdraw_consent(services, staff, OWN_ELDER.id, WithdrawalMethod.WRITTEN)
        elder = enrol(services, store)
        board = today_board.board(services, staff)
        flags = {r.elder.id: r.consent_flag for r in board.rows}
        assert flags[OWN_ELDER.id] == vocabulary.FLAG_WITHDRAWN
        assert flags["elder-3"] == vocabulary.FLAG_RECONFIRM  # 2026-03-01 is past
        assert flags[elder.id] is None


# --- the pages --------------------------------------------------------------------------------


def signed_in(services: Services, login: str = STAFF) -> FlaskClient:
    settings = IsolatedSettings(alexa_skill_id="amzn1.ask.skill.test", secret_key="k" * 48)
    app = create_app(settings, services)
    app.testing = True
    client = app.test_client()
    page = client.get("/login")
    done = client.post(
        "/login", data={"csrf_token": csrf_token(page.text), "login": login, "password": PASSWORD}
    )
    assert done.status_code == 302
    return client


@pytest.fixture
def client(services: Services) -> FlaskClient:
    return signed_in(services)


def form(client: FlaskClient, path: str = "/elders/new", **changes) -> dict:
    data = {**GOOD, **changes}
    data["csrf_token"] = csrf_token(client.get(path).text)
    return data


class TestEnrolPage:
    def test_the_form_has_the_center_fixed_today_and_the_staff_member_filled_in(
        self, client: FlaskClient
    ) -> None:
        page = client.get("/elders/new")
        assert page.status_code == 200
        assert "見守り市北地域包括支援センター" in page.text
        assert 'name="center_id"' not in page.text  # fixed for center staff
        assert 'value="2026-11-23"' in page.text
        assert "ご家族が、応答がないときなどの連絡（アラート）を受け取る" in page.text

    def test_enrolling_opens_the_elder_page_that_offers_the_pairing_code(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        response = client.post("/elders/new", data=form(client))
        assert response.status_code == 302
        (new,) = [e for e in store.state.elders.values() if e.name == GOOD["name"]]
        assert response.headers["Location"] == f"/elders/{new.id}#speaker"
        page = client.get(response.headers["Location"])
        assert "高橋 ウメさんを登録しました" in page.text
        assert "ペアリングコードを発行する" in page.text
        issued = client.post(
            f"/elders/{new.id}/pairing", data={"csrf_token": csrf_token(page.text)}
        )
        assert 'data-testid="pairing-code"' in issued.text
        assert new.is_watchable

    def test_errors_are_shown_next_to_their_fields_and_nothing_is_stored(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        before = dict(store.state.elders)
        response = client.post(
            "/elders/new",
            data=form(client, kana="abc", shares=[vocabulary.FAMILY_STATUS], name=""),
        )
        assert response.status_code == 400
        text = response.text
        assert 'id="kana-error">ふりがなは、ひらがなかカタカナで入力してください。' in text
        assert 'id="name-error">お名前を入力してください。' in text
        assert 'id="shares-error">見守りには、センターの職員' in text
        assert 'value="西地区"' in text  # what was typed stays
        assert store.state.elders == before

    def test_center_staff_cannot_enrol_into_another_center_by_posting_its_id(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        client.post("/elders/new", data=form(client, center_id=OTHER_CENTER_ID))
        (new,) = [e for e in store.state.elders.values() if e.name == GOOD["name"]]
        assert new.center_id == "center-1"

    def test_an_admin_picks_a_center_of_the_municipality(
        self, services: Services, store: FakeStore
    ) -> None:
        admin = signed_in(services, ADMIN)
        page = admin.get("/elders/new")
        assert 'name="center_id"' in page.text
        admin.post("/elders/new", data=form(admin, center_id=OTHER_CENTER_ID))
        (new,) = [e for e in store.state.elders.values() if e.name == GOOD["name"]]
        assert new.center_id == OTHER_CENTER_ID

    @pytest.mark.parametrize(
        "path",
        ["/elders/new", f"/elders/{OWN_ELDER.id}/profile", f"/elders/{OWN_ELDER.id}/consent"],
    )
    def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
        self, client: FlaskClient, store: FakeStore, path: str
    ) -> None:
        before = dict(store.state.elders)
        response = client.post(path, data={**GOOD, "kana": "やまだ"})
        assert response.status_code == 400
        assert store.state.elders == before


class TestElderPages:
    def test_the_profile_form_saves_and_returns_to_the_elder_page(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"/elders/{OWN_ELDER.id}/profile"
        assert "やまだ はなこ" in client.get(path).text
        (viewed,) = audited(store, "view_elder")
        assert (viewed.elder_id, viewed.detail) == (OWN_ELDER.id, {"parts": ["profile"]})
        data = {"csrf_token": csrf_token(client.get(path).text)}
        data |= {"name": "山田 花子", "kana": "やまだ はなこ", "district": "中地区"}
        response = client.post(path, data=data)
        assert response.status_code == 302
        assert store.state.elders[OWN_ELDER.id].district == "中地区"
        assert audited(store, "edit_profile")

    def test_a_bad_profile_is_shown_with_its_error_and_not_saved(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"/elders/{OWN_ELDER.id}/profile"
        data = {"csrf_token": csrf_token(client.get(path).text), "name": "", "kana": "x"}
        response = client.post(path, data={**data, "district": "中"})
        assert response.status_code == 400
        assert 'id="name-error"' in response.text
        assert store.state.elders[OWN_ELDER.id] == OWN_ELDER

    def test_the_elder_page_shows_the_re_confirmation_badge_and_the_consent_form_saves(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        page = client.get(f"/elders/{OWN_ELDER.id}").text
        assert "同意の再確認" in page  # 2026-03-01 is past
        path = f"/elders/{OWN_ELDER.id}/consent"
        shown = client.get(path).text
        assert 'value="2026-11-23"' in shown
        assert "center：answers" in shown  # the builder's lines are kept as other shares
        response = client.post(path, data=form(client, path, consented_on="2026-11-23"))
        assert response.status_code == 302
        assert store.state.elders[OWN_ELDER.id].consent.reconfirm_on == date(2027, 11, 23)
        assert "同意の再確認" not in client.get(f"/elders/{OWN_ELDER.id}").text
        assert audited(store, "reconfirm_consent")

    def test_a_bad_consent_date_is_shown_and_the_record_is_kept(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"/elders/{OWN_ELDER.id}/consent"
        response = client.post(path, data=form(client, path, reconfirm_on="2020-01-01"))
        assert response.status_code == 400
        assert 'id="reconfirm_on-error">再確認日は同意日より後' in response.text
        assert store.state.elders[OWN_ELDER.id] == OWN_ELDER

    @pytest.mark.parametrize("suffix", ["profile", "consent"])
    def test_another_center_s_elder_is_a_404_to_read_and_to_post(
        self, client: FlaskClient, store: FakeStore, suffix: str
    ) -> None:
        path = f"/elders/{OTHER_ELDER.id}/{suffix}"
        assert client.get(path).status_code == 404
        token = csrf_token(client.get("/elders/new").text)
        data = {**GOOD, "csrf_token": token, "kana": "たなか"}
        assert client.post(path, data=data).status_code == 404
        assert store.state.elders[OTHER_ELDER.id] == OTHER_ELDER

    def test_the_board_shows_withdrawn_elders_with_a_badge_instead_of_slots(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        privacy.withdraw_consent(
            services, user(store, STAFF), OWN_ELDER.id, WithdrawalMethod.WRITTEN
        )
        board = client.get("/").text
        row = board[board.index(OWN_ELDER.name) :].split("</tr>")[0]
        assert "同意撤回" in row
        assert "state-" not in row
        assert "同意の再確認" in board  # elder-3's date is past


# --- the JSON API -----------------------------------------------------------------------------


class TestEldersApi:
    @pytest.fixture
    def api(self, services: Services) -> FlaskClient:
        settings = IsolatedSettings(alexa_skill_id="amzn1.ask.skill.test", secret_key="k" * 40)
        return create_app(settings, services).test_client()

    def auth(self, services: Services, login: str = STAFF) -> dict[str, str]:
        secret, _ = staff_auth.create_api_token(services, login, "test")
        return {"Authorization": f"Bearer {secret}"}

    def test_the_list_holds_only_the_caller_s_center_without_family_contacts(
        self, api: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        response = api.get("/api/v1/elders", headers=self.auth(services))
        assert response.status_code == 200
        ids = [e["id"] for e in response.json["elders"]]
        assert ids == ["elder-3", OWN_ELDER.id]  # by kana: すずき, やまだ
        first = response.json["elders"][1]
        assert first["consent"]["reconfirm_on"] == "2026-03-01"
        assert first["consent_flag"] == "reconfirm"
        assert first["watchable"] is True
        assert "address" not in str(response.json)
        assert audited(store, "list_elders")

    def test_an_admin_lists_the_municipality_and_may_narrow_to_one_center(
        self, api: FlaskClient, services: Services
    ) -> None:
        headers = self.auth(services, ADMIN)
        everyone = api.get("/api/v1/elders", headers=headers).json["elders"]
        assert {e["id"] for e in everyone} == {OWN_ELDER.id, "elder-3", OTHER_ELDER.id}
        one = api.get(f"/api/v1/elders?center={OTHER_CENTER_ID}", headers=headers).json
        assert [e["id"] for e in one["elders"]] == [OTHER_ELDER.id]

    def test_one_elder_is_audited_and_another_center_s_is_a_404(
        self, api: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        headers = self.auth(services)
        own = api.get(f"/api/v1/elders/{OWN_ELDER.id}", headers=headers)
        assert own.status_code == 200
        assert own.json["name"] == OWN_ELDER.name
        assert [e.elder_id for e in audited(store, "view_elder")] == [OWN_ELDER.id]
        other = api.get(f"/api/v1/elders/{OTHER_ELDER.id}", headers=headers)
        assert other.status_code == 404
        assert api.get("/api/v1/elders/nobody", headers=headers).status_code == 404
        assert (
            api.get(f"/api/v1/elders?center={OTHER_CENTER_ID}", headers=headers).status_code == 404
        )

    def test_without_a_token_the_elders_are_a_401(self, api: FlaskClient) -> None:
        assert api.get("/api/v1/elders").status_code == 401
        assert api.get(f"/api/v1/elders/{OWN_ELDER.id}").status_code == 401

    def test_the_board_api_carries_the_consent_flag(
        self, api: FlaskClient, services: Services
    ) -> None:
        board = api.get("/api/v1/board", headers=self.auth(services)).json
        assert {e["consent_flag"] for e in board["elders"]} == {"reconfirm"}


# --- CSV import -------------------------------------------------------------------------------

HEADER = "name,kana,district,center_id,consented_on,explained_by,shares,reconfirm_on\n"


class TestImport:
    def test_a_good_file_enrols_every_row(self, services: Services, store: FakeStore) -> None:
        data = (
            HEADER
            + "高橋 ウメ,たかはし うめ,西地区,center-1,2026-11-20,佐藤,center_answers family_alerts,\n"
            + "伊藤 マツ,いとう まつ,東地区,center-2,2026-11-01,佐藤,center_answers,2027-06-01\n"
        ).encode()
        elders = enrolment.import_elders(services, user(store, ADMIN), data)
        assert [e.center_id for e in elders] == ["center-1", "center-2"]
        assert elders[1].consent.reconfirm_on == date(2027, 6, 1)
        assert len(audited(store, "enrol_elder")) == 2

    def test_every_bad_row_is_reported_and_nothing_is_imported(
        self, services: Services, store: FakeStore
    ) -> None:
        before = dict(store.state.elders)
        data = (
            HEADER
            + "高橋 ウメ,たかはし うめ,西地区,center-1,2026-11-20,佐藤,center_answers,\n"
            + ",Itoh,東地区,center-9,2026-13-01,佐藤,family_alerts,\n"
            + "短い,行\n"
        ).encode()
        with pytest.raises(enrolment.ImportRefused) as err:
            enrolment.import_elders(services, user(store, ADMIN), data)
        assert err.value.problems == [
            "3: name: お名前を入力してください。",
            "3: kana: ふりがなは、ひらがなかカタカナで入力してください。",
            "3: center_id: この市町村のセンターではありません。",
            "3: consented_on: 日付は 2026-11-23 のように入力してください。",
            "3: shares: 見守りには、センターの職員が毎日のお答えを見ることへの同意が必要です。",
            "4: 列の数が見出しと違います（見出しは 8 列、この行は 2 列）",
        ]
        assert store.state.elders == before

    def test_the_same_elder_twice_in_a_file_is_reported(
        self, services: Services, store: FakeStore
    ) -> None:
        row = "高橋 ウメ,たかはし うめ,西地区,center-1,2026-11-20,佐藤,center_answers,\n"
        with pytest.raises(enrolment.ImportRefused) as err:
            enrolment.import_elders(services, user(store, ADMIN), (HEADER + row + row).encode())
        assert err.value.problems == ["3: name: 2 行目と同じ方（お名前・ふりがな・センター）です"]

    def test_a_file_with_a_wrong_header_or_encoding_is_refused(
        self, services: Services, store: FakeStore
    ) -> None:
        admin = user(store, ADMIN)
        with pytest.raises(enrolment.ImportRefused) as err:
            enrolment.import_elders(services, admin, "name,kana\n".encode("shift_jis"))
        assert err.value.problems[0].startswith("1: district: 見出しにこの列がありません")
        with pytest.raises(enrolment.ImportRefused) as err:
            enrolment.import_elders(services, admin, "名前".encode("shift_jis"))
        assert "UTF-8 として読めません" in err.value.problems[0]

    def test_only_a_municipality_admin_may_import(
        self, client: FlaskClient, services: Services, store: FakeStore
    ) -> None:
        assert client.get("/elders/import").status_code == 404
        with pytest.raises(enrolment.ImportRefused):
            enrolment.import_elders(services, user(store, STAFF), HEADER.encode())

    def test_the_page_lists_the_problems_and_imports_a_good_file(
        self, services: Services, store: FakeStore
    ) -> None:
        admin = signed_in(services, ADMIN)
        token = csrf_token(admin.get("/elders/import").text)
        bad = (HEADER + "高橋,たかはし,西,center-1,2026-11-20,佐藤,family_alerts,\n").encode()
        response = admin.post(
            "/elders/import",
            data={"csrf_token": token, "file": (io.BytesIO(bad), "elders.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert "2: shares: 見守りには" in response.text
        good = bad.replace(b"family_alerts", b"center_answers")
        response = admin.post(
            "/elders/import",
            data={"csrf_token": token, "file": (io.BytesIO(good), "elders.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        assert any(e.name == "高橋" for e in store.state.elders.values())
