"""Messages from family at the start of a session: offered, read aloud, photos on screen.

Kept apart from the check-in handlers: the launch handler here runs first and hands
over to the check-in when nothing is waiting; the はい/いいえ handlers only take the
turn right after the offer. Imports no linebot (the skill's cold path stays light).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces, is_intent_name, is_request_type
from ask_sdk_model import Response

from backend.domain.family import FamilyMessage, MessageKind
from backend.services import checkin, family, family_replies
from backend.services.context import Services
from backend.services.turns import Line, Turn
from skill import const
from skill.family_prompts import JA_JP
from skill.handlers import (
    _ServiceHandler,
    caller_of,
    prompts,
    remember_for_repeat,
    respond,
    session_state,
)
from skill.prompts import render
from skill.render import ssml
from skill.sdk_types import session_attributes
from skill.session import LaunchRequestHandler

ATTR_FAMILY = "family"
STAGE_OFFERED = "offered"
STAGE_REPLY_OFFER = "reply_offer"  # 「お返事をなさいますか」 after the messages
APL_TOKEN = const.APL_TOKEN_FAMILY


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
    attributes = session_attributes(handler_input)
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
        """Greet and offer the messages, or hand over to the check-in."""
        caller = caller_of(handler_input)
        messages = family.unheard(self.services, caller.alexa_user_id, caller.device_id)
        if not messages:
            return LaunchRequestHandler(self.services).handle(handler_input)
        attributes = session_attributes(handler_input)
        attributes[ATTR_FAMILY] = {"stage": STAGE_OFFERED, "ids": [m.id for m in messages]}
        hello = checkin.greeting(self.services, caller)
        lead = render(hello.key, hello.params, prompts(handler_input)) if hello else ""
        attributes[const.ATTR_GREETED] = True  # greeted once a session
        speech = lead + _offer(messages)
        reprompt = _say(
            "offer_reprompt_center" if any(_from_center(m) for m in messages) else "offer_reprompt"
        )
        remember_for_repeat(handler_input, _offer(messages), reprompt)
        return handler_input.response_builder.speak(ssml(speech)).ask(ssml(reprompt)).response


def _spoken(message: FamilyMessage, screen_ok: bool, more: bool = False) -> str:
    name = message.sender_name
    if _from_center(message):
        return _say("center_text", name=name, text=message.text)
    if message.kind is MessageKind.TEXT:
        return _say("text", name=name, text=message.text)
    if message.kind is MessageKind.STICKER:
        return _say("sticker", name=name)
    key = "video" if message.kind is MessageKind.VIDEO else "photo"
    if not screen_ok:
        return _say(f"{key}_no_screen", name=name)
    return _say(f"{key}_more" if more else key, name=name)


def _is_media(message: FamilyMessage) -> bool:
    return bool(message.media_key) and message.kind in (MessageKind.IMAGE, MessageKind.VIDEO)


def _said_without_screen(messages: list[FamilyMessage]) -> str:
    """Return the messages read on a speaker without a screen: photos counted, not repeated."""
    parts: list[str] = []
    i = 0
    while i < len(messages):
        message = messages[i]
        if not _is_media(message):
            parts.append(_spoken(message, False))
            i += 1
            continue
        j = i
        while (
            j < len(messages)
            and _is_media(messages[j])
            and (messages[j].sender_id, messages[j].kind) == (message.sender_id, message.kind)
        ):
            j += 1
        key = "video" if message.kind is MessageKind.VIDEO else "photo"
        if j - i == 1:
            parts.append(_say(f"{key}_no_screen", name=message.sender_name))
        else:
            parts.append(_say(f"{key}_no_screen_many", name=message.sender_name, count=j - i))
        i = j
    return "".join(parts)


def _this_turn(
    messages: list[FamilyMessage], screen_ok: bool
) -> tuple[list[FamilyMessage], list[FamilyMessage]]:
    """Return the messages of this turn (up to its one photo or video) and those left."""
    if not screen_ok:
        return messages, []
    for i, message in enumerate(messages):
        if _is_media(message):
            return messages[: i + 1], messages[i + 1 :]
    return messages, []


def _media_payload(services: Services, message: FamilyMessage) -> dict[str, Any] | None:
    url = services.media_url(message.media_key) if message.media_key else None
    if url is None:
        return None
    return {
        "kind": message.kind.value,
        "title": _say("photo_title", name=message.sender_name),
        "url": url,
    }


class FamilyMessagesYesHandler(_ServiceHandler):
    """はい after the offer: read the messages, one photo or video a turn, then the check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle はい right after the offer."""
        return is_intent_name(const.INTENT_YES)(handler_input) and bool(_offered(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read the messages up to the next photo, show it, mark heard only what was shown."""
        attributes = session_attributes(handler_input)
        ids = set(_offered(handler_input))
        shown_before = bool(attributes.get(ATTR_FAMILY, {}).get("shown"))
        caller = caller_of(handler_input)
        messages = [
            m
            for m in family.unheard(self.services, caller.alexa_user_id, caller.device_id)
            if m.id in ids
        ]
        screen_ok = _has_screen(handler_input)
        now, rest = _this_turn(messages, screen_ok)
        media = next((m for m in now if _is_media(m)), None) if screen_ok else None
        payload = _media_payload(self.services, media) if media is not None else None
        if screen_ok:
            spoken = "".join(
                _spoken(m, payload is not None, more=shown_before and m is media) for m in now
            )
        else:
            spoken = _said_without_screen(now)
        family.mark_heard(self.services, [m.id for m in now])
        if now:  # 「返事をする」 now replies to the last sender
            attributes[const.ATTR_LAST_SENDER] = now[-1].sender_id
        if rest:
            attributes[ATTR_FAMILY] = {
                "stage": STAGE_OFFERED,
                "ids": [m.id for m in rest],
                "shown": True,
            }
            turn = Turn(
                (Line("family_next"),),
                state=session_state(handler_input),
                reprompt=Line("family_next_reprompt"),
                screen={"title": "", "text": "", "buttons": NEXT_BUTTONS},
            )
            return respond(handler_input, turn, lead=spoken, media=payload)
        replyable = bool(
            now
            and family_replies.reply_members(self.services, caller.alexa_user_id, caller.device_id)
        )
        return _continue(self.services, handler_input, spoken, payload, replyable=replyable)


