"""AWS Lambda entry point of the skill (AlexaSkill trigger)."""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.skill_builder import SkillBuilder  # noqa: F401  (the SDK, needed anyway)

logger = logging.getLogger(__name__)

_handler: Any = None


def _build() -> Any:
    # Settings, the store and the question sets are built at the first request of a
    # container, then reused; the dashboard and LINE are never imported here.
    from backend.bootstrap import bootstrap
    from backend.settings import Settings
    from skill.builder import build_skill

    settings = Settings()
    settings.require_for_skill()
    return build_skill(bootstrap(settings), settings.alexa_skill_id)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one Alexa request delivered by Lambda; a malformed one is answered empty."""
    # The envelope checks use pydantic (~45 ms to import): loaded with the first request, like
    # the rest of the skill, so that the entry module's import stays the SDK's alone.
    from skill.envelope import MalformedEnvelope, check_envelope, empty_response, read_envelope

    global _handler
    if _handler is None:
        _handler = _build()
    skill = _handler
    try:
        check_envelope(event)
        envelope = read_envelope(event, skill.serializer)
    except MalformedEnvelope as err:
        logger.warning("Refused an Alexa request: %s", err)
        return empty_response()
    if envelope is None:
        return empty_response()
    response = skill.invoke(request_envelope=envelope, context=context)
    return skill.serializer.serialize(response)
