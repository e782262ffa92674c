"""Consent withdrawal and the erasure job on real stores (SQLite and PostgreSQL) and a media folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from backend import jobs
from backend.bootstrap import bootstrap, sql_uow_factory
from backend.domain.family import FamilyMessage, MessageKind
from backend.domain.model import StaffRole, WithdrawalMethod
from backend.services import privacy
from backend.services.demo import seed
from backend.settings import Settings
from tests.builders import jst, make_user
from tests.databases import fresh_postgres, fresh_sqlite

MONDAY = date(2026, 11, 23)
SEEDED_AT = jst(MONDAY, 5, 0)
OPERATOR = make_user(
    "op", login="op", role=StaffRole.OPERATOR, municipality_code=None, center_id=None
)
ELDER = "demo-elder-1"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request, tmp_path: Path) -> Iterator[Settings]:
    media = f"file://{tmp_path / 'media'}"
    if request.param == "sqlite":
        yield Settings(database_url=fresh_sqlite(tmp_path), media_url=media)
        return
    with fresh_postgres() as url:
        yield Settings(database_url=url, media_url=media)


@pytest.fixture
def withdrawn(settings: Settings, tmp_path: Path) -> Settings:
    services = bootstrap(settings, clock=lambda: SEEDED_AT)
    seed(services)
    photo = tmp_path / "media" / "line" / "photo-1.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8jpeg")
    with sql_uow_factory(settings.database_url)() as uow:
        (member, *_) = uow.recipients.list_for_elder(ELDER)
        uow.family.add_message_if_absent(
            FamilyMessage(
                "m-1",
                ELDER,
                member.id,
                member.name,
                MessageKind.IMAGE,
                jst(MONDAY, 6),
                media_key="line/photo-1.jpg",
                media_type="image/jpeg",
            )
        )
        uow.commit()
    at = jst(MONDAY, 6, 30)
    privacy.withdraw_consent(
        bootstrap(settings, clock=lambda: at), OPERATOR, ELDER, WithdrawalMethod.WRITTEN, "届出"
    )
    return settings


def count(settings: Settings, sql: str) -> int:
    with sql_uow_factory(settings.database_url)() as uow:
        return uow.connection.execute(text(sql), {"e": ELDER}).scalar_one()


def test_after_a_withdrawal_the_jobs_raise_and_send_nothing_for_that_elder(withdrawn):
    for when in (jst(MONDAY, 11, 31), jst(MONDAY, 22, 1), jst(MONDAY, 23) + timedelta(hours=12)):
        jobs.run_due(withdrawn, when)
    assert count(withdrawn, "SELECT count(*) FROM alerts WHERE elder_id = :e") == 0
    assert count(withdrawn, "SELECT count(*) FROM alerts WHERE elder_id <> :e") > 0
    assert count(withdrawn, "SELECT count(*) FROM recipients WHERE elder_id = :e AND active") == 0


def test_the_erasure_job_waits_for_the_retention_then_erases_once(withdrawn, tmp_path: Path):
    photo = tmp_path / "media" / "line" / "photo-1.jpg"
    early = jobs.run_due(withdrawn, jst(MONDAY, 12) + timedelta(days=364))
    assert early["erase-withdrawn"].erased == ()
    assert photo.exists()
    later = jst(MONDAY, 12) + timedelta(days=365)
    result = jobs.run_due(withdrawn, later)["erase-withdrawn"]
    assert result.erased == (ELDER,)
    assert result.media_deleted == 1
    assert not photo.exists()
    with sql_uow_factory(withdrawn.database_url)() as uow:
        elder = uow.elders.get(ELDER)
        assert elder.name == privacy.ERASED_NAME
        assert elder.consent.withdrawal.erased_at == later
        assert uow.privacy.family_messages_for(ELDER) == []
        assert all(r.address == "" for r in uow.recipients.list_for_elder(ELDER))
    assert count(withdrawn, "SELECT count(*) FROM device_bindings WHERE elder_id = :e") == 0
    assert count(withdrawn, "SELECT count(*) FROM answers WHERE elder_id = :e AND raw <> ''") == 0
    again = jobs.run_due(withdrawn, later + timedelta(hours=1))["erase-withdrawn"]
    assert again == privacy.ErasureReport()
    erasures = "SELECT count(*) FROM audit_log WHERE action = 'erase_personal_data'"
    assert count(withdrawn, erasures) == 1
