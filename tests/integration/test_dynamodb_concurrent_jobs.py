"""Several sweeps at once on DynamoDB (moto): no notification lost, none pushed twice.

A local LINE API counts what it receives: every push and its ``X-Line-Retry-Key``. The
table is a fresh one each time; the sweeps are threads of one process (they race on the
monthly push counter) and ``mimamori jobs run`` processes (they race on everything).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from backend import jobs
from backend.bootstrap import bootstrap, prepare_store
from backend.services.demo import seed
from backend.services.outbox import DeliveryReport
from tests.aws import moto_endpoint  # noqa: F401 - a fixture
from tests.builders import DAY, jst, make_elder, make_outbox_message, make_recipient
from tests.builders import seed as seed_world
from tests.concurrent_runs import demo_watchers_on_line, in_threads, jobs_run_at_once
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, LocalLine, line_settings, local_line

FRIDAY_AFTERNOON = "2026-12-04T16:00+09:00"
SEEDED_AT = datetime.fromisoformat("2026-12-02T09:00+09:00")


@pytest.fixture
def line() -> Iterator[LocalLine]:
    with local_line() as server:
        yield server
        assert server.problems == []


def settings_for(endpoint: str, line: LocalLine) -> Any:
    return line_settings(
        store="dynamodb",
        dynamodb_table=f"mimamori-race-{uuid.uuid4().hex[:10]}",
        aws_endpoint_url=endpoint,
        line_channel_secret=CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        line_api_base=line.url,
    )


def stored_outbox(settings: Any, later: datetime) -> tuple[list[Any], list[Any]]:
    """Return (sent, still waiting) outbox messages of the table."""
    from backend.stores.dynamodb.table import make_client

    client = make_client(settings.aws_endpoint_url)
    ids = [
        found["pk"]["S"].removeprefix("OUTBOX#")
        for found in client.scan(
            TableName=settings.dynamodb_table,
            FilterExpression="sk = :sk",
            ExpressionAttributeValues={":sk": {"S": "#OUTBOX"}},
        )["Items"]
    ]
    with bootstrap(settings).uow() as uow:
        messages = [uow.outbox.get(message_id) for message_id in ids]
        waiting = uow.outbox.due(later, 1000)
    return [m for m in messages if m.sent_at is not None], waiting


def pushes_by_key(line: LocalLine) -> Counter[str]:
    return Counter(push.headers["X-Line-Retry-Key"] for push in line.pushes)


def test_four_sweeps_at_once_push_each_message_once_and_count_every_push(
    moto_endpoint,  # noqa: F811 - the imported fixture
    line,
):
    settings = settings_for(moto_endpoint, line)
    prepare_store(settings)
    now = jst(DAY, 10)
    services = bootstrap(settings, clock=lambda: now)
    with services.uow() as uow:
        seed_world(uow, make_elder())
        uow.recipients.add(make_recipient("member", channel="line", address="U" + "a" * 32))
        uow.commit()
    queued = [uuid.uuid4().hex for _ in range(24)]
    for message_id in queued:
        with services.uow() as uow:
            uow.outbox.add_if_absent(
                make_outbox_message(message_id, recipient_id="member", channel="line")
            )
            uow.commit()
    reports: list[DeliveryReport] = in_threads(lambda: jobs.deliver_outbox(settings, now), 4)
    keys = pushes_by_key(line)
    assert set(keys) == {str(uuid.UUID(m)) for m in queued}  # every message reached LINE
    assert max(keys.values()) == 1  # and none twice
    assert sum(r.sent for r in reports) == len(queued)
    assert sum(r.retried for r in reports) == 0
    sent, waiting = stored_outbox(settings, now + timedelta(days=1))
    assert (len(sent), waiting) == (len(queued), [])
    with services.uow() as uow:
        assert uow.family.sends(now.strftime("%Y-%m")).sent == len(queued)


@pytest.mark.parametrize("trial", range(3))
def test_three_jobs_runs_at_once_on_a_fresh_table_lose_no_notification(
    moto_endpoint,  # noqa: F811 - the imported fixture
    line,
    trial,
):
    settings = settings_for(moto_endpoint, line)
    prepare_store(settings)
    services = bootstrap(settings, clock=lambda: SEEDED_AT)
    seed(services, with_notices=False)
    demo_watchers_on_line(services)
    runs = jobs_run_at_once(
        FRIDAY_AFTERNOON,
        3,
        line.url,
        store="dynamodb",
        dynamodb_table=settings.dynamodb_table,
        aws_endpoint_url=settings.aws_endpoint_url,
    )
    assert [run.returncode for run in runs] == [0, 0, 0], [run.stderr[-2000:] for run in runs]
    queued = sum(int(n) for run in runs for n in re.findall(r"messages=(\d+)", run.stdout))
    reported_sent = sum(int(n) for run in runs for n in re.findall(r"\bsent=(\d+)", run.stdout))
    sent, waiting = stored_outbox(settings, datetime.fromisoformat(FRIDAY_AFTERNOON))
    keys = pushes_by_key(line)
    assert queued > 0
    outputs = [run.stdout for run in runs]
    assert queued == len(sent) == reported_sent == len(keys), outputs  # none lost
    assert max(keys.values()) == 1  # none pushed twice
    assert waiting == []
    with services.uow() as uow:
        assert uow.family.sends("2026-12").sent == len(keys)
