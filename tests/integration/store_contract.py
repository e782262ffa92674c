"""The store contract: every store (SQL, fake, ...) must pass these tests unchanged.

A commit is all or nothing on every store for the units the services make (a staff
action and its audit entry are one unit: ``TestAuditedActions``). The DynamoDB store
commits a unit of more than 100 writes as several transactions, the earlier ones staying
committed when a later one fails (see ``backend.ports``; pinned by the DynamoDB-only tests).

A test module runs the suite by importing the classes below and providing a
``uow_factory`` fixture: a callable returning a fresh unit of work on one store
(empty when the test starts). See ``tests/integration/test_sql_store.py`` and
``tests/unit/test_fake_store.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    AwayKind,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    DeviceBinding,
    Elder,
    ElderDay,
    ElderStatus,
    Event,
    EventKind,
    OutboxMessage,
    Outcome,
    PairingCode,
    Reading,
    ReadingKind,
    Recipient,
    Severity,
    Share,
    StaffRole,
    StaffUser,
)
from backend.ports import AbstractUnitOfWork
from backend.services import alert_inbox, away, today_board
from backend.services.context import Services
from notices.model import (
    ONCE,
    Audience,
    NoticeDelivery,
    NoticeStatus,
    Priority,
    Recurrence,
    Safety,
    TimeWindow,
)
from questions.loader import load_sets
from tests.board_reference import random_center, reference_board
from tests.builders import (
    CENTER_ID,
    DAY,
    ELDER_ID,
    MUNICIPALITY_CODE,
    OTHER_MUNICIPALITY_CODE,
    jst,
    make_alert,
    make_alert_change,
    make_answer,
    make_away,
    make_binding,
    make_center,
    make_center_inbox,
    make_checkin,
    make_consent,
    make_elder,
    make_event,
    make_exercise,
    make_municipality,
    make_notice,
    make_outbox_message,
    make_pairing_code,
    make_reading,
    make_recipient,
    make_user,
    seed,
)

UowFactory = Callable[[], AbstractUnitOfWork]
_board_sets = functools.cache(load_sets)

__all__ = [
    "TestAlertHistory",
    "TestAlerts",
    "TestAnswers",
    "TestApiTokens",
    "TestAuditLog",
    "TestAuditedActions",
    "TestAwayPeriods",
    "TestBoardReadModel",
    "TestBulkReads",
    "TestCenterDay",
    "TestCenters",
    "TestCheckIns",
    "TestDatetimes",
    "TestDevices",
    "TestElders",
    "TestEvents",
    "TestLoginFailureRaces",
    "TestLoginFailureReservations",
    "TestLoginFailures",
    "TestMunicipalities",
    "TestNoticeDeliveries",
    "TestNotices",
    "TestOutbox",
    "TestReadings",
    "TestRecipients",
    "TestSessions",
    "TestUnitOfWork",
    "TestUsers",
]


def given(uow_factory: UowFactory, *objects: Any) -> None:
    """Commit the default municipality, center and elder, then store ``objects``."""
    with uow_factory() as uow:
        seed(uow, make_elder())
        for obj in objects:
            _store(uow, obj)
        uow.commit()


def _store(uow: AbstractUnitOfWork, obj: Any) -> None:
    if isinstance(obj, Elder):
        uow.elders.add(obj)
    elif isinstance(obj, CareCenter):
        uow.centers.add(obj)
    elif isinstance(obj, CheckIn):
        uow.checkins.add(obj)
    elif isinstance(obj, Answer):
        assert uow.answers.add(obj) is True
    elif isinstance(obj, Event):
        uow.events.add(obj)
    elif isinstance(obj, PairingCode):
        uow.devices.add_pairing_code(obj)
    elif isinstance(obj, DeviceBinding):
        uow.devices.bind(obj)
    elif isinstance(obj, StaffUser):
        uow.users.add(obj)
    elif isinstance(obj, AwayPeriod):
        uow.away.add(obj)
    elif isinstance(obj, Reading):
        assert uow.readings.add_many([obj]) == 1
    elif isinstance(obj, Alert):
        assert uow.alerts.add_if_absent(obj) is True
    elif isinstance(obj, AlertChange):
        uow.alerts.add_change(obj)
    elif isinstance(obj, Recipient):
        uow.recipients.add(obj)
    elif isinstance(obj, OutboxMessage):
        assert uow.outbox.add_if_absent(obj) is True
    else:  # pragma: no cover - a mistake in a test
        raise TypeError(type(obj).__name__)


class TestMunicipalities:
    def test_an_added_municipality_can_be_read_back(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            uow.municipalities.add(make_municipality())
            assert uow.municipalities.get(MUNICIPALITY_CODE) == make_municipality()

    def test_an_unknown_code_reads_as_none(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            assert uow.municipalities.get(OTHER_MUNICIPALITY_CODE) is None

    def test_a_duplicate_code_raises_conflict_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        with uow_factory() as uow:
            uow.municipalities.add(make_municipality())
            with pytest.raises(Conflict):
                uow.municipalities.add(make_municipality(name="別の市"))
            uow.municipalities.add(make_municipality(OTHER_MUNICIPALITY_CODE, "ほか市"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.municipalities.get(MUNICIPALITY_CODE) == make_municipality()
            assert uow.municipalities.get(OTHER_MUNICIPALITY_CODE) is not None


class TestCenters:
    def test_an_added_center_can_be_read_back(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            seed(uow)
            assert uow.centers.get(CENTER_ID) == make_center()
            assert uow.centers.get("no-such-center") is None

    def test_a_duplicate_id_raises_conflict(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(Conflict):
            uow.centers.add(make_center(name="別名"))

    def test_a_municipalitys_centers_are_listed_by_name(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            seed(
                uow,
                centers=(
                    make_center("c-b", name="あおば"),
                    make_center("c-a", name="さくら"),
                    make_center("c-z", name="いずみ"),
                    make_center("c-other", OTHER_MUNICIPALITY_CODE, name="あおい"),
                ),
            )
            names = [c.name for c in uow.centers.list_for_municipality(MUNICIPALITY_CODE)]
            assert names == sorted(["あおば", "さくら", "いずみ", make_center().name])
            assert [c.id for c in uow.centers.list_for_municipality(OTHER_MUNICIPALITY_CODE)] == [
                "c-other"
            ]


class TestElders:
    def test_an_added_elder_can_be_read_back_with_consent_and_overrides(
        self, uow_factory: UowFactory
    ) -> None:
        elder = make_elder(overrides={"slots": ["morning", "evening"], "volume": 7})
        with uow_factory() as uow:
            seed(uow, elder)
            uow.commit()
        with uow_factory() as uow:
            assert uow.elders.get(ELDER_ID) == elder
            assert uow.elders.get("no-such-elder") is None

    def test_an_elder_without_consent_reads_back_without_consent(
        self, uow_factory: UowFactory
    ) -> None:
        elder = make_elder(consent=None, status=ElderStatus.SUSPENDED)
        with uow_factory() as uow:
            seed(uow, elder)
            got = uow.elders.get(ELDER_ID)
        assert got == elder
        assert got is not None
        assert got.consent is None
        assert got.is_watchable is False

    def test_a_duplicate_id_raises_conflict(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(Conflict):
            uow.elders.add(make_elder(name="別人"))

    def test_update_replaces_consent_status_and_overrides(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        changed = make_elder(
            name="山田 華子",
            district="南地区",
            status=ElderStatus.SUSPENDED,
            consent=make_consent(
                consented_on=date(2025, 5, 1),
                explained_by="staff-2",
                shares=(Share(recipient="family", what="answers"),),
                reconfirm_on=None,
            ),
            overrides={"slots": ["noon"]},
        )
        with uow_factory() as uow:
            uow.elders.update(changed)
            uow.commit()
        with uow_factory() as uow:
            assert uow.elders.get(ELDER_ID) == changed

    def test_update_can_remove_consent_and_overrides(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        changed = make_elder(consent=None, overrides={}, status=ElderStatus.ENDED)
        with uow_factory() as uow:
            uow.elders.update(changed)
            uow.commit()
        with uow_factory() as uow:
            assert uow.elders.get(ELDER_ID) == changed

    def test_update_of_an_unknown_elder_raises_not_found(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.elders.update(make_elder("no-such-elder"))

    def test_a_centers_elders_are_listed_by_kana(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            seed(
                uow,
                make_elder("e-1", kana="わたなべ たろう"),
                make_elder("e-2", kana="いとう はな"),
                make_elder("e-3", kana="さとう じろう"),
                make_elder("e-other", kana="あべ", center_id="c-2"),
                centers=(make_center("c-2", name="南センター"),),
            )
            assert [e.id for e in uow.elders.list_for_center(CENTER_ID)] == ["e-2", "e-3", "e-1"]
            assert [e.id for e in uow.elders.list_for_center("c-2")] == ["e-other"]
            assert uow.elders.list_for_center("no-such-center") == []


class TestCenterDay:
    def test_every_elder_of_the_center_comes_with_only_that_days_checkins(
        self, uow_factory: UowFactory
    ) -> None:
        with uow_factory() as uow:
            seed(
                uow,
                make_elder("e-a", kana="あおき"),
                make_elder("e-b", kana="いのうえ"),
                make_elder("e-c", kana="うえだ"),
                make_elder("e-x", kana="あ", center_id="c-2"),
                centers=(make_center("c-2", name="南センター"),),
            )
            evening = make_checkin(
                "a-evening", elder_id="e-a", slot="evening", started_at=jst(DAY, 18)
            )
            morning = make_checkin(
                "a-morning", elder_id="e-a", slot="morning", started_at=jst(DAY, 8)
            )
            c_day = make_checkin("c-day", elder_id="e-c")
            for checkin in (
                evening,
                morning,
                c_day,
                make_checkin("a-yesterday", elder_id="e-a", day=DAY - timedelta(days=1)),
                make_checkin("c-tomorrow", elder_id="e-c", day=DAY + timedelta(days=1)),
                make_checkin("x-day", elder_id="e-x"),
            ):
                uow.checkins.add(checkin)
            uow.commit()
        with uow_factory() as uow:
            board = uow.elders.center_day(CENTER_ID, DAY)
        assert [row.elder.id for row in board] == ["e-a", "e-b", "e-c"]
        assert all(isinstance(row, ElderDay) for row in board)
        assert board[0].checkins == (morning, evening)
        assert board[1].checkins == ()
        assert board[2].checkins == (c_day,)
        assert board[0].elder == make_elder("e-a", kana="あおき")

    def test_a_center_without_elders_has_an_empty_board(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            assert uow.elders.center_day("no-such-center", DAY) == []


class TestDevices:
    def test_a_binding_can_be_read_back(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_binding())
        with uow_factory() as uow:
            assert (
                uow.devices.get_binding("amzn1.ask.account.TEST", "amzn1.ask.device.TEST")
                == make_binding()
            )
            assert uow.devices.get_binding("amzn1.ask.account.TEST", "other-device") is None

    def test_the_bound_elder_is_found_by_user_and_device(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_binding())
        with uow_factory() as uow:
            elder = uow.devices.elder_for("amzn1.ask.account.TEST", "amzn1.ask.device.TEST")
            assert elder == make_elder()
            assert uow.devices.elder_for("amzn1.ask.account.TEST", "other-device") is None
            assert uow.devices.elder_for("amzn1.ask.account.OTHER", "amzn1.ask.device.TEST") is None

    def test_the_first_binding_time_of_each_elder_is_known(self, uow_factory: UowFactory) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_binding(bound_at=jst(DAY, 10)),
            make_binding(device_id="second-device", bound_at=jst(DAY, 9)),
        )
        with uow_factory() as uow:
            got = uow.devices.bound_since([ELDER_ID, "elder-2"])
        assert got == {ELDER_ID: jst(DAY, 9)}

    def test_binding_again_replaces_the_earlier_binding(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_elder("elder-2"), make_binding())
        rebound = make_binding(elder_id="elder-2", bound_at=jst(DAY, 11))
        with uow_factory() as uow:
            uow.devices.bind(rebound)
            uow.commit()
        with uow_factory() as uow:
            assert uow.devices.get_binding(rebound.alexa_user_id, rebound.device_id) == rebound

    def test_a_pairing_code_can_be_read_back(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_pairing_code())
        with uow_factory() as uow:
            assert uow.devices.get_pairing_code("123456") == make_pairing_code()
            assert uow.devices.get_pairing_code("999999") is None

    def test_a_taken_pairing_code_raises_conflict_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_pairing_code())
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.devices.add_pairing_code(make_pairing_code(expires_at=jst(DAY, 12)))
            uow.devices.add_pairing_code(make_pairing_code("654321"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.devices.get_pairing_code("123456") == make_pairing_code()
            assert uow.devices.get_pairing_code("654321") == make_pairing_code("654321")

    def test_a_pairing_code_can_be_marked_used_only_once(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_pairing_code())
        first, second = jst(DAY, 9, 5), jst(DAY, 9, 6)
        with uow_factory() as uow:
            assert uow.devices.mark_pairing_code_used("123456", first) is True
            assert uow.devices.mark_pairing_code_used("123456", second) is False
            uow.commit()
        with uow_factory() as uow:
            assert uow.devices.mark_pairing_code_used("123456", second) is False
            stored = uow.devices.get_pairing_code("123456")
        assert stored is not None
        assert stored.used_at == first
        assert stored.usable(jst(DAY, 9, 7)) is False

    def test_marking_an_unknown_pairing_code_returns_false(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            assert uow.devices.mark_pairing_code_used("000000", jst()) is False


class TestCheckIns:
    def test_a_checkin_comes_with_the_questions_it_has_answers_for(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_checkin())
        with uow_factory() as uow:
            assert uow.checkins.get_with_answered(ELDER_ID, DAY, "morning") == (
                make_checkin(),
                frozenset(),
            )
            uow.answers.add(make_answer(question_id="mood"))
            uow.answers.add(make_answer(question_id="sleep", value=None, skipped="unknown"))
            uow.commit()
        with uow_factory() as uow:
            checkin, answered = uow.checkins.get_with_answered(ELDER_ID, DAY, "morning")
            assert checkin == make_checkin()
            assert answered == frozenset({"mood", "sleep"})
            assert uow.checkins.get_with_answered(ELDER_ID, DAY, "evening") is None

    def test_an_added_checkin_can_be_read_back_by_elder_date_and_slot(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_checkin())
        with uow_factory() as uow:
            assert uow.checkins.get(ELDER_ID, DAY, "morning") == make_checkin()
            assert uow.checkins.get(ELDER_ID, DAY, "evening") is None
            assert uow.checkins.get(ELDER_ID, DAY + timedelta(days=1), "morning") is None

    def test_a_second_checkin_for_the_same_elder_date_and_slot_raises_conflict(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_checkin())
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.checkins.add(make_checkin("checkin-2"))
            uow.checkins.add(make_checkin("checkin-3", slot="evening"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.checkins.get(ELDER_ID, DAY, "morning") == make_checkin()
            assert uow.checkins.get(ELDER_ID, DAY, "evening") == make_checkin(
                "checkin-3", slot="evening"
            )

    def test_a_duplicate_checkin_id_raises_conflict(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_checkin())
        with uow_factory() as uow, pytest.raises(Conflict):
            uow.checkins.add(make_checkin(slot="noon"))

    def test_set_status_updates_status_and_completion_time(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_checkin())
        done = jst(DAY, 8, 5)
        with uow_factory() as uow:
            uow.checkins.set_status("checkin-1", CheckInStatus.COMPLETED, done)
            uow.commit()
        with uow_factory() as uow:
            got = uow.checkins.get(ELDER_ID, DAY, "morning")
        assert got == make_checkin(status=CheckInStatus.COMPLETED, completed_at=done)

    def test_set_status_of_an_unknown_checkin_raises_not_found(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.checkins.set_status("no-such-checkin", CheckInStatus.PARTIAL, None)

    def test_list_for_elder_is_inclusive_of_both_ends_and_oldest_first(
        self, uow_factory: UowFactory
    ) -> None:
        d = [DAY + timedelta(days=i) for i in range(5)]
        checkins = [
            make_checkin("c3-evening", day=d[3], slot="evening", started_at=jst(d[3], 18)),
            make_checkin("c1", day=d[1]),
            make_checkin("c3-morning", day=d[3], slot="morning", started_at=jst(d[3], 8)),
            make_checkin("c0", day=d[0]),
            make_checkin("c4", day=d[4]),
            make_checkin("c2", day=d[2]),
        ]
        given(
            uow_factory,
            make_elder("elder-2"),
            *checkins,
            make_checkin("other", elder_id="elder-2", day=d[2]),
        )
        with uow_factory() as uow:
            got = uow.checkins.list_for_elder(ELDER_ID, d[1], d[3])
            assert (
                uow.checkins.list_for_elder(
                    ELDER_ID, d[4] + timedelta(days=1), d[4] + timedelta(days=9)
                )
                == []
            )
        assert [c.id for c in got] == ["c1", "c2", "c3-morning", "c3-evening"]


class TestAnswers:
    def test_answers_are_listed_for_their_checkin_in_the_order_given(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_checkin())
        given_order = ["mood", "sleep", "appetite", "blood_pressure"]
        with uow_factory() as uow:
            for i, question in enumerate(given_order):
                answer = make_answer(question_id=question, answered_at=jst(DAY, 8, 10 - i))
                assert uow.answers.add(answer) is True
            uow.commit()
        with uow_factory() as uow:
            got = uow.answers.list_for_checkin("checkin-1")
            assert uow.answers.list_for_checkin("no-such-checkin") == []
        assert [a.question_id for a in got] == given_order

    def test_a_second_answer_to_the_same_question_returns_false_and_keeps_the_first(
        self, uow_factory: UowFactory
    ) -> None:
        first = make_answer(value="good", raw="元気")
        given(uow_factory, make_checkin(), first)
        with uow_factory() as uow:
            assert uow.answers.add(make_answer(value="bad", raw="だめ")) is False
            # The transaction is still usable after the refused answer.
            assert uow.answers.add(make_answer(question_id="sleep")) is True
            uow.commit()
        with uow_factory() as uow:
            got = uow.answers.list_for_checkin("checkin-1")
        assert got == [first, make_answer(question_id="sleep")]

    def test_a_duplicate_within_one_unit_returns_false(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_checkin())
        with uow_factory() as uow:
            assert uow.answers.add(make_answer()) is True
            assert uow.answers.add(make_answer(value="bad")) is False
            assert uow.answers.list_for_checkin("checkin-1") == [make_answer()]

    def test_list_for_elder_is_inclusive_of_both_ends_and_oldest_first(
        self, uow_factory: UowFactory
    ) -> None:
        d = [DAY + timedelta(days=i) for i in range(4)]
        given(
            uow_factory,
            make_elder("elder-2"),
            *[make_checkin(f"c{i}", day=d[i]) for i in range(4)],
            make_checkin("other", elder_id="elder-2", day=d[1]),
        )
        with uow_factory() as uow:
            # Given in scrambled order.
            for i, q, minute in [
                (2, "sleep", 2),
                (1, "mood", 1),
                (3, "mood", 1),
                (2, "mood", 1),
                (0, "mood", 1),
            ]:
                uow.answers.add(
                    make_answer(
                        checkin_id=f"c{i}",
                        day=d[i],
                        question_id=q,
                        answered_at=jst(d[i], 8, minute),
                    )
                )
            uow.answers.add(make_answer(checkin_id="other", elder_id="elder-2", day=d[1]))
            uow.commit()
        with uow_factory() as uow:
            got = uow.answers.list_for_elder(ELDER_ID, d[1], d[2])
        assert [(a.date, a.question_id) for a in got] == [
            (d[1], "mood"),
            (d[2], "mood"),
            (d[2], "sleep"),
        ]

    def test_latest_value_is_the_newest_non_skipped_answer_before_the_date(
        self, uow_factory: UowFactory
    ) -> None:
        d = [DAY + timedelta(days=i) for i in range(5)]
        given(uow_factory, *[make_checkin(f"c{i}", day=d[i]) for i in range(5)])
        with uow_factory() as uow:
            for i, value, skipped in [
                (0, 60.0, None),
                (1, 61.5, None),
                (2, None, "declined"),
                (3, 62.0, None),
                (4, 63.0, None),
            ]:
                uow.answers.add(
                    make_answer(
                        checkin_id=f"c{i}",
                        day=d[i],
                        question_id="weight",
                        value=value,
                        skipped=skipped,
                    )
                )
            uow.answers.add(
                make_answer(checkin_id="c2", day=d[2], question_id="mood", value="good")
            )
            uow.commit()
        with uow_factory() as uow:
            latest = uow.answers.latest_value(ELDER_ID, "weight", before=d[3])
            assert latest is not None
            assert (latest.date, latest.value) == (d[1], 61.5)
            newest = uow.answers.latest_value(ELDER_ID, "weight", before=d[4] + timedelta(days=1))
            assert newest is not None
            assert newest.value == 63.0
            assert uow.answers.latest_value(ELDER_ID, "weight", before=d[0]) is None
            assert uow.answers.latest_value(ELDER_ID, "no-such-question", before=d[4]) is None
            assert uow.answers.latest_value("elder-2", "weight", before=d[4]) is None

    def test_a_skipped_answer_round_trips_with_its_reason(self, uow_factory: UowFactory) -> None:
        skipped = make_answer(value=None, raw="", skipped="no_answer", request_id="req-1")
        given(uow_factory, make_checkin(), skipped)
        with uow_factory() as uow:
            assert uow.answers.list_for_checkin("checkin-1") == [skipped]

    @pytest.mark.parametrize(
        "value",
        [
            "はい",
            7,
            52.5,
            True,
            {"systolic": 135, "diastolic": 85},
            ["headache", "dizzy"],
            None,
        ],
        ids=["str", "int", "float", "bool", "dict", "list", "none"],
    )
    def test_typed_values_round_trip(self, uow_factory: UowFactory, value: Any) -> None:
        given(uow_factory, make_checkin(), make_answer(value=value))
        with uow_factory() as uow:
            (got,) = uow.answers.list_for_checkin("checkin-1")
        assert got.value == value
        assert type(got.value) is type(value)


class TestEvents:
    def test_events_are_listed_oldest_first(self, uow_factory: UowFactory) -> None:
        events = [
            make_event("ev-late", at=jst(DAY, 20), detail={"words": "くるしい", "turn": 3}),
            make_event("ev-early", at=jst(DAY, 7)),
            make_event("ev-mid", at=jst(DAY, 12), detail={}),
        ]
        given(
            uow_factory, make_elder("elder-2"), *events, make_event("ev-other", elder_id="elder-2")
        )
        with uow_factory() as uow:
            got = uow.events.list_for_elder(ELDER_ID)
            assert uow.events.list_for_elder("no-such-elder") == []
        assert [e.id for e in got] == ["ev-early", "ev-mid", "ev-late"]
        assert got[2] == events[0]

    def test_events_of_several_elders_since_a_time_come_in_one_read(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_elder("elder-3"),
            make_event("ev-old", at=jst(DAY, 6)),
            make_event("ev-new", at=jst(DAY, 9)),
            make_event("ev-2", elder_id="elder-2", at=jst(DAY, 10)),
            make_event("ev-3", elder_id="elder-3", at=jst(DAY, 10)),
        )
        with uow_factory() as uow:
            got = uow.events.list_for_elders([ELDER_ID, "elder-2", "nobody"], jst(DAY, 8))
        assert {k: [e.id for e in v] for k, v in got.items()} == {
            ELDER_ID: ["ev-new"],
            "elder-2": ["ev-2"],
            "nobody": [],
        }

    def test_a_contact_event_round_trips_and_is_read_with_the_others(
        self, uow_factory: UowFactory
    ) -> None:
        contact = make_event(
            "ev-contact", kind=EventKind.CONTACT, at=jst(DAY, 12), detail={"what": "opened"}
        )
        given(uow_factory, make_event("ev-emergency", at=jst(DAY, 9)), contact)
        with uow_factory() as uow:
            got = uow.events.list_for_elders([ELDER_ID], jst(DAY, 8))[ELDER_ID]
        assert [(e.id, e.kind) for e in got] == [
            ("ev-emergency", EventKind.EMERGENCY),
            ("ev-contact", EventKind.CONTACT),
        ]
        assert got[1] == contact

    def test_a_reminder_event_round_trips_with_its_alert_token_and_time(
        self, uow_factory: UowFactory
    ) -> None:
        detail = {"action": "set", "alert_token": "amzn1.alert.token-1", "time": "08:00"}
        reminder = make_event("ev-reminder", kind=EventKind.REMINDER, detail=detail)
        given(uow_factory, reminder)
        with uow_factory() as uow:
            got = uow.events.list_for_elders([ELDER_ID], jst(DAY, 8))[ELDER_ID]
            assert uow.events.list_for_elder(ELDER_ID) == [reminder]
        assert got == [reminder]
        assert got[0].kind is EventKind.REMINDER

    def test_a_duplicate_event_id_raises_conflict(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_event())
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.events.add(make_event(at=jst(DAY, 21)))
            uow.events.add(make_event("event-2"))
            uow.commit()
        with uow_factory() as uow:
            assert [e.id for e in uow.events.list_for_elder(ELDER_ID)] == ["event-1", "event-2"]

    def test_an_event_is_known_by_its_id_once_stored(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            assert not uow.events.exists("event-1")
        given(uow_factory, make_event())
        with uow_factory() as uow:
            assert uow.events.exists("event-1")
            assert not uow.events.exists("event-2")


class TestUsers:
    def test_an_added_user_can_be_read_back_by_id_and_login(self, uow_factory: UowFactory) -> None:
        user = make_user()
        given(uow_factory, user)
        with uow_factory() as uow:
            assert uow.users.get("user-1") == user
            assert uow.users.get_by_login("sato.hanako") == user
            assert uow.users.get("no-such-user") is None
            assert uow.users.get_by_login("no-such-login") is None

    def test_users_without_center_or_municipality_and_inactive_users_round_trip(
        self, uow_factory: UowFactory
    ) -> None:
        operator = make_user(
            "op-1",
            login="operator",
            role=StaffRole.OPERATOR,
            municipality_code=None,
            center_id=None,
        )
        admin = make_user(
            "admin-1", login="admin", role=StaffRole.MUNICIPALITY_ADMIN, center_id=None
        )
        retired = make_user("old-1", login="retired", active=False)
        given(uow_factory, operator, admin, retired)
        with uow_factory() as uow:
            assert uow.users.get("op-1") == operator
            assert uow.users.get("admin-1") == admin
            got = uow.users.get("old-1")
        assert got == retired
        assert got is not None
        assert got.active is False
        assert got.role is StaffRole.CENTER_STAFF
        assert got.created_at.tzinfo is not None

    def test_the_login_is_stored_lower_cased_and_looked_up_case_insensitively(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_user(login="Sato.Hanako"),
            make_user("user-2", login="ÉMILE.Dupont"),
        )
        with uow_factory() as uow:
            for login in ("sato.hanako", "SATO.HANAKO", "Sato.Hanako", "sAtO.hAnAkO"):
                assert uow.users.get_by_login(login) == make_user(login="sato.hanako")
            assert uow.users.get("user-1") == make_user(login="sato.hanako")
            got = uow.users.get_by_login("émile.DUPONT")
        assert got is not None
        assert (got.id, got.login) == ("user-2", "émile.dupont")

    def test_a_login_taken_in_any_case_raises_conflict_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user(login="sato.hanako"))
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.users.add(make_user("user-2", login="sato.hanako"))
            with pytest.raises(Conflict):
                uow.users.add(make_user("user-3", login="SATO.Hanako"))
            uow.users.add(make_user("user-4", login="sato.taro"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.users.get("user-2") is None
            assert uow.users.get("user-3") is None
            assert uow.users.get_by_login("Sato.Hanako") == make_user()
            assert uow.users.get_by_login("sato.taro") == make_user("user-4", login="sato.taro")

    def test_a_duplicate_user_id_raises_conflict(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_user())
        with uow_factory() as uow, pytest.raises(Conflict):
            uow.users.add(make_user(login="another.login"))

    def test_set_password_hash_replaces_only_the_hash(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_user(), make_user("user-2", login="sato.taro"))
        with uow_factory() as uow:
            uow.users.set_password_hash("user-1", "new-hash")
            uow.commit()
        with uow_factory() as uow:
            assert uow.users.get("user-1") == make_user(password_hash="new-hash")
            assert uow.users.get_by_login("SATO.HANAKO") == make_user(password_hash="new-hash")
            assert uow.users.get("user-2") == make_user("user-2", login="sato.taro")

    def test_set_password_hash_of_an_unknown_user_raises_not_found(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user())
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.users.set_password_hash("no-such-user", "new-hash")

    def test_a_centers_users_are_listed_by_login(self, uow_factory: UowFactory) -> None:
        # By code point of the lower-cased login: "a_z" < "ab" < "yamada" < "zeta"
        # (a collation ignoring punctuation would put "ab" before "a_z").
        users = [
            make_user("u-1", login="Zeta"),
            make_user("u-2", login="yamada"),
            make_user("u-3", login="ab"),
            make_user("u-4", login="A_Z"),
            make_user("u-other", login="aaa", center_id="c-2"),
            make_user("u-op", login="0-operator", center_id=None, municipality_code=None),
        ]
        with uow_factory() as uow:
            seed(uow, centers=(make_center("c-2", name="南センター"),))
            for user in users:
                uow.users.add(user)
            uow.commit()
        with uow_factory() as uow:
            got = uow.users.list_for_center(CENTER_ID)
            assert [u.id for u in uow.users.list_for_center("c-2")] == ["u-other"]
            assert uow.users.list_for_center("no-such-center") == []
        assert [u.login for u in got] == ["a_z", "ab", "yamada", "zeta"]
        assert [u.id for u in got] == ["u-4", "u-3", "u-2", "u-1"]
        assert got[2] == users[1]

    def test_users_follow_the_unit_of_work(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.users.add(make_user())
            assert uow.users.get("user-1") == make_user()
        with uow_factory() as uow:
            assert uow.users.get("user-1") is None
            uow.users.add(make_user())
            uow.commit()
            uow.users.set_password_hash("user-1", "rolled-back-hash")
            uow.rollback()
        with uow_factory() as uow:
            assert uow.users.get("user-1") == make_user()

    def test_a_naive_creation_time_is_refused(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.users.add(make_user(created_at=datetime(2025, 4, 1, 7, 0)))
            assert uow.users.get("user-1") is None

    def test_creation_time_round_trips_aware_and_equal(self, uow_factory: UowFactory) -> None:
        created = datetime(2025, 4, 1, 23, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
        given(uow_factory, make_user(created_at=created))
        with uow_factory() as uow:
            got = uow.users.get("user-1")
        assert got is not None
        assert got.created_at == created
        assert got.created_at.utcoffset() is not None


class TestUnitOfWork:
    def test_uncommitted_work_is_rolled_back_when_the_unit_exits(
        self, uow_factory: UowFactory
    ) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder())
        with uow_factory() as uow:
            assert uow.municipalities.get(MUNICIPALITY_CODE) is None
            assert uow.elders.get(ELDER_ID) is None

    def test_committed_work_is_visible_in_a_new_unit(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            seed(uow, make_elder())
            uow.commit()
        with uow_factory() as uow:
            assert uow.elders.get(ELDER_ID) == make_elder()

    def test_an_exception_rolls_the_unit_back(self, uow_factory: UowFactory) -> None:
        given(uow_factory)

        def fail() -> None:
            with uow_factory() as uow:
                uow.checkins.add(make_checkin())
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            fail()
        with uow_factory() as uow:
            assert uow.checkins.get(ELDER_ID, DAY, "morning") is None

    def test_rollback_discards_work_since_the_last_commit(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.checkins.add(make_checkin())
            uow.commit()
            uow.events.add(make_event())
            uow.rollback()
            assert uow.events.list_for_elder(ELDER_ID) == []
            uow.events.add(make_event("event-2"))
        with uow_factory() as uow:
            assert uow.checkins.get(ELDER_ID, DAY, "morning") == make_checkin()
            assert uow.events.list_for_elder(ELDER_ID) == []

    def test_a_unit_sees_its_own_uncommitted_work(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.checkins.add(make_checkin())
            assert uow.checkins.get(ELDER_ID, DAY, "morning") == make_checkin()

    def test_a_unit_does_not_see_another_units_uncommitted_work(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        with uow_factory() as writer:
            writer.events.add(make_event())
            with uow_factory() as reader:
                assert reader.events.list_for_elder(ELDER_ID) == []
                assert reader.elders.get(ELDER_ID) == make_elder()
            writer.commit()
        with uow_factory() as reader:
            assert reader.events.list_for_elder(ELDER_ID) == [make_event()]

    def test_a_unit_can_be_entered_again(self, uow_factory: UowFactory) -> None:
        uow = uow_factory()
        with uow:
            seed(uow, make_elder())
            uow.commit()
        with uow:
            uow.checkins.add(make_checkin())
        with uow:
            assert uow.elders.get(ELDER_ID) == make_elder()
            assert uow.checkins.get(ELDER_ID, DAY, "morning") is None

    def test_returned_objects_are_copies(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_event(detail={"words": "たすけて"}))
        with uow_factory() as uow:
            elder = uow.elders.get(ELDER_ID)
            assert elder is not None
            elder.overrides["volume"] = 10
            (event,) = uow.events.list_for_elder(ELDER_ID)
            event.detail["words"] = "changed"
            assert uow.elders.get(ELDER_ID) == make_elder()
            assert uow.events.list_for_elder(ELDER_ID) == [make_event(detail={"words": "たすけて"})]


class TestDatetimes:
    OTHER_ZONE = timezone(timedelta(hours=-5))

    def test_datetimes_round_trip_timezone_aware_and_equal(self, uow_factory: UowFactory) -> None:
        started = datetime(2025, 4, 1, 23, 30, 15, 123456, tzinfo=self.OTHER_ZONE)
        completed = datetime(2025, 4, 2, 4, 40, tzinfo=UTC)
        checkin = make_checkin(started_at=started, completed_at=completed)
        answer = make_answer(answered_at=jst(DAY, 8, 31, 59, 999999))
        binding = make_binding(bound_at=datetime(2025, 1, 1, 0, 0, tzinfo=UTC))
        code = make_pairing_code(expires_at=jst(DAY, 23, 59), used_at=jst(DAY, 0, 0))
        event = make_event(at=jst(DAY, 0, 0, 0, 1))
        given(uow_factory, checkin, answer, binding, code, event)
        with uow_factory() as uow:
            got_checkin = uow.checkins.get(ELDER_ID, DAY, "morning")
            (got_answer,) = uow.answers.list_for_checkin("checkin-1")
            got_binding = uow.devices.get_binding(binding.alexa_user_id, binding.device_id)
            got_code = uow.devices.get_pairing_code(code.code)
            (got_event,) = uow.events.list_for_elder(ELDER_ID)
        assert got_checkin is not None
        assert got_binding is not None
        assert got_code is not None
        pairs = [
            (got_checkin.started_at, started),
            (got_checkin.completed_at, completed),
            (got_answer.answered_at, answer.answered_at),
            (got_binding.bound_at, binding.bound_at),
            (got_code.expires_at, code.expires_at),
            (got_code.used_at, code.used_at),
            (got_event.at, event.at),
        ]
        for got, wrote in pairs:
            assert got is not None
            assert got.tzinfo is not None
            assert got.utcoffset() is not None
            assert got == wrote
        assert (got_checkin, got_answer, got_binding, got_code, got_event) == (
            checkin,
            answer,
            binding,
            code,
            event,
        )

    def test_set_status_and_mark_used_keep_datetimes_aware(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_checkin(), make_pairing_code())
        done = datetime(2025, 4, 1, 0, 5, tzinfo=UTC)
        used = datetime(2025, 4, 1, 9, 0, tzinfo=self.OTHER_ZONE)
        with uow_factory() as uow:
            uow.checkins.set_status("checkin-1", CheckInStatus.COMPLETED, done)
            uow.devices.mark_pairing_code_used("123456", used)
            uow.commit()
        with uow_factory() as uow:
            checkin = uow.checkins.get(ELDER_ID, DAY, "morning")
            code = uow.devices.get_pairing_code("123456")
        assert checkin is not None
        assert code is not None
        assert checkin.completed_at == done
        assert checkin.completed_at.tzinfo is not None
        assert code.used_at == used
        assert code.used_at.tzinfo is not None

    def test_ordering_follows_the_instant_not_the_written_zone(
        self, uow_factory: UowFactory
    ) -> None:
        # 10:00 at UTC-5 is 15:00 UTC, later than 23:00 JST (14:00 UTC).
        late = make_event("ev-a", at=datetime(2025, 4, 1, 10, 0, tzinfo=self.OTHER_ZONE))
        early = make_event("ev-b", at=jst(DAY, 23))
        given(uow_factory, late, early)
        with uow_factory() as uow:
            assert [e.id for e in uow.events.list_for_elder(ELDER_ID)] == ["ev-b", "ev-a"]

    def test_naive_datetimes_are_refused(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        naive = datetime(2025, 4, 1, 8, 0)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.checkins.add(make_checkin(started_at=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.events.add(make_event(at=naive))
            assert uow.checkins.get(ELDER_ID, DAY, "morning") is None


UTC_MINUS_5 = timezone(timedelta(hours=-5))
ALL_STATUSES = (AlertStatus.OPEN, AlertStatus.CLAIMED, AlertStatus.RESOLVED)


def _ids(found: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Return the ids (or ``measured_at`` instants) grouped as a bulk read returned them."""
    return {
        elder_id: [getattr(obj, "id", None) or obj.measured_at for obj in objs]
        for elder_id, objs in found.items()
    }


