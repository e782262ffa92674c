"""Messages from family at the start of a session: offered, read aloud, photos on screen.

Kept apart from the check-in handlers: the launch handler here runs first and hands
over to the check-in when nothing is waiting; the はい/いいえ handlers only take the
turn right after the offer. Imports no linebot (the skill's cold path stays light).
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces, is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from backend.domain.family import FamilyMessage, MessageKind
from backend.services import checkin, family
from backend.services.checkin import Turn
from backend.services.context import Services
from skill import const
from skill.family_prompts import JA_JP
from skill.handlers import (
    LaunchRequestHandler,
    _ServiceHandler,
    caller_of,
    prompts,
    respond,
)
from skill.render import apl_document, screen, speech_text, ssml

ATTR_FAMILY = "family"
STAGE_OFFERED = "offered"
APL_TOKEN = "family"


def _say(key: str, **params: Any) -> str:
    return JA_JP[key].format(**params)


def _from_center(message: FamilyMessage) -> bool:
    return message.kind is MessageKind.CENTER_TEXT


def _offer(messages: list[FamilyMessage]) -> str:
    if any(_from_center(m) for m in messages):
        if len(messages) == 1:
            return _say("offer_center_one", name=messages[0].sender_name)
        senders = (m.sender_name if _from_center(m) else f"{m.sender_name}さん" for m in messages)
        return _say(
            "offer_with_center", names="と".join(dict.fromkeys(senders)), count=len(messages)
        )
    names = "さんと".join(dict.fromkeys(m.sender_name for m in messages))
    if len(messages) == 1:
        return _say("offer_one", names=names)
    return _say("offer_many", names=names, count=len(messages))


def _offered(handler_input: HandlerInput) -> list[str]:
    attributes = handler_input.attributes_manager.session_attributes
    state = attributes.get(ATTR_FAMILY) or {}
    return list(state.get("ids") or []) if state.get("stage") == STAGE_OFFERED else []


def _has_screen(handler_input: HandlerInput) -> bool:
    return get_supported_interfaces(handler_input).alexa_presentation_apl is not None


class FamilyMessagesLaunchHandler(_ServiceHandler):
    """Offer waiting family messages when the skill opens; otherwise start the check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle the skill being opened."""
        return is_request_type(const.REQUEST_LAUNCH)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Offer the messages, or hand over to the check-in."""
        caller = caller_of(handler_input)
        messages = family.unheard(self.services, caller.alexa_user_id, caller.device_id)
        if not messages:
            return LaunchRequestHandler(self.services).handle(handler_input)
        handler_input.attributes_manager.session_attributes[ATTR_FAMILY] = {
            "stage": STAGE_OFFERED,
            "ids": [m.id for m in messages],
        }
        return (
            handler_input.response_builder.speak(ssml(_offer(messages)))
            .ask(
                ssml(
                    _say(
                        "offer_reprompt_center"
                        if any(_from_center(m) for m in messages)
                        else "offer_reprompt"
                    )
                )
            )
            .response
        )


def _spoken(message: FamilyMessage, screen_ok: bool) -> str:
    name = message.sender_name
    if _from_center(message):
        return _say("center_text", name=name, text=message.text)
    if message.kind is MessageKind.TEXT:
        return _say("text", name=name, text=message.text)
    if message.kind is MessageKind.STICKER:
        return _say("sticker", name=name)
    key = "video" if message.kind is MessageKind.VIDEO else "photo"
    return _say(key if screen_ok else f"{key}_no_screen", name=name)


class FamilyMessagesYesHandler(_ServiceHandler):
    """はい after the offer: read the messages, show the photo, then start the check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle はい right after the offer."""
        return is_intent_name(const.INTENT_YES)(handler_input) and bool(_offered(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read each offered message once (marked heard), then go on with the check-in."""
        ids = set(_offered(handler_input))
        caller = caller_of(handler_input)
        messages = [
            m
            for m in family.unheard(self.services, caller.alexa_user_id, caller.device_id)
            if m.id in ids
        ]
        screen_ok = _has_screen(handler_input)
        spoken = "".join(_spoken(m, screen_ok) for m in messages)
        family.mark_heard(self.services, [m.id for m in messages])
        if messages:  # 「返事をする」 now replies to the last sender
            attributes = handler_input.attributes_manager.session_attributes
            attributes[const.ATTR_LAST_SENDER] = messages[-1].sender_id
            if family.reply_members(self.services, caller.alexa_user_id, caller.device_id):
                spoken += _say("reply_hint")
        media = next((m for m in reversed(messages) if m.media_key), None)
        return _continue(self.services, handler_input, spoken, media if screen_ok else None)


class FamilyMessagesNoHandler(_ServiceHandler):
    """いいえ after the offer: keep the messages for later and start the check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle いいえ right after the offer."""
        return is_intent_name(const.INTENT_NO)(handler_input) and bool(_offered(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say they will be told later, then go on with the check-in."""
        return _continue(self.services, handler_input, _say("later"), None)


def _continue(
    services: Services, handler_input: HandlerInput, spoken: str, media: FamilyMessage | None
) -> Response:
    """Speak ``spoken`` before the check-in's first turn; show the photo if there is one."""
    handler_input.attributes_manager.session_attributes.pop(ATTR_FAMILY, None)
    turn = checkin.start(services, caller_of(handler_input))
    url = services.media_url(media.media_key) if media and media.media_key else None
    if media is None or url is None:
        response = respond(handler_input, turn)
        _prefix(response, spoken, turn, prompts(handler_input))
        return response
    catalog = prompts(handler_input)
    text, reprompt = speech_text(turn, catalog)
    builder = handler_input.response_builder
    builder.speak(ssml(spoken + text))
    if reprompt and not turn.end:
        builder.ask(ssml(reprompt))
    builder.add_directive(
        RenderDocumentDirective(
            token=APL_TOKEN,
            document=apl_document("family_photo"),
            datasources={
                "family": {
                    "kind": media.kind.value,
                    "title": _say("photo_title", name=media.sender_name),
                    "url": url,
                },
                "checkin": screen(turn, catalog),
            },
        )
    )
    builder.set_should_end_session(turn.end)
    handler_input.attributes_manager.session_attributes[const.ATTR_STATE] = turn.state
    return builder.response


def _prefix(response: Response, spoken: str, turn: Turn, catalog: dict[str, str]) -> None:
    """Put ``spoken`` before the check-in's speech in a built response."""
    text, _reprompt = speech_text(turn, catalog)
    if response.output_speech is not None:
        response.output_speech.ssml = ssml(spoken + text)
    else:
        from ask_sdk_model.ui import SsmlOutputSpeech

        response.output_speech = SsmlOutputSpeech(ssml=ssml(spoken))
