"""The one table: client, creation, and the session a unit of work reads and writes through."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from backend.domain.errors import ConcurrentWrite

PK, SK = "pk", "sk"
VERSION = "v"
INDEXES = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("gsi2pk", "gsi2sk"), "gsi3": ("gsi3pk", "gsi3sk")}
TRANSACTION_LIMIT = 100  # items per TransactWriteItems call
HIGH = "\uffff"  # sorts after every character a key holds

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# An ("op", value...) condition on the sort key: ("begins", p), ("between", a, b),
# ("lt", x), ("le", x), ("ge", x).
SortCondition = tuple[Any, ...] | None


def make_client(endpoint_url: str | None, region: str | None = None) -> Any:
    """Return a DynamoDB client (``endpoint_url`` points tests at a local server)."""
    import boto3

    return boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint_url, region_name=region or _default_region()
    )


def _default_region() -> str:
    import os

    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-northeast-1"


def table_exists(client: Any, table: str) -> bool:
    """Return True if the table exists."""
    try:
        client.describe_table(TableName=table)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return False
    return True


def create_table(client: Any, table: str) -> bool:
    """Create the table and its indexes unless it exists; return True if created."""
    if table_exists(client, table):
        return False
    names = [PK, SK, *(name for pair in INDEXES.values() for name in pair)]
    try:
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in names],
            KeySchema=[
                {"AttributeName": PK, "KeyType": "HASH"},
                {"AttributeName": SK, "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": index,
                    "KeySchema": [
                        {"AttributeName": hash_key, "KeyType": "HASH"},
                        {"AttributeName": range_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index, (hash_key, range_key) in INDEXES.items()
            ],
            SSESpecification={"Enabled": True},
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ResourceInUseException":
            return False  # created by someone else meanwhile
        raise
    client.get_waiter("table_exists").wait(TableName=table)
    return True


def empty_table(client: Any, table: str) -> None:
    """Delete every item (tests only: a Scan, then batched deletes)."""
    for item in _scan(client, table):
        client.delete_item(TableName=table, Key={PK: item[PK], SK: item[SK]})


def _scan(client: Any, table: str) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"TableName": table, "ProjectionExpression": "pk, sk"}
    while True:
        page = client.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


_seq_lock = threading.Lock()
_seq_last = 0
_seq_count = itertools.count()


def next_seq() -> str:
    """Return a fixed-width, increasing (within this process) sequence for "order added"."""
    global _seq_last
    with _seq_lock:
        _seq_last = max(_seq_last + 1, time.time_ns())
        return f"{_seq_last:020d}"


def _sk_matches(value: str | None, cond: SortCondition) -> bool:
    if cond is None:
        return True
    if value is None:
        return False
    op = cond[0]
    if op == "begins":
        return value.startswith(cond[1])
    if op == "between":
        return cond[1] <= value <= cond[2]
    if op == "lt":
        return value < cond[1]
    if op == "le":
        return value <= cond[1]
    if op == "ge":
        return value >= cond[1]
    raise ValueError(f"unknown sort condition {op}")


def _sk_expression(cond: SortCondition, values: dict[str, Any]) -> str:
    if cond is None:
        return ""
    op = cond[0]
    values[":s1"] = {"S": cond[1]}
    if op == "begins":
        return " AND begins_with(#sk, :s1)"
    if op == "between":
        values[":s2"] = {"S": cond[2]}
        return " AND #sk BETWEEN :s1 AND :s2"
    return {"lt": " AND #sk < :s1", "le": " AND #sk <= :s1", "ge": " AND #sk >= :s1"}[op]


class TableSession:
    """Reads of the table through a buffer of this unit's writes, applied on ``commit``.

    Every item carries a version token. A write of an item this unit read is conditional
    on the version read; of an item it found absent, on its absence. ``commit`` applies a
    unit of at most 100 writes in one TransactWriteItems call: all or nothing, like a SQL
    commit. A larger unit goes in consecutive calls of at most 100, in the order the unit
    first wrote each item (counter updates last); each call is all or nothing, the unit is
    not: when one fails, the calls before it stay applied and the rest are not sent. A
    failed condition raises ConcurrentWrite (a Conflict and a StoreBusy: services decorated
    with ``retry_when_busy`` run again), naming how many writes were applied before it.

    Counters are not read, changed and written back (two units counting at once would
    lose one's count, or fail after the fact): ``add`` buffers an atomic ``ADD`` that
    commits as an Update with no version condition, so concurrent counts all land.
    """

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table
        self._pending: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._updates: dict[tuple[str, str], _Update] = {}
        self._conditions: dict[tuple[str, str], tuple[str, str | None] | None] = {}
        self._seen: dict[tuple[str, str], str | None] = {}
        self.reads = 0

    # --- reads ---------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        """Return the item (this unit's own write if any), or None."""
        key = (pk, sk)
        if key in self._updates:
            return self._updates[key].applied_to(self._read(key))
        if key in self._pending:
            item = self._pending[key]
            return dict(item) if item is not None else None
        item = self._read(key)
        self._seen.setdefault(key, item.get(VERSION) if item else None)
        return item

    def _read(self, key: tuple[str, str]) -> dict[str, Any] | None:
        self.reads += 1
        answer = self.client.get_item(
            TableName=self.table,
            Key={PK: {"S": key[0]}, SK: {"S": key[1]}},
            ConsistentRead=True,
        )
        return _from_wire(answer["Item"]) if "Item" in answer else None

    def query(
        self,
        hash_value: str,
        sort: SortCondition = None,
        *,
        index: str | None = None,
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        """Return the items of one partition (of the table or an index), in sort-key order."""
        hash_name, sort_name = INDEXES[index] if index else (PK, SK)
        kwargs = self._query_kwargs(hash_value, sort, index, descending)
        found: list[dict[str, Any]] = []
        while True:
            self.reads += 1
            page = self.client.query(**kwargs)
            found.extend(_from_wire(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        merged = []
        for item in found:
            key = (item[PK], item[SK])
            self._seen.setdefault(key, item.get(VERSION))
            if key not in self._pending:
                merged.append(item)
        for written in self._pending.values():
            if (
                written is not None
                and written.get(hash_name) == hash_value
                and _sk_matches(written.get(sort_name), sort)
            ):
                merged.append(dict(written))
        merged.sort(key=lambda i: (i.get(sort_name, ""), i[PK], i[SK]), reverse=descending)
        return merged

    def newest(
        self,
        hash_value: str,
        sort: SortCondition,
        *,
        index: str | None = None,
        keep: Callable[[dict[str, Any]], bool],
        page_size: int = 25,
    ) -> dict[str, Any] | None:
        """Return the kept item with the greatest sort key, reading pages newest first.

        Stops at the first page holding a kept item; this unit's own writes count too.
        """
        hash_name, sort_name = INDEXES[index] if index else (PK, SK)
        kwargs = self._query_kwargs(hash_value, sort, index, descending=True)
        kwargs["Limit"] = page_size
        best: dict[str, Any] | None = None
        while best is None:
            self.reads += 1
            page = self.client.query(**kwargs)
            for raw in page.get("Items", []):
                found = _from_wire(raw)
                key = (found[PK], found[SK])
                self._seen.setdefault(key, found.get(VERSION))
                if key not in self._pending and keep(found):
                    best = found
                    break
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        for own in self._pending.values():
            if (
                own is not None
                and own.get(hash_name) == hash_value
                and _sk_matches(own.get(sort_name), sort)
                and keep(own)
                and (best is None or own[sort_name] > best[sort_name])
            ):
                best = dict(own)
        return best

    def _query_kwargs(
        self, hash_value: str, sort: SortCondition, index: str | None, descending: bool
    ) -> dict[str, Any]:
        hash_name, sort_name = INDEXES[index] if index else (PK, SK)
        values: dict[str, Any] = {":h": {"S": hash_value}}
        names = {"#h": hash_name}
        if sort is not None:
            names["#sk"] = sort_name
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#h = :h" + _sk_expression(sort, values),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not descending,
        }
        if index:
            kwargs["IndexName"] = index
        else:
            kwargs["ConsistentRead"] = True
        return kwargs

    # --- writes --------------------------------------------------------------------

    def put(self, item: dict[str, Any]) -> None:
        """Buffer a put of the whole item (replacing the stored one on commit)."""
        key = (item[PK], item[SK])
        if key in self._updates:
            raise RuntimeError(f"{key}: a unit either puts an item or updates it, not both")
        self._remember_condition(key)
        stored = dict(item)
        stored[VERSION] = uuid.uuid4().hex
        self._pending[key] = stored

    def add(self, pk: str, sk: str, counts: dict[str, int], initial: dict[str, Any]) -> None:
        """Buffer an atomic ``ADD`` of ``counts`` to the item (no read, no version condition).

        An absent item is created with ``initial``'s attributes (counted ones start at 0);
        ``get`` of the item in this unit sees the stored counts plus this unit's.
        """
        self._update((pk, sk), initial).add(counts)

    def set_once(self, pk: str, sk: str, values: dict[str, Any], initial: dict[str, Any]) -> None:
        """Buffer setting attributes that must still be absent at commit (else ConcurrentWrite)."""
        self._update((pk, sk), initial).set_once(values)

    def _update(self, key: tuple[str, str], initial: dict[str, Any]) -> _Update:
        if key in self._pending:
            raise RuntimeError(f"{key}: a unit either puts an item or updates it, not both")
        if key not in self._updates:
            self._updates[key] = _Update(key, initial)
        return self._updates[key]

    def delete(self, pk: str, sk: str) -> None:
        """Buffer a delete of the item."""
        key = (pk, sk)
        self._remember_condition(key)
        self._pending[key] = None

    def _remember_condition(self, key: tuple[str, str]) -> None:
        if key in self._conditions:
            return  # the first write's condition stays (what was read before the unit wrote)
        if key in self._seen:
            version = self._seen[key]
            self._conditions[key] = ("absent", None) if version is None else ("version", version)
        else:
            self._conditions[key] = None

    @property
    def dirty(self) -> bool:
        """Return True when writes are waiting for commit."""
        return bool(self._pending) or bool(self._updates)

    @property
    def writes(self) -> int:
        """Return how many item writes ``commit`` would send now."""
        return len(self._transact_items())

    def _transact_items(self) -> list[dict[str, Any]]:
        items = []
        for key, item in self._pending.items():
            condition = self._conditions.get(key)
            if item is None and condition == ("absent", None):
                continue  # written and deleted within the unit: nothing to do
            items.append(self._transact_item(key, item, condition))
        items.extend(update.transact_item(self.table) for update in self._updates.values())
        return items

    def commit(self) -> None:
        """Apply the buffered writes; raise ConcurrentWrite if a concurrent unit changed them."""
        items = self._transact_items()
        applied = 0
        try:
            for start in range(0, len(items), TRANSACTION_LIMIT):
                chunk = items[start : start + TRANSACTION_LIMIT]
                # The token makes the SDK's own retries of this call idempotent.
                self.client.transact_write_items(
                    TransactItems=chunk, ClientRequestToken=uuid.uuid4().hex
                )
                applied += len(chunk)
        except ClientError as err:
            self.rollback()
            if _lost_a_race(err):
                before = f" ({applied} of {len(items)} writes applied before)" if applied else ""
                raise ConcurrentWrite(
                    f"a concurrent unit of work changed the same records{before}; try again"
                ) from err
            raise
        self.rollback()

    def _transact_item(
        self,
        key: tuple[str, str],
        item: dict[str, Any] | None,
        condition: tuple[str, str | None] | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"TableName": self.table}
        if item is None:
            body["Key"] = {PK: {"S": key[0]}, SK: {"S": key[1]}}
        else:
            body["Item"] = {k: _serializer.serialize(v) for k, v in item.items()}
        if condition is not None and condition[0] == "absent":
            body["ConditionExpression"] = "attribute_not_exists(pk)"
        elif condition is not None:
            body["ConditionExpression"] = "#v = :v"
            body["ExpressionAttributeNames"] = {"#v": VERSION}
            body["ExpressionAttributeValues"] = {":v": {"S": condition[1]}}
        return {"Delete" if item is None else "Put": body}

    def rollback(self) -> None:
        """Forget the buffered writes and what was read."""
        self._pending.clear()
        self._updates.clear()
        self._conditions.clear()
        self._seen.clear()


class _Update:
    """A buffered Update of one item: atomic ADDs and attributes set only if absent."""

    def __init__(self, key: tuple[str, str], initial: dict[str, Any]) -> None:
        self.key = key
        self.initial = {k: v for k, v in initial.items() if k not in (PK, SK, VERSION)}
        self.counts: dict[str, int] = {}
        self.once: dict[str, Any] = {}

    def add(self, counts: dict[str, int]) -> None:
        for name, count in counts.items():
            self.counts[name] = self.counts.get(name, 0) + int(count)

    def set_once(self, values: dict[str, Any]) -> None:
        self.once.update(values)

    def applied_to(self, stored: dict[str, Any] | None) -> dict[str, Any]:
        """Return the item as it will be after this update (from the stored one, if any)."""
        item: dict[str, Any] = (
            dict(stored) if stored is not None else {PK: self.key[0], SK: self.key[1]}
        )
        for name, value in self.initial.items():
            item.setdefault(name, value)
        for name, count in self.counts.items():
            item[name] = int(item.get(name) or 0) + count
        for name, value in self.once.items():
            item.setdefault(name, value)
        return item

    def transact_item(self, table: str) -> dict[str, Any]:
        names: dict[str, str] = {"#v": VERSION}
        values: dict[str, Any] = {":v": {"S": uuid.uuid4().hex}}
        sets = ["#v = :v"]
        adds = []
        conditions = []
        for n, (name, value) in enumerate(self.initial.items()):
            if name in self.counts or name in self.once:
                continue
            names[f"#i{n}"] = name
            values[f":i{n}"] = _serializer.serialize(value)
            sets.append(f"#i{n} = if_not_exists(#i{n}, :i{n})")
        for n, (name, value) in enumerate(self.once.items()):
            names[f"#o{n}"] = name
            values[f":o{n}"] = _serializer.serialize(value)
            sets.append(f"#o{n} = :o{n}")
            conditions.append(f"attribute_not_exists(#o{n})")
        for n, (name, count) in enumerate(self.counts.items()):
            names[f"#a{n}"] = name
            values[f":a{n}"] = {"N": str(count)}
            adds.append(f"#a{n} :a{n}")
        expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
        body: dict[str, Any] = {
            "TableName": table,
            "Key": {PK: {"S": self.key[0]}, SK: {"S": self.key[1]}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if conditions:
            body["ConditionExpression"] = " AND ".join(conditions)
        return {"Update": body}


_RACE_REASONS = {"ConditionalCheckFailed", "TransactionConflict"}


def _lost_a_race(err: ClientError) -> bool:
    """Return True when a write failed only because another unit got there first."""
    error = err.response.get("Error", {})
    if error.get("Code") == "ConditionalCheckFailedException":
        return True
    if error.get("Code") != "TransactionCanceledException":
        return False
    reasons = {r.get("Code") for r in err.response.get("CancellationReasons", [])} - {None, "None"}
    if not reasons:  # not every endpoint says why; the message does
        return "ConditionalCheckFailed" in error.get("Message", "") or "TransactionConflict" in (
            error.get("Message", "")
        )
    return reasons <= _RACE_REASONS


def _from_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}
