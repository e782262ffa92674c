"""Emergencies and the 安否 answers to a 災害 notice: 助けて, 無事です, 助けが必要です."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from backend.domain.conversation import Reply, ReplyKind
from backend.services import heard, notice_delivery
from skill import const
from skill.handlers import (
    _ReplyHandler,
    _ServiceHandler,
    caller_of,
    respond,
    session_state,
    slot_text,
)


class EmergencyIntentHandler(_ServiceHandler):
    """助けて, 胸が痛い, 倒れた: tell the elder to call 119 and record it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle EmergencyIntent."""
        return is_intent_name(const.INTENT_EMERGENCY)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Record the emergency and end the check-in."""
        turn = notice_delivery.emergency(
            self.services,
            caller_of(handler_input),
            session_state(handler_input),
            const.INTENT_EMERGENCY,
        )
        return respond(handler_input, turn)


class EmergencyInMessageHandler(_ServiceHandler):
    """「助けてと娘に伝えて」: an emergency said as a message to family is an emergency first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle a 「…と伝えて」 whose words say an emergency."""
        if not is_intent_name(const.INTENT_REPLY_MESSAGE)(handler_input):
            return False
        words = slot_text(handler_input, const.SLOT_MESSAGE) or ""
        return heard.says_emergency(self.services, caller_of(handler_input), words)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Record the emergency and tell the elder to call 119 (family is alerted too)."""
        turn = notice_delivery.emergency(
            self.services,
            caller_of(handler_input),
            session_state(handler_input),
            "words:message",
        )
        return respond(handler_input, turn)


class SafeIntentHandler(_ReplyHandler):
    """「無事です」: the 安否 answer to a 災害 notice."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle SafeIntent."""
        return is_intent_name(const.INTENT_SAFE)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the safe answer."""
        return Reply(ReplyKind.CHOICE, const.SAFETY_SAFE, "無事です")


class NeedHelpIntentHandler(_ReplyHandler):
    """「助けが必要です」: the 安否 answer that opens an urgent alert."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle NeedHelpIntent."""
        return is_intent_name(const.INTENT_NEED_HELP)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the need-help answer."""
        return Reply(ReplyKind.CHOICE, const.SAFETY_NEED_HELP, "助けが必要です")
