"""The elder's reply to family on LINE: 「返事をする」, 「娘に伝えて」, read back, はい → pushed.

A reply is made in a few turns kept in the session (``const.ATTR_FAMILY_REPLY``):
whom to tell (the sender of the message heard last, or a family member named by name or
relation), what to tell (free text, ``AMAZON.SearchQuery`` after a carrier phrase such
as 「…と伝えて」), then the words read back for はい/いいえ. はい queues the push through
the outbox (``family_replies.send_reply``, which checks the link and the consent again) and
goes on with the check-in. Any other request ends the reply (``ReplyStateInterceptor``), so a
later はい can never send it by surprise. Imports no linebot.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from backend.domain.model import Recipient
from backend.services import family_replies
from skill import const
from skill.family_prompts import JA_JP
from skill.family_relay import _continue
from skill.handlers import _ServiceHandler, caller_of, slot_id, slot_text
from skill.render import ssml
from skill.sdk_types import session_attributes

STAGE_TEXT = "text"  # waiting for what to tell
STAGE_WHO = "who"  # waiting for whom to tell
STAGE_CONFIRM = "confirm"  # waiting for はい/いいえ
REPLY_INTENTS = frozenset(
    {
        const.INTENT_REPLY,
        const.INTENT_TELL_FAMILY,
        const.INTENT_REPLY_MESSAGE,
        const.INTENT_YES,
        const.INTENT_NO,
    }
)


def _say(key: str, **params: Any) -> str:
    return JA_JP[key].format(**params)


def _state(handler_input: HandlerInput) -> dict[str, Any]:
    attributes = session_attributes(handler_input)
    return dict(attributes.get(const.ATTR_FAMILY_REPLY) or {})


def _stage(handler_input: HandlerInput) -> str | None:
    return _state(handler_input).get("stage")


def _members(handler_input: HandlerInput, services: Any) -> list[Recipient]:
    caller = caller_of(handler_input)
    return family_replies.reply_members(services, caller.alexa_user_id, caller.device_id)


def _ask(
    handler_input: HandlerInput, state: dict[str, Any], speech: str, reprompt: str
) -> Response:
    """Keep the reply state and ask; the check-in state is left as it was."""
    session_attributes(handler_input)[const.ATTR_FAMILY_REPLY] = state
    builder = handler_input.response_builder
    builder.speak(ssml(speech)).ask(ssml(reprompt))
    builder.set_should_end_session(False)
    return builder.response


def _names(members: list[Recipient]) -> str:
    return "、".join(f"{m.relation}の{m.name}さん" for m in members)


def _ask_who(
    handler_input: HandlerInput, members: list[Recipient], text: str, lead: str = ""
) -> Response:
    state = {"stage": STAGE_WHO, "text": text}
    speech = lead + _say("reply_ask_who", names=_names(members))
    reprompt = _say("reply_ask_who_reprompt", example=members[0].relation)
    return _ask(handler_input, state, speech, reprompt)


def _ask_text(handler_input: HandlerInput, member: Recipient) -> Response:
    state = {"stage": STAGE_TEXT, "to": member.id, "name": member.name}
    return _ask(
        handler_input,
        state,
        _say("reply_ask_text", name=member.name),
        _say("reply_ask_text_reprompt"),
    )


def _confirm(handler_input: HandlerInput, member_id: str, name: str, text: str) -> Response:
    state = {"stage": STAGE_CONFIRM, "to": member_id, "name": name, "text": text}
    return _ask(
        handler_input,
        state,
        _say("reply_confirm", name=name, text=text),
        _say("reply_confirm_reprompt", name=name),
    )


def _nobody(services: Any, handler_input: HandlerInput) -> Response:
    return _continue(services, handler_input, _say("reply_nobody"), None, replied=True)


def _target(handler_input: HandlerInput, members: list[Recipient]) -> Recipient | None:
    """Return whom the reply goes to without asking: the last sender heard, or the only one."""
    attributes = session_attributes(handler_input)
    wanted = _state(handler_input).get("to") or attributes.get(const.ATTR_LAST_SENDER)
    found = next((m for m in members if m.id == wanted), None)
    if found is None and len(members) == 1:
        return members[0]
    return found


class ReplyIntentHandler(_ServiceHandler):
    """「返事をする」: reply to whoever sent the message heard last (or ask whom to tell)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle 「返事をする」."""
        return is_intent_name(const.INTENT_REPLY)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask what to tell the sender, or whom to tell."""
        members = _members(handler_input, self.services)
        if not members:
            return _nobody(self.services, handler_input)
        member = _target(handler_input, members)
        if member is None:
            return _ask_who(handler_input, members, "")
        return _ask_text(handler_input, member)


