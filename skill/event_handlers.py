"""Requests that are not part of a conversation: skill events, Alexa's error reports, the rest.

One class per request type, after the ASK SDK samples. None of them speaks: Alexa expects an
empty response to these, and nothing in them is logged but the request or error type.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.exceptions import DispatchException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.events.skillevents import ProactiveSubscriptionChangedRequest
from ask_sdk_model.interfaces.system import ExceptionEncounteredRequest

from backend.services import speaker_events
from backend.services.context import Services
from skill import const
from skill.sdk_types import request_as, system_of

logger = logging.getLogger(__name__)


class ProactiveSubscriptionChangedHandler(AbstractRequestHandler):
    """The user allowed or stopped the skill's notifications: mark the speaker accordingly."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AlexaSkillEvent.ProactiveSubscriptionChanged."""
        return is_request_type(const.REQUEST_PROACTIVE_SUBSCRIPTION_CHANGED)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Record whether notifications (AMAZON.MessageAlert.Activated) are still allowed."""
        body = request_as(handler_input, ProactiveSubscriptionChangedRequest).body
        names = {event.event_name for event in (body.subscriptions if body else None) or []}
        system = system_of(handler_input)
        speaker_events.notifications_permitted(
            self.services,
            (system.user.user_id if system.user else None) or "",
            system.device.device_id if system.device else None,
            const.EVENT_MESSAGE_ALERT in names,
        )
        return handler_input.response_builder.response


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa could not use our last response: log the error type for the operator."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle System.ExceptionEncountered."""
        return is_request_type(const.REQUEST_EXCEPTION_ENCOUNTERED)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Log the error type (never its message, which may quote what was said)."""
        error = request_as(handler_input, ExceptionEncounteredRequest).error
        kind = error.object_type.value if error is not None and error.object_type else "unknown"
        logger.warning("Alexa reported an error with the skill's last response: %s", kind)
        return handler_input.response_builder.response


class UnhandledRequestHandler(AbstractRequestHandler):
    """Any other request that is not an intent (APL runtime errors, other skill events...)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle every request type but IntentRequest (goes last)."""
        return not is_request_type(const.REQUEST_INTENT)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Answer empty, with one short line naming the type."""
        request_type = get_request_type(handler_input)
        logger.warning("Alexa request %s has no handler: answered empty", request_type)
        return handler_input.response_builder.response


class UnknownIntentExceptionHandler(AbstractExceptionHandler):
    """An intent no handler knows (not in our model, or newer): answered like the fallback."""

    def __init__(
        self, fallback: AbstractRequestHandler, otherwise: AbstractExceptionHandler
    ) -> None:
        self.fallback = fallback
        self.otherwise = otherwise

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handle the SDK finding no handler for an IntentRequest."""
        return isinstance(exception, DispatchException) and is_request_type(const.REQUEST_INTENT)(
            handler_input
        )

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response | None:
        """Ask again kindly, as for AMAZON.FallbackIntent; one short warning, no traceback."""
        logger.warning("An intent no handler knows was answered like AMAZON.FallbackIntent")
        try:
            return self.fallback.handle(handler_input)
        except Exception as err:  # an exception handler must answer, never raise
            return self.otherwise.handle(handler_input, err)
