"""A moto server shared by a whole test session, for the DynamoDB store (server: tests/aws_local.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.aws_local import FAKE_CREDENTIALS, moto_server


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server (boto3 gets fake credentials from the environment)."""
    for name, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    with moto_server() as endpoint:
        yield endpoint
