"""Away periods: 「しばらく入院します」, until when, and 「ただいま」."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from backend.services import away_dialogue, checkin
from skill import const
from skill.handlers import _ServiceHandler, caller_of, respond, session_state, slot_id, slot_text


class AwayIntentHandler(_ServiceHandler):
    """「しばらく入院します」: pause watching until a date."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AwayIntent."""
        return is_intent_name(const.INTENT_AWAY)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask until when, or read back what was said."""
        turn = away_dialogue.away_said(
            self.services,
            caller_of(handler_input),
            session_state(handler_input),
            slot_id(handler_input, const.SLOT_AWAY_KIND),
            slot_text(handler_input, const.SLOT_UNTIL),
            slot_text(handler_input, const.SLOT_SINCE),
        )
        return respond(handler_input, turn)


class DateIntentHandler(_ServiceHandler):
    """「12月1日まで」: the end of an away period."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle DateIntent."""
        return is_intent_name(const.INTENT_DATE)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read back the away period."""
        turn = away_dialogue.until_said(
            self.services,
            caller_of(handler_input),
            session_state(handler_input),
            slot_text(handler_input, const.SLOT_UNTIL),
        )
        return respond(handler_input, turn)


class ReturnIntentHandler(_ServiceHandler):
    """「ただいま」: end the away period and start today's check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle ReturnIntent."""
        return is_intent_name(const.INTENT_RETURN)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Welcome the elder back."""
        return respond(handler_input, checkin.returned(self.services, caller_of(handler_input)))
