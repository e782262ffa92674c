"""POST /alexa with malformed envelopes, request types nobody speaks to, and fuzzed fixtures.

The whole app on a real port (``tests.live_app``), signature verification off so that any
JSON reaches the envelope checks. A malformed envelope gets 400 and leaves every table as it
was; a request type without speech gets an empty response and one short warning; nothing,
however mangled, gets a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings

from backend.services import demo, notices
from tests.alexa_fixtures import load_envelope
from tests.alexa_mutations import INTENT_MALFORMED, MALFORMED, Mutation, mutated_fixtures
from tests.clock import FakeClock
from tests.live_app import SKILL_ID, LiveApp, live_app

JST = ZoneInfo("Asia/Tokyo")
MONDAY_0730 = datetime(2026, 11, 23, 7, 30, tzinfo=JST)
JSON_TYPE = {"Content-Type": "application/json"}
USER_ID = demo.alexa_user_id("demo-1")
DEVICE_ID = demo.alexa_device_id("demo-1")
DEMO_ELDER_ID = "demo-elder-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(Path(tmp_path_factory.mktemp("envelopes")), FakeClock(MONDAY_0730)) as live:
        yield live


def fixture(name: str, **kwargs: Any) -> dict[str, Any]:
    return load_envelope(
        name,
        skill_id=SKILL_ID,
        user_id=USER_ID,
        device_id=DEVICE_ID,
        timestamp=MONDAY_0730,
        **kwargs,
    )


def post(app: LiveApp, envelope: Any) -> tuple[int, Any]:
    answer = app.post("/alexa", json.dumps(envelope, ensure_ascii=False).encode(), JSON_TYPE)
    try:
        return answer.status, answer.json()
    except ValueError:
        return answer.status, None


# --- malformed envelopes ----------------------------------------------------------------------


class TestAMalformedEnvelope:
    @pytest.mark.parametrize("mutate", MALFORMED)
    def test_of_a_launch_gets_400_and_stores_nothing(self, app: LiveApp, mutate: Mutation) -> None:
        envelope = fixture("launch_request")
        mutate(envelope)
        before = app.snapshot()

        status, _ = post(app, envelope)

        assert status == 400
        assert app.snapshot() == before

    @pytest.mark.parametrize("mutate", MALFORMED + INTENT_MALFORMED)
    def test_of_an_answer_gets_400_and_stores_nothing(self, app: LiveApp, mutate: Mutation) -> None:
        envelope = fixture("answer_intent_good")
        mutate(envelope)
        before = app.snapshot()

        status, _ = post(app, envelope)

        assert status == 400
        assert app.snapshot() == before

    @pytest.mark.parametrize("body", [[], "LaunchRequest", 5, None, True], ids=repr)
    def test_that_is_not_an_object_gets_400(self, app: LiveApp, body: Any) -> None:
        status, _ = post(app, body)

        assert status == 400

    def test_names_the_fields_in_the_log_never_their_values(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture
    ) -> None:
        envelope = fixture("launch_request")
        envelope["context"]["System"]["user"] = "山田ハナ 090-1234-5678"

        with caplog.at_level(logging.INFO):
            status, _ = post(app, envelope)

        assert status == 400
        assert "context.System.user" in caplog.text
        assert "山田" not in caplog.text
        assert "090" not in caplog.text


# --- requests without speech ------------------------------------------------------------------


def assert_empty(payload: dict[str, Any]) -> None:
    assert payload["version"] == "1.0"
    assert not (payload.get("response") or {}).get("outputSpeech")


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


class TestARequestWithoutSpeech:
    @pytest.mark.parametrize(
        "request_type",
        [
            "AlexaSkillEvent.SkillEnabled",
            "AlexaSkillEvent.SkillPermissionChanged",
            "Alexa.Presentation.APL.RuntimeError",
            "Reminders.ReminderStarted",
            "Messaging.MessageReceived",
            "Alexa.SomethingAddedNextYear",
        ],
    )
    def test_of_a_type_no_handler_knows_gets_an_empty_answer_and_one_short_warning(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture, request_type: str
    ) -> None:
        envelope = fixture("launch_request")
        envelope["request"]["type"] = request_type
        before = app.snapshot()

        with caplog.at_level(logging.INFO):
            status, payload = post(app, envelope)

        assert status == 200
        assert_empty(payload)
        assert app.snapshot() == before
        assert no_tracebacks(caplog) == []
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any(request_type in w for w in warnings)
        assert USER_ID not in caplog.text
        assert DEVICE_ID not in caplog.text

    def test_an_apl_runtime_error_is_answered_empty_and_its_message_not_logged(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO):
            status, payload = post(app, fixture("apl_runtime_error"))

        assert status == 200
        assert_empty(payload)
        assert no_tracebacks(caplog) == []
        assert "could not be loaded" not in caplog.text

    def test_an_apl_runtime_error_of_a_kind_newer_than_the_sdk_is_answered_empty(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture
    ) -> None:
        envelope = fixture("apl_runtime_error")
        envelope["request"]["errors"][0]["type"] = "SOMETHING_NEW_ERROR"

        with caplog.at_level(logging.INFO):
            status, payload = post(app, envelope)

        assert status == 200
        assert_empty(payload)
        assert no_tracebacks(caplog) == []

    def test_exception_encountered_logs_the_error_type_only(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture
    ) -> None:
        envelope = fixture("system_exception_encountered")
        envelope["request"]["error"]["message"] = "ハナさんの返事「胸が痛い」で失敗"

        with caplog.at_level(logging.INFO):
            status, payload = post(app, envelope)

        assert status == 200
        assert_empty(payload)
        assert no_tracebacks(caplog) == []
        assert "INVALID_RESPONSE" in caplog.text
        assert "胸が痛い" not in caplog.text
        assert "ハナ" not in caplog.text


class TestAnIntentNoHandlerKnows:
    def test_is_answered_like_the_fallback_without_a_traceback(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture
    ) -> None:
        envelope = fixture("answer_intent_good")
        envelope["request"]["intent"] = {"name": "SomethingNewIntent", "confirmationStatus": "NONE"}

        with caplog.at_level(logging.INFO):
            status, payload = post(app, envelope)

        assert status == 200
        assert payload["response"]["outputSpeech"]["ssml"]
        assert "うまくいきませんでした" not in payload["response"]["outputSpeech"]["ssml"]
        assert no_tracebacks(caplog) == []


# --- the user's notification permission -------------------------------------------------------


def speaker_of(app: LiveApp, elder_id: str = DEMO_ELDER_ID) -> Any:
    with app.services.uow() as uow:
        return uow.recipients.get(notices.speaker_recipient_id(elder_id, USER_ID))


def subscription_changed(*event_names: str, device: bool = False) -> dict[str, Any]:
    envelope = fixture("proactive_subscription_changed")
    envelope["request"]["body"]["subscriptions"] = [{"eventName": n} for n in event_names]
    if device:
        envelope["context"]["System"]["device"] = {"deviceId": DEVICE_ID, "supportedInterfaces": {}}
    return envelope


class TestAProactiveSubscriptionChange:
    def test_that_withdraws_notifications_marks_the_speaker_inactive_and_answers_empty(
        self, app: LiveApp, caplog: pytest.LogCaptureFixture
    ) -> None:
        with app.services.uow() as uow:
            elder = uow.elders.get(DEMO_ELDER_ID)
            notices.speaker_recipient(uow, elder, USER_ID)
            uow.commit()
        assert speaker_of(app).active

        with caplog.at_level(logging.INFO):
            status, payload = post(app, subscription_changed())

        assert status == 200
        assert_empty(payload)
        assert not speaker_of(app).active
        assert no_tracebacks(caplog) == []

    def test_that_allows_them_again_marks_the_speaker_active(self, app: LiveApp) -> None:
        post(app, subscription_changed())
        assert not speaker_of(app).active

        status, payload = post(app, subscription_changed("AMAZON.MessageAlert.Activated"))

        assert status == 200
        assert_empty(payload)
        assert speaker_of(app).active

    def test_stays_marked_when_a_notice_nudge_is_queued_later(self, app: LiveApp) -> None:
        post(app, subscription_changed())
        with app.services.uow() as uow:
            elder = uow.elders.get(DEMO_ELDER_ID)
            notices.speaker_recipient(uow, elder, USER_ID)  # what queuing a nudge does
            uow.commit()

        assert not speaker_of(app).active
        post(app, subscription_changed("AMAZON.MessageAlert.Activated"))

    def test_from_a_device_makes_the_speaker_known_before_any_nudge(self, tmp_path: Path) -> None:
        with live_app(tmp_path, FakeClock(MONDAY_0730)) as fresh:
            assert speaker_of(fresh) is None

            status, _ = post(fresh, subscription_changed(device=True))

            assert status == 200
            assert speaker_of(fresh) is not None
            assert not speaker_of(fresh).active

    def test_of_a_user_nobody_knows_stores_nothing(self, app: LiveApp) -> None:
        envelope = subscription_changed()
        envelope["context"]["System"]["user"]["userId"] = "amzn1.ask.account.nobody"
        before = app.snapshot()

        status, payload = post(app, envelope)

        assert status == 200
        assert_empty(payload)
        assert app.snapshot() == before


# --- fuzzing ------------------------------------------------------------------------------------


class TestFuzzedFixtures:
    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(envelope=mutated_fixtures(fixture))
    def test_never_get_a_500_and_a_refusal_stores_nothing(
        self, app: LiveApp, envelope: Any
    ) -> None:
        before = app.snapshot()

        status, payload = post(app, envelope)

        assert status in (200, 400), status
        if status == 400:
            assert app.snapshot() == before
        else:
            assert payload["version"] == "1.0"
