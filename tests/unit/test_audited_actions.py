"""A staff action and its audit entry are one unit of work: both are stored, or neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from backend.domain.errors import Conflict
from backend.domain.model import AlertStatus, AwayKind, Outcome
from backend.services import alert_inbox, away, notice_admin
from backend.services.context import Services
from tests.builders import MUNICIPALITY_CODE
from tests.dashboard_world import NOW, OWN_ALERT, OWN_ELDER, world_services
from tests.fakes import FakeAuditRepository, FakeStore, FakeUnitOfWork


@pytest.fixture
def world() -> tuple[FakeStore, Services]:
    return world_services()


def _actions(store: FakeStore) -> list[str]:
    return [e.action for e in store.state.audit]


def _claimed_by_another(store: FakeStore) -> None:
    with FakeUnitOfWork(store) as uow:
        alert = uow.alerts.get(OWN_ALERT)
        assert alert is not None
        uow.alerts.update(
            replace(alert, status=AlertStatus.CLAIMED, claimed_by="staff:user-9", claimed_at=NOW)
        )
        uow.commit()


class _AuditDown(Exception):
    """The audit log cannot be written."""


@pytest.fixture
def break_audit(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Return a switch after which every audit entry fails to be written."""

    def fail(self: FakeAuditRepository, entry: object) -> None:
        raise _AuditDown("audit log unavailable")

    return lambda: monkeypatch.setattr(FakeAuditRepository, "add", fail)


@pytest.fixture
def audit_down(break_audit: Callable[[], None]) -> None:
    break_audit()


def test_a_claim_lost_to_another_staff_member_leaves_no_audit_entry(world) -> None:
    store, svc = world
    _claimed_by_another(store)
    with pytest.raises(Conflict):
        alert_inbox.claim(svc, store.state.users["user-1"], OWN_ALERT)
    assert "claim_alert" not in _actions(store)
    assert store.state.alerts[OWN_ALERT].claimed_by == "staff:user-9"


def test_resolving_an_alert_already_resolved_leaves_no_audit_entry(world) -> None:
    store, svc = world
    user = store.state.users["user-1"]
    alert_inbox.resolve(svc, user, OWN_ALERT, Outcome.REACHED, "電話でお元気でした")
    assert _actions(store).count("resolve_alert") == 1
    with pytest.raises(Conflict):
        alert_inbox.resolve(svc, user, OWN_ALERT, Outcome.NO_ACTION, "二度目")
    assert _actions(store).count("resolve_alert") == 1
    assert store.state.alerts[OWN_ALERT].outcome is Outcome.REACHED


def test_a_claim_stores_the_claim_its_history_and_its_audit_entry_together(world) -> None:
    store, svc = world
    claimed = alert_inbox.claim(svc, store.state.users["user-1"], OWN_ALERT)
    assert claimed.claimed_by == "staff:user-1"
    assert store.state.alerts[OWN_ALERT].status is AlertStatus.CLAIMED
    assert [c.action for c in store.state.alert_changes if c.alert_id == OWN_ALERT][-1] == "claimed"
    (entry,) = [e for e in store.state.audit if e.action == "claim_alert"]
    assert (entry.actor, entry.elder_id, entry.detail) == (
        "staff:user-1",
        OWN_ELDER.id,
        {"alert_id": OWN_ALERT},
    )


def test_a_claim_whose_audit_entry_cannot_be_written_is_not_stored(world, audit_down) -> None:
    store, svc = world
    with pytest.raises(_AuditDown):
        alert_inbox.claim(svc, store.state.users["user-1"], OWN_ALERT)
    assert store.state.alerts[OWN_ALERT].status is AlertStatus.OPEN


def test_an_away_period_refused_as_invalid_leaves_no_audit_entry(world) -> None:
    store, svc = world
    with pytest.raises(ValueError, match="お休みの終わりは始まりより後"):
        away.add_away(svc, store.state.users["user-1"], OWN_ELDER.id, AwayKind.HOSPITAL, NOW, NOW)
    assert "add_away" not in _actions(store)
    assert store.state.away == {}


