"""The 安否 flow end to end through POST /alexa: signed requests, a live server, real SQLite."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.domain import rules
from backend.services import notices as notice_service
from backend.stores.sql import tables as t
from backend.stores.sql.uow import SqlUnitOfWork
from notices.model import Audience, Priority
from tests.builders import make_notice
from tests.e2e import test_alexa_endpoint as endpoint
from tests.e2e.test_alexa_endpoint import DEMO_ELDER_ID, JST, LiveApp, speech_of

# The live server of the endpoint tests (signed requests, real SQLite, the demo data).
chain = endpoint.chain
untrusted_chain = endpoint.untrusted_chain
clock = endpoint.clock
serve = endpoint.serve


def publish_quake(live: LiveApp) -> None:
    start = live.clock().astimezone(JST) - timedelta(hours=1)
    notice_service.create(
        live.services,
        make_notice(
            "032158/quake",
            title="地震の情報",
            speech="大きな地震がありました。",
            priority=Priority.DISASTER,
            audience=Audience(elders=(DEMO_ELDER_ID,)),
            starts_at=start,
        ),
    )


def rows(live: LiveApp, table) -> list[dict]:
    with SqlUnitOfWork(live.engine) as uow:
        return [dict(r._mapping) for r in uow.connection.execute(select(table))]


def test_a_disaster_notice_comes_first_and_need_help_opens_one_urgent_alert(serve) -> None:
    live = serve()
    publish_quake(live)
    launched = live.launch()
    speech = speech_of(launched)
    assert "大切なお知らせです。地震の情報。大きな地震がありました。" in speech
    assert "ご無事ですか" in speech
    assert "今日の体調" not in speech
    assert launched["sessionAttributes"]["state"]["stage"] == "notice_safety"
    (directive,) = launched["response"]["directives"]
    buttons = directive["datasources"]["checkin"]["buttons"]
    assert [b["label"] for b in buttons] == ["無事です", "助けが必要です"]

    live.next_turn()
    envelope = live.envelope("need_help_intent", attributes=launched["sessionAttributes"])
    first = live.send_signed(envelope)
    assert first.status == 200
    assert "119番" in speech_of(first.json())
    assert first.json()["response"]["shouldEndSession"] is True
    replayed = live.send_signed(envelope)  # Alexa's retry: same request id
    assert replayed.status == 200

    (delivery,) = rows(live, t.notice_deliveries)
    assert (delivery["elder_id"], delivery["safety"]) == (DEMO_ELDER_ID, "need_help")
    (alert,) = rows(live, t.alerts)
    assert (alert["rule"], alert["severity"]) == (rules.DISASTER_HELP, "urgent")
    queued = rows(live, t.outbox_messages)
    assert queued
    assert all(m["urgent"] for m in queued if m["alert_id"] == alert["id"])


def test_safe_is_recorded_and_the_check_in_follows(serve) -> None:
    live = serve()
    publish_quake(live)
    launched = live.launch()
    live.next_turn()
    safe = live.send_signed(
        live.envelope("safe_intent", attributes=launched["sessionAttributes"])
    ).json()
    assert "ご無事で、よかったです。" in speech_of(safe)
    assert "今日の体調はいかがですか" in speech_of(safe)
    (delivery,) = rows(live, t.notice_deliveries)
    assert delivery["safety"] == "safe"
    assert rows(live, t.alerts) == []
    header, *exported = list(notice_service.tracking_rows(live.services))
    (row,) = exported
    assert dict(zip(header, row, strict=True))["safety"] == "safe"