class TestAwayPeriods:
    def test_an_elders_periods_are_listed_by_start_then_id(self, uow_factory: UowFactory) -> None:
        later = make_away("away-c", start=jst(DAY + timedelta(days=3)), end=None)
        same_start_b = make_away("away-b", kind=AwayKind.TRAVEL, end=jst(DAY, 18))
        same_start_a = make_away("away-a", kind=AwayKind.SHORT_STAY, set_by="elder")
        earlier = make_away(
            "away-z",
            kind=AwayKind.OTHER,
            start=jst(DAY - timedelta(days=9)),
            end=jst(DAY - timedelta(days=2)),
            set_by="family:f-1",
        )
        given(
            uow_factory,
            make_elder("elder-2"),
            later,
            same_start_b,
            same_start_a,
            earlier,
            make_away("away-other", elder_id="elder-2", start=jst(DAY - timedelta(days=20))),
        )
        with uow_factory() as uow:
            got = uow.away.list_for_elder(ELDER_ID)
            assert uow.away.list_for_elder("no-such-elder") == []
        assert got == [earlier, same_start_a, same_start_b, later]

    def test_a_duplicate_period_id_raises_conflict_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_away())
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.away.add(make_away(kind=AwayKind.TRAVEL))
            uow.away.add(make_away("away-2", start=jst(DAY + timedelta(days=5))))
            uow.commit()
        with uow_factory() as uow:
            assert [p.id for p in uow.away.list_for_elder(ELDER_ID)] == ["away-1", "away-2"]
            assert uow.away.list_for_elder(ELDER_ID)[0] == make_away()

    def test_a_period_overlaps_a_window_unless_it_ends_at_its_start_or_starts_at_its_end(
        self, uow_factory: UowFactory
    ) -> None:
        start, end = jst(DAY, 10), jst(DAY, 12)
        micro = timedelta(microseconds=1)
        periods = {
            "ends-at-start": (jst(DAY, 8), start, False),
            "ends-just-after-start": (jst(DAY, 8), start + micro, True),
            "starts-at-end": (end, jst(DAY, 14), False),
            "starts-at-end-written-in-utc": (end.astimezone(UTC), None, False),
            "starts-just-before-end": (end - micro, jst(DAY, 14), True),
            "open-ended-from-long-ago": (jst(DAY - timedelta(days=30)), None, True),
            "open-ended-from-inside": (jst(DAY, 11), None, True),
            "around-the-window": (jst(DAY, 9), jst(DAY, 13), True),
            "inside-the-window": (jst(DAY, 10, 30), jst(DAY, 11), True),
            "ended-yesterday": (jst(DAY - timedelta(days=3)), jst(DAY - timedelta(days=1)), False),
        }
        given(
            uow_factory,
            *[make_away(pid, start=s, end=e) for pid, (s, e, _) in periods.items()],
        )
        with uow_factory() as uow:
            got = uow.away.active_for_elders([ELDER_ID], start, end)
        overlapping = [pid for pid, (_, _, overlaps) in periods.items() if overlaps]
        assert set(got) == {ELDER_ID}
        assert sorted(p.id for p in got[ELDER_ID]) == sorted(overlapping)
        # Ordered as list_for_elder: by start, then id.
        assert [p.id for p in got[ELDER_ID]] == [
            "open-ended-from-long-ago",
            "ends-just-after-start",
            "around-the-window",
            "inside-the-window",
            "open-ended-from-inside",
            "starts-just-before-end",
        ]

    def test_active_for_elders_answers_for_the_asked_elders_only(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_elder("elder-3"),
            make_away("away-1"),
            make_away("away-2", elder_id="elder-2"),
            make_away("away-3", elder_id="elder-3", end=jst(DAY, 1)),
        )
        with uow_factory() as uow:
            got = uow.away.active_for_elders(
                ["elder-3", ELDER_ID, "no-such-elder", ELDER_ID], jst(DAY, 10), jst(DAY, 11)
            )
            assert uow.away.active_for_elders([], jst(DAY, 10), jst(DAY, 11)) == {}
        assert list(got) == ["elder-3", ELDER_ID, "no-such-elder"]
        assert got == {"elder-3": [], ELDER_ID: [make_away("away-1")], "no-such-elder": []}

    def test_ending_a_period_sets_its_end_and_it_stops_covering_later_windows(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_away(end=None))
        ended_at = datetime(2025, 4, 2, 3, 0, tzinfo=UTC)  # 12:00 JST
        with uow_factory() as uow:
            uow.away.end_period("away-1", ended_at)
            uow.commit()
        with uow_factory() as uow:
            (got,) = uow.away.list_for_elder(ELDER_ID)
            after = uow.away.active_for_elders([ELDER_ID], ended_at, jst(DAY, 23) + timedelta(1))
            before = uow.away.active_for_elders([ELDER_ID], jst(DAY, 11), ended_at)
        assert got == make_away(end=ended_at)
        assert got.end is not None
        assert got.end.utcoffset() is not None
        assert got.covers(ended_at - timedelta(microseconds=1)) is True
        assert got.covers(ended_at) is False
        assert after == {ELDER_ID: []}
        assert before == {ELDER_ID: [got]}

    def test_ending_a_period_again_replaces_its_end(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_away(end=jst(DAY + timedelta(days=7))))
        with uow_factory() as uow:
            uow.away.end_period("away-1", jst(DAY + timedelta(days=2)))
            assert uow.away.list_for_elder(ELDER_ID) == [
                make_away(end=jst(DAY + timedelta(days=2)))
            ]

    def test_ending_an_unknown_period_raises_not_found(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.away.end_period("no-such-period", jst())

    def test_period_datetimes_round_trip_aware_and_equal(self, uow_factory: UowFactory) -> None:
        period = make_away(
            start=datetime(2025, 4, 1, 9, 15, 30, 123456, tzinfo=UTC_MINUS_5),
            end=jst(DAY + timedelta(days=2), 23, 59, 59, 999999),
            created_at=datetime(2025, 3, 31, 23, 0, tzinfo=UTC),
        )
        given(uow_factory, period)
        with uow_factory() as uow:
            (got,) = uow.away.list_for_elder(ELDER_ID)
        assert got == period
        for when in (got.start, got.end, got.created_at):
            assert when is not None
            assert when.utcoffset() is not None

    def test_naive_datetimes_are_refused(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_away("away-0"))
        naive = datetime(2025, 4, 1, 8, 0)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.away.add(make_away(start=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.away.add(make_away(end=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.away.active_for_elders([ELDER_ID], naive, jst(DAY, 9))
            with pytest.raises(ValueError, match="naive"):
                uow.away.end_period("away-0", naive)
            assert uow.away.list_for_elder(ELDER_ID) == [make_away("away-0")]


class TestReadings:
    def test_a_reading_is_stored_once_per_elder_kind_and_instant(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_elder("elder-2"))
        at = jst(DAY, 7)
        first = make_reading(measured_at=at, value=52.5)
        with uow_factory() as uow:
            added = uow.readings.add_many(
                [
                    first,
                    make_reading(measured_at=at, value=60.0),  # same key in the same batch
                    make_reading(measured_at=at, kind=ReadingKind.STEPS, value=10),
                    make_reading(measured_at=at, elder_id="elder-2", value=48.0),
                ]
            )
            assert added == 3
            uow.commit()
        with uow_factory() as uow:
            again = uow.readings.add_many(
                [
                    make_reading(measured_at=at.astimezone(UTC), value=99.0),  # same instant
                    make_reading(measured_at=at + timedelta(days=7), value=52.0),
                ]
            )
            assert again == 1
            assert uow.readings.add_many([first]) == 0
            uow.commit()
        with uow_factory() as uow:
            got = uow.readings.list_for_elders(
                [ELDER_ID], ReadingKind.WEIGHT, jst(DAY, 0), jst(DAY + timedelta(days=8), 0)
            )
        assert got == {
            ELDER_ID: [first, make_reading(measured_at=at + timedelta(days=7), value=52.0)]
        }

    def test_an_empty_batch_adds_nothing(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            assert uow.readings.add_many([]) == 0
            assert uow.readings.add_many(iter([make_reading()])) == 1

    def test_readings_are_listed_in_the_half_open_window_oldest_first_for_one_kind(
        self, uow_factory: UowFactory
    ) -> None:
        start, end = jst(DAY, 0), jst(DAY + timedelta(days=7), 0)
        micro = timedelta(microseconds=1)
        inside = [start, jst(DAY + timedelta(days=3), 7), end - micro]
        outside = [start - micro, end]
        given(uow_factory)
        with uow_factory() as uow:
            scrambled = [inside[2], outside[0], inside[0], outside[1], inside[1]]
            assert uow.readings.add_many([make_reading(measured_at=at) for at in scrambled]) == 5
            uow.readings.add_many(
                [make_reading(measured_at=jst(DAY, 9), kind=ReadingKind.STEPS, value=3000)]
            )
            uow.commit()
        with uow_factory() as uow:
            got = uow.readings.list_for_elders([ELDER_ID], ReadingKind.WEIGHT, start, end)
            steps = uow.readings.list_for_elders([ELDER_ID], ReadingKind.STEPS, start, end)
        assert [r.measured_at for r in got[ELDER_ID]] == inside
        assert [r.value for r in steps[ELDER_ID]] == [3000]

    def test_bulk_reads_answer_for_the_asked_elders_only(self, uow_factory: UowFactory) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_elder("elder-3"),
            make_reading(),
            make_reading(elder_id="elder-2"),
        )
        with uow_factory() as uow:
            got = uow.readings.list_for_elders(
                ["elder-3", ELDER_ID, "no-such-elder"],
                ReadingKind.WEIGHT,
                jst(DAY, 0),
                jst(DAY, 23),
            )
            assert uow.readings.list_for_elders([], ReadingKind.WEIGHT, jst(), jst()) == {}
        assert list(got) == ["elder-3", ELDER_ID, "no-such-elder"]
        assert got == {"elder-3": [], ELDER_ID: [make_reading()], "no-such-elder": []}

    @pytest.mark.parametrize(
        ("kind", "value"),
        [
            (ReadingKind.WEIGHT, 52.5),
            (ReadingKind.STEPS, 6234),
            (ReadingKind.ACTIVITY_MINUTES, 45.0),
            (ReadingKind.BLOOD_PRESSURE, {"systolic": 162, "diastolic": 101}),
        ],
        ids=["weight", "steps", "activity", "blood-pressure"],
    )
    def test_values_and_times_round_trip(
        self, uow_factory: UowFactory, kind: ReadingKind, value: Any
    ) -> None:
        reading = make_reading(
            kind=kind,
            value=value,
            source="omron-csv",
            measured_at=datetime(2025, 4, 1, 6, 30, 0, 250000, tzinfo=UTC_MINUS_5),
        )
        given(uow_factory, reading)
        with uow_factory() as uow:
            (got,) = uow.readings.list_for_elders(
                [ELDER_ID], kind, jst(DAY, 0), jst(DAY + timedelta(days=2), 0)
            )[ELDER_ID]
        assert got == reading
        assert type(got.value) is type(value)
        assert got.kind is kind
        assert got.measured_at.utcoffset() is not None

    def test_a_naive_measurement_time_is_refused_and_nothing_is_stored(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.readings.add_many(
                    [make_reading(), make_reading(measured_at=datetime(2025, 4, 1, 8, 0))]
                )
            with pytest.raises(ValueError, match="naive"):
                uow.readings.list_for_elders(
                    [ELDER_ID], ReadingKind.WEIGHT, datetime(2025, 4, 1), jst(DAY, 23)
                )
            assert uow.readings.list_for_elders(
                [ELDER_ID], ReadingKind.WEIGHT, jst(DAY, 0), jst(DAY, 23)
            ) == {ELDER_ID: []}

    def test_readings_follow_the_unit_of_work(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            assert uow.readings.add_many([make_reading()]) == 1
        with uow_factory() as uow:
            assert uow.readings.add_many([make_reading()]) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.readings.add_many([make_reading()]) == 0


class TestAlerts:
    def test_an_added_alert_can_be_read_back_by_id_and_by_key(
        self, uow_factory: UowFactory
    ) -> None:
        alert = make_alert(evidence={"slot": "morning", "values": [1, 2.5], "note": "未回答"})
        given(uow_factory, alert)
        with uow_factory() as uow:
            assert uow.alerts.get("alert-1") == alert
            assert uow.alerts.get_by_key(ELDER_ID, alert.rule, alert.period) == alert
            assert uow.alerts.get("no-such-alert") is None
            assert uow.alerts.get_by_key(ELDER_ID, alert.rule, "2025-04-02/morning") is None
            assert uow.alerts.get_by_key(ELDER_ID, "weight_drop", alert.period) is None
            assert uow.alerts.get_by_key("elder-2", alert.rule, alert.period) is None

    def test_a_duplicate_key_returns_false_keeps_the_first_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        first = make_alert()
        given(uow_factory, first)
        with uow_factory() as uow:
            duplicate = make_alert("alert-2", severity=Severity.URGENT, evidence={"other": 1})
            assert uow.alerts.add_if_absent(duplicate) is False
            next_day = make_alert("alert-3", period="2025-04-02/morning")
            assert uow.alerts.add_if_absent(next_day) is True
            uow.alerts.add_change(make_alert_change(alert_id="alert-3"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.alerts.get("alert-1") == first
            assert uow.alerts.get("alert-2") is None
            assert uow.alerts.get("alert-3") == next_day
            assert uow.alerts.get_by_key(ELDER_ID, first.rule, first.period) == first
            assert uow.alerts.history("alert-3") == [make_alert_change(alert_id="alert-3")]

    def test_a_duplicate_key_within_one_unit_returns_false(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            assert uow.alerts.add_if_absent(make_alert()) is True
            assert uow.alerts.add_if_absent(make_alert("alert-2")) is False
            assert uow.alerts.list_for_center(CENTER_ID, ALL_STATUSES) == [make_alert()]

    def test_adding_the_very_same_alert_again_returns_false(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_alert())
        with uow_factory() as uow:
            assert uow.alerts.add_if_absent(make_alert()) is False
            assert uow.alerts.get("alert-1") == make_alert()

    def test_the_same_rule_and_period_for_another_elder_is_another_alert(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_elder("elder-2"), make_alert())
        with uow_factory() as uow:
            assert uow.alerts.add_if_absent(make_alert("alert-2", elder_id="elder-2")) is True

    def test_a_taken_id_with_another_key_raises_conflict_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_alert())
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.alerts.add_if_absent(make_alert(period="2025-04-02/morning"))
            assert uow.alerts.add_if_absent(make_alert("alert-2", rule="weight_drop")) is True
            uow.commit()
        with uow_factory() as uow:
            assert uow.alerts.get("alert-1") == make_alert()
            assert uow.alerts.get_by_key(ELDER_ID, "missed_checkin", "2025-04-02/morning") is None
            assert uow.alerts.get("alert-2") == make_alert("alert-2", rule="weight_drop")

    def test_update_replaces_the_life_cycle_fields_and_keeps_key_and_creation(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_alert())
        resolved = make_alert(
            severity=Severity.PRIORITY,
            evidence={"slot": "morning", "missed": 2},
            status=AlertStatus.RESOLVED,
            stage=2,
            claimed_by="family:line-u1",
            claimed_at=datetime(2025, 4, 1, 2, 0, tzinfo=UTC),
            outcome=Outcome.NO_ACTION,
            note="電話で元気と確認。寝坊とのこと。",
            resolved_at=jst(DAY, 11, 30),
        )
        # Key and creation time differ too: update keeps the stored ones.
        with uow_factory() as uow:
            uow.alerts.update(
                dataclasses.replace(
                    resolved, rule="other", period="other", elder_id="x", created_at=jst()
                )
            )
            uow.commit()
        with uow_factory() as uow:
            got = uow.alerts.get("alert-1")
            assert uow.alerts.get_by_key(ELDER_ID, "missed_checkin", "2025-04-01/morning") == got
        assert got == resolved
        assert got is not None
        assert got.outcome is Outcome.NO_ACTION
        assert got.status is AlertStatus.RESOLVED
        assert got.severity is Severity.PRIORITY

    def test_update_can_clear_the_claim(self, uow_factory: UowFactory) -> None:
        claimed = make_alert(
            status=AlertStatus.CLAIMED, claimed_by="staff:user-1", claimed_at=jst(DAY, 10, 5)
        )
        given(uow_factory, claimed)
        with uow_factory() as uow:
            uow.alerts.update(make_alert(stage=1))
            assert uow.alerts.get("alert-1") == make_alert(stage=1)

    def test_update_of_an_unknown_alert_raises_not_found(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.alerts.update(make_alert())

    def test_a_centers_alerts_are_listed_by_severity_then_creation_then_id(
        self, uow_factory: UowFactory
    ) -> None:
        def alert(id: str, severity: Severity, created_at: datetime, **kw: Any) -> Alert:
            return make_alert(id, period=id, severity=severity, created_at=created_at, **kw)

        given(
            uow_factory,
            make_center("c-2", name="南センター"),
            make_elder("elder-2", kana="あ"),
            make_elder("elder-x", center_id="c-2"),
            alert("info-early", Severity.INFO, jst(DAY, 6)),
            alert("same-day-b", Severity.SAME_DAY, jst(DAY, 9)),
            # 09:00 JST written at UTC-5; same instant as same-day-b: the id decides.
            alert("same-day-a", Severity.SAME_DAY, jst(DAY, 9).astimezone(UTC_MINUS_5)),
            alert("same-day-early", Severity.SAME_DAY, jst(DAY, 8), elder_id="elder-2"),
            alert("urgent-late", Severity.URGENT, jst(DAY, 23)),
            alert("priority", Severity.PRIORITY, jst(DAY, 7)),
            alert(
                "claimed",
                Severity.PRIORITY,
                jst(DAY, 8),
                status=AlertStatus.CLAIMED,
                claimed_by="staff:u",
                claimed_at=jst(DAY, 9),
            ),
            alert("resolved", Severity.URGENT, jst(DAY, 5), status=AlertStatus.RESOLVED),
            alert("other-center", Severity.URGENT, jst(DAY, 1), elder_id="elder-x"),
        )
        with uow_factory() as uow:
            unresolved = uow.alerts.list_for_center(
                CENTER_ID, [AlertStatus.OPEN, AlertStatus.CLAIMED]
            )
            open_only = uow.alerts.list_for_center(CENTER_ID, {AlertStatus.OPEN})
            done = uow.alerts.list_for_center(CENTER_ID, (AlertStatus.RESOLVED,))
            nothing = uow.alerts.list_for_center(CENTER_ID, [])
            other = uow.alerts.list_for_center("c-2", ALL_STATUSES)
            unknown = uow.alerts.list_for_center("no-such-center", ALL_STATUSES)
        assert [a.id for a in unresolved] == [
            "urgent-late",
            "priority",
            "claimed",
            "same-day-early",
            "same-day-a",
            "same-day-b",
            "info-early",
        ]
        assert [a.id for a in open_only] == [a.id for a in unresolved if a.id != "claimed"]
        assert [a.id for a in done] == ["resolved"]
        assert nothing == []
        assert [a.id for a in other] == ["other-center"]
        assert unknown == []
        assert unresolved[0] == alert("urgent-late", Severity.URGENT, jst(DAY, 23))

    def test_an_elders_alerts_follow_the_elder_to_another_center(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_center("c-2", name="南センター"), make_alert())
        with uow_factory() as uow:
            uow.elders.update(make_elder(center_id="c-2"))
            assert uow.alerts.list_for_center(CENTER_ID, ALL_STATUSES) == []
            assert uow.alerts.list_for_center("c-2", ALL_STATUSES) == [make_alert()]

    def test_open_alerts_created_at_or_before_the_time_are_listed_for_escalation(
        self, uow_factory: UowFactory
    ) -> None:
        at = jst(DAY, 10)
        given(
            uow_factory,
            make_center("c-2", name="南センター"),
            make_elder("elder-x", center_id="c-2"),
            make_alert("at-the-time", period="p1", created_at=at.astimezone(UTC)),
            make_alert("just-after", period="p2", created_at=at + timedelta(microseconds=1)),
            make_alert("early", period="p3", created_at=jst(DAY, 9)),
            make_alert("other-center", elder_id="elder-x", created_at=jst(DAY, 9, 30)),
            make_alert(
                "claimed",
                period="p4",
                created_at=jst(DAY, 8),
                status=AlertStatus.CLAIMED,
                claimed_by="staff:u",
                claimed_at=jst(DAY, 8, 30),
            ),
            make_alert(
                "resolved",
                period="p5",
                created_at=jst(DAY, 7),
                status=AlertStatus.RESOLVED,
                outcome=Outcome.REACHED,
                resolved_at=jst(DAY, 7, 30),
            ),
        )
        with uow_factory() as uow:
            got = uow.alerts.list_unresolved_older_than(at)
            assert uow.alerts.list_unresolved_older_than(jst(DAY, 8)) == []
        assert [a.id for a in got] == ["early", "other-center", "at-the-time"]

    def test_existing_keys_are_the_asked_elders_keys_with_the_period_prefix(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_elder("elder-3"),
            make_alert("a1", period="2026-11-23/morning"),
            make_alert("a2", rule="concerning_answer:condition", period="2026-11-23"),
            make_alert("a3", period="2026-11-22/evening"),
            make_alert("a4", rule="weight_drop", period="2026-W48"),
            make_alert("a5", elder_id="elder-2", period="2026-11-23/morning"),
        )
        with uow_factory() as uow:
            got = uow.alerts.existing_keys([ELDER_ID, "elder-3", "no-such-elder"], "2026-11-23")
            assert uow.alerts.existing_keys([], "2026-11-23") == set()
            everything = uow.alerts.existing_keys([ELDER_ID, ELDER_ID], "")
        assert got == {
            (ELDER_ID, "missed_checkin", "2026-11-23/morning"),
            (ELDER_ID, "concerning_answer:condition", "2026-11-23"),
        }
        assert {key[2] for key in everything} == {
            "2026-11-23/morning",
            "2026-11-23",
            "2026-11-22/evening",
            "2026-W48",
        }

    def test_the_latest_opening_per_elder_and_rule_is_given_for_the_asked_rules(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_alert("a1", rule="weight_drop", period="2026-W46", created_at=jst(DAY, 9)),
            make_alert(
                "a2",
                rule="weight_drop",
                period="2026-W47",
                created_at=jst(DAY + timedelta(days=7), 9),
                status=AlertStatus.RESOLVED,
            ),
            make_alert("a3", rule="activity_drop:steps", period="2026-11-23"),
            make_alert("a4", period="2026-11-23/morning"),
            make_alert("a5", elder_id="elder-2", rule="weight_drop", period="2026-W47"),
        )
        with uow_factory() as uow:
            got = uow.alerts.latest_opened(
                [ELDER_ID, "no-such-elder"], ("weight_drop", "activity_drop:steps")
            )
            assert uow.alerts.latest_opened([], ("weight_drop",)) == {}
        assert got == {
            (ELDER_ID, "weight_drop"): jst(DAY + timedelta(days=7), 9),
            (ELDER_ID, "activity_drop:steps"): jst(DAY, 10),
        }

    def test_the_period_prefix_is_compared_exactly_not_as_a_pattern(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_alert("a1", period="2026-11-23/morning"),
            make_alert("a2", period="2026-w48"),
            make_alert("a3", period="50%_done"),
            make_alert("a4", period="週2026-11"),
        )
        with uow_factory() as uow:

            def periods(prefix: str) -> set[str]:
                return {key[2] for key in uow.alerts.existing_keys([ELDER_ID], prefix)}

            assert periods("2026-11-2_") == set()
            assert periods("2026-11-2%") == set()
            assert periods("2026-W48") == set()
            assert periods("2026-w48") == {"2026-w48"}
            assert periods("50%_") == {"50%_done"}
            assert periods("週") == {"週2026-11"}
            assert periods("2026-11-23/morning") == {"2026-11-23/morning"}
            assert periods("2026-11-23/morning/") == set()

    def test_alert_datetimes_round_trip_aware_and_equal(self, uow_factory: UowFactory) -> None:
        alert = make_alert(
            created_at=datetime(2025, 4, 1, 21, 0, 0, 1, tzinfo=UTC_MINUS_5),
            status=AlertStatus.RESOLVED,
            claimed_by="staff:user-1",
            claimed_at=datetime(2025, 4, 2, 2, 0, tzinfo=UTC),
            outcome=Outcome.AMBULANCE,
            note="救急搬送。ご家族に連絡済み。",
            resolved_at=jst(DAY + timedelta(days=1), 12, 0, 0, 999999),
        )
        given(uow_factory, alert)
        with uow_factory() as uow:
            got = uow.alerts.get("alert-1")
        assert got == alert
        assert got is not None
        for when in (got.created_at, got.claimed_at, got.resolved_at):
            assert when is not None
            assert when.utcoffset() is not None

    def test_naive_datetimes_are_refused(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_alert("alert-0", period="p0"))
        naive = datetime(2025, 4, 1, 8, 0)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.alerts.add_if_absent(make_alert(created_at=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.alerts.update(make_alert("alert-0", period="p0", claimed_at=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.alerts.list_unresolved_older_than(naive)
            with pytest.raises(ValueError, match="naive"):
                uow.alerts.add_change(make_alert_change(alert_id="alert-0", at=naive))
            assert uow.alerts.get("alert-1") is None
            assert uow.alerts.get("alert-0") == make_alert("alert-0", period="p0")
            assert uow.alerts.history("alert-0") == []

    def test_returned_alerts_are_copies(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_alert())
        with uow_factory() as uow:
            got = uow.alerts.get("alert-1")
            assert got is not None
            got.evidence["missed"] = 99
            assert uow.alerts.get("alert-1") == make_alert()


class TestAlertHistory:
    def test_history_is_oldest_first_by_time_then_order_added(
        self, uow_factory: UowFactory
    ) -> None:
        changes = [
            make_alert_change(at=jst(DAY, 10, 30), actor="system", action="escalated"),
            make_alert_change(at=jst(DAY, 10), actor="system", action="opened"),
            make_alert_change(
                at=jst(DAY, 10, 30).astimezone(UTC),
                actor="family:line-u1",
                action="claimed",
                detail={"via": "line", "名前": "山田 太郎"},
            ),
            make_alert_change(
                at=jst(DAY, 11),
                actor="family:line-u1",
                action="resolved",
                detail={"outcome": Outcome.REACHED.value, "note": "電話がつながった"},
            ),
        ]
        given(
            uow_factory,
            make_alert(),
            make_alert("alert-2", period="p2"),
            *changes,
            make_alert_change(alert_id="alert-2", at=jst(DAY, 9)),
        )
        with uow_factory() as uow:
            got = uow.alerts.history("alert-1")
            assert uow.alerts.history("alert-2") == [
                make_alert_change(alert_id="alert-2", at=jst(DAY, 9))
            ]
        assert [c.action for c in got] == ["opened", "escalated", "claimed", "resolved"]
        assert got == [changes[1], changes[0], changes[2], changes[3]]
        assert all(c.at.utcoffset() is not None for c in got)

    def test_an_alert_without_changes_has_an_empty_history(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_alert())
        with uow_factory() as uow:
            assert uow.alerts.history("alert-1") == []
            assert uow.alerts.history("no-such-alert") == []

    def test_history_follows_the_unit_of_work(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_alert())
        with uow_factory() as uow:
            uow.alerts.add_change(make_alert_change())
            assert uow.alerts.history("alert-1") == [make_alert_change()]
        with uow_factory() as uow:
            assert uow.alerts.history("alert-1") == []


class TestBulkReads:
    def test_checkins_of_several_elders_are_the_single_elder_lists_of_the_asked_elders(
        self, uow_factory: UowFactory
    ) -> None:
        d = [DAY + timedelta(days=i) for i in range(4)]
        given(
            uow_factory,
            make_elder("elder-2"),
            make_elder("elder-3"),
            make_checkin("e1-d2-evening", day=d[2], slot="evening", started_at=jst(d[2], 18)),
            make_checkin("e1-d1", day=d[1]),
            make_checkin("e1-d2-morning", day=d[2], slot="morning", started_at=jst(d[2], 8)),
            make_checkin("e1-d0", day=d[0]),
            make_checkin("e1-d3", day=d[3]),
            make_checkin("e2-d1", elder_id="elder-2", day=d[1]),
            make_checkin("e3-d2", elder_id="elder-3", day=d[2]),
        )
        with uow_factory() as uow:
            got = uow.checkins.list_for_elders([ELDER_ID, "elder-3", "no-such-elder"], d[1], d[2])
            single = uow.checkins.list_for_elder(ELDER_ID, d[1], d[2])
            assert uow.checkins.list_for_elders([], d[0], d[3]) == {}
        assert list(got) == [ELDER_ID, "elder-3", "no-such-elder"]
        assert _ids(got) == {
            ELDER_ID: ["e1-d1", "e1-d2-morning", "e1-d2-evening"],
            "elder-3": ["e3-d2"],
            "no-such-elder": [],
        }
        assert got[ELDER_ID] == single

    def test_answers_of_several_elders_are_the_single_elder_lists_of_the_asked_elders(
        self, uow_factory: UowFactory
    ) -> None:
        d = [DAY + timedelta(days=i) for i in range(3)]
        given(
            uow_factory,
            make_elder("elder-2"),
            make_elder("elder-3"),
            *[make_checkin(f"c{i}", day=d[i]) for i in range(3)],
            make_checkin("e2", elder_id="elder-2", day=d[1]),
            make_checkin("e3", elder_id="elder-3", day=d[1]),
        )
        with uow_factory() as uow:
            for checkin_id, elder_id, i, question, minute in [
                ("c2", ELDER_ID, 2, "mood", 1),
                ("c1", ELDER_ID, 1, "sleep", 1),  # same time as mood: the order given decides
                ("c1", ELDER_ID, 1, "mood", 1),
                ("c1", ELDER_ID, 1, "meal", 0),
                ("c0", ELDER_ID, 0, "mood", 1),
                ("e2", "elder-2", 1, "mood", 1),
                ("e3", "elder-3", 1, "mood", 1),
            ]:
                uow.answers.add(
                    make_answer(
                        checkin_id=checkin_id,
                        elder_id=elder_id,
                        day=d[i],
                        question_id=question,
                        answered_at=jst(d[i], 8, minute),
                    )
                )
            uow.commit()
        with uow_factory() as uow:
            got = uow.answers.list_for_elders(["elder-3", ELDER_ID, "no-such-elder"], d[1], d[2])
            single = uow.answers.list_for_elder(ELDER_ID, d[1], d[2])
            assert uow.answers.list_for_elders([], d[0], d[2]) == {}
            moods = uow.answers.list_for_elders([ELDER_ID], d[0], d[2], {"mood", "no-such"})
            nothing = uow.answers.list_for_elders([ELDER_ID], d[0], d[2], ())
        assert [(a.date, a.question_id) for a in moods[ELDER_ID]] == [
            (d[0], "mood"),
            (d[1], "mood"),
            (d[2], "mood"),
        ]
        assert nothing == {ELDER_ID: []}
        assert list(got) == ["elder-3", ELDER_ID, "no-such-elder"]
        assert [(a.date, a.question_id) for a in got[ELDER_ID]] == [
            (d[1], "meal"),
            (d[1], "sleep"),
            (d[1], "mood"),
            (d[2], "mood"),
        ]
        assert got[ELDER_ID] == single
        assert [a.checkin_id for a in got["elder-3"]] == ["e3"]
        assert got["no-such-elder"] == []

    def test_bulk_reads_give_every_kind_of_value_and_time_as_the_single_reads(
        self, uow_factory: UowFactory
    ) -> None:
        values: list[Any] = [
            "good", "good", "まあまあ", 'a "quoted" \\ word', "", "7", True, False, 0, 7, 52.0,
            52.5, -1.25, {"systolic": 150, "diastolic": 90}, {"systolic": 150, "diastolic": 90},
            [1, "two"], None,
        ]  # fmt: skip
        days = [DAY + timedelta(days=i) for i in range(len(values))]
        checkins = [
            make_checkin(
                f"c{i}",
                day=day,
                status=CheckInStatus.COMPLETED if i % 2 else CheckInStatus.STARTED,
                started_at=jst(day, 8, i),
                completed_at=jst(day, 9, i) if i % 2 else None,
            )
            for i, day in enumerate(days)
        ]
        given(uow_factory, *checkins)
        with uow_factory() as uow:
            for i, (day, value) in enumerate(zip(days, values, strict=True)):
                uow.answers.add(
                    make_answer(
                        checkin_id=f"c{i}",
                        day=day,
                        value=value,
                        answered_at=datetime(2025, 4, 1, 6, 30, 0, 250000 * (i % 4), UTC_MINUS_5)
                        + timedelta(days=i),
                        skipped="unknown" if value is None else None,
                        request_id=f"req-{i}" if i % 3 else None,
                    )
                )
            uow.commit()
        with uow_factory() as uow:
            answers = uow.answers.list_for_elders([ELDER_ID], days[0], days[-1])[ELDER_ID]
            single = uow.answers.list_for_elder(ELDER_ID, days[0], days[-1])
            got = uow.checkins.list_for_elders([ELDER_ID], days[0], days[-1])[ELDER_ID]
        assert answers == single
        assert [type(a.value) for a in answers] == [type(a.value) for a in single]
        assert [a.value for a in answers] == values  # 52 == 52.0: SQLite keeps 52.0 as 52
        assert all(a.answered_at.utcoffset() is not None for a in answers)
        assert answers[13].value is not answers[14].value  # a mutable value is no row's but its own
        assert got == checkins
        assert all(type(c.date) is date and c.started_at.utcoffset() is not None for c in got)

    def test_a_municipalitys_elders_of_every_center_are_listed_by_kana_then_id(
        self, uow_factory: UowFactory
    ) -> None:
        with uow_factory() as uow:
            seed(
                uow,
                make_elder("e-3", kana="さとう"),
                make_elder("e-2", kana="いとう", center_id="c-2"),
                make_elder("e-1", kana="さとう", center_id="c-2"),
                make_elder(
                    "e-other",
                    kana="あべ",
                    municipality_code=OTHER_MUNICIPALITY_CODE,
                    center_id="c-other",
                ),
                centers=(
                    make_center("c-2", name="南センター"),
                    make_center("c-other", OTHER_MUNICIPALITY_CODE, name="ほか"),
                ),
            )
            uow.commit()
        with uow_factory() as uow:
            got = uow.elders.list_for_municipality(MUNICIPALITY_CODE)
            other = uow.elders.list_for_municipality(OTHER_MUNICIPALITY_CODE)
            assert uow.elders.list_for_municipality("011002") == []
        assert [e.id for e in got] == ["e-2", "e-1", "e-3"]
        assert got[0] == make_elder("e-2", kana="いとう", center_id="c-2")
        assert [e.id for e in other] == ["e-other"]

    def test_all_elders_are_listed_by_id_in_code_point_order(self, uow_factory: UowFactory) -> None:
        ids = ["e-10", "E-2", "e-2", "e_1", "e.1", "エ-1"]
        with uow_factory() as uow:
            assert uow.elders.list_all() == []
            seed(uow, *[make_elder(elder_id) for elder_id in ids])
            uow.commit()
        with uow_factory() as uow:
            got = uow.elders.list_all()
        assert [e.id for e in got] == sorted(ids)
        assert got[0] == make_elder("E-2")


class TestRecipients:
    def test_added_recipients_can_be_read_back(self, uow_factory: UowFactory) -> None:
        family = make_recipient(quiet_start="21:00", quiet_end="07:00")
        inbox = make_center_inbox(active=False)
        given(uow_factory, family, inbox)
        with uow_factory() as uow:
            assert uow.recipients.get("recipient-1") == family
            assert uow.recipients.get("inbox-1") == inbox
            assert uow.recipients.get("no-such-recipient") is None

    def test_a_duplicate_id_raises_conflict_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_recipient())
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.recipients.add(make_recipient(name="別の人"))
            uow.recipients.add(make_recipient("recipient-2"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.recipients.get("recipient-1") == make_recipient()
            assert uow.recipients.get("recipient-2") == make_recipient("recipient-2")

    def test_a_centers_own_recipients_are_listed_by_name_then_id(
        self, uow_factory: UowFactory
    ) -> None:
        given(
            uow_factory,
            make_center("c-2", name="南センター"),
            make_elder("elder-2", center_id="c-2"),
            make_center_inbox("inbox-b", name="代表"),
            make_center_inbox("inbox-a", name="代表"),
            make_center_inbox("inbox-z", name="Aさん", active=False),
            make_center_inbox("inbox-other", center_id="c-2"),
            make_recipient("family-1"),
            make_recipient("family-2", elder_id="elder-2", center_id="c-2"),
        )
        with uow_factory() as uow:
            got = uow.recipients.list_for_center(CENTER_ID)
            other = uow.recipients.list_for_center("c-2")
            assert uow.recipients.list_for_center("no-such-center") == []
        assert [r.id for r in got] == ["inbox-z", "inbox-a", "inbox-b"]
        assert got[0] == make_center_inbox("inbox-z", name="Aさん", active=False)
        assert [r.id for r in other] == ["inbox-other"]

    def test_an_elders_recipients_are_listed_by_name_then_id(self, uow_factory: UowFactory) -> None:
        given(
            uow_factory,
            make_elder("elder-2"),
            make_recipient("r-3", name="山田 次郎"),
            make_recipient("r-2", name="山田 太郎"),
            make_recipient("r-1", name="山田 太郎", channel="line", address="U1234"),
            make_recipient("r-other", elder_id="elder-2"),
            make_center_inbox(),
        )
        with uow_factory() as uow:
            got = uow.recipients.list_for_elder(ELDER_ID)
            assert uow.recipients.list_for_elder("no-such-elder") == []
        assert [r.id for r in got] == ["r-1", "r-2", "r-3"]
        assert got[0] == make_recipient("r-1", name="山田 太郎", channel="line", address="U1234")

    def test_update_replaces_the_recipient(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_recipient())
        changed = make_recipient(
            address="taro2@example.jp", quiet_start="22:00", quiet_end="06:30", active=False
        )
        with uow_factory() as uow:
            uow.recipients.update(changed)
            with pytest.raises(NotFound):
                uow.recipients.update(make_recipient("no-such-recipient"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.recipients.get("recipient-1") == changed


def _at(minutes: int) -> datetime:
    """Return 10:00 JST of ``DAY`` plus ``minutes``."""
    return jst(DAY, 10) + timedelta(minutes=minutes)


class TestOutbox:
    @staticmethod
    def _given(uow_factory: UowFactory, *objects: Any) -> None:
        given(uow_factory, make_recipient(), *objects)

    def test_an_added_message_can_be_read_back_aware_and_equal(
        self, uow_factory: UowFactory
    ) -> None:
        message = make_outbox_message(
            urgent=True,
            created_at=datetime(2025, 4, 1, 20, 0, 0, 1, tzinfo=UTC_MINUS_5),
            not_before=jst(DAY, 10, 0, 0, 999999),
            attempts=2,
            next_attempt_at=datetime(2025, 4, 2, 1, 2, tzinfo=UTC),
            last_error="SMTP 451 (RCPT): try again later",
            alert_id="alert-1",
            last_attempt_at=jst(DAY, 10, 1),
        )
        self._given(uow_factory, make_alert(), message)
        with uow_factory() as uow:
            got = uow.outbox.get("msg-1")
            assert uow.outbox.get("no-such-message") is None
        assert got == message
        assert got is not None
        for when in (got.created_at, got.not_before, got.next_attempt_at, got.last_attempt_at):
            assert when is not None
            assert when.utcoffset() is not None
        assert got.subject == message.subject
        assert got.body == message.body

    def test_a_taken_id_is_not_queued_again_and_the_unit_stays_usable(
        self, uow_factory: UowFactory
    ) -> None:
        self._given(uow_factory, make_outbox_message())
        with uow_factory() as uow:
            assert uow.outbox.add_if_absent(make_outbox_message(subject="別の件名")) is False
            assert uow.outbox.add_if_absent(make_outbox_message()) is False
            assert uow.outbox.add_if_absent(make_outbox_message("msg-2")) is True
            assert uow.outbox.add_if_absent(make_outbox_message("msg-2", urgent=True)) is False
            uow.commit()
        with uow_factory() as uow:
            assert uow.outbox.get("msg-1") == make_outbox_message()
            assert uow.outbox.get("msg-2") == make_outbox_message("msg-2")

    def test_an_uncommitted_message_is_rolled_back(self, uow_factory: UowFactory) -> None:
        self._given(uow_factory)
        with uow_factory() as uow:
            assert uow.outbox.add_if_absent(make_outbox_message()) is True
        with uow_factory() as uow:
            assert uow.outbox.get("msg-1") is None
            assert uow.outbox.add_if_absent(make_outbox_message()) is True

    def test_due_lists_pending_messages_whose_time_has_come_oldest_first(
        self, uow_factory: UowFactory
    ) -> None:
        now = _at(30)
        self._given(
            uow_factory,
            make_outbox_message("fresh-b", created_at=_at(5)),
            # Same instant as fresh-b written in another zone: the id decides.
            make_outbox_message("fresh-a", created_at=_at(5).astimezone(UTC_MINUS_5)),
            make_outbox_message("oldest", created_at=_at(-60)),
            make_outbox_message("not-before-now", created_at=_at(0), not_before=now),
            make_outbox_message("not-before-later", not_before=now + timedelta(microseconds=1)),
            make_outbox_message(
                "retry-now", created_at=_at(1), attempts=1, next_attempt_at=now.astimezone(UTC)
            ),
            make_outbox_message("retry-later", attempts=3, next_attempt_at=_at(31)),
            # Claimed by a sweep (a lease, no attempt yet) until later.
            make_outbox_message("claimed", attempts=0, next_attempt_at=_at(35)),
            make_outbox_message("sent", attempts=1, sent_at=_at(2), last_attempt_at=_at(2)),
            make_outbox_message("given-up", attempts=1, last_error="SMTP 550 (RCPT): no user"),
        )
        with uow_factory() as uow:
            got = uow.outbox.due(now, 100)
            assert [m.id for m in uow.outbox.due(now, 2)] == ["oldest", "not-before-now"]
            assert uow.outbox.due(now, 0) == []
            later = uow.outbox.due(_at(40), 100)
        assert [m.id for m in got] == [
            "oldest",
            "not-before-now",
            "retry-now",
            "fresh-a",
            "fresh-b",
        ]
        assert got[0] == make_outbox_message("oldest", created_at=_at(-60))
        # Four created at 10:00: the id decides among them.
        assert [m.id for m in later] == [
            "oldest",
            "claimed",
            "not-before-later",
            "not-before-now",
            "retry-later",
            "retry-now",
            "fresh-a",
            "fresh-b",
        ]

    def test_a_due_message_is_claimed_once_until_the_lease_ends(
        self, uow_factory: UowFactory
    ) -> None:
        self._given(
            uow_factory, make_outbox_message(), make_outbox_message("later", not_before=_at(60))
        )
        with uow_factory() as uow:
            assert uow.outbox.claim("msg-1", _at(1), _at(6)) is True
            assert uow.outbox.claim("msg-1", _at(2), _at(7)) is False
            assert uow.outbox.claim("later", _at(1), _at(6)) is False
            assert uow.outbox.claim("no-such-message", _at(1), _at(6)) is False
            assert uow.outbox.due(_at(5), 10) == []
            uow.commit()
        with uow_factory() as uow:
            claimed = uow.outbox.get("msg-1")
            assert claimed == make_outbox_message(next_attempt_at=_at(6))
            assert [m.id for m in uow.outbox.due(_at(6), 10)] == ["msg-1"]
            # The claimer died: the lease is over, another sweep may take it.
            assert uow.outbox.claim("msg-1", _at(6), _at(11)) is True
            assert uow.outbox.get("later") == make_outbox_message("later", not_before=_at(60))

    def test_sent_and_given_up_messages_cannot_be_claimed(self, uow_factory: UowFactory) -> None:
        self._given(
            uow_factory,
            make_outbox_message("sent", attempts=1, sent_at=_at(1)),
            make_outbox_message("given-up", attempts=1, last_error="SMTP 550 (RCPT)"),
        )
        with uow_factory() as uow:
            assert uow.outbox.claim("sent", _at(30), _at(35)) is False
            assert uow.outbox.claim("given-up", _at(30), _at(35)) is False
            assert uow.outbox.get("sent") == make_outbox_message("sent", attempts=1, sent_at=_at(1))

    def test_mark_sent_records_the_send(self, uow_factory: UowFactory) -> None:
        self._given(
            uow_factory,
            make_outbox_message(attempts=2, next_attempt_at=_at(5), last_error="timeout"),
        )
        with uow_factory() as uow:
            uow.outbox.mark_sent("msg-1", _at(6))
            uow.commit()
        with uow_factory() as uow:
            got = uow.outbox.get("msg-1")
            # A second mark (another sweep, a resend) keeps the first send.
            uow.outbox.mark_sent("msg-1", _at(9))
            assert uow.outbox.get("msg-1") == got
            assert uow.outbox.due(_at(60), 10) == []
        assert got == make_outbox_message(
            attempts=3, sent_at=_at(6), last_attempt_at=_at(6), last_error="timeout"
        )

    def test_mark_failed_with_a_next_attempt_keeps_the_message_pending(
        self, uow_factory: UowFactory
    ) -> None:
        self._given(uow_factory, make_outbox_message())
        with uow_factory() as uow:
            uow.outbox.mark_failed("msg-1", _at(1), "connect: ConnectionRefusedError", _at(2))
            uow.outbox.mark_failed("msg-1", _at(2), "SMTP 421 (RCPT): busy", _at(4))
            uow.commit()
        with uow_factory() as uow:
            got = uow.outbox.get("msg-1")
            assert uow.outbox.due(_at(3), 10) == []
            assert [m.id for m in uow.outbox.due(_at(4), 10)] == ["msg-1"]
        assert got == make_outbox_message(
            attempts=2,
            next_attempt_at=_at(4),
            last_error="SMTP 421 (RCPT): busy",
            last_attempt_at=_at(2),
        )
        assert got is not None
        assert not got.given_up

    def test_mark_failed_without_a_next_attempt_gives_the_message_up(
        self, uow_factory: UowFactory
    ) -> None:
        self._given(uow_factory, make_outbox_message())
        with uow_factory() as uow:
            uow.outbox.mark_failed("msg-1", _at(1), "SMTP 550 (RCPT): no such user", None)
            uow.commit()
        with uow_factory() as uow:
            got = uow.outbox.get("msg-1")
            assert uow.outbox.due(_at(24 * 60), 10) == []
            # Given up stays given up: no later failure or deferral revives it.
            uow.outbox.mark_failed("msg-1", _at(2), "again", _at(3))
            uow.outbox.defer("msg-1", _at(5))
            assert uow.outbox.get("msg-1") == got
        expected = make_outbox_message(
            attempts=1, last_error="SMTP 550 (RCPT): no such user", last_attempt_at=_at(1)
        )
        assert got == expected
        assert expected.given_up

    def test_a_sent_message_is_not_changed_by_a_later_failure_or_deferral(
        self, uow_factory: UowFactory
    ) -> None:
        sent = make_outbox_message(attempts=1, sent_at=_at(1), last_attempt_at=_at(1))
        self._given(uow_factory, sent)
        with uow_factory() as uow:
            uow.outbox.mark_failed("msg-1", _at(2), "timeout", _at(3))
            uow.outbox.defer("msg-1", _at(60))
            assert uow.outbox.get("msg-1") == sent

    def test_defer_moves_not_before_and_counts_no_attempt(self, uow_factory: UowFactory) -> None:
        self._given(uow_factory, make_outbox_message())
        with uow_factory() as uow:
            uow.outbox.defer("msg-1", jst(DAY + timedelta(days=1), 7))
            uow.commit()
        with uow_factory() as uow:
            got = uow.outbox.get("msg-1")
            assert uow.outbox.due(jst(DAY + timedelta(days=1), 6, 59), 10) == []
            assert [m.id for m in uow.outbox.due(jst(DAY + timedelta(days=1), 7), 10)] == ["msg-1"]
        assert got == make_outbox_message(not_before=jst(DAY + timedelta(days=1), 7))

    def test_marking_an_unknown_message_raises_not_found(self, uow_factory: UowFactory) -> None:
        self._given(uow_factory)
        with uow_factory() as uow:
            with pytest.raises(NotFound):
                uow.outbox.mark_sent("no-such-message", _at(1))
            with pytest.raises(NotFound):
                uow.outbox.mark_failed("no-such-message", _at(1), "x", None)
            with pytest.raises(NotFound):
                uow.outbox.defer("no-such-message", _at(1))
            assert uow.outbox.add_if_absent(make_outbox_message()) is True

    def test_an_alerts_messages_are_listed_by_creation_then_id(
        self, uow_factory: UowFactory
    ) -> None:
        self._given(
            uow_factory,
            make_alert(),
            make_alert("alert-2", period="2025-04-02/morning"),
            make_outbox_message("m-late", alert_id="alert-1", created_at=_at(30)),
            make_outbox_message("m-b", alert_id="alert-1", created_at=_at(0)),
            make_outbox_message("m-a", alert_id="alert-1", created_at=_at(0).astimezone(UTC)),
            make_outbox_message("m-other", alert_id="alert-2"),
            make_outbox_message("m-none"),
        )
        with uow_factory() as uow:
            got = uow.outbox.list_for_alert("alert-1")
            assert uow.outbox.list_for_alert("no-such-alert") == []
        assert [m.id for m in got] == ["m-a", "m-b", "m-late"]
        assert got[1] == make_outbox_message("m-b", alert_id="alert-1", created_at=_at(0))

    def test_naive_datetimes_are_refused(self, uow_factory: UowFactory) -> None:
        self._given(uow_factory, make_outbox_message("msg-0"))
        naive = datetime(2025, 4, 1, 10, 0)
        with uow_factory() as uow:
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.add_if_absent(make_outbox_message(created_at=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.add_if_absent(make_outbox_message(next_attempt_at=naive))
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.due(naive, 10)
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.claim("msg-0", naive, _at(5))
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.defer("msg-0", naive)
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.mark_sent("msg-0", naive)
            with pytest.raises(ValueError, match="naive"):
                uow.outbox.mark_failed("msg-0", _at(1), "x", naive)
            assert uow.outbox.get("msg-1") is None
            assert uow.outbox.get("msg-0") == make_outbox_message("msg-0")


# --- notices (issue 5) -------------------------------------------------------------------


class TestNotices:
    def test_a_notice_reads_back_equal_with_its_audience_and_recurrence(
        self, uow_factory: UowFactory
    ) -> None:
        notice = make_notice(
            "032158/a",
            priority=Priority.DISASTER,
            audience=Audience(districts=("北地区",), centers=(CENTER_ID,), elders=(ELDER_ID,)),
            recurrence=Recurrence(weekdays=(2,), nth=(1, 3), dates=(date(2026, 12, 30),)),
            ends_at=jst(date(2027, 4, 1), 0),
            image_url="https://example.jp/a.png",
        )
        given(uow_factory)
        with uow_factory() as uow:
            uow.notices.add(notice)
            with pytest.raises(Conflict):
                uow.notices.add(notice)
            uow.commit()
        with uow_factory() as uow:
            assert uow.notices.get("032158/a") == notice
            assert uow.notices.get("nothing") is None

    def test_an_exercise_notice_reads_back_equal_with_its_kind_and_time_window(
        self, uow_factory: UowFactory
    ) -> None:
        taiso = make_exercise(at=time(10, 0), start=time(9, 45), end=time(11, 30))
        given(uow_factory)
        with uow_factory() as uow:
            uow.notices.add(taiso)
            uow.commit()
        with uow_factory() as uow:
            stored = uow.notices.get(taiso.id)
        assert stored == taiso
        assert stored.window == TimeWindow(time(10, 0), time(9, 45), time(11, 30))

    def test_update_keeps_created_at_and_a_missing_notice_raises(
        self, uow_factory: UowFactory
    ) -> None:
        notice = make_notice("032158/a")
        given(uow_factory)
        with uow_factory() as uow:
            uow.notices.add(notice)
            changed = dataclasses.replace(
                notice,
                title="変更",
                status=NoticeStatus.WITHDRAWN,
                created_at=jst(date(2030, 1, 1)),
                updated_at=jst(date(2026, 11, 2)),
            )
            uow.notices.update(changed)
            with pytest.raises(NotFound):
                uow.notices.update(make_notice("032158/none"))
            uow.commit()
        with uow_factory() as uow:
            stored = uow.notices.get("032158/a")
        assert stored == dataclasses.replace(changed, created_at=notice.created_at)

    def test_notices_are_listed_per_municipality_by_start_then_id(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        late = make_notice("032158/b", starts_at=jst(date(2026, 11, 2), 0))
        early_b = make_notice("032158/c", starts_at=jst(date(2026, 11, 1), 0))
        early_a = make_notice("032158/a", starts_at=jst(date(2026, 11, 1), 0))
        other = make_notice("131016/x", municipality_code=OTHER_MUNICIPALITY_CODE)
        with uow_factory() as uow:
            uow.municipalities.add(make_municipality(OTHER_MUNICIPALITY_CODE))
            for n in (late, early_b, other, early_a):
                uow.notices.add(n)
            uow.commit()
        with uow_factory() as uow:
            assert [n.id for n in uow.notices.list_for_municipality(MUNICIPALITY_CODE)] == [
                "032158/a",
                "032158/c",
                "032158/b",
            ]

    def test_speakers_are_listed_per_asked_elder(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_elder("elder-2"), make_elder("elder-3"))
        with uow_factory() as uow:
            uow.devices.bind(make_binding(alexa_user_id="amzn1.u.b", device_id="d1"))
            uow.devices.bind(make_binding(alexa_user_id="amzn1.u.a", device_id="d2"))
            uow.devices.bind(make_binding(alexa_user_id="amzn1.u.a", device_id="d3"))
            uow.devices.bind(
                make_binding(alexa_user_id="amzn1.u.c", device_id="d4", elder_id="elder-2")
            )
            uow.commit()
        with uow_factory() as uow:
            assert uow.notices.speakers_for([ELDER_ID, "elder-3", ELDER_ID, "ghost"]) == {
                ELDER_ID: ["amzn1.u.a", "amzn1.u.b"],
                "elder-3": [],
                "ghost": [],
            }


class TestNoticeDeliveries:
    def test_heard_is_stored_once_per_occurrence_and_kept_as_first_stored(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_elder("elder-2"))
        at = jst(date(2026, 11, 23), 7)
        with uow_factory() as uow:
            uow.notices.add(make_notice("032158/a"))
            first = NoticeDelivery("032158/a", ELDER_ID, "2026-11-23", at, detail={"r": "1"})
            assert uow.notice_deliveries.mark_heard(first)
            later = dataclasses.replace(first, heard_at=at + timedelta(hours=1), detail={})
            assert not uow.notice_deliveries.mark_heard(later)
            assert uow.notice_deliveries.mark_heard(
                NoticeDelivery("032158/a", ELDER_ID, "2026-11-26", at)
            )
            assert uow.notice_deliveries.mark_heard(
                NoticeDelivery("032158/a", "elder-2", "2026-11-23", at)
            )
            uow.commit()
        with uow_factory() as uow:
            mine = uow.notice_deliveries.list_for_elder(ELDER_ID, ["032158/a", "other"])
            assert mine[0] == first
            assert [d.occurrence for d in mine] == ["2026-11-23", "2026-11-26"]
            assert [d.elder_id for d in uow.notice_deliveries.list_for_notice("032158/a")] == [
                ELDER_ID,
                ELDER_ID,
                "elder-2",
            ]
            assert uow.notice_deliveries.list_for_elder(ELDER_ID, []) == []

    def test_a_safety_answer_is_recorded_on_a_heard_delivery_only(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        at = jst(date(2026, 11, 23), 7)
        with uow_factory() as uow:
            uow.notices.add(make_notice("032158/a", priority=Priority.DISASTER))
            with pytest.raises(NotFound):
                uow.notice_deliveries.record_safety("032158/a", ELDER_ID, ONCE, Safety.SAFE, at)
            uow.notice_deliveries.mark_heard(NoticeDelivery("032158/a", ELDER_ID, ONCE, at))
            uow.notice_deliveries.record_safety("032158/a", ELDER_ID, ONCE, Safety.SAFE, at)
            later = at + timedelta(minutes=5)
            uow.notice_deliveries.record_safety("032158/a", ELDER_ID, ONCE, Safety.NEED_HELP, later)
            uow.commit()
        with uow_factory() as uow:
            (delivery,) = uow.notice_deliveries.list_for_notice("032158/a")
        assert delivery.safety is Safety.NEED_HELP
        assert delivery.safety_at == later
        assert delivery.heard_at == at

    def test_a_delivery_of_an_unknown_notice_or_elder_raises_not_found(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        at = jst(date(2026, 11, 23), 7)
        with uow_factory() as uow:
            uow.notices.add(make_notice("032158/a"))
            with pytest.raises(NotFound):
                uow.notice_deliveries.mark_heard(NoticeDelivery("nothing", ELDER_ID, ONCE, at))
            with pytest.raises(NotFound):
                uow.notice_deliveries.mark_heard(NoticeDelivery("032158/a", "ghost", ONCE, at))


# --- dashboard: sessions, failed logins, audit log ------------------------------------------


def _session(id: str = "sess-1", *, user_id: str | None = None, minutes: int = 0):
    from backend.domain.staff import StaffSession

    at = jst(DAY, 9) + timedelta(minutes=minutes)
    return StaffSession(
        id=id, user_id=user_id, data={"csrf_token": "t"}, created_at=at, last_seen_at=at
    )


class TestSessions:
    def test_an_added_session_reads_back_equal(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.sessions.add(_session())
            uow.commit()
        with uow_factory() as uow:
            assert uow.sessions.get("sess-1") == _session()
            assert uow.sessions.get("no-such-session") is None

    def test_a_taken_id_is_a_conflict(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.sessions.add(_session())
            with pytest.raises(Conflict):
                uow.sessions.add(_session())

    def test_save_replaces_user_data_and_last_seen_but_keeps_created_at(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user())
        with uow_factory() as uow:
            uow.sessions.add(_session())
            later = dataclasses.replace(
                _session(minutes=5),
                user_id="user-1",
                data={"_user_id": "user-1", "n": [1, "二"]},
            )
            uow.sessions.save(later)
            uow.commit()
        with uow_factory() as uow:
            found = uow.sessions.get("sess-1")
        assert found is not None
        assert found.user_id == "user-1"
        assert found.data == {"_user_id": "user-1", "n": [1, "二"]}
        assert found.last_seen_at == jst(DAY, 9, 5)
        assert found.created_at == jst(DAY, 9)

    def test_saving_an_unknown_session_raises_not_found(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.sessions.save(_session())

    def test_delete_says_whether_the_session_existed(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.sessions.add(_session())
            assert uow.sessions.delete("sess-1") is True
            assert uow.sessions.delete("sess-1") is False
            assert uow.sessions.get("sess-1") is None

    def test_delete_expired_removes_idle_and_too_old_sessions_only(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        old = dataclasses.replace(_session("old"), last_seen_at=jst(DAY, 11))
        idle = _session("idle", minutes=30)
        fresh = _session("fresh", minutes=90)
        with uow_factory() as uow:
            for s in (old, idle, fresh):
                uow.sessions.add(s)
            removed = uow.sessions.delete_expired(
                idle_before=jst(DAY, 10), created_before=jst(DAY, 9, 1)
            )
            uow.commit()
        assert removed == 2
        with uow_factory() as uow:
            assert [uow.sessions.get(i) is not None for i in ("old", "idle", "fresh")] == [
                False,
                False,
                True,
            ]

    def test_delete_for_user_removes_only_that_users_sessions(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user(), make_user("user-2", login="other"))
        with uow_factory() as uow:
            uow.sessions.add(_session("a", user_id="user-1"))
            uow.sessions.add(_session("b", user_id="user-1"))
            uow.sessions.add(_session("c", user_id="user-2"))
            uow.sessions.add(_session("d"))
            assert uow.sessions.delete_for_user("user-1") == 2
            assert [uow.sessions.get(i) is not None for i in "abcd"] == [
                False,
                False,
                True,
                True,
            ]

    def test_naive_datetimes_are_refused(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        naive = dataclasses.replace(_session(), created_at=datetime(2025, 4, 1, 9))
        with uow_factory() as uow, pytest.raises(ValueError, match="naive"):
            uow.sessions.add(naive)


class TestLoginFailures:
    def test_failures_are_counted_per_key_from_a_time_on(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            for minute in (0, 5, 10):
                uow.login_failures.add("login:sato", jst(DAY, 9, minute))
            uow.login_failures.add("ip:127.0.0.1", jst(DAY, 9, 5))
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.count_since("login:sato", jst(DAY, 9, 5)) == 2
            assert uow.login_failures.count_since("login:sato", jst(DAY, 8)) == 3
            assert uow.login_failures.count_since("ip:127.0.0.1", jst(DAY, 8)) == 1
            assert uow.login_failures.count_since("login:nobody", jst(DAY, 8)) == 0

    def test_clear_forgets_one_key_and_prune_forgets_old_failures(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.login_failures.add("login:sato", jst(DAY, 9))
            uow.login_failures.add("login:sato", jst(DAY, 10))
            uow.login_failures.add("ip:10.0.0.1", jst(DAY, 9))
            uow.login_failures.add("ip:10.0.0.1", jst(DAY, 11))
            assert uow.login_failures.clear("login:sato") == 2
            assert uow.login_failures.prune(jst(DAY, 10)) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.count_since("login:sato", jst(DAY, 0)) == 0
            assert uow.login_failures.count_since("ip:10.0.0.1", jst(DAY, 0)) == 1


LIMITS = MappingProxyType({"login:sato": 2, "ip:10.0.0.1": 3})


class TestLoginFailureReservations:
    def test_a_reservation_counts_a_failure_under_every_key_while_each_has_room(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        for minute in (0, 1):
            with uow_factory() as uow:
                assert uow.login_failures.reserve(LIMITS, jst(DAY, 9, minute), jst(DAY, 8))
                uow.commit()
        with uow_factory() as uow:
            assert not uow.login_failures.reserve(LIMITS, jst(DAY, 9, 2), jst(DAY, 8))
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.count_since("login:sato", jst(DAY, 8)) == 2
            assert uow.login_failures.count_since("ip:10.0.0.1", jst(DAY, 8)) == 2

    def test_failures_before_the_window_leave_room(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            for minute in (0, 1, 2):
                uow.login_failures.add("login:sato", jst(DAY, 8, minute))
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.reserve(LIMITS, jst(DAY, 9), jst(DAY, 8, 30))
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.count_since("login:sato", jst(DAY, 0)) == 4

    def test_a_full_key_refuses_and_records_nothing_under_the_others(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            for minute in (0, 1, 2):
                uow.login_failures.add("ip:10.0.0.1", jst(DAY, 9, minute))
            uow.commit()
        with uow_factory() as uow:
            assert not uow.login_failures.reserve(LIMITS, jst(DAY, 9, 5), jst(DAY, 8))
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.count_since("login:sato", jst(DAY, 0)) == 0
            assert uow.login_failures.count_since("ip:10.0.0.1", jst(DAY, 0)) == 3

    def test_release_forgets_one_reservation_of_one_key(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        at = jst(DAY, 9) + timedelta(microseconds=123457)  # a clock's time, not a round one
        with uow_factory() as uow:
            assert uow.login_failures.reserve(LIMITS, at, jst(DAY, 8))
            assert uow.login_failures.reserve(LIMITS, at, jst(DAY, 8))
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.release("ip:10.0.0.1", at)
            assert not uow.login_failures.release("ip:10.0.0.1", jst(DAY, 9))
            assert not uow.login_failures.release("ip:10.0.0.2", at)
            uow.commit()
        with uow_factory() as uow:
            assert uow.login_failures.count_since("ip:10.0.0.1", jst(DAY, 0)) == 1
            assert uow.login_failures.count_since("login:sato", jst(DAY, 0)) == 2
            assert uow.login_failures.clear("login:sato") == 2


class TestLoginFailureRaces:
    """Concurrent reservations on a real store (the fake store has no concurrency)."""

    def test_of_twelve_reservations_at_once_only_the_limit_succeed(
        self, uow_factory: UowFactory
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor
        from threading import Barrier

        from backend.domain.errors import StoreBusy

        given(uow_factory)
        attempts = 12
        start = Barrier(attempts)

        def reserve(n: int) -> bool:
            start.wait()
            while True:  # each round commits at least one unit: this ends
                try:
                    with uow_factory() as uow:
                        room = uow.login_failures.reserve(
                            {"login:sato": 5, "ip:127.0.0.1": 20}, jst(DAY, 9, n), jst(DAY, 8)
                        )
                        uow.commit()
                    return room
                except StoreBusy:
                    continue

        with ThreadPoolExecutor(max_workers=attempts) as pool:
            outcomes = list(pool.map(reserve, range(attempts)))
        assert outcomes.count(True) == 5
        with uow_factory() as uow:
            assert uow.login_failures.count_since("login:sato", jst(DAY, 0)) == 5
            assert uow.login_failures.count_since("ip:127.0.0.1", jst(DAY, 0)) == 5


class TestAuditLog:
    def _entry(self, minute: int, action: str = "view_elder", elder_id: str | None = ELDER_ID):
        from backend.domain.staff import AuditEntry

        return AuditEntry(
            at=jst(DAY, 9, minute),
            actor="staff:user-1",
            action=action,
            elder_id=elder_id,
            detail={"page": "elder", "n": minute},
        )

    def test_entries_of_an_elder_read_back_oldest_first_ties_in_order_added(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.audit.add(self._entry(5, "second"))
            uow.audit.add(self._entry(1, "first"))
            uow.audit.add(self._entry(5, "third"))
            uow.audit.add(self._entry(2, "board", elder_id=None))
            uow.audit.add(self._entry(3, "other", elder_id="elder-2"))
            uow.commit()
        with uow_factory() as uow:
            found = uow.audit.list_for_elder(ELDER_ID)
            since = uow.audit.list_since(jst(DAY, 9, 2))
        assert [e.action for e in found] == ["first", "second", "third"]
        assert found[0] == self._entry(1, "first")
        assert [e.action for e in since] == ["board", "other", "second", "third"]

    def test_an_entry_not_committed_is_not_kept(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            uow.audit.add(self._entry(1))
        with uow_factory() as uow:
            assert uow.audit.list_for_elder(ELDER_ID) == []


class TestApiTokens:
    def _token(self, id: str = "tok-1", minute: int = 0, user_id: str = "user-1"):
        from backend.domain.staff import ApiToken

        return ApiToken(id=id, user_id=user_id, name="集計システム", created_at=jst(DAY, 9, minute))

    def test_a_token_reads_back_and_is_listed_for_its_user(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_user(), make_user("user-2", login="other"))
        with uow_factory() as uow:
            uow.api_tokens.add(self._token("b", 5))
            uow.api_tokens.add(self._token("a", 5))
            uow.api_tokens.add(self._token("c", 1))
            uow.api_tokens.add(self._token("d", 0, user_id="user-2"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.api_tokens.get("a") == self._token("a", 5)
            assert uow.api_tokens.get("nope") is None
            assert [t.id for t in uow.api_tokens.list_for_user("user-1")] == ["c", "a", "b"]

    def test_a_taken_id_is_a_conflict_and_an_unknown_user_not_found(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user())
        with uow_factory() as uow:
            uow.api_tokens.add(self._token())
            with pytest.raises(Conflict):
                uow.api_tokens.add(self._token())
            with pytest.raises(NotFound):
                uow.api_tokens.add(self._token("x", user_id="no-such-user"))

    def test_revoking_keeps_the_first_revocation(self, uow_factory: UowFactory) -> None:
        given(uow_factory, make_user())
        with uow_factory() as uow:
            uow.api_tokens.add(self._token())
            uow.api_tokens.revoke("tok-1", jst(DAY, 10))
            uow.api_tokens.revoke("tok-1", jst(DAY, 11))
            with pytest.raises(NotFound):
                uow.api_tokens.revoke("nope", jst(DAY, 10))
            uow.commit()
        with uow_factory() as uow:
            token = uow.api_tokens.get("tok-1")
        assert token is not None
        assert token.revoked_at == jst(DAY, 10)
        assert not token.active


class TestBoardReadModel:
    def test_a_center_reads_back_with_the_days_check_ins_last_opening_and_pairing(
        self, uow_factory: UowFactory
    ) -> None:
        other_center = make_center("center-2", name="南センター")
        first = make_elder("e-b", name="二", kana="あ")
        second = make_elder("e-a", name="一", kana="い")
        same_kana = make_elder("e-c", name="三", kana="い")
        elsewhere = make_elder("e-x", name="外", kana="あ", center_id="center-2")
        with uow_factory() as uow:
            seed(uow, first, second, same_kana, elsewhere, centers=(other_center,))
            for n, (elder_id, day, hour) in enumerate(
                [
                    ("e-b", DAY, 9),
                    ("e-b", DAY, 7),
                    ("e-b", DAY - timedelta(days=3), 8),
                    ("e-a", DAY - timedelta(days=20), 8),
                    ("e-x", DAY, 8),
                ]
            ):
                uow.checkins.add(
                    make_checkin(
                        f"c{n}",
                        elder_id=elder_id,
                        day=day,
                        slot=f"s{n}",
                        started_at=jst(day, hour),
                    )
                )
            uow.devices.bind(make_binding(device_id="d1", elder_id="e-b", bound_at=jst(DAY, 6)))
            uow.devices.bind(make_binding(device_id="d2", elder_id="e-b", bound_at=jst(DAY, 5)))
            uow.devices.bind(make_binding(device_id="d3", elder_id="e-x", bound_at=jst(DAY, 5)))
            uow.commit()
        with uow_factory() as uow:
            found = uow.board.center_board(CENTER_ID, DAY, DAY - timedelta(days=14))
        assert [e.elder.id for e in found] == ["e-b", "e-a", "e-c"]
        assert found[0].elder == first
        assert [c.id for c in found[0].checkins] == ["c1", "c0"]
        assert found[0].last_checkin_at == jst(DAY, 9)
        assert found[0].bound_at == jst(DAY, 5)
        assert found[1].checkins == ()
        assert found[1].last_checkin_at is None  # 20 days ago: outside the window
        assert found[1].bound_at is None

    @pytest.mark.parametrize("hour", [5, 7, 12, 19, 23])
    def test_the_board_service_matches_the_board_worked_out_elder_by_elder(
        self, uow_factory: UowFactory, hour: int
    ) -> None:
        with uow_factory() as uow:
            random_center(uow, random.Random(hour))
            uow.commit()
        svc = Services(
            uow=uow_factory,
            question_sets=_board_sets,
            clock=lambda: jst(DAY, hour, 30),
            tz=ZoneInfo("Asia/Tokyo"),
        )
        with uow_factory() as uow:
            user = uow.users.get("user-1")
        for district in (None, "北"):
            found = today_board.board(svc, user, district=district)
            rows, counts, districts = reference_board(svc, "user-1", district)
            assert [r.elder.id for r in found.rows] == [r.elder.id for r in rows]
            assert found.rows == rows
            assert found.counts == counts
            assert found.districts == districts
        assert len(rows) > 5  # the district filter left some
        assert len({c.state for r in found.rows for c in r.cells}) >= 3

    def test_an_empty_center_has_an_empty_board(self, uow_factory: UowFactory) -> None:
        given(uow_factory)
        with uow_factory() as uow:
            assert uow.board.center_board("no-such-center", DAY, DAY) == []

    def test_the_last_opening_is_the_latest_start_among_check_ins_dated_in_the_window(
        self, uow_factory: UowFactory
    ) -> None:
        rows = [
            ("late", DAY - timedelta(days=1), jst(DAY, 10)),  # dated yesterday, opened today
            ("today", DAY, jst(DAY, 9)),
            ("tomorrow", DAY + timedelta(days=1), jst(DAY, 11)),  # dated after the day
            ("before", DAY - timedelta(days=15), jst(DAY, 12)),  # dated before the window
        ]
        with uow_factory() as uow:
            seed(uow, make_elder())
            for checkin_id, day, started_at in rows:
                uow.checkins.add(make_checkin(checkin_id, day=day, started_at=started_at))
            uow.commit()
        with uow_factory() as uow:
            (found,) = uow.board.center_board(CENTER_ID, DAY, DAY - timedelta(days=14))
        assert found.last_checkin_at == jst(DAY, 10)
        assert [c.id for c in found.checkins] == ["today"]

    def test_the_centers_away_periods_overlapping_the_day_come_by_elder(
        self, uow_factory: UowFactory
    ) -> None:
        other_center = make_center("center-2", name="南センター")
        elsewhere = make_elder("e-x", name="外", kana="あ", center_id="center-2")
        periods = [
            make_away("w2", start=jst(DAY, 8), end=jst(DAY, 20)),
            make_away("w1", start=jst(DAY - timedelta(days=3), 0)),  # open-ended
            make_away("w0", start=jst(DAY - timedelta(days=5), 0), end=jst(DAY, 0)),  # ended
            make_away("w3", start=jst(DAY + timedelta(days=1), 0)),  # tomorrow
            make_away("wx", elder_id="e-x", start=jst(DAY, 8)),  # another center
        ]
        with uow_factory() as uow:
            seed(uow, make_elder(), elsewhere, centers=(other_center,))
            for period in periods:
                uow.away.add(period)
            uow.commit()
        start = jst(DAY, 0)
        with uow_factory() as uow:
            found = uow.board.center_away(CENTER_ID, start, start + timedelta(days=1))
            assert uow.board.center_away("no-such-center", start, start) == {}
        assert {k: [p.id for p in v] for k, v in found.items()} == {ELDER_ID: ["w1", "w2"]}


class TestAuditedActions:
    """A staff action and its audit entry are committed in one unit: both, or neither."""

    def _services(self, uow_factory: UowFactory) -> Services:
        return Services(
            uow=uow_factory,
            question_sets=_board_sets,
            clock=lambda: jst(DAY, 11),
            tz=ZoneInfo("Asia/Tokyo"),
        )

    def _audited(self, uow_factory: UowFactory, action: str) -> list[Any]:
        with uow_factory() as uow:
            return [e for e in uow.audit.list_for_elder(ELDER_ID) if e.action == action]

    def test_a_claim_lost_to_another_staff_member_leaves_no_audit_entry(
        self, uow_factory: UowFactory
    ) -> None:
        taken = make_alert(
            status=AlertStatus.CLAIMED, claimed_by="staff:user-9", claimed_at=jst(DAY, 10, 30)
        )
        given(uow_factory, make_user(), taken)
        with pytest.raises(Conflict):
            alert_inbox.claim(self._services(uow_factory), make_user(), "alert-1")
        assert self._audited(uow_factory, "claim_alert") == []
        with uow_factory() as uow:
            assert uow.alerts.get("alert-1") == taken
            assert uow.alerts.history("alert-1") == []

    def test_a_claim_commits_the_alert_its_history_and_its_audit_entry(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user(), make_alert())
        claimed = alert_inbox.claim(self._services(uow_factory), make_user(), "alert-1")
        (entry,) = self._audited(uow_factory, "claim_alert")
        assert (entry.actor, entry.at, entry.detail) == (
            "staff:user-1",
            jst(DAY, 11),
            {"alert_id": "alert-1"},
        )
        with uow_factory() as uow:
            assert uow.alerts.get("alert-1") == claimed
            assert [c.action for c in uow.alerts.history("alert-1")] == ["claimed"]

    def test_resolving_an_alert_resolved_already_leaves_no_second_audit_entry(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user(), make_alert())
        svc = self._services(uow_factory)
        alert_inbox.resolve(svc, make_user(), "alert-1", Outcome.REACHED, "電話でお元気でした")
        with pytest.raises(Conflict):
            alert_inbox.resolve(svc, make_user(), "alert-1", Outcome.NO_ACTION, "二度目")
        assert len(self._audited(uow_factory, "resolve_alert")) == 1
        with uow_factory() as uow:
            assert uow.alerts.get("alert-1").outcome is Outcome.REACHED

    def test_an_away_period_refused_as_invalid_leaves_no_audit_entry(
        self, uow_factory: UowFactory
    ) -> None:
        given(uow_factory, make_user())
        at = jst(DAY, 11)
        with pytest.raises(ValueError, match="お休みの終わり"):
            away.add_away(
                self._services(uow_factory), make_user(), ELDER_ID, AwayKind.HOSPITAL, at, at
            )
        assert self._audited(uow_factory, "add_away") == []
        with uow_factory() as uow:
            assert uow.away.list_for_elder(ELDER_ID) == []
