"""Repair: help, words not caught, 「もう一度」, and errors answered kindly."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from backend.domain.errors import NotFound
from backend.services import checkin, heard
from backend.services.turns import Line, Turn
from skill import const
from skill.handlers import _ServiceHandler, caller_of, prompts, respond, session_state
from skill.render import ssml
from skill.sdk_types import session_attributes

logger = logging.getLogger(__name__)


class HelpIntentHandler(_ServiceHandler):
    """Explain how to answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.HelpIntent."""
        return is_intent_name(const.INTENT_HELP)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Give the hint of the current question."""
        turn = checkin.help_turn(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class FallbackIntentHandler(_ServiceHandler):
    """Something we did not catch: help without scolding."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.FallbackIntent."""
        return is_intent_name(const.INTENT_FALLBACK)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say so kindly and ask again."""
        turn = heard.nothing_heard(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class RepeatIntentHandler(AbstractRequestHandler):
    """「もう一度」: say the last response again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.RepeatIntent."""
        return is_intent_name(const.INTENT_REPEAT)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Repeat what was said last (kept by the repeat interceptor)."""
        attributes = session_attributes(handler_input)
        last = attributes.get(const.ATTR_LAST_RESPONSE)
        builder = handler_input.response_builder
        if not last or not last.get("speech"):
            builder.speak(ssml(prompts(handler_input)["nothing_to_repeat"]))
            return builder.set_should_end_session(False).response
        builder.speak(last["speech"])
        if last.get("reprompt"):
            builder.ask(last["reprompt"])
        return builder.set_should_end_session(False).response


class NotFoundExceptionHandler(AbstractExceptionHandler):
    """A missing question set or record: a kind reply, logged for the operator."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handle NotFound."""
        return isinstance(exception, NotFound)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Apologise and end."""
        logger.error("Missing record while handling a request: %s", exception)
        return respond(handler_input, Turn((Line("no_question_set"),), end=True))


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything else: apologise; the stack trace goes to the log, not to the elder."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handle every exception."""
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Apologise and end."""
        logger.error("Unhandled error in the skill", exc_info=exception)
        builder = handler_input.response_builder
        builder.speak(ssml(prompts(handler_input)["error"]))
        return builder.set_should_end_session(True).response