def test_an_away_period_and_its_end_are_audited_with_what_was_stored(world) -> None:
    store, svc = world
    user = store.state.users["user-1"]
    period = away.add_away(svc, user, OWN_ELDER.id, AwayKind.HOSPITAL, NOW, NOW + timedelta(days=3))
    assert store.state.away[period.id].set_by == "staff:user-1"
    ended = away.end_away(svc, user, OWN_ELDER.id)
    assert ended is not None
    assert ended.id == period.id
    assert store.state.away[period.id].end == NOW
    assert _actions(store)[-2:] == ["add_away", "end_away"]
    assert store.state.audit[-2].detail == {"kind": AwayKind.HOSPITAL.value}


def test_an_away_period_whose_audit_entry_cannot_be_written_is_not_stored(
    world, audit_down
) -> None:
    store, svc = world
    with pytest.raises(_AuditDown):
        away.add_away(
            svc,
            store.state.users["user-1"],
            OWN_ELDER.id,
            AwayKind.HOSPITAL,
            NOW,
            NOW + timedelta(days=1),
        )
    assert store.state.away == {}


def _entry(local_id: str = "taiso", **changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": local_id,
        "title": "健康体操教室",
        "priority": "通常",
        "speech": "公民館で健康体操があります。",
        "from": "2026-11-24T09:00",
        "draft": False,
    }
    entry.update(changes)
    return entry


def test_a_notice_whose_audit_entry_cannot_be_written_is_not_stored(world, audit_down) -> None:
    store, svc = world
    with pytest.raises(_AuditDown):
        notice_admin.save(svc, store.state.users["user-3"], MUNICIPALITY_CODE, _entry())
    assert store.state.notices == {}


def test_a_notice_edit_and_publish_whose_audit_cannot_be_written_change_nothing(
    world, break_audit: Callable[[], None]
) -> None:
    store, svc = world
    admin = store.state.users["user-3"]
    draft = notice_admin.save(svc, admin, MUNICIPALITY_CODE, _entry(draft=True))
    break_audit()
    with pytest.raises(_AuditDown):
        notice_admin.save(svc, admin, MUNICIPALITY_CODE, _entry(title="健康体操（変更）"))
    stored = store.state.notices[draft.id]
    assert (stored.title, stored.status.value) == ("健康体操教室", "draft")


def test_a_withdrawal_whose_audit_entry_cannot_be_written_leaves_the_notice_published(
    world, break_audit: Callable[[], None]
) -> None:
    store, svc = world
    admin = store.state.users["user-3"]
    saved = notice_admin.save(svc, admin, MUNICIPALITY_CODE, _entry())
    break_audit()
    with pytest.raises(_AuditDown):
        notice_admin.withdraw(svc, admin, MUNICIPALITY_CODE, "taiso")
    assert store.state.notices[saved.id].status.value == "published"


def test_notice_actions_are_audited_once_each(world) -> None:
    store, svc = world
    admin = store.state.users["user-3"]
    draft = notice_admin.save(svc, admin, MUNICIPALITY_CODE, _entry(draft=True))
    notice_admin.save(svc, admin, MUNICIPALITY_CODE, _entry(title="健康体操（変更）"))
    notice_admin.withdraw(svc, admin, MUNICIPALITY_CODE, "taiso")
    assert _actions(store)[-3:] == ["create_notice", "edit_notice", "withdraw_notice"]
    assert {e.detail["notice_id"] for e in store.state.audit[-3:]} == {draft.id}
    assert store.state.notices[draft.id].status.value == "withdrawn"


def test_a_notice_id_taken_by_another_admin_meanwhile_is_a_conflict_and_theirs_stays(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, svc = world
    admin = store.state.users["user-3"]
    theirs = notice_admin.check(svc, MUNICIPALITY_CODE, _entry(title="別の方の教室"))
    validate = notice_admin.check

    def validate_while_another_admin_saves(*args: object) -> object:
        with FakeUnitOfWork(store) as uow:
            uow.notices.add(theirs)
            uow.commit()
        return validate(*args)

    monkeypatch.setattr(notice_admin, "check", validate_while_another_admin_saves)
    with pytest.raises(Conflict):
        notice_admin.save(svc, admin, MUNICIPALITY_CODE, _entry())
    assert store.state.notices[theirs.id].title == "別の方の教室"
    assert "create_notice" not in _actions(store)
