"""Handlers of the answer to a 体操 invitation (「やった」「今日はやめとく」, or its buttons).

They take the turn only right after the invitation (``backend.services.exercise_dialogue``);
intents with a meaning of their own keep it, and emergency words are an emergency first.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response

from backend.services import engagement_dialogue, exercise_dialogue
from skill import const
from skill.handlers import _ServiceHandler, caller_of, respond, session_state

# Intents that keep their own meaning after the invitation.
_NOT_ANSWERS = frozenset({
    const.INTENT_STOP, const.INTENT_CANCEL, const.INTENT_NAVIGATE_HOME, const.INTENT_REPEAT,
    const.INTENT_EMERGENCY, const.INTENT_WHO_IS_WATCHING, const.INTENT_AWAY,
    const.INTENT_RETURN, const.INTENT_DATE, const.INTENT_PAIR, const.INTENT_HELP,
})  # fmt: skip
_FIXED_WORDS = {
    const.INTENT_YES: "はい",
    const.INTENT_NO: "いいえ",
    const.INTENT_NEED_HELP: "助けが必要です",
}


def _touched(handler_input: HandlerInput) -> str | None:
    """Return the value of a touched answer button of the invitation, or None."""
    if not is_request_type(const.APL_USER_EVENT)(handler_input):
        return None
    arguments = list(getattr(handler_input.request_envelope.request, "arguments", None) or [])
    if len(arguments) >= 3 and arguments[1] == exercise_dialogue.BUTTON_KIND:
        return str(arguments[2])
    return None


def _words(handler_input: HandlerInput) -> str | None:
    """Return what was said after the invitation: every slot heard, or an intent's words."""
    request = handler_input.request_envelope.request
    intent = request.intent if isinstance(request, IntentRequest) else None
    if intent is None or intent.name in _NOT_ANSWERS:
        return None
    if intent.name in _FIXED_WORDS:
        return _FIXED_WORDS[intent.name]
    slots = intent.slots or {}
    return "、".join(s.value for s in slots.values() if s.value not in (None, "", "?"))


class ExerciseAnswerHandler(_ServiceHandler):
    """「やった」「これからやる」「今日はやめとく」 (or a button) after the invitation."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle what is said or touched right after the invitation."""
        conversational = is_request_type("IntentRequest")(handler_input) or is_request_type(
            const.APL_USER_EVENT
        )(handler_input)
        if not conversational or not exercise_dialogue.invited(session_state(handler_input)):
            return False  # events without a session (subscription changes, errors) are not ours
        return _touched(handler_input) is not None or _words(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        """Keep the answer, thank the elder, then the closing words (and what follows them)."""
        caller, state = caller_of(handler_input), session_state(handler_input)
        touched = _touched(handler_input)
        if touched is not None:
            turn = exercise_dialogue.reply(self.services, caller, state, touched, touched=True)
        else:
            words = _words(handler_input) or ""
            turn = exercise_dialogue.reply(self.services, caller, state, words)
        # A completed check-in goes on with today's topic, stamp and quiz (where turned on).
        return respond(
            handler_input, engagement_dialogue.after_checkin(self.services, caller, turn)
        )


class ExerciseHelpHandler(_ServiceHandler):
    """「使い方を教えて」 after the invitation: how to answer it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.HelpIntent right after the invitation."""
        return is_intent_name(const.INTENT_HELP)(handler_input) and exercise_dialogue.invited(
            session_state(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say which words answer it; the buttons stay."""
        turn = exercise_dialogue.hint(self.services, session_state(handler_input))
        return respond(handler_input, turn)