class TellFamilyIntentHandler(_ServiceHandler):
    """「娘に伝えて」「明美さんに伝えて」: choose the family member by relation or name."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle 「○○に伝えて」."""
        return is_intent_name(const.INTENT_TELL_FAMILY)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Find the member; unknown or several → a kind question listing who can be told."""
        members = _members(handler_input, self.services)
        if not members:
            return _nobody(self.services, handler_input)
        said = slot_text(handler_input, const.SLOT_MEMBER) or ""
        group = slot_id(handler_input, const.SLOT_MEMBER)
        found = family_replies.find_members(members, said, group)
        text = str(_state(handler_input).get("text") or "")
        if len(found) != 1:
            lead = _say("reply_several" if found else "reply_unknown", said=said) if said else ""
            return _ask_who(handler_input, found or members, text, lead)
        member = found[0]
        if text:
            return _confirm(handler_input, member.id, member.name, text)
        return _ask_text(handler_input, member)


class ReplyMessageIntentHandler(_ServiceHandler):
    """「日曜日を楽しみにしています、と伝えて」: what to tell, read back for confirmation."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle 「…と伝えて」."""
        return is_intent_name(const.INTENT_REPLY_MESSAGE)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read the words back to the chosen member, or ask whom to tell first."""
        members = _members(handler_input, self.services)
        if not members:
            return _nobody(self.services, handler_input)
        text = " ".join((slot_text(handler_input, const.SLOT_MESSAGE) or "").split())
        named, text = _named_first(members, text)
        text = text[: family_replies.MAX_REPLY_CHARS]
        member = named or _target(handler_input, members)
        if not text and member is not None:
            return _ask_text(handler_input, member)
        if member is None:
            return _ask_who(handler_input, members, text)
        return _confirm(handler_input, member.id, member.name, text)


def _named_first(members: list[Recipient], text: str) -> tuple[Recipient | None, str]:
    """Split 「娘に今日は元気だよ」 into the member named (娘) and the words to tell."""
    head, sep, rest = text.partition("に")
    if not sep or not rest.strip() or len(head) > MAX_NAME_CHARS:
        return None, text
    found = family_replies.find_members(members, head.strip())
    if len(found) != 1:
        return None, text
    return found[0], rest.strip(" 、,")


MAX_NAME_CHARS = 12  # 「長女の明美さん」: longer heads are part of the message


class ReplyYesHandler(_ServiceHandler):
    """はい after the read-back: push the reply, then go on with the check-in."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle はい right after the read-back."""
        return is_intent_name(const.INTENT_YES)(handler_input) and (
            _stage(handler_input) == STAGE_CONFIRM
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Queue the push (checked against link and consent) and say so."""
        state = _state(handler_input)
        caller = caller_of(handler_input)
        outcome = family_replies.send_reply(
            self.services,
            caller.alexa_user_id,
            caller.device_id,
            caller.request_id,
            str(state.get("to") or ""),
            str(state.get("text") or ""),
        )
        name = str(state.get("name") or "")
        key = "reply_sent" if outcome is family_replies.ReplyOutcome.QUEUED else "reply_not_allowed"
        session_attributes(handler_input).pop(const.ATTR_FAMILY_REPLY, None)
        return _continue(self.services, handler_input, _say(key, name=name), None, replied=True)


class ReplyNoHandler(_ServiceHandler):
    """いいえ after the read-back: ask for the words again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle いいえ right after the read-back."""
        return is_intent_name(const.INTENT_NO)(handler_input) and (
            _stage(handler_input) == STAGE_CONFIRM
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Keep whom to tell; ask what to tell once more."""
        state = _state(handler_input)
        again = {"stage": STAGE_TEXT, "to": state.get("to"), "name": state.get("name")}
        return _ask(handler_input, again, _say("reply_again"), _say("reply_ask_text_reprompt"))


class ReplyStateInterceptor(AbstractRequestInterceptor):
    """Forget a reply in progress when the elder turns to something else."""

    def process(self, handler_input: HandlerInput) -> None:
        """Drop the reply state unless this request is part of a reply."""
        if handler_input.request_envelope.session is None:  # skill events have no session
            return
        attributes = session_attributes(handler_input)
        if const.ATTR_FAMILY_REPLY not in attributes:
            return
        if not any(is_intent_name(name)(handler_input) for name in REPLY_INTENTS):
            attributes.pop(const.ATTR_FAMILY_REPLY, None)
            return
        stage = attributes[const.ATTR_FAMILY_REPLY].get("stage")
        if (
            is_intent_name(const.INTENT_YES)(handler_input)
            or is_intent_name(const.INTENT_NO)(handler_input)
        ) and stage != STAGE_CONFIRM:
            attributes.pop(const.ATTR_FAMILY_REPLY, None)
