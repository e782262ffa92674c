"""Staff working at once on one SQLite file, over a real port: no 500, every view audited."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from threading import Barrier

import pytest
import requests

from backend.domain.model import Outcome
from tests.builders import make_alert
from tests.dashboard_world import ADMIN, MONDAY, NOW, OPERATOR, OWN_ELDER, OWN_ELDER_2, STAFF
from tests.dashboard_world import csrf_token as csrf_of
from tests.databases import fresh_sqlite
from tests.served import Served, served

WORKERS = 4
ALERTS_EACH = 6


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Served]:
    with served(fresh_sqlite(tmp_path)) as running:
        with running.services.uow() as uow:
            for n in range(WORKERS * ALERTS_EACH):
                elder = (OWN_ELDER, OWN_ELDER_2)[n % 2]
                assert uow.alerts.add_if_absent(
                    make_alert(
                        f"busy-{n}",
                        elder_id=elder.id,
                        period=f"{(MONDAY - timedelta(days=n + 1)).isoformat()}/morning",
                        created_at=NOW - timedelta(days=n),
                    )
                )
            uow.commit()
        yield running


def _work(site: Served, client: requests.Session, alerts: list[str]) -> list[tuple[str, int]]:
    """Look at the board, an alert and an elder, claim and resolve: what a shift does."""
    first = client.get(site.url + "/alerts")
    token = csrf_of(first.text)
    done: list[tuple[str, int]] = [("view_alerts", first.status_code)]

    def get(path: str, view: str) -> None:
        answer = client.get(site.url + path, allow_redirects=False)
        done.append((view, answer.status_code))
        assert answer.status_code != 503 or answer.headers.get("Retry-After")

    def post(path: str, data: dict[str, str] | None = None) -> None:
        answer = client.post(
            site.url + path, data={"csrf_token": token, **(data or {})}, allow_redirects=False
        )
        done.append(("post", answer.status_code))

    for alert_id in alerts:
        get("/", "view_board")
        get(f"/alerts/{alert_id}", "view_alert")
        post(f"/alerts/{alert_id}/claim")
        get(f"/elders/{OWN_ELDER.id}", "view_elder")
        post(f"/alerts/{alert_id}/resolve", {"outcome": Outcome.REACHED.value, "note": "電話"})
        get("/alerts", "view_alerts")
    return done


def test_four_staff_claiming_and_resolving_at_once_get_no_500_and_every_view_is_audited(
    site: Served,
):
    clients = [site.signed_in(login) for login in (STAFF, STAFF, ADMIN, OPERATOR)]
    start = Barrier(WORKERS)
    with site.services.uow() as uow:
        audited_before = Counter(e.action for e in uow.audit.list_since(NOW - timedelta(days=1)))

    def shift(n: int) -> list[tuple[str, int]]:
        start.wait()
        mine = [f"busy-{i}" for i in range(n * ALERTS_EACH, (n + 1) * ALERTS_EACH)]
        return _work(site, clients[n], mine)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = [r for done in pool.map(shift, range(WORKERS)) for r in done]
    statuses = Counter(status for _kind, status in results)
    assert statuses[500] == 0, statuses
    assert set(statuses) <= {200, 302, 503}, statuses
    shown = Counter(kind for kind, status in results if kind != "post" and status == 200)
    with site.services.uow() as uow:
        audited = Counter(e.action for e in uow.audit.list_since(NOW - timedelta(days=1)))
        resolved = [uow.alerts.get(f"busy-{n}") for n in range(WORKERS * ALERTS_EACH)]
    for view, count in shown.items():
        assert audited[view] - audited_before[view] == count, view
    if statuses[503] == 0:  # a 503 is an honest answer; without one, all the work was done
        assert all(a is not None and a.outcome is Outcome.REACHED for a in resolved)
