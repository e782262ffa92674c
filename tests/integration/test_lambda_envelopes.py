"""Malformed and speechless envelopes through the skill's Lambda entry, on a real SQLite store.

The same cases as ``tests/e2e/test_alexa_envelopes.py``: where the web host answers 400, the
Lambda host answers an empty response (there is no status to give) and stores nothing; it
never raises, except for an envelope addressed to another skill.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from ask_sdk_core.exceptions import AskSdkException
from hypothesis import HealthCheck, given, settings
from sqlalchemy import create_engine

import skill.lambda_function as entry
from backend.services.demo import alexa_device_id, alexa_user_id
from tests.alexa_fixtures import load_envelope
from tests.alexa_mutations import INTENT_MALFORMED, MALFORMED, Mutation, mutated_fixtures
from tests.integration.test_lambda_handler import SKILL_ID, LambdaContext, lambda_env  # noqa: F401
from tests.live_app import every_row

AT = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)  # Monday 07:30 in Tokyo


def fixture(name: str) -> dict[str, Any]:
    return load_envelope(
        name,
        skill_id=SKILL_ID,
        user_id=alexa_user_id("demo-2"),
        device_id=alexa_device_id("demo-2"),
        timestamp=AT,
    )


def invoke(event: Any) -> dict[str, Any]:
    answer = entry.lambda_handler(json.loads(json.dumps(event)), LambdaContext())
    return json.loads(json.dumps(answer))  # what the runtime sends back


def snapshot() -> dict[str, list[str]]:
    from backend.settings import Settings

    engine = create_engine(Settings().database_url)
    try:
        return every_row(engine)
    finally:
        engine.dispose()


def is_empty(answer: dict[str, Any]) -> bool:
    return answer["version"] == "1.0" and not (answer.get("response") or {}).get("outputSpeech")


@pytest.mark.usefixtures("lambda_env")
class TestAMalformedEnvelopeThroughLambda:
    @pytest.mark.parametrize("mutate", MALFORMED + INTENT_MALFORMED)
    def test_of_an_answer_is_answered_empty_and_stores_nothing(self, mutate: Mutation) -> None:
        invoke(fixture("launch_request"))  # the container is warm, a check-in open
        envelope = fixture("answer_intent_good")
        mutate(envelope)
        before = snapshot()

        answer = invoke(envelope)

        assert is_empty(answer)
        assert snapshot() == before

    @pytest.mark.parametrize("event", [[], "LaunchRequest", 5, None], ids=repr)
    def test_that_is_not_an_object_is_answered_empty(self, event: Any) -> None:
        assert is_empty(invoke(event))


@pytest.mark.usefixtures("lambda_env")
class TestARequestWithoutSpeechThroughLambda:
    @pytest.mark.parametrize(
        "name",
        ["proactive_subscription_changed", "system_exception_encountered", "apl_runtime_error"],
    )
    def test_is_answered_empty_without_a_traceback(
        self, name: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO):
            answer = invoke(fixture(name))

        assert is_empty(answer)
        assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []

    def test_of_a_type_newer_than_the_sdk_is_answered_empty(self) -> None:
        envelope = fixture("launch_request")
        envelope["request"]["type"] = "Alexa.SomethingAddedNextYear"

        assert is_empty(invoke(envelope))


@pytest.mark.usefixtures("lambda_env")
class TestFuzzedFixturesThroughLambda:
    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(envelope=mutated_fixtures(fixture))
    def test_never_raise_but_for_another_skill(self, envelope: Any) -> None:
        try:
            answer = invoke(envelope)
        except AskSdkException as err:
            refused = str(err)
        else:
            refused = None
            assert answer["version"] == "1.0"
        assert refused is None or "Skill ID" in refused
