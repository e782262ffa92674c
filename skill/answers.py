"""The check-in's answers: words, numbers, blood pressure, はい/いいえ, skips and touches."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model.interfaces.alexa.presentation.apl import UserEvent

from backend.domain.conversation import Reply, ReplyKind, number_from_parts
from backend.domain.model import AnswerSource
from skill import const
from skill.handlers import _ReplyHandler, slot_int, slot_reply, slot_text
from skill.sdk_types import request_as


class AnswerIntentHandler(_ReplyHandler):
    """An answer in words: 元気, まあまあ, 飲んだ and so on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AnswerIntent."""
        return is_intent_name(const.INTENT_ANSWER)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the resolved answer id, or the words heard when none matched."""
        return slot_reply(handler_input, const.SLOT_ANSWER, ReplyKind.CHOICE)


class YesIntentHandler(_ReplyHandler):
    """はい."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.YesIntent."""
        return is_intent_name(const.INTENT_YES)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return yes."""
        return Reply(ReplyKind.YES, True, "はい")


class NoIntentHandler(_ReplyHandler):
    """いいえ."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.NoIntent."""
        return is_intent_name(const.INTENT_NO)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return no."""
        return Reply(ReplyKind.NO, False, "いいえ")


class NumberIntentHandler(_ReplyHandler):
    """A number: 52キロ5分, 6500歩, 1時間30分, or a pairing code on a new speaker."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle NumberIntent."""
        return is_intent_name(const.INTENT_NUMBER)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the number, joining whole and decimal parts."""
        whole = slot_int(handler_input, const.SLOT_NUMBER)
        decimal = slot_text(handler_input, const.SLOT_DECIMAL)
        hours = slot_int(handler_input, const.SLOT_HOURS)
        raw = "".join(
            part
            for part in (
                f"{hours}時間" if hours is not None else "",
                str(whole) if whole is not None else "",
                f"点{decimal}" if decimal else "",
            )
        )
        return Reply(ReplyKind.NUMBER, number_from_parts(whole, decimal, hours), raw)


class BloodPressureIntentHandler(_ReplyHandler):
    """上が135で下が85."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle BloodPressureIntent."""
        return is_intent_name(const.INTENT_BLOOD_PRESSURE)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return both pressures."""
        systolic = slot_int(handler_input, const.SLOT_SYSTOLIC)
        diastolic = slot_int(handler_input, const.SLOT_DIASTOLIC)
        value = {"systolic": systolic, "diastolic": diastolic}
        return Reply(ReplyKind.BLOOD_PRESSURE, value, f"上が{systolic}、下が{diastolic}")


class SkipIntentHandler(_ReplyHandler):
    """わからない / あとで."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle SkipIntent."""
        return is_intent_name(const.INTENT_SKIP)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the skip and its reason (unknown when unclear)."""
        return slot_reply(handler_input, const.SLOT_SKIP_REASON, ReplyKind.SKIP)


_TOUCH_KINDS = {
    "choice": ReplyKind.CHOICE,
    "yes": ReplyKind.YES,
    "no": ReplyKind.NO,
    "number": ReplyKind.NUMBER,
    "skip": ReplyKind.SKIP,
}


class TouchAnswerHandler(_ReplyHandler):
    """A touch on an answer button: handled exactly like the spoken answer."""

    source = AnswerSource.TOUCH

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle an APL UserEvent from an answer button."""
        return is_request_type(const.APL_USER_EVENT)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the reply that the button stands for."""
        arguments = list(request_as(handler_input, UserEvent).arguments or [])
        if len(arguments) < 3 or arguments[0] != const.APL_EVENT_ANSWER:
            return Reply(ReplyKind.CHOICE, None, "")
        kind = _TOUCH_KINDS.get(str(arguments[1]))
        value: Any = str(arguments[2])
        label = str(arguments[3]) if len(arguments) > 3 else value
        if kind is ReplyKind.NUMBER:
            value = float(value) if value.replace(".", "", 1).isdigit() else None
        elif kind in (ReplyKind.YES, ReplyKind.NO):
            value = kind is ReplyKind.YES
        if kind is None:
            return Reply(ReplyKind.CHOICE, None, label)
        return Reply(kind, value, label)
