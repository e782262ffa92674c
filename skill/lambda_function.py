"""AWS Lambda entry point of the skill (AlexaSkill trigger)."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.skill_builder import SkillBuilder  # noqa: F401  (the SDK, needed anyway)

_handler: Any = None


def _build() -> Any:
    # Settings, the store and the question sets are built at the first request of a
    # container, then reused; the dashboard and LINE are never imported here.
    from backend.bootstrap import bootstrap
    from backend.settings import Settings
    from skill.builder import build_skill_builder

    settings = Settings()
    settings.require_for_skill()
    return build_skill_builder(bootstrap(settings), settings.alexa_skill_id).lambda_handler()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one Alexa request delivered by Lambda."""
    global _handler
    if _handler is None:
        _handler = _build()
    return _handler(event, context)
