"""The store contract against the DynamoDB store, on a local moto server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backend.ports import AbstractUnitOfWork
from backend.stores.dynamodb.table import create_table, make_client
from backend.stores.dynamodb.uow import DynamoUnitOfWork
from tests.aws import moto_endpoint  # noqa: F401 - a fixture
from tests.integration.family_store_contract import (  # noqa: F401 - collected by pytest here
    TestFamilyMessages,
    TestLineInbox,
    TestLineSends,
    TestLinkCodes,
    TestRecipientsByAddress,
)
from tests.integration.store_contract import (  # noqa: F401 - collected by pytest here
    TestAlertHistory,
    TestAlerts,
    TestAnswers,
    TestApiTokens,
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
