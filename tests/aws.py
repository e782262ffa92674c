"""A moto server shared by a whole test session, for the DynamoDB store (server: tests/aws_local.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.aws_local import FAKE_CREDENTIALS, moto_server, snapshot_moto_transactions


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server (boto3 gets fake credentials from the environment)."""
    for name, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    # moto 5.2 deep-copies the whole table once per item of a transaction (tens of GB over the
    # suite); one shallow snapshot per call restores the same state on a failed condition.
    snapshot_moto_transactions()
    with moto_server() as endpoint:
        yield endpoint
