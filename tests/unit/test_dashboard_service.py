"""Today's board, slot by slot, from the dashboard service on the fake store."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain.errors import NotFound
from backend.domain.model import AlertStatus, CheckInStatus, Outcome
from backend.services import alert_figures, alert_inbox, elder_page, today_board
from backend.services.context import Services
from backend.services.today_board import SlotState
from questions.loader import load_sets
from tests.builders import (
    jst,
    make_alert,
    make_away,
    make_checkin,
    make_elder,
    make_recipient,
)
from tests.clock import FakeClock
from tests.dashboard_world import MONDAY, NOW, OTHER_CENTER_ID, OWN_ELDER, OWN_ELDER_2, populate
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


def _user(store: FakeStore, user_id: str = "user-1"):
    return store.state.users[user_id]


def _states(board: today_board.Board) -> dict[str, dict[str, SlotState]]:
    return {r.elder.id: {c.slot_id: c.state for c in r.cells} for r in board.rows}


def test_answered_missed_and_upcoming_slots(services: Services, store: FakeStore) -> None:
    states = _states(today_board.board(services, _user(store)))
    assert states[OWN_ELDER_2.id]["morning"] is SlotState.ANSWERED
    assert states[OWN_ELDER.id]["morning"] is SlotState.MISSED
    assert states[OWN_ELDER.id]["evening"] is SlotState.UPCOMING


def test_an_open_window_is_not_yet_and_a_started_check_in_is_partial(
    services: Services, store: FakeStore, clock: FakeClock
) -> None:
    clock.set(jst(MONDAY, 9))
    with FakeUnitOfWork(store) as uow:
        uow.checkins.add(
            make_checkin("c-x", elder_id=OWN_ELDER.id, day=MONDAY, started_at=jst(MONDAY, 8))
        )
        uow.commit()
    states = _states(today_board.board(services, _user(store)))
    assert states[OWN_ELDER.id]["morning"] is SlotState.PARTIAL
    with FakeUnitOfWork(store) as uow:
        uow.checkins.set_status("c-x", CheckInStatus.COMPLETED, jst(MONDAY, 8, 5))
        uow.commit()
    board = today_board.board(services, _user(store))
    assert _states(board)[OWN_ELDER.id]["morning"] is SlotState.ANSWERED
    assert board.counts["answered"] == 2


def test_an_away_elder_is_away_not_missed(services: Services, store: FakeStore) -> None:
    with FakeUnitOfWork(store) as uow:
        uow.away.add(make_away(elder_id=OWN_ELDER.id, start=jst(MONDAY, 0)))
        uow.commit()
    board = today_board.board(services, _user(store))
    assert _states(board)[OWN_ELDER.id]["morning"] is SlotState.AWAY
    assert board.counts["away"] == 1
    assert board.counts["missed"] == 0


def test_an_elder_without_a_speaker_has_nothing_due(services: Services, store: FakeStore) -> None:
    with FakeUnitOfWork(store) as uow:
        uow.elders.add(make_elder("elder-9", name="新井 ウメ", kana="あらい うめ"))
        uow.commit()
    board = today_board.board(services, _user(store))
    row = next(r for r in board.rows if r.elder.id == "elder-9")
    assert not row.paired
    assert {c.state for c in row.cells} == {SlotState.NOT_DUE}


def test_a_silent_speaker_is_flagged_after_two_days(
    services: Services, store: FakeStore, clock: FakeClock
) -> None:
    board = today_board.board(services, _user(store))
    assert all(r.silent_days is None for r in board.rows)
    clock.tick(timedelta(days=2))
    board = today_board.board(services, _user(store))
    silent = {r.elder.id: r.silent_days for r in board.rows}
    assert silent == {OWN_ELDER.id: 3, OWN_ELDER_2.id: 2}  # last opened Sunday, Monday
    assert board.counts["silent"] == 2


def test_the_board_view_is_audited_without_names(services: Services, store: FakeStore) -> None:
    today_board.board(services, _user(store))
    (entry,) = store.state.audit
    assert (entry.actor, entry.action, entry.elder_id) == ("staff:user-1", "view_board", None)
    assert entry.detail == {"center_id": "center-1", "elders": 2}


def test_center_staff_cannot_open_another_center(services: Services, store: FakeStore) -> None:
    with pytest.raises(NotFound):
        today_board.board(services, _user(store), OTHER_CENTER_ID)
    assert store.state.audit == []


def test_an_inactive_account_sees_nothing(services: Services, store: FakeStore) -> None:
    import dataclasses

    user = dataclasses.replace(_user(store), active=False)
    with pytest.raises(NotFound):
        elder_page.elder_page(services, user, OWN_ELDER.id, lambda _code: None)  # type: ignore[arg-type]


def test_a_claim_made_on_line_names_the_family_member_like_a_staff_claim(
    services: Services, store: FakeStore
) -> None:
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient("member-1", elder_id=OWN_ELDER.id, name="明美", channel="line")
        )
        uow.alerts.add_if_absent(
            make_alert(
                "alert-line",
                elder_id=OWN_ELDER.id,
                created_at=NOW - timedelta(hours=1),
                status=AlertStatus.CLAIMED,
                claimed_by="family:member-1",
                claimed_at=NOW,
            )
        )
        uow.commit()
    found = alert_inbox.inbox(services, _user(store))
    assert found.names["family:member-1"] == "明美"
    _item, names = alert_inbox.alert_detail(services, _user(store), "alert-line")
    assert names["family:member-1"] == "明美"


def test_the_monthly_stats_are_the_figures_of_every_rule_together(
    services: Services, store: FakeStore
) -> None:
    made = [
        ("m-1", "missed_checkin", AlertStatus.RESOLVED, Outcome.NO_ACTION, 30),
        ("m-2", "missed_checkin", AlertStatus.RESOLVED, Outcome.VISITED, 10),
        ("c-1", "concerning:sleep", AlertStatus.CLAIMED, None, 50),
        ("c-2", "concerning:meal", AlertStatus.RESOLVED, Outcome.NO_ACTION, None),
        ("b-1", "bp_high", AlertStatus.OPEN, None, None),
        ("b-2", "bp_high", AlertStatus.RESOLVED, Outcome.REACHED, 5),
    ]
    with FakeUnitOfWork(store) as uow:
        for i, (alert_id, rule, status, outcome, wait) in enumerate(made):
            opened = jst(MONDAY, 8) - timedelta(days=i)
            uow.alerts.add_if_absent(
                make_alert(
                    alert_id,
                    elder_id=(OWN_ELDER, OWN_ELDER_2)[i % 2].id,
                    rule=rule,
                    period=f"p-{i}",
                    created_at=opened,
                    status=status,
                    claimed_by="staff:user-1" if wait is not None else None,
                    claimed_at=opened + timedelta(minutes=wait) if wait is not None else None,
                    outcome=outcome,
                )
            )
        uow.commit()
    stats = alert_figures.monthly_stats(services, _user(store), MONDAY)
    with FakeUnitOfWork(store) as uow:
        found = [
            a
            for a in uow.alerts.list_for_center(stats.center.id, tuple(AlertStatus))
            if a.created_at.astimezone(services.tz).date().replace(day=1) == MONDAY.replace(day=1)
        ]
    resolved = [a for a in found if a.status is AlertStatus.RESOLVED and a.outcome]
    waits = [(a.claimed_at - a.created_at).total_seconds() / 60 for a in found if a.claimed_at]
    rules = Counter(a.rule.partition(":")[0] for a in found)
    no_action = sum(1 for a in resolved if a.outcome is Outcome.NO_ACTION)
    assert stats.total == len(found) >= len(made)
    assert stats.by_rule == tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])))
    assert stats.by_outcome == tuple(
        (o, sum(1 for a in resolved if a.outcome is o)) for o in Outcome
    )
    assert stats.resolved == len(resolved)
    assert stats.no_action_share == no_action / len(resolved)
    assert stats.median_minutes_to_claim == statistics.median(waits)
    assert stats.figures[-1].rule == alert_figures.TOTAL
