"""A local moto server standing in for AWS (S3 here; logs quiet, a free port, stopped after)."""

from __future__ import annotations

import base64
import copy
import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REGION = "ap-northeast-1"
FIXTURES = Path(__file__).parent / "fixtures" / "aws"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def free_port() -> int:
    """Return a TCP port free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server() -> Iterator[str]:
    """Run moto's threaded server on 127.0.0.1 and yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def snapshot_moto_transactions() -> None:
    """Let moto back up a table once per TransactWriteItems call, by copying its item maps.

    moto 5.2 backs up the table before a transaction with ``copy.deepcopy(table)`` once per
    *item* of the transaction (``moto/dynamodb/models/__init__.py``, ``transact_write_items``):
    a 100-item commit on a 190,000-item table deep-copies 19 million items and takes longer than
    botocore's read timeout. Puts and deletes replace items in ``table.items`` (hash -> range ->
    item) and never change an item in place, so a copy of those two dict levels, made once per
    call, restores the same state on a failed condition.
    """
    import copy as copy_module
    import threading
    import types
    from collections import defaultdict

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    local = threading.local()

    def snapshot(obj: Any, memo: Any = None) -> Any:
        if not isinstance(obj, Table):
            return copy_module.deepcopy(obj, memo)
        cache = getattr(local, "cache", None)
        if cache is not None and id(obj) in cache:
            return cache[id(obj)]
        backup = copy_module.copy(obj)
        backup.items = defaultdict(dict, {h: dict(r) for h, r in obj.items.items()})
        if cache is not None:
            cache[id(obj)] = backup
        return backup

    models.copy = types.SimpleNamespace(deepcopy=snapshot, copy=copy_module.copy)
    transact = models.DynamoDBBackend.transact_write_items

    def once_per_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        local.cache = {}
        try:
            return transact(self, *args, **kwargs)
        finally:
            local.cache = None

    models.DynamoDBBackend.transact_write_items = once_per_call
    isolate_moto_writes()


_WRITES = threading.RLock()


def isolate_moto_writes() -> None:
    """Apply moto's writes one at a time, as DynamoDB isolates transactions (idempotent).

    moto 5.2 serves requests on threads without a lock, and a TransactWriteItems whose
    condition fails puts back the copy of the *whole table* it took at its start
    (``transact_write_items``): a transaction another request committed meanwhile is
    wiped out. Several sweeps at once then "lose" items DynamoDB itself never would (a
    sweep reported 21 messages, the table kept 20). Each write call takes one lock here.
    """
    import functools

    import moto.dynamodb.models as models

    backend = models.DynamoDBBackend
    for name in ("transact_write_items", "put_item", "update_item", "delete_item"):
        write = getattr(backend, name)
        if getattr(write, "isolated", False):
            continue

        def isolated(self: Any, *args: Any, _write: Any = write, **kwargs: Any) -> Any:
            with _WRITES:
                return _write(self, *args, **kwargs)

        functools.update_wrapper(isolated, write)
        isolated.isolated = True  # type: ignore[attr-defined]
        setattr(backend, name, isolated)


def use_fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point boto3 at fake credentials and the Tokyo region (never at a real account)."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def s3_client(endpoint: str):
    """Return a boto3 S3 client for the local server."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION)


def make_bucket(endpoint: str, name: str) -> None:
    """Create a bucket in the Tokyo region on the local server."""
    s3_client(endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )


def http_event(
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    query: str = "",
    base64_body: bool = False,
    cookies: list[str] | None = None,
) -> dict:
    """Return an HTTP API v2 event as Lambda hands it over (headers lower-cased by the API)."""
    event = copy.deepcopy(json.loads((FIXTURES / "http_api_v2_event.json").read_text("utf-8")))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["rawQueryString"] = query
    event["headers"]["content-length"] = str(len(body))
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    if cookies:
        event["cookies"] = cookies
    if body:
        event["isBase64Encoded"] = base64_body
        event["body"] = base64.b64encode(body).decode() if base64_body else body.decode("utf-8")
    return json.loads(json.dumps(event))


def body_of(answer: dict) -> bytes:
    if answer.get("isBase64Encoded"):
        return base64.b64decode(answer["body"])
    return answer["body"].encode("utf-8")
