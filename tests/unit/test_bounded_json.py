"""JSON from outside, parsed with a nesting bound: deep bodies are a ValueError, not a crash."""

from __future__ import annotations

import pytest

from backend import bounded_json


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


class TestLoads:
    def test_parses_what_json_loads_parses(self) -> None:
        assert bounded_json.loads(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}

    @pytest.mark.parametrize(
        "text", ["[" * 100_000, nested(100_000), '{"a":' * 5000 + "1" + "}" * 5000]
    )
    def test_turns_a_recursion_error_into_a_value_error(self, text: str) -> None:
        with pytest.raises(ValueError, match="nested deeper"):
            bounded_json.loads(text)

    def test_accepts_the_bound_and_refuses_one_level_more(self) -> None:
        assert bounded_json.depth(bounded_json.loads(nested(64))) == 64
        with pytest.raises(bounded_json.JsonTooDeep):
            bounded_json.loads(nested(65))

    def test_keeps_other_bad_json_a_plain_value_error(self) -> None:
        with pytest.raises(ValueError, match="property name") as excinfo:
            bounded_json.loads(b"{not json")
        assert not isinstance(excinfo.value, bounded_json.JsonTooDeep)


class TestDepth:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [(1, 0), ("x", 0), ([], 1), ({}, 1), ([[], [[1]]], 3), ({"a": {"b": [None]}}, 3)],
    )
    def test_counts_nested_lists_and_objects(self, value: object, expected: int) -> None:
        assert bounded_json.depth(value) == expected