NEXT_BUTTONS = [
    {"kind": "yes", "value": "yes", "label": "はい", "primary": True},
    {"kind": "no", "value": "no", "label": "いいえ", "primary": False},
]


class FamilyMessagesNoHandler(_ServiceHandler):
    """いいえ after the offer: keep the messages for later and start the check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle いいえ right after the offer."""
        return is_intent_name(const.INTENT_NO)(handler_input) and bool(_offered(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say they will be told later, then go on with the check-in."""
        return _continue(self.services, handler_input, _say("later"), None)


def _reply_offered(handler_input: HandlerInput) -> bool:
    attributes = session_attributes(handler_input)
    return (attributes.get(ATTR_FAMILY) or {}).get("stage") == STAGE_REPLY_OFFER and (
        const.ATTR_FAMILY_REPLY not in attributes
    )


class ReplyOfferYesHandler(_ServiceHandler):
    """はい to 「お返事をなさいますか」 (the check-in was done): make the reply."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle はい right after the offer to reply."""
        return is_intent_name(const.INTENT_YES)(handler_input) and _reply_offered(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Go on as 「返事をする」."""
        from skill.family_reply import ReplyIntentHandler

        session_attributes(handler_input).pop(ATTR_FAMILY, None)
        return ReplyIntentHandler(self.services).handle(handler_input)


class ReplyOfferNoHandler(_ServiceHandler):
    """いいえ to 「お返事をなさいますか」: a kind goodbye."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle いいえ right after the offer to reply."""
        return is_intent_name(const.INTENT_NO)(handler_input) and _reply_offered(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say goodbye."""
        session_attributes(handler_input).pop(ATTR_FAMILY, None)
        return respond(handler_input, Turn((Line("goodbye"),), end=True))


def _continue(
    services: Services,
    handler_input: HandlerInput,
    spoken: str,
    media: dict[str, Any] | None,
    *,
    replyable: bool = False,
    replied: bool = False,
) -> Response:
    """Speak ``spoken`` before the check-in's next turn; show the photo if there is one.

    When the check-in has nothing to ask (done already), the session does not simply end:
    after messages the elder is asked whether to reply, after a reply they hear a goodbye.
    """
    attributes = session_attributes(handler_input)
    attributes.pop(ATTR_FAMILY, None)
    turn = checkin.start(services, caller_of(handler_input))
    if turn.end and turn.question is None and (replyable or replied):
        if replyable:
            attributes[ATTR_FAMILY] = {"stage": STAGE_REPLY_OFFER}
            turn = Turn((Line("reply_offer"),), reprompt=Line("reply_offer_reprompt"))
            turn = replace(turn, screen={"title": "", "text": "", "buttons": NEXT_BUTTONS})
        else:
            turn = Turn((Line("closing"),), end=True)
    elif replyable:
        spoken += _say("reply_hint")
    return respond(handler_input, turn, lead=spoken, media=media)
