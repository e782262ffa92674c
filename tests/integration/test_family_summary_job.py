"""The daily summary job on SQLite: queued at the member's time, pushed once to a local LINE."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from pathlib import Path

from backend import jobs
from backend.bootstrap import bootstrap
from backend.domain.model import Share
from backend.services import family
from tests.builders import jst, make_answer, make_checkin, make_consent, make_elder, seed
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, FAMILY_USER, line_settings, local_line
from tests.unit.conftest import MONDAY


def test_the_summary_is_pushed_once_at_the_chosen_time(tmp_path: Path) -> None:
    clock = FakeClock(jst(MONDAY, 6, 0))
    with local_line() as line:
        settings = line_settings(
            database_url=fresh_sqlite(tmp_path),
            line_channel_secret=CHANNEL_SECRET,
            line_channel_access_token=ACCESS_TOKEN,
            line_api_base=line.url,
            media_url=f"file://{tmp_path / 'media'}",
        )
        svc = bootstrap(settings, clock=clock)
        with svc.uow() as uow:
            seed(uow, make_elder(consent=make_consent(shares=(Share("家族", "毎日の様子"),))))
            uow.checkins.add(make_checkin(day=MONDAY, started_at=jst(MONDAY, 7)))
            uow.answers.add(
                make_answer(day=MONDAY, question_id="condition", value="good", answered_at=clock())
            )
            uow.commit()
        family.issue_link_code(
            svc, "elder-1", name="明美", relation="長女", random_code=lambda: "482913"
        )
        family.link(svc, FAMILY_USER, "482913")
        assert family.subscribe_summary(svc, FAMILY_USER, time(8, 0))
        assert jobs.run_due(settings, jst(MONDAY, 7, 55))["family-summaries"] == 0
        assert line.pushes == []
        results = jobs.run_due(settings, jst(MONDAY, 8, 0))
        assert results["family-summaries"] == 1
        assert results["deliver-outbox"].sent == 1
        jobs.run_due(settings, jst(MONDAY, 8, 5))  # nothing twice
        (push,) = line.pushes
        assert push.body["to"] == FAMILY_USER
        (message,) = push.body["messages"]
        assert message["text"].startswith("山田 花子さん 今朝のチェック：体調『元気』")
        key = family.summary_message_id(FAMILY_USER, MONDAY)
        assert push.headers["X-Line-Retry-Key"] == str(uuid.UUID(key))
        jobs.run_due(settings, jst(MONDAY, 8, 0) + timedelta(days=1))
        assert len(line.pushes) == 2
        assert line.problems == []
