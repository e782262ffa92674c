"""Alexa request envelopes kept as JSON files in ``tests/fixtures/alexa``, with placeholders.

Each file is one request in the exact shape Alexa sends to a skill on an Echo Show (ja-JP).
The ids and the time are placeholders that :func:`load_envelope` fills in:

``${SKILL_ID}``, ``${USER_ID}``, ``${DEVICE_ID}``, ``${TIMESTAMP}``, ``${REQUEST_ID}``

(``${SKILL_ID}`` also appears inside the entity-resolution authority of custom slots).
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).parent / "fixtures" / "alexa"
PLACEHOLDER_MARK = "${"


def alexa_timestamp(moment: datetime) -> str:
    """Return Alexa's request.timestamp format (UTC, whole seconds), e.g. 2026-11-22T22:30:00Z."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fixture_names() -> list[str]:
    """Return the names of every envelope fixture (without ``.json``)."""
    return sorted(path.stem for path in FIXTURES_DIR.glob("*.json"))


@cache
def _raw(name: str) -> str:
    stem = name.removesuffix(".json")
    path = FIXTURES_DIR / f"{stem}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no Alexa fixture {stem!r}; have {fixture_names()}")
    return path.read_text(encoding="utf-8")


def _fill(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, str):
        for placeholder, value in values.items():
            node = node.replace(placeholder, value)
        return node
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    return node


def _leftover_placeholders(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node] if PLACEHOLDER_MARK in node else []
    if isinstance(node, list):
        return [found for item in node for found in _leftover_placeholders(item)]
    if isinstance(node, dict):
        return [found for item in node.values() for found in _leftover_placeholders(item)]
    return []


def load_envelope(
    name: str,
    *,
    skill_id: str,
    user_id: str,
    device_id: str,
    timestamp: datetime | str,
    request_id: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> dict:
    """Return a fresh copy of fixture ``name`` (e.g. "launch_request") with its placeholders set.

    ``timestamp`` is an aware datetime (formatted the Alexa way) or a string used as is.
    ``request_id`` defaults to a new unique Alexa-style id. ``attributes``, when given, become
    ``session.attributes`` (what the previous response returned as ``sessionAttributes``).
    """
    if isinstance(timestamp, datetime):
        timestamp = alexa_timestamp(timestamp)
    values = {
        "${SKILL_ID}": skill_id,
        "${USER_ID}": user_id,
        "${DEVICE_ID}": device_id,
        "${TIMESTAMP}": timestamp,
        "${REQUEST_ID}": request_id or f"amzn1.echo-api.request.{uuid.uuid4()}",
    }
    envelope = _fill(json.loads(_raw(name)), values)
    leftover = _leftover_placeholders(envelope)
    if leftover:
        raise ValueError(f"Alexa fixture {name!r} has unfilled placeholders: {leftover}")
    if attributes is not None:
        envelope["session"]["attributes"] = copy.deepcopy(attributes)
    return envelope
