"""The elder page's management parts through Flask's test client: pairing, family, times."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from backend.domain.family import LINE_CHANNEL
from backend.services import elder_admin, family
from backend.services.context import Services
from backend.web import create_app
from questions.loader import load_sets
from tests.builders import make_recipient
from tests.clock import FakeClock
from tests.dashboard_world import (
    ADMIN,
    NOW,
    OTHER_ELDER,
    OTHER_STAFF,
    OWN_ELDER,
    PASSWORD,
    STAFF,
    csrf_token,
    populate,
)
from tests.e2e.test_alexa_endpoint import IsolatedSettings
from tests.fakes import FakeStore, FakeUnitOfWork

_SETS = load_sets()
PAGE = f"/elders/{OWN_ELDER.id}"
MEMBER_ID = "line-member-1"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        populate(uow)
        for elder, n in ((OWN_ELDER, 1), (OTHER_ELDER, 2)):
            uow.recipients.add(
                make_recipient(
                    f"line-member-{n}",
                    elder_id=elder.id,
                    center_id=elder.center_id,
                    name="明美",
                    relation="長女",
                    channel=LINE_CHANNEL,
                    address=f"U{n}",
                )
            )
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


@pytest.fixture
def client(services: Services) -> FlaskClient:
    settings = IsolatedSettings(alexa_skill_id="amzn1.ask.skill.test", secret_key="k" * 48)
    app = create_app(settings, services)
    app.testing = True
    client = app.test_client()
    page = client.get("/login")
    signed_in = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "login": STAFF, "password": PASSWORD},
    )
    assert signed_in.status_code == 302
    return client


def token(client: FlaskClient, path: str = PAGE) -> str:
    return csrf_token(client.get(path).text)


def audited(store: FakeStore, action: str) -> list:
    return [e for e in store.state.audit if e.action == action]


# --- pairing code -------------------------------------------------------------------------------


class TestPairingCode:
    def test_no_code_is_issued_before_consent_is_recorded(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        csrf = token(client)
        elder = store.state.elders[OWN_ELDER.id]
        store.state.elders[OWN_ELDER.id] = dataclasses.replace(elder, consent=None)
        response = client.post(f"{PAGE}/pairing", data={"csrf_token": csrf})
        assert response.status_code == 409
        assert "先に同意を記録してください" in response.text
        assert store.state.pairing_codes == {}

    def test_a_new_code_is_shown_once_with_its_expiry_and_audited_without_digits(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        response = client.post(f"{PAGE}/pairing", data={"csrf_token": token(client)})
        assert response.status_code == 200
        code = re.search(r'data-testid="pairing-code">(\d{6})<', response.text).group(1)
        assert code[0] != "0"
        assert "12月07日" in response.text  # 14 days from 11-23
        stored = store.state.pairing_codes[code]
        assert stored.elder_id == OWN_ELDER.id
        assert stored.expires_at == NOW + timedelta(days=14)
        page = client.get(PAGE).text
        assert code not in page
        assert "番号は発行したときにだけ表示します" in page
        (entry,) = audited(store, "issue_pairing_code")
        assert entry.elder_id == OWN_ELDER.id
        assert code not in str(entry.detail)

    def test_a_second_code_ends_the_first_and_revoke_ends_the_last(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        client.post(f"{PAGE}/pairing", data={"csrf_token": token(client)})
        client.post(f"{PAGE}/pairing", data={"csrf_token": token(client)})
        codes = sorted(store.state.pairing_codes.values(), key=lambda c: c.used_at is None)
        assert [c.used_at for c in codes] == [NOW, None]
        response = client.post(f"{PAGE}/pairing/revoke", data={"csrf_token": token(client)})
        assert response.status_code == 302
        assert all(c.used_at == NOW for c in store.state.pairing_codes.values())
        assert "無効にしました（1件）" in client.get(PAGE).text
        assert len(audited(store, "revoke_pairing_code")) == 1

    def test_a_revoked_code_pairs_no_speaker(self, services: Services, store: FakeStore) -> None:
        from backend.services.checkin import pair
        from backend.services.turns import Caller

        with FakeUnitOfWork(store) as uow:
            user = uow.users.get("user-1")
        code = elder_admin.issue_pairing_code(services, user, OWN_ELDER.id)
        elder_admin.revoke_pairing_codes(services, user, OWN_ELDER.id)
        turn = pair(
            services, Caller("amzn1.ask.account.NEW", "amzn1.ask.device.NEW", "r1"), code.code
        )
        assert turn.lines[0].key == "pair_unknown"
        assert ("amzn1.ask.account.NEW", "amzn1.ask.device.NEW") not in store.state.bindings


# --- family on LINE -----------------------------------------------------------------------------


class TestFamily:
    def test_the_page_lists_links_with_relation_name_and_since(
        self, client: FlaskClient, store: FakeStore, services: Services
    ) -> None:
        text = client.get(PAGE).text
        assert "長女" in text
        assert "明美" in text
        assert "記録なし" in text  # linked before link dates were kept

    def test_staff_unlink_a_member_and_no_push_reaches_them(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        response = client.post(
            f"{PAGE}/family/{MEMBER_ID}/unlink", data={"csrf_token": token(client)}
        )
        assert response.status_code == 302
        assert store.state.recipients[MEMBER_ID].active is False
        assert "LINE連携を解除しました" in client.get(PAGE).text
        assert "解除済み" in client.get(PAGE).text
        (entry,) = audited(store, "unlink_family")
        assert entry.detail == {"member_id": MEMBER_ID}

    def test_another_elders_member_cannot_be_unlinked_through_this_elder(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        response = client.post(
            f"{PAGE}/family/line-member-2/unlink", data={"csrf_token": token(client)}
        )
        assert response.status_code == 404
        assert store.state.recipients["line-member-2"].active is True

    def test_a_link_code_comes_with_a_printable_letter_and_links_on_line(
        self, client: FlaskClient, store: FakeStore, services: Services, clock: FakeClock
    ) -> None:
        form = client.get(f"{PAGE}/family/new")
        assert form.status_code == 200
        response = client.post(
            f"{PAGE}/family/new",
            data={"csrf_token": csrf_token(form.text), "name": "一郎", "relation": "長男"},
        )
        assert response.status_code == 200
        text = response.text
        code = re.search(r'data-testid="link-code">(\d{6})<', text).group(1)
        assert "LINE登録のご案内" in text
        assert "一郎様" in text
        assert "/assets/letter.css" in text  # its print styles (no inline style: CSP)
        assert "2026年12月07日まで" in text
        assert store.state.link_codes[code].relation == "長男"
        (entry,) = audited(store, "issue_link_code")
        assert code not in str(entry.detail)
        assert "一郎" not in str(entry.detail)
        clock.tick(timedelta(minutes=10))
        result = family.link(services, "U-ichiro", code)
        assert result.outcome is family.LinkOutcome.LINKED
        assert result.member.linked_at == clock.now
        page = client.get(PAGE).text
        assert "一郎" in page
        assert "2026年11月23日" in page

    def test_a_letter_without_name_or_relation_says_what_is_missing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"{PAGE}/family/new"
        response = client.post(
            path, data={"csrf_token": token(client, path), "name": " ", "relation": ""}
        )
        assert response.status_code == 400
        assert "お名前を入力してください" in response.text
        assert "続柄を入力してください" in response.text
        assert store.state.link_codes == {}


# --- question times -----------------------------------------------------------------------------


class TestQuestionTimes:
    def test_medication_moves_to_the_evening_only_and_the_checkin_follows(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        text = client.get(PAGE).text
        assert 'name="slots-medication" value="morning"' in text
        data = {
            "csrf_token": token(client),
            "question": ["medication", "mood", "condition"],
            "slots-medication": ["evening"],
            "slots-condition": ["morning"],
        }
        response = client.post(f"{PAGE}/times", data=data)
        assert response.status_code == 302
        overrides = store.state.elders[OWN_ELDER.id].overrides
        assert overrides == {
            "remove": ["mood"],
            "schedules": {"medication": {"slots": ["evening"]}},
        }
        qset = _SETS["032158"]
        from questions.loader import parse_overrides

        parsed = parse_overrides(overrides)
        assert "medication" not in [q.id for q in qset.due(NOW.date(), "morning", parsed)]
        assert "mood" not in [q.id for q in qset.due(NOW.date(), "evening", parsed)]
        assert "変更あり" in client.get(PAGE).text
        (entry,) = audited(store, "set_question_times")
        assert entry.detail == {"questions": ["condition", "medication", "mood"]}

    def test_setting_the_sets_own_slots_again_keeps_no_override(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        base = {"csrf_token": token(client), "question": ["medication"]}
        client.post(f"{PAGE}/times", data={**base, "slots-medication": ["evening"]})
        client.post(
            f"{PAGE}/times",
            data={**base, "csrf_token": token(client), "slots-medication": ["morning", "evening"]},
        )
        assert store.state.elders[OWN_ELDER.id].overrides == {}

    @pytest.mark.parametrize(
        "data",
        [
            {"question": ["no_such_question"]},
            {"question": ["medication"], "slots-medication": ["midnight"]},
        ],
    )
    def test_an_unknown_question_or_slot_is_a_clear_400(
        self, client: FlaskClient, store: FakeStore, data: dict
    ) -> None:
        response = client.post(f"{PAGE}/times", data={**data, "csrf_token": token(client)})
        assert response.status_code == 400
        assert "質問セットにありません" in response.text
        assert store.state.elders[OWN_ELDER.id].overrides == {}


# --- known weekly absences (issue 15) -----------------------------------------------------------


class TestWeeklyAbsences:
    def test_a_wednesday_day_service_is_saved_shown_kept_and_audited(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        assert 'name="kind-水"' in client.get(PAGE).text
        data = {
            "csrf_token": token(client),
            "weekday": list("月火水木金土日"),
            "kind-水": "dayservice",
            "slots-水": ["morning"],
            "kind-金": "clinic",
        }
        assert client.post(f"{PAGE}/absences", data=data).status_code == 302
        overrides = store.state.elders[OWN_ELDER.id].overrides
        assert overrides == {
            "absences": [
                {"kind": "dayservice", "weekday": "水", "slots": ["morning"], "set_by": "staff"},
                {"kind": "clinic", "weekday": "金", "slots": [], "set_by": "staff"},
            ]
        }
        from questions.loader import parse_overrides

        parsed = parse_overrides(overrides)
        wednesday = NOW.date() + timedelta(days=(2 - NOW.date().weekday()) % 7)
        assert parsed.absent(wednesday, "morning")
        assert not parsed.absent(wednesday, "evening")
        assert 'value="dayservice" selected' in client.get(PAGE).text
        assert "ご本人から" not in client.get(PAGE).text
        (entry,) = audited(store, "set_weekly_absences")
        assert entry.detail == {"weekdays": ["水", "金"]}
        # Changing the question times keeps the absences.
        times = {"csrf_token": token(client), "question": ["medication"]}
        client.post(f"{PAGE}/times", data={**times, "slots-medication": ["evening"]})
        assert store.state.elders[OWN_ELDER.id].overrides["absences"] == overrides["absences"]

    @pytest.mark.parametrize(
        "data",
        [
            {"weekday": ["水"], "kind-水": "karaoke"},
            {"weekday": ["水"], "kind-水": "dayservice", "slots-水": ["midnight"]},
            {"weekday": ["Wed"], "kind-Wed": "dayservice"},
        ],
    )
    def test_an_unknown_kind_slot_or_weekday_is_a_clear_400(
        self, client: FlaskClient, store: FakeStore, data: dict
    ) -> None:
        response = client.post(f"{PAGE}/absences", data={**data, "csrf_token": token(client)})
        assert response.status_code == 400
        assert "正しくありません" in response.text
        assert store.state.elders[OWN_ELDER.id].overrides == {}


# --- scope, CSRF, audit -------------------------------------------------------------------------

FOREIGN = f"/elders/{OTHER_ELDER.id}"
SCOPED_POSTS = (
    (f"{FOREIGN}/pairing", {}),
    (f"{FOREIGN}/pairing/revoke", {}),
    (f"{FOREIGN}/family/new", {"name": "一郎", "relation": "長男"}),
    (f"{FOREIGN}/family/line-member-2/unlink", {}),
    (f"{FOREIGN}/times", {"question": ["medication"], "slots-medication": ["evening"]}),
    (f"{FOREIGN}/absences", {"weekday": ["水"], "kind-水": "dayservice"}),
)
OWN_POSTS = tuple(
    (p.replace(FOREIGN, PAGE).replace("member-2", "member-1"), d) for p, d in SCOPED_POSTS
)


def _unchanged(store: FakeStore) -> None:
    assert store.state.pairing_codes == {}
    assert store.state.link_codes == {}
    assert all(r.active for r in store.state.recipients.values())
    assert all(e.overrides == {} for e in store.state.elders.values())


class TestScopeAndCsrf:
    @pytest.mark.parametrize(("path", "data"), SCOPED_POSTS)
    def test_another_centers_elder_is_a_404_and_nothing_changes(
        self, client: FlaskClient, store: FakeStore, path: str, data: dict
    ) -> None:
        response = client.post(path, data={**data, "csrf_token": token(client)})
        assert response.status_code == 404
        assert OTHER_ELDER.name not in response.text
        _unchanged(store)
        assert not [e for e in store.state.audit if e.elder_id == OTHER_ELDER.id]

    def test_the_letter_form_of_another_centers_elder_is_a_404(self, client: FlaskClient) -> None:
        response = client.get(f"{FOREIGN}/family/new")
        assert response.status_code == 404
        assert OTHER_ELDER.name not in response.text

    @pytest.mark.parametrize(("path", "data"), OWN_POSTS)
    def test_a_post_without_a_token_is_refused_and_changes_nothing(
        self, client: FlaskClient, store: FakeStore, path: str, data: dict
    ) -> None:
        response = client.post(path, data=data)
        assert response.status_code == 400
        assert "有効期限が切れました" in response.text
        _unchanged(store)

    def test_the_other_center_manages_its_own_elder(self, services: Services) -> None:
        settings = IsolatedSettings(alexa_skill_id="amzn1.ask.skill.test", secret_key="k" * 48)
        other = create_app(settings, services).test_client()
        page = other.get("/login")
        other.post(
            "/login",
            data={"csrf_token": csrf_token(page.text), "login": OTHER_STAFF, "password": PASSWORD},
        )
        response = other.post(f"{FOREIGN}/pairing", data={"csrf_token": token(other, FOREIGN)})
        assert response.status_code == 200
        assert (
            other.post(f"{PAGE}/pairing", data={"csrf_token": token(other, FOREIGN)}).status_code
            == 404
        )

    def test_a_municipality_admin_may_issue_for_any_center_of_the_municipality(
        self, services: Services, store: FakeStore
    ) -> None:
        with FakeUnitOfWork(store) as uow:
            admin = uow.users.get_by_login(ADMIN)
        code = elder_admin.issue_pairing_code(services, admin, OTHER_ELDER.id)
        assert code.elder_id == OTHER_ELDER.id

    def test_every_view_of_the_panel_is_audited(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        client.get(PAGE)
        client.get(f"{PAGE}/family/new")
        assert [e.elder_id for e in audited(store, "view_elder_admin")] == [OWN_ELDER.id] * 2


# --- consent withdrawal and disclosure ----------------------------------------------------------


class TestWithdrawalPage:
    def test_staff_record_a_withdrawal_and_the_page_says_watching_stopped(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"{PAGE}/consent/withdraw"
        form = client.get(path)
        assert form.status_code == 200
        assert "LINEでつながるご家族（1人）" in form.text
        response = client.post(
            path,
            data={
                "csrf_token": csrf_token(form.text),
                "method": "WRITTEN",
                "note": "撤回届を受理",
                "confirm": "y",
            },
        )
        assert response.status_code == 302
        elder = store.state.elders[OWN_ELDER.id]
        assert elder.withdrawn
        assert elder.consent.withdrawal.recorded_by == "staff:user-1"
        assert store.state.recipients[MEMBER_ID].active is False
        page = client.get(PAGE).text
        assert "同意の撤回を記録しました" in page
        assert "同意は撤回されています" in page
        assert "書面（撤回届）" in page
        assert "ペアリングコードを発行する" not in page
        assert "時間帯を保存する" not in page
        assert "ご家族の登録コードを発行する" not in page
        again = client.post(
            path,
            data={"csrf_token": token(client), "method": "PHONE", "confirm": "y"},
        )
        assert again.status_code == 302
        assert "すでに撤回されています" in client.get(PAGE).text
        assert store.state.elders[OWN_ELDER.id].consent.withdrawal.method.name == "WRITTEN"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"method": "", "confirm": "y"}, "撤回の方法を選んでください"),
            ({"method": "PHONE"}, "確認のチェックを入れてください"),
            ({"method": "NONSENSE", "confirm": "y"}, "Not a valid choice"),
        ],
    )
    def test_a_withdrawal_without_method_or_confirmation_is_refused(
        self, client: FlaskClient, store: FakeStore, data: dict, message: str
    ) -> None:
        path = f"{PAGE}/consent/withdraw"
        response = client.post(path, data={**data, "csrf_token": token(client, path)})
        assert response.status_code == 400
        assert message in response.text
        assert store.state.elders[OWN_ELDER.id].is_watchable

    def test_a_withdrawal_without_a_token_changes_nothing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        response = client.post(f"{PAGE}/consent/withdraw", data={"method": "PHONE", "confirm": "y"})
        assert response.status_code == 400
        assert store.state.elders[OWN_ELDER.id].is_watchable

    def test_another_centers_elder_cannot_be_withdrawn_or_even_asked(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"{FOREIGN}/consent/withdraw"
        assert client.get(path).status_code == 404
        response = client.post(
            path, data={"csrf_token": token(client), "method": "PHONE", "confirm": "y"}
        )
        assert response.status_code == 404
        assert OTHER_ELDER.name not in response.text
        assert store.state.elders[OTHER_ELDER.id].is_watchable


class TestDisclosureDownload:
    def test_the_download_is_a_zip_named_for_the_elder_and_audited(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        import io
        import json
        import zipfile

        assert "開示請求用" in client.get(PAGE).text
        response = client.get(f"{PAGE}/disclosure.zip")
        assert response.status_code == 200
        assert response.mimetype == "application/zip"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="disclosure-elder-1-20261123.zip"'
        )
        assert response.headers["Cache-Control"] == "no-store"
        document = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("disclosure.json"))
        assert document["elder"]["name"] == OWN_ELDER.name
        assert [m["relation"] for m in document["family_links"]] == ["長女"]
        assert len(audited(store, "export_disclosure")) == 1

    def test_another_centers_elder_is_a_404(self, client: FlaskClient, store: FakeStore) -> None:
        response = client.get(f"{FOREIGN}/disclosure.zip")
        assert response.status_code == 404
        assert OTHER_ELDER.name not in response.text
        assert audited(store, "export_disclosure") == []


def test_an_absence_the_elder_told_of_is_marked_on_the_elder_page(
    client: FlaskClient, store: FakeStore
) -> None:
    elder = store.state.elders[OWN_ELDER.id]
    said = {"absences": [{"kind": "dayservice", "weekday": "水", "set_by": "elder"}]}
    store.state.elders[OWN_ELDER.id] = dataclasses.replace(elder, overrides=said)
    page = client.get(PAGE).text
    assert '水曜日<small class="meta">（ご本人から）</small>' in page
