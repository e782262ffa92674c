"""The store contract against the in-memory fake, proving it behaves like the real stores."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend.ports import AbstractUnitOfWork
from tests.builders import make_elder, seed
from tests.fakes import FakeStore, FakeUnitOfWork
from tests.integration.config_store_contract import (  # noqa: F401 - collected by pytest here
    TestConfigVersions,
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
)


@pytest.fixture
def uow_factory() -> Callable[[], AbstractUnitOfWork]:
    store = FakeStore()
    return lambda: FakeUnitOfWork(store)


class TestFakeUnitOfWorkCounters:
    def test_commits_and_rollbacks_are_counted(self) -> None:
        uow = FakeUnitOfWork()
        with uow:
            seed(uow, make_elder())
            uow.commit()
        assert uow.committed == 1
        assert uow.rolled_back == 1

    def test_a_unit_without_a_store_starts_empty(self) -> None:
        with FakeUnitOfWork() as uow:
            assert uow.elders.get("elder-1") is None
