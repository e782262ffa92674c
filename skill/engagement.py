"""Handlers of the quiz after the check-in (「はい」 to the offer, the answer, 「クイズ」).

They take the turn only in their own stages (``backend.services.engagement_dialogue``), or on
their own intents; an emergency said as a quiz answer is an emergency first.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response

from backend.services import engagement_dialogue
from skill import const
from skill.handlers import _ServiceHandler, caller_of, respond, session_state

# Intents that keep their own meaning while a quiz question waits.
_NOT_ANSWERS = frozenset({
    const.INTENT_STOP, const.INTENT_CANCEL, const.INTENT_NAVIGATE_HOME, const.INTENT_HELP,
    const.INTENT_REPEAT, const.INTENT_EMERGENCY, const.INTENT_QUIZ_OFF,
})  # fmt: skip


def _quiz_words(handler_input: HandlerInput) -> str | None:
    """Return the words of a quiz answer: a choice button's, or every slot heard."""
    request = handler_input.request_envelope.request
    if is_request_type(const.APL_USER_EVENT)(handler_input):
        arguments = list(getattr(request, "arguments", None) or [])
        if len(arguments) >= 3 and arguments[1] == const.APL_KIND_QUIZ:
            return str(arguments[2])
        return None
    intent = request.intent if isinstance(request, IntentRequest) else None
    if intent is None or intent.name in _NOT_ANSWERS:
        return None
    if intent.name == const.INTENT_YES:
        return "はい"
    slots = intent.slots or {}
    return "、".join(s.value for s in slots.values() if s.value not in (None, "", "?"))


class QuizOfferYesHandler(_ServiceHandler):
    """「はい」 to 「今日のクイズを、一つ出してもいいですか」: ask the first question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.YesIntent right after the offer."""
        return is_intent_name(const.INTENT_YES)(handler_input) and engagement_dialogue.offered(
            session_state(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask today's first quiz question, with its choices on the screen."""
        turn = engagement_dialogue.start_quiz(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class QuizOfferWordsHandler(_ServiceHandler):
    """Anything else said to the offer: 「お願い」「やる」 start it, other words decline kindly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle any other answer right after the offer (「いいえ」 included)."""
        return _quiz_words(handler_input) is not None and engagement_dialogue.offered(
            session_state(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read the words: an emergency first, then yes or no."""
        words = _quiz_words(handler_input) or ""
        if is_intent_name(const.INTENT_NO)(handler_input):
            words = "いいえ"
        caller, state = caller_of(handler_input), session_state(handler_input)
        turn = engagement_dialogue.offer_reply(self.services, caller, state, words)
        return respond(handler_input, turn)


class QuizAnswerHandler(_ServiceHandler):
    """The answer to a quiz question, by voice (any intent's words) or a choice button."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle what is said or touched while a quiz question waits."""
        return _quiz_words(handler_input) is not None and engagement_dialogue.in_quiz(
            session_state(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Judge it (an emergency first), say the right answer kindly, go on or say goodbye."""
        words = _quiz_words(handler_input) or ""
        caller, state = caller_of(handler_input), session_state(handler_input)
        return respond(
            handler_input, engagement_dialogue.answer(self.services, caller, state, words)
        )


class QuizIntentHandler(_ServiceHandler):
    """「クイズ」: today's quiz, when the elder asks for it (it also turns the quiz back on)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle QuizIntent."""
        return is_intent_name(const.INTENT_QUIZ)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask today's quiz question if one is left."""
        turn = engagement_dialogue.set_quiz(self.services, caller_of(handler_input), True)
        return respond(handler_input, turn)


class QuizOffIntentHandler(_ServiceHandler):
    """「クイズはいらない」: no more quiz for this elder until they ask for one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle QuizOffIntent."""
        return is_intent_name(const.INTENT_QUIZ_OFF)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Keep the choice and say so."""
        turn = engagement_dialogue.set_quiz(self.services, caller_of(handler_input), False)
        return respond(handler_input, turn)
