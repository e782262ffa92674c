"""The same skill served by the Lambda handler, on a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ask_sdk_core.exceptions import AskSdkException

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
