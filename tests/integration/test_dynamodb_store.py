"""The store contract against the DynamoDB store, on a local moto server."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError

from backend.domain.errors import ConcurrentWrite, Conflict, StoreBusy
from backend.domain.family import InboxEvent
from backend.domain.model import ReadingKind
from backend.domain.versions import ConfigKind
from backend.ports import AbstractUnitOfWork
from backend.services import alert_inbox
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.stores.dynamodb.table import (
    TRANSACTION_LIMIT,
    _lost_a_race,
    create_table,
    make_client,
)
from backend.stores.dynamodb.uow import DynamoUnitOfWork
from questions.loader import load_sets
from tests.aws import moto_endpoint  # noqa: F401 - a fixture
from tests.builders import (
    CENTER_ID,
    DAY,
    ELDER_ID,
    MUNICIPALITY_CODE,
    jst,
    make_alert,
    make_answer,
    make_away,
    make_checkin,
    make_outbox_message,
    make_reading,
    make_recipient,
    make_user,
)
from tests.integration.config_store_contract import (  # noqa: F401 - collected by pytest here
    TestConfigVersions,
    make_version,
)
from tests.integration.contact_store_contract import (  # noqa: F401 - collected by pytest here
    TestElderContacts,
)
from tests.integration.family_store_contract import (  # noqa: F401 - collected by pytest here
    TestFamilyMessages,
    TestLineInbox,
    TestLineSends,
    TestLinkCodes,
    TestRecipientsByAddress,
    TestSummarySubscriptions,
)
from tests.integration.job_run_store_contract import (  # noqa: F401 - collected by pytest here
    TestJobRunRaces,
    TestJobRuns,
)
from tests.integration.privacy_store_contract import (  # noqa: F401 - collected by pytest here
    TestElderCodes,
    TestElderErasure,
    TestElderListings,
    TestWithdrawalRecord,
)
from tests.integration.store_contract import (  # noqa: F401 - collected by pytest here
    TestAlertHistory,
    TestAlerts,
    TestAnswers,
    TestApiTokens,
    TestAuditedActions,
    TestAuditLog,
    TestAwayPeriods,
    TestBoardReadModel,
    TestBulkReads,
    TestCenterDay,
    TestCenters,
    TestCheckIns,
    TestDatetimes,
    TestDevices,
    TestElders,
    TestEvents,
    TestLoginFailureRaces,
    TestLoginFailureReservations,
    TestLoginFailures,
    TestMunicipalities,
    TestNoticeDeliveries,
    TestNotices,
    TestOutbox,
    TestReadings,
    TestRecipients,
    TestSessions,
    TestUnitOfWork,
    TestUsers,
    given,
)


@pytest.fixture(scope="session")
def dynamodb(moto_endpoint: str) -> Any:  # noqa: F811 - the imported fixture
    return make_client(moto_endpoint)


@pytest.fixture
def dynamodb_table(dynamodb: Any) -> Iterator[str]:
    """A fresh table for each test (dropped afterwards): the store starts empty."""
    name = f"mimamori-{uuid.uuid4().hex[:12]}"
    create_table(dynamodb, name)
    yield name
    dynamodb.delete_table(TableName=name)


@pytest.fixture
def uow_factory(dynamodb: Any, dynamodb_table: str) -> Callable[[], AbstractUnitOfWork]:
    return lambda: DynamoUnitOfWork(dynamodb, dynamodb_table)


def _interleaved(uow_factory, first, second):
    """Run ``first`` and ``second`` in two open units; commit the second, then the first."""
    with uow_factory() as a, uow_factory() as b:
        assert first(a) is True
        assert second(b) is True
        b.commit()
        with pytest.raises(ConcurrentWrite) as caught:
            a.commit()
    assert isinstance(caught.value, Conflict)
    assert isinstance(caught.value, StoreBusy)
    assert isinstance(caught.value.__cause__, ClientError)


class TestDynamoDbOnly:
    """Behaviour of the DynamoDB store beyond the contract: concurrency, atomicity, access."""

    def test_of_two_units_adding_one_alert_key_the_later_commit_raises_conflict_and_stores_nothing(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory, make_recipient())

        def add(alert_id):
            def run(uow):
                added = uow.alerts.add_if_absent(make_alert(alert_id))
                uow.outbox.add_if_absent(make_outbox_message(f"msg-{alert_id}", alert_id=alert_id))
                return added

            return run

        _interleaved(uow_factory, add("alert-a"), add("alert-b"))
        with uow_factory() as uow:
            assert uow.alerts.get_by_key(ELDER_ID, "missed_checkin", "2025-04-01/morning").id == (
                "alert-b"
            )
            assert uow.alerts.get("alert-a") is None
            assert uow.outbox.get("msg-alert-a") is None  # all or nothing

    def test_of_two_units_claiming_one_message_one_wins(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory, make_recipient(), make_outbox_message())
        now = jst(DAY, 10, 5)

        def claim(minutes):
            return lambda uow: uow.outbox.claim("msg-1", now, now + timedelta(minutes=minutes))

        _interleaved(uow_factory, claim(5), claim(10))
        with uow_factory() as uow:
            assert uow.outbox.get("msg-1").next_attempt_at == now + timedelta(minutes=10)

    def test_of_two_units_claiming_one_stale_run_at_once_the_later_commit_raises_and_stores_nothing(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            uow.job_runs.mark("alert-sweep", jst(DAY, 9))
            uow.commit()

        def claim(minute):
            return lambda uow: uow.job_runs.claim(
                "alert-sweep", jst(DAY, 10, minute), jst(DAY, 9, 30)
            )

        _interleaved(uow_factory, claim(1), claim(2))
        with uow_factory() as uow:
            assert uow.job_runs.last_run("alert-sweep") == jst(DAY, 10, 2)
            assert uow.job_runs.claim("alert-sweep", jst(DAY, 10, 3), jst(DAY, 9, 30)) is False

    def test_of_two_units_marking_one_name_at_once_a_retry_keeps_the_later_time(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        def mark(minute):
            def run(uow):
                uow.job_runs.mark("alert-sweep", jst(DAY, 10, minute))
                return True

            return run

        _interleaved(uow_factory, mark(5), mark(1))  # the unit marking 10:05 lost: run again
        with uow_factory() as uow:
            assert uow.job_runs.last_run("alert-sweep") == jst(DAY, 10, 1)
            mark(5)(uow)
            uow.commit()
        with uow_factory() as uow:
            assert uow.job_runs.last_run("alert-sweep") == jst(DAY, 10, 5)

    def test_a_line_event_stored_by_two_units_at_once_is_stored_once(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        def receive(text):
            event = InboxEvent("01HEVENT", "message", {"text": text}, jst(DAY, 9))
            return lambda uow: uow.line_inbox.add_if_absent(event)

        _interleaved(uow_factory, receive("first"), receive("second"))
        with uow_factory() as uow:
            assert uow.line_inbox.get("01HEVENT").payload == {"text": "second"}
            assert [e.id for e in uow.line_inbox.pending(10, 5)] == ["01HEVENT"]

    def test_a_replayed_answer_in_two_units_at_once_is_stored_once(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory, make_checkin())

        def answer(value):
            return lambda uow: uow.answers.add(make_answer(value=value))

        _interleaved(uow_factory, answer("bad"), answer("good"))
        with uow_factory() as uow:
            assert [a.value for a in uow.answers.list_for_checkin("checkin-1")] == ["good"]

    def test_a_unit_of_more_than_one_transaction_of_writes_commits_every_write(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory)
        start = jst(DAY, 6)
        readings = [
            make_reading(measured_at=start + timedelta(minutes=i), kind=ReadingKind.STEPS, value=i)
            for i in range(TRANSACTION_LIMIT * 2 + 5)
        ]
        with uow_factory() as uow:
            assert uow.readings.add_many(readings) == len(readings)
            uow.commit()
        with uow_factory() as uow:
            found = uow.readings.list_for_elders(
                [ELDER_ID], ReadingKind.STEPS, start, start + timedelta(days=1)
            )
        assert [r.value for r in found[ELDER_ID]] == [r.value for r in readings]

    def _sent(self, dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
        """Return the sizes of the TransactWriteItems calls made from now on (failed ones too)."""
        sizes: list[int] = []
        send = dynamodb.transact_write_items

        def spy(**kwargs: Any) -> Any:
            sizes.append(len(kwargs["TransactItems"]))
            return send(**kwargs)

        monkeypatch.setattr(dynamodb, "transact_write_items", spy)
        return sizes

    def _racing_answer_after_steps(
        self, uow_factory: Callable[[], AbstractUnitOfWork], total: int
    ) -> None:
        """Write ``total`` items, the last an answer another unit stores first; commit."""
        start = jst(DAY, 6)
        with uow_factory() as uow:
            steps = [
                make_reading(measured_at=start + timedelta(minutes=i), kind=ReadingKind.STEPS)
                for i in range(total - 1)
            ]
            assert uow.readings.add_many(steps) == total - 1
            assert uow.answers.add(make_answer(value="mine")) is True
            assert uow.session.writes == total
            with uow_factory() as other:
                assert other.answers.add(make_answer(value="theirs")) is True
                other.commit()
            uow.commit()

    def _steps_stored(self, uow_factory: Callable[[], AbstractUnitOfWork]) -> int:
        start = jst(DAY, 6)
        with uow_factory() as uow:
            found = uow.readings.list_for_elders(
                [ELDER_ID], ReadingKind.STEPS, start, start + timedelta(days=1)
            )
            assert [a.value for a in uow.answers.list_for_checkin("checkin-1")] == ["theirs"]
        return len(found[ELDER_ID])

    def test_a_unit_of_exactly_one_transaction_of_writes_is_all_or_nothing(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        dynamodb: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        given(uow_factory, make_checkin())
        sent = self._sent(dynamodb, monkeypatch)
        with pytest.raises(ConcurrentWrite) as caught:
            self._racing_answer_after_steps(uow_factory, TRANSACTION_LIMIT)
        assert sent[-1] == TRANSACTION_LIMIT
        assert "applied before" not in str(caught.value)
        assert self._steps_stored(uow_factory) == 0

    def test_above_one_transaction_the_transactions_before_a_lost_race_stay_applied(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        dynamodb: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        given(uow_factory, make_checkin())
        sent = self._sent(dynamodb, monkeypatch)
        with pytest.raises(ConcurrentWrite, match=r"\(100 of 101 writes applied before\)"):
            self._racing_answer_after_steps(uow_factory, TRANSACTION_LIMIT + 1)
        assert sent[-2:] == [TRANSACTION_LIMIT, 1]
        assert self._steps_stored(uow_factory) == TRANSACTION_LIMIT

    def test_a_staff_claim_is_one_transaction_with_its_history_and_audit_entry(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        dynamodb: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        given(uow_factory, make_user(), make_alert())
        svc = Services(
            uow=uow_factory,
            question_sets=load_sets,
            clock=lambda: jst(DAY, 11),
            tz=ZoneInfo("Asia/Tokyo"),
        )
        sent = self._sent(dynamodb, monkeypatch)
        alert_inbox.claim(svc, make_user(), "alert-1")
        assert len(sent) == 1
        assert sent[0] <= TRANSACTION_LIMIT

    def test_a_service_retried_after_a_concurrent_write_sees_the_other_units_alert(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory)
        attempts: list[bool] = []

        @retry_when_busy
        def open_alert() -> bool:
            with uow_factory() as uow:
                added = uow.alerts.add_if_absent(make_alert("alert-mine"))
                if not attempts:  # another sweep commits the same key meanwhile
                    with uow_factory() as other:
                        other.alerts.add_if_absent(make_alert("alert-theirs"))
                        other.commit()
                attempts.append(added)
                uow.commit()
                return added

        assert open_alert() is False
        assert attempts == [True, False]
        with uow_factory() as uow:
            assert uow.alerts.get("alert-mine") is None

    def test_the_last_weight_is_one_query_of_the_newest_page_however_long_the_history(
        self, uow_factory: Callable[[], AbstractUnitOfWork], dynamodb: Any
    ) -> None:
        answers = [
            make_answer(
                checkin_id=f"c-{i}",
                day=DAY + timedelta(days=i),
                question_id=question,
                value=50 + i / 10,
                skipped="later" if i == 99 else None,
            )
            for i in range(100)
            for question in ("weight", "mood")
        ]
        given(uow_factory, *answers)
        calls: list[str] = []

        def record(model, **_kwargs):
            calls.append(model.name)

        dynamodb.meta.events.register("before-call.dynamodb", record)
        try:
            with uow_factory() as uow:
                last = uow.answers.latest_value(ELDER_ID, "weight", DAY + timedelta(days=100))
        finally:
            dynamodb.meta.events.unregister("before-call.dynamodb", record)
        assert last.value == 50 + 98 / 10  # the newest not skipped
        assert calls == ["Query"]

    def test_the_sweep_and_check_in_paths_query_and_never_scan(
        self, uow_factory: Callable[[], AbstractUnitOfWork], dynamodb: Any
    ) -> None:
        calls: list[str] = []

        def record(model, **_kwargs):
            calls.append(model.name)

        dynamodb.meta.events.register("before-call.dynamodb", record)
        try:
            given(uow_factory, make_checkin(), make_answer(), make_alert(), make_away())
            with uow_factory() as uow:
                ids = [e.id for e in uow.elders.list_all()]
                uow.checkins.get_with_answered(ELDER_ID, DAY, "morning")
                uow.checkins.list_for_elders(ids, DAY, DAY)
                uow.answers.list_for_elders(ids, DAY, DAY)
                uow.answers.latest_value(ELDER_ID, "mood", DAY + timedelta(days=1))
                uow.away.active_for_elders(ids, jst(DAY), jst(DAY, 23))
                uow.readings.list_for_elders(ids, ReadingKind.STEPS, jst(DAY), jst(DAY, 23))
                uow.alerts.existing_keys(ids, DAY.isoformat())
                uow.alerts.latest_opened(ids, ["missed_checkin"])
                uow.alerts.list_unresolved_older_than(jst(DAY, 23))
                uow.outbox.due(jst(DAY, 23), 10)
                uow.line_inbox.pending(10, 5)
                uow.devices.bound_since(ids)
        finally:
            dynamodb.meta.events.unregister("before-call.dynamodb", record)
        assert "Query" in calls
        assert "Scan" not in calls

    def test_the_board_privacy_and_summary_paths_query_and_never_scan(
        self, uow_factory: Callable[[], AbstractUnitOfWork], dynamodb: Any
    ) -> None:
        given(uow_factory, make_checkin(), make_answer(), make_alert(), make_away())
        calls: list[str] = []

        def record(model, **_kwargs):
            calls.append(model.name)

        dynamodb.meta.events.register("before-call.dynamodb", record)
        try:
            with uow_factory() as uow:
                uow.board.center_board(CENTER_ID, DAY, DAY - timedelta(days=14))
                uow.board.center_away(CENTER_ID, jst(DAY), jst(DAY, 23))
                uow.family.list_summaries()
                uow.config_versions.latest_all(ConfigKind.POLICY)
                uow.privacy.pairing_codes_for(ELDER_ID)
                uow.privacy.family_messages_for(ELDER_ID)
                uow.privacy.erase_elder_records(ELDER_ID)
        finally:
            dynamodb.meta.events.unregister("before-call.dynamodb", record)
        assert "Query" in calls
        assert "Scan" not in calls

    def test_of_two_units_publishing_the_next_version_at_once_the_later_commit_conflicts(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory)

        def publish(version):
            def run(uow):
                uow.config_versions.add(make_version(version))
                return True

            return run

        _interleaved(uow_factory, publish(2), publish(3))
        with uow_factory() as uow:
            assert uow.config_versions.latest(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE) == (
                make_version(3)
            )
            assert uow.config_versions.get(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE, 2) is None

    def test_a_negative_version_number_is_refused_and_nothing_is_stored(
        self, uow_factory: Callable[[], AbstractUnitOfWork]
    ) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="never negative"):
                uow.config_versions.add(dataclasses.replace(make_version(2), version=-1))
            uow.commit()
        with uow_factory() as uow:
            assert uow.config_versions.list_for(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE) == []


def _cancelled(*reasons: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": r} for r in reasons],
        },
        "TransactWriteItems",
    )


@pytest.mark.parametrize(
    ("error", "race"),
    [
        (_cancelled("None", "ConditionalCheckFailed"), True),
        (_cancelled("TransactionConflict", "None"), True),
        (_cancelled("ConditionalCheckFailed", "ValidationError"), False),
        (ClientError({"Error": {"Code": "ValidationException"}}, "TransactWriteItems"), False),
    ],
)
def test_only_lost_races_become_concurrent_writes(error: ClientError, race: bool) -> None:
    assert _lost_a_race(error) is race
