"""The SQLite JSON column's quick parse gives exactly what ``json.loads`` gives."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from backend.stores.sql.column_types import parse_json

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@given(JSON)
def test_every_stored_value_reads_back_as_json_loads_reads_it(value):
    text = json.dumps(value, ensure_ascii=False)
    assert parse_json(text) == json.loads(text)
    assert type(parse_json(text)) is type(json.loads(text))


def test_strings_with_escapes_numbers_and_odd_texts_go_through_json():
    for text in ['"a\\"b"', '"改行\\n"', "007", "12.5", "-3", "١٢", '"', "[]"]:
        try:
            expected = json.loads(text)
        except ValueError:
            expected = ValueError
        try:
            got = parse_json(text)
        except ValueError:
            got = ValueError
        assert got == expected, text
