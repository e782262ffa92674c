"""What the DynamoDB repositories share: their base class, items with keys, the elder key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from backend.stores.dynamodb.codec import decode, encode
from backend.stores.dynamodb.table import PK, SK, TableSession

T = TypeVar("T")


def item(kind: str, pk: str, sk: str, obj: Any, **keys: str | None) -> dict[str, Any]:
    """Return the stored item of ``obj`` with its keys (``None`` index keys are left out)."""
    stored = encode(obj)
    stored.update({PK: pk, SK: sk, "t": kind})
    stored.update({name: value for name, value in keys.items() if value is not None})
    return stored


def by_elder(elder_ids: Sequence[str], fetch: Callable[[str], list[T]]) -> dict[str, list[T]]:
    """Return one key per distinct asked elder id, in asked order (one Query per elder)."""
    return {elder_id: fetch(elder_id) for elder_id in dict.fromkeys(elder_ids)}


class DynamoRepository:
    """A repository reading and writing through the unit's table session."""

    def __init__(self, session: TableSession) -> None:
        self._s = session

    def _get(self, cls: type[T], pk: str, sk: str) -> T | None:
        found = self._s.get(pk, sk)
        return decode(cls, found) if found is not None else None

    def _query(self, cls: type[T], hash_value: str, sort: Any = None, **kw: Any) -> list[T]:
        return [decode(cls, found) for found in self._s.query(hash_value, sort, **kw)]

    def _exists(self, pk: str, sk: str) -> bool:
        return self._s.get(pk, sk) is not None


# Keys and access patterns of every area: docs/dynamodb.md.


def elder_pk(elder_id: str) -> str:
    """Return the partition key of the elder's own records."""
    return f"ELDER#{elder_id}"
