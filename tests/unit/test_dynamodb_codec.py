"""The DynamoDB item codec: domain dataclasses to items and back, exactly."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from backend.domain.model import Alert, Answer, Elder, Reading, ReadingKind
from backend.stores.dynamodb.codec import decode, encode, iso
from notices.model import Audience, Notice, Recurrence
from tests.builders import (
    DAY,
    jst,
    make_alert,
    make_answer,
    make_consent,
    make_elder,
    make_notice,
    make_reading,
)


def _through_dynamodb(item: dict) -> dict:
    """Numbers come back from DynamoDB as Decimal."""
    return {
        k: Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in item.items()
    }


def test_an_elder_with_consent_and_overrides_round_trips():
    elder = make_elder(consent=make_consent())
    elder = dataclasses.replace(elder, overrides={"medication_times": ["08:00"], "n": 2})
    assert decode(Elder, _through_dynamodb(encode(elder))) == elder


@pytest.mark.parametrize("value", [52.5, 52, "good", True, {"systolic": 128, "diastolic": 82}])
def test_answer_values_keep_their_python_type(value):
    answer = make_answer(value=value)
    back = decode(Answer, _through_dynamodb(encode(answer)))
    assert back == answer
    assert type(back.value) is type(value)


def test_a_float_reading_is_not_rounded_through_decimal():
    reading = make_reading(value=0.1 + 0.2, kind=ReadingKind.WEIGHT)
    assert decode(Reading, _through_dynamodb(encode(reading))).value == 0.1 + 0.2


def test_an_alert_with_int_stage_and_no_claim_round_trips():
    alert = make_alert(stage=2, evidence={"days": [1, 2]})
    item = encode(alert)
    assert "claimed_by" not in item  # None is not stored
    assert decode(Alert, _through_dynamodb(item)) == alert


def test_a_notice_with_audience_and_recurrence_round_trips():
    notice = make_notice(
        audience=Audience(districts=("水沢",), elders=("e1",)),
        recurrence=Recurrence(weekdays=(0, 3), dates=(date(2026, 12, 1),)),
    )
    assert decode(Notice, _through_dynamodb(encode(notice))) == notice


def test_datetimes_are_stored_as_fixed_width_utc_text_in_instant_order():
    at = [
        jst(date(2026, 11, 23), 7, 30),
        datetime(2026, 11, 22, 22, 30, 0, 1, tzinfo=UTC),
        datetime(2026, 11, 23, 0, 0, tzinfo=timezone(timedelta(hours=-5))),
    ]
    texts = [iso(t) for t in at]
    assert {len(t) for t in texts} == {32}
    assert sorted(texts) == [iso(t) for t in sorted(at)]
    assert [datetime.fromisoformat(t) for t in texts] == at


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        iso(datetime(2026, 11, 23, 7, 30))


def test_complex_fields_are_json_text_and_scalars_are_attributes():
    item = encode(make_answer(value={"systolic": 128, "diastolic": 82}))
    assert json.loads(item["value"]) == {"systolic": 128, "diastolic": 82}
    assert item["question_version"] == 1
    assert item["date"] == DAY.isoformat()
