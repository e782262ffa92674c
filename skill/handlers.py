"""What every request handler shares: the caller, the session state, slots, the spoken Turn."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot, get_supported_interfaces
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective
from ask_sdk_model.slu.entityresolution import StatusCode

from backend.domain.conversation import Reply, ReplyKind
from backend.domain.model import AnswerSource
from backend.services import engagement_dialogue, exercise_dialogue, heard, medication_reminders
from backend.services.context import Services
from backend.services.turns import Caller, Turn
from skill import const
from skill.prompts import JA_JP
from skill.render import apl_document, screen, speech_text, ssml
from skill.sdk_types import device_id, request_id, session_attributes, user_id


def caller_of(handler_input: HandlerInput) -> Caller:
    """Return the Alexa user, device and request id of this request."""
    return Caller(
        alexa_user_id=user_id(handler_input) or "",
        device_id=device_id(handler_input) or "",
        request_id=request_id(handler_input),
        screen=get_supported_interfaces(handler_input).alexa_presentation_apl is not None,
    )


def session_state(handler_input: HandlerInput) -> dict[str, Any]:
    """Return the check-in state kept in the session attributes."""
    attributes = session_attributes(handler_input)
    return dict(attributes.get(const.ATTR_STATE) or {})


def prompts(handler_input: HandlerInput) -> dict[str, str]:
    """Return the prompt catalog that the localization interceptor chose."""
    catalog = handler_input.attributes_manager.request_attributes.get(const.ATTR_PROMPTS, JA_JP)
    # The SDK keeps request attributes as objects; the localization interceptor put a catalog.
    return cast("dict[str, str]", catalog)


def greeted_once(handler_input: HandlerInput, turn: Turn) -> Turn:
    """Return the turn without its greeting when this session has greeted already."""
    attributes = session_attributes(handler_input)
    greeting = [line for line in turn.lines if line.key.startswith(GREETING)]
    if not greeting:
        return turn
    if attributes.get(const.ATTR_GREETED):
        return replace(turn, lines=tuple(x for x in turn.lines if not x.key.startswith(GREETING)))
    attributes[const.ATTR_GREETED] = True
    return turn


GREETING = "greeting_"
# Not said again on 「もう一度」: the thanks and the opening words belong to the turn they were in.
NOT_REPEATED = ("ack", "care", "skip_", "greeting_", "intro", "resume", "welcome_back", "paired")


def remember_for_repeat(handler_input: HandlerInput, speech: str, reprompt: str | None) -> None:
    """Keep what 「もう一度」 says again (the repeat interceptor leaves it as it is)."""
    if handler_input.request_envelope.session is None:
        return
    session_attributes(handler_input)[const.ATTR_LAST_RESPONSE] = {
        "speech": ssml(speech) if speech else None,
        "reprompt": ssml(reprompt) if reprompt else None,
    }
    handler_input.attributes_manager.request_attributes[const.ATTR_REPEAT_KEPT] = True


def respond(
    handler_input: HandlerInput,
    turn: Turn,
    lead: str = "",
    media: dict[str, Any] | None = None,
) -> Response:
    """Speak (after ``lead``), show (``media`` from family above the answers) and keep a Turn."""
    catalog = prompts(handler_input)
    turn = greeted_once(handler_input, turn)
    text, reprompt = speech_text(turn, catalog)
    again = replace(turn, lines=tuple(x for x in turn.lines if not x.key.startswith(NOT_REPEATED)))
    repeat, _ = speech_text(again, catalog)
    text, repeat = lead + text, lead + repeat
    builder = handler_input.response_builder
    if text:
        builder.speak(ssml(text))
    if reprompt and not turn.end:
        builder.ask(ssml(reprompt))
    remember_for_repeat(handler_input, repeat or text, None if turn.end else reprompt)
    if get_supported_interfaces(handler_input).alexa_presentation_apl is not None:
        datasources: dict[str, Any] = {"checkin": screen(turn, catalog)}
        if media is not None:
            datasources["family"] = media
        document = apl_document("checkin" if media is None else "family_photo")
        if turn.stamps is not None:
            datasources["stamps"] = turn.stamps
            document = apl_document(const.APL_DOCUMENT_STAMPS)
        builder.add_directive(
            RenderDocumentDirective(
                token=const.APL_TOKEN if media is None else const.APL_TOKEN_FAMILY,
                document=document,
                datasources=datasources,
            )
        )
    builder.set_should_end_session(turn.end)
    session_attributes(handler_input)[const.ATTR_STATE] = turn.state
    return builder.response


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    """Return what was heard for a slot, or None."""
    slot = get_slot(handler_input, name)
    return slot.value if slot is not None and slot.value not in (None, "", "?") else None


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """Return the entity-resolution id of a custom slot value, or None."""
    slot = get_slot(handler_input, name)
    if slot is None or slot.resolutions is None:
        return None
    for authority in slot.resolutions.resolutions_per_authority or []:
        status, values = authority.status, authority.values
        if status is not None and status.code == StatusCode.ER_SUCCESS_MATCH and values:
            value = values[0].value
            return value.id if value is not None else None
    return None


def slot_reply(handler_input: HandlerInput, name: str, kind: ReplyKind) -> Reply:
    """Return the resolved value of a custom slot, or its raw words (ER_SUCCESS_NO_MATCH)."""
    words = slot_text(handler_input, name) or ""
    value = slot_id(handler_input, name)
    if value is None and words:
        return Reply(ReplyKind.WORDS, None, words)
    if kind is ReplyKind.SKIP:
        return Reply(kind, value or const.SKIP_UNKNOWN, words)
    return Reply(kind, value, words)


def slot_int(handler_input: HandlerInput, name: str) -> int | None:
    """Return a number slot as an int, or None."""
    text = slot_text(handler_input, name)
    return int(text) if text is not None and text.isdigit() else None


class _ServiceHandler(AbstractRequestHandler):
    def __init__(self, services: Services) -> None:
        self.services = services


class _ReplyHandler(_ServiceHandler):
    source = AnswerSource.VOICE

    def reply(self, handler_input: HandlerInput) -> Reply:
        raise NotImplementedError

    def handle(self, handler_input: HandlerInput) -> Response:
        """Pass the reply to the backend, which reads its words first (emergencies)."""
        caller = caller_of(handler_input)
        turn = heard.answer(
            self.services,
            caller,
            session_state(handler_input),
            self.reply(handler_input),
            self.source,
        )
        # The medication answer brings the reminder offer, once (the check-in waits a turn).
        turn = medication_reminders.offer_after(self.services, caller, turn)
        # A closed check-in: today's 体操 invitation first, inside its window; a completed
        # one goes on with today's topic, stamp and quiz (where turned on).
        turn = exercise_dialogue.follow(self.services, caller, turn)
        return respond(
            handler_input, engagement_dialogue.after_checkin(self.services, caller, turn)
        )
