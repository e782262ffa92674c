"""Enrolment on real stores (SQLite and PostgreSQL): the elder and consent round-trip, the
profile and consent edits, the board's consent flags, the audit, and an all-or-nothing import."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from backend.bootstrap import bootstrap, prepare_store
from backend.domain import consent as vocabulary
from backend.domain.model import Share, StaffRole, WithdrawalMethod
from backend.services import enrolment, privacy, today_board
from backend.services.context import Services
from backend.services.demo import DEMO_CENTER, seed
from backend.settings import Settings
from tests.aws import moto_endpoint  # noqa: F401 - a fixture
from tests.builders import jst, make_user
from tests.databases import fresh_postgres, fresh_sqlite

MONDAY = date(2026, 11, 23)
STAFF = make_user("staff-x", login="staff-x", center_id=DEMO_CENTER.id, municipality_code="032158")
ADMIN = make_user(
    "admin-x",
    login="admin-x",
    role=StaffRole.MUNICIPALITY_ADMIN,
    municipality_code="032158",
    center_id=None,
)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "dynamodb"]
)
def services(request, tmp_path: Path) -> Iterator[Services]:
    if request.param == "dynamodb":
        endpoint = request.getfixturevalue("moto_endpoint")
        table = f"mimamori-enrol-{uuid.uuid4().hex[:10]}"
        settings = Settings(store="dynamodb", dynamodb_table=table, aws_endpoint_url=endpoint)
        prepare_store(settings)
        services = bootstrap(settings, clock=lambda: jst(MONDAY, 10))
        seed(services)
        yield services
        return
    if request.param == "sqlite":
        settings = Settings(database_url=fresh_sqlite(tmp_path))
        services = bootstrap(settings, clock=lambda: jst(MONDAY, 10))
        seed(services)
        yield services
        return
    with fresh_postgres() as url:
        services = bootstrap(Settings(database_url=url), clock=lambda: jst(MONDAY, 10))
        seed(services)
        yield services


def consent(**changes) -> enrolment.ConsentInput:
    fields = {
        "consented_on": "2026-11-20",
        "explained_by": "高橋",
        "shares": (vocabulary.CENTER_ANSWERS, vocabulary.FAMILY_STATUS),
        "other_shares": "民生委員：応答がないときの連絡",
    }
    return enrolment.ConsentInput(**{**fields, **changes})


def test_an_enrolled_elder_is_stored_watchable_edited_and_audited(services: Services) -> None:
    elder = enrolment.enrol(
        services,
        STAFF,
        center_id=DEMO_CENTER.id,
        name="小林 サチ",
        kana="こばやし さち",
        district="衣川",
        consent=consent(),
    )
    with services.uow() as uow:
        stored = uow.elders.get(elder.id)
    assert stored == elder
    assert stored.is_watchable
    assert stored.consent.shares == (
        vocabulary.STANDARD_SHARES[vocabulary.CENTER_ANSWERS],
        vocabulary.STANDARD_SHARES[vocabulary.FAMILY_STATUS],
        Share("民生委員", "応答がないときの連絡"),
    )
    assert stored.consent.reconfirm_on == date(2027, 11, 20)

    enrolment.update_profile(
        services, STAFF, elder.id, name="小林 サチ", kana="コバヤシ サチ", district="衣川"
    )
    enrolment.reconfirm_consent(
        services, STAFF, elder.id, consent(consented_on="2026-11-23", reconfirm_on="2027-05-01")
    )
    with services.uow() as uow:
        stored = uow.elders.get(elder.id)
        actions = [e.action for e in uow.audit.list_for_elder(elder.id)]
    assert stored.kana == "コバヤシ サチ"
    assert (stored.consent.consented_on, stored.consent.reconfirm_on) == (
        date(2026, 11, 23),
        date(2027, 5, 1),
    )
    assert actions == ["enrol_elder", "edit_profile", "reconfirm_consent"]
    listed = enrolment.list_elders(services, STAFF)
    assert elder.id in [e.id for e in listed]


def test_the_board_flags_a_withdrawal_and_a_due_re_confirmation(services: Services) -> None:
    enrolment.reconfirm_consent(
        services, STAFF, "demo-elder-2", consent(consented_on="2025-12-01", reconfirm_on="")
    )
    privacy.withdraw_consent(services, STAFF, "demo-elder-3", WithdrawalMethod.PHONE)
    board = today_board.board(services, STAFF)
    flags = {row.elder.id: row.consent_flag for row in board.rows}
    assert flags["demo-elder-2"] == vocabulary.FLAG_RECONFIRM  # 2026-12-01: within 30 days
    assert flags["demo-elder-3"] == vocabulary.FLAG_WITHDRAWN
    assert flags["demo-elder-1"] is None


def test_a_file_with_one_bad_row_imports_nobody(services: Services) -> None:
    header = "name,kana,district,center_id,consented_on,explained_by,shares\n"
    good = f"伊藤 マツ,いとう まつ,東,{DEMO_CENTER.id},2026-11-01,高橋,center_answers\n"
    bad = f"木村 ハル,きむら はる,西,{DEMO_CENTER.id},2026-11-01,高橋,family_alerts\n"
    with services.uow() as uow:
        before = len(uow.elders.list_all())
    with pytest.raises(enrolment.ImportRefused) as err:
        enrolment.import_elders(services, ADMIN, (header + good + bad).encode())
    assert err.value.problems == [f"3: shares: {enrolment.MESSAGES['center_share']}"]
    with services.uow() as uow:
        assert len(uow.elders.list_all()) == before
    imported = enrolment.import_elders(services, ADMIN, (header + good).encode())
    with services.uow() as uow:
        assert len(uow.elders.list_all()) == before + 1
        assert uow.elders.get(imported[0].id).is_watchable
