"""JSON from the outside world, parsed with a bound on nesting depth.

``json.loads`` recurses once per nested list or object: a body of 100 000 ``[`` raises
RecursionError (a RuntimeError, not a ValueError), which every edge would otherwise have
to remember to catch. :func:`loads` turns that, and any nesting deeper than what Alexa or
LINE ever send, into :class:`JsonTooDeep`, a ValueError like every other malformed body.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# Alexa envelopes nest about 8 levels (context.Viewports[].configuration.current.video...),
# LINE webhook bodies about 5; 64 leaves room for APL arguments and future fields.
MAX_DEPTH = 64


class JsonTooDeep(ValueError):
    """The JSON nests deeper than allowed."""


def loads(data: bytes | bytearray | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON like ``json.loads``; raise ValueError (JsonTooDeep) past ``max_depth``."""
    try:
        value = json.loads(data)
    except RecursionError as err:
        raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels") from err
    if depth(value) > max_depth:
        raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels")
    return value


def depth(value: Any) -> int:
    """Return how deep lists and objects nest in a parsed JSON value (a scalar is 0)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        node, level = pending.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest
