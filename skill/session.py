"""The session: opening the skill, pairing a speaker, 「誰が見ているの」, stopping and its end."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from backend.services import checkin, exercise_dialogue, notice_delivery
from skill import const
from skill.handlers import _ServiceHandler, caller_of, respond, session_state, slot_text


class LaunchRequestHandler(_ServiceHandler):
    """Greet and ask the first question due."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle the skill being opened."""
        return is_request_type(const.REQUEST_LAUNCH)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Announce new notices (災害 first), then start or resume today's check-in."""
        caller = caller_of(handler_input)
        turn = notice_delivery.start(self.services, caller)
        # Nothing to ask now: today's 体操 invitation, inside its window.
        return respond(handler_input, exercise_dialogue.follow(self.services, caller, turn))


class PairIntentHandler(_ServiceHandler):
    """「コードは123456」: bind this speaker to an elder."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle PairIntent."""
        return is_intent_name(const.INTENT_PAIR)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Pair with the code heard."""
        code = slot_text(handler_input, const.SLOT_CODE) or ""
        return respond(handler_input, checkin.pair(self.services, caller_of(handler_input), code))


class WhoIsWatchingIntentHandler(_ServiceHandler):
    """「誰が見ているの」: answered from the consent record."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle WhoIsWatchingIntent."""
        return is_intent_name(const.INTENT_WHO_IS_WATCHING)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say who sees the answers."""
        turn = checkin.who_is_watching(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class StopIntentHandler(_ServiceHandler):
    """Stop, Cancel or Home: end kindly, keeping what was said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.StopIntent, CancelIntent and NavigateHomeIntent."""
        return (
            is_intent_name(const.INTENT_STOP)(handler_input)
            or is_intent_name(const.INTENT_CANCEL)(handler_input)
            or is_intent_name(const.INTENT_NAVIGATE_HOME)(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Keep the answers and say goodbye."""
        turn = checkin.stop(self.services, caller_of(handler_input), session_state(handler_input))
        return respond(handler_input, turn)


class SessionEndedRequestHandler(_ServiceHandler):
    """The session ended (silence, error or the user): keep the check-in's state."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle SessionEndedRequest."""
        return is_request_type(const.REQUEST_SESSION_ENDED)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Mark the check-in partial if answers are missing; say nothing."""
        checkin.stop(
            self.services, caller_of(handler_input), session_state(handler_input), speak=False
        )
        return handler_input.response_builder.response
