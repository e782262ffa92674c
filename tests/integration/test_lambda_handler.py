"""The same skill served by the Lambda handler, on a real SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from ask_sdk_core.exceptions import AskSdkException

import backend.bootstrap
import skill.lambda_function as entry
from backend.bootstrap import bootstrap
from backend.envelopes import AlexaSession
from backend.services.demo import alexa_device_id, alexa_user_id, seed
from backend.settings import Settings
from backend.stores.sql.migrate import upgrade

SKILL_ID = "amzn1.ask.skill.lambda-test"


@pytest.fixture
def lambda_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'lambda.db'}"
    upgrade(url)
    seed(bootstrap(Settings(database_url=url)))
    monkeypatch.setenv("MIMAMORI_DATABASE_URL", url)
    monkeypatch.setenv("MIMAMORI_ALEXA_SKILL_ID", SKILL_ID)
    monkeypatch.setattr(entry, "_handler", None)


def test_a_launch_request_through_lambda_greets_the_paired_elder(lambda_env):
    session = AlexaSession(SKILL_ID, alexa_user_id("demo-2"), alexa_device_id("demo-2"))
    response = entry.lambda_handler(session.launch(datetime.now(UTC)), None)
    speech = response["response"]["outputSpeech"]["ssml"]
    assert "佐藤 一郎さん" in speech


def test_the_lambda_host_checks_the_skill_id(lambda_env):
    session = AlexaSession(
        "amzn1.ask.skill.other", alexa_user_id("demo-2"), alexa_device_id("demo-2")
    )
    with pytest.raises(AskSdkException):
        entry.lambda_handler(session.launch(datetime.now(UTC)), None)


def test_a_missing_skill_id_stops_the_lambda_with_the_variable_named(lambda_env, monkeypatch):
    from backend.settings import ConfigError

    monkeypatch.delenv("MIMAMORI_ALEXA_SKILL_ID")
    with pytest.raises(ConfigError, match="MIMAMORI_ALEXA_SKILL_ID"):
        entry.lambda_handler({}, None)


class LambdaContext:
    """What the Python Lambda runtime passes as ``context`` (the attributes handlers may read)."""

    function_name = "mimamori-skill"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:mimamori-skill"
    memory_limit_in_mb = 512
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = "/aws/lambda/mimamori-skill"
    log_stream_name = "2026/11/23/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 7000


class LambdaSpeaker:
    """Sends fixture envelopes the way Lambda does: JSON text parsed into a dict, a context."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.attributes = None

    def send(self, name: str) -> dict:
        from tests.alexa_fixtures import load_envelope

        envelope = load_envelope(
            name,
            skill_id=SKILL_ID,
            user_id=alexa_user_id("demo-2"),
            device_id=alexa_device_id("demo-2"),
            timestamp=self.at,
            attributes=self.attributes,
        )
        event = json.loads(json.dumps(envelope, ensure_ascii=False))
        answer = entry.lambda_handler(event, LambdaContext())
        answer = json.loads(json.dumps(answer))  # the runtime serialises what we return
        self.attributes = answer.get("sessionAttributes")
        return answer


def speech(answer: dict) -> str:
    return (answer["response"].get("outputSpeech") or {}).get("ssml", "")


@pytest.fixture
def monday_morning(lambda_env, monkeypatch):
    at = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)  # Monday 07:30 in Tokyo
    monkeypatch.setattr(backend.bootstrap, "utc_now", lambda: at)
    return LambdaSpeaker(at)


def test_a_whole_session_of_lambda_envelopes_keeps_its_state_between_invocations(
    monday_morning,
):
    launch = monday_morning.send("launch_request")
    assert "おはようございます" in speech(launch)
    assert launch["version"] == "1.0"
    assert launch["response"]["shouldEndSession"] is False
    notice = monday_morning.send("yes_intent")
    assert "燃えるごみの日" in speech(notice)
    assert "今日の体調はいかがですか" in speech(notice)
    answered = monday_morning.send("answer_intent_good")
    assert "昨夜はよく眠れましたか" in speech(answered)
    ended = monday_morning.send("session_ended_user_initiated")
    assert speech(ended) == ""


def test_the_next_invocation_resumes_where_the_last_session_stopped(monday_morning):
    monday_morning.send("launch_request")
    monday_morning.send("yes_intent")
    monday_morning.send("answer_intent_good")
    monday_morning.send("session_ended_user_initiated")
    monday_morning.attributes = None
    again = monday_morning.send("launch_request")
    assert "眠れましたか" in speech(again)
    assert "体調" not in speech(again)  # the answer given before was stored once


def test_a_warm_container_builds_the_skill_once(monday_morning, monkeypatch):
    monday_morning.send("launch_request")
    built = entry._handler
    monkeypatch.setattr(entry, "_build", lambda: pytest.fail("rebuilt on a warm container"))
    monday_morning.attributes = None
    monday_morning.send("launch_request")
    assert entry._handler is built


def test_a_touch_on_the_screen_through_lambda_answers_like_the_voice(monday_morning):
    monday_morning.send("launch_request")
    monday_morning.send("yes_intent")
    touched = monday_morning.send("apl_user_event")
    assert "昨夜はよく眠れましたか" in speech(touched)
