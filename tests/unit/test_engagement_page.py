"""The engagement page: sessions, quiz and streaks of the center's own elders, audited."""

from __future__ import annotations

import datetime as dt

from backend.domain.model import CheckIn, CheckInStatus, Event, EventKind
from tests.dashboard_world import NOW, OTHER_CENTER_ID, OTHER_ELDER, OWN_ELDER
from tests.fakes import FakeUnitOfWork
from tests.unit.test_dashboard_web import client, clock, login, services, store  # noqa: F401

JST = dt.timezone(dt.timedelta(hours=9))


def _completed(fake, elder_id, days):
    today = NOW.astimezone(JST).date()
    with FakeUnitOfWork(fake) as uow:
        for back in range(days):
            day = today - dt.timedelta(days=back)
            at = dt.datetime.combine(day, dt.time(7), tzinfo=JST)
            uow.checkins.add(
                CheckIn(
                    f"e-{elder_id}-{back}", elder_id, day, "noon", CheckInStatus.COMPLETED, at, at
                )
            )
        uow.commit()


def test_the_page_shows_streaks_and_quiz_use_of_the_centers_elders_only(client, store):  # noqa: F811
    _completed(store, OWN_ELDER.id, 5)
    _completed(store, OTHER_ELDER.id, 20)
    with FakeUnitOfWork(store) as uow:
        uow.events.add(Event("quiz-1", OWN_ELDER.id, EventKind.QUIZ, NOW, {"question": "x"}))
        uow.commit()
    login(client)
    text = client.get("/engagement").text
    assert "話す習慣" in text
    assert "<td>3〜6日</td><td>1</td>" in text
    assert "<td>14日以上</td><td>0</td>" in text  # the other center's elder is not counted
    assert "<td>クイズをした人</td><td>1</td>" in text
    audit = [e for e in store.state.audit if e.action == "view_engagement"]
    assert len(audit) == 1


def test_another_centers_figures_are_not_found(client):  # noqa: F811
    login(client)
    assert client.get(f"/engagement?center={OTHER_CENTER_ID}").status_code == 404


def test_the_page_asks_for_a_login_first(client):  # noqa: F811
    assert client.get("/engagement").status_code == 302
