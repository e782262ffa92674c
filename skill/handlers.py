"""Request handlers: one class per intent; each reads the request and calls one service."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, cast

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import (
    get_slot,
    get_supported_interfaces,
    is_intent_name,
    is_request_type,
)
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective, UserEvent
from ask_sdk_model.slu.entityresolution import StatusCode

from backend.domain.conversation import Reply, ReplyKind, number_from_parts
from backend.domain.errors import NotFound
from backend.domain.model import AnswerSource
from backend.services import (
    away_dialogue,
    checkin,
    engagement_dialogue,
    exercise_dialogue,
    heard,
    medication_reminders,
    notice_delivery,
)
from backend.services.context import Services
from backend.services.turns import Caller, Line, Turn
from skill import const
from skill.prompts import JA_JP
from skill.render import apl_document, screen, speech_text, ssml
from skill.sdk_types import device_id, request_as, request_id, session_attributes, user_id

logger = logging.getLogger(__name__)


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


class LaunchRequestHandler(_ServiceHandler):
    """Greet and ask the first question due."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle the skill being opened."""
        return is_request_type(const.REQUEST_LAUNCH)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Announce new notices (災害 first), then start or resume today's check-in."""
        caller = caller_of(handler_input)
        turn = notice_delivery.start(self.services, caller)
        # Nothing to ask now: today's 体操 invitation, inside its window.
        return respond(handler_input, exercise_dialogue.follow(self.services, caller, turn))


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


class PairIntentHandler(_ServiceHandler):
    """「コードは123456」: bind this speaker to an elder."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle PairIntent."""
        return is_intent_name(const.INTENT_PAIR)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Pair with the code heard."""
        code = slot_text(handler_input, const.SLOT_CODE) or ""
        return respond(handler_input, checkin.pair(self.services, caller_of(handler_input), code))


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


class WhoIsWatchingIntentHandler(_ServiceHandler):
    """「誰が見ているの」: answered from the consent record."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle WhoIsWatchingIntent."""
        return is_intent_name(const.INTENT_WHO_IS_WATCHING)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say who sees the answers."""
        turn = checkin.who_is_watching(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class HelpIntentHandler(_ServiceHandler):
    """Explain how to answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.HelpIntent."""
        return is_intent_name(const.INTENT_HELP)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Give the hint of the current question."""
        turn = checkin.help_turn(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class FallbackIntentHandler(_ServiceHandler):
    """Something we did not catch: help without scolding."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.FallbackIntent."""
        return is_intent_name(const.INTENT_FALLBACK)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say so kindly and ask again."""
        turn = heard.nothing_heard(
            self.services, caller_of(handler_input), session_state(handler_input)
        )
        return respond(handler_input, turn)


class RepeatIntentHandler(AbstractRequestHandler):
    """「もう一度」: say the last response again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.RepeatIntent."""
        return is_intent_name(const.INTENT_REPEAT)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Repeat what was said last (kept by the repeat interceptor)."""
        attributes = session_attributes(handler_input)
        last = attributes.get(const.ATTR_LAST_RESPONSE)
        builder = handler_input.response_builder
        if not last or not last.get("speech"):
            builder.speak(ssml(prompts(handler_input)["nothing_to_repeat"]))
            return builder.set_should_end_session(False).response
        builder.speak(last["speech"])
        if last.get("reprompt"):
            builder.ask(last["reprompt"])
        return builder.set_should_end_session(False).response


class StopIntentHandler(_ServiceHandler):
    """Stop, Cancel or Home: end kindly, keeping what was said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.StopIntent, CancelIntent and NavigateHomeIntent."""
        return (
            is_intent_name(const.INTENT_STOP)(handler_input)
            or is_intent_name(const.INTENT_CANCEL)(handler_input)
            or is_intent_name(const.INTENT_NAVIGATE_HOME)(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Keep the answers and say goodbye."""
        turn = checkin.stop(self.services, caller_of(handler_input), session_state(handler_input))
        return respond(handler_input, turn)


class SessionEndedRequestHandler(_ServiceHandler):
    """The session ended (silence, error or the user): keep the check-in's state."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle SessionEndedRequest."""
        return is_request_type(const.REQUEST_SESSION_ENDED)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Mark the check-in partial if answers are missing; say nothing."""
        checkin.stop(
            self.services, caller_of(handler_input), session_state(handler_input), speak=False
        )
        return handler_input.response_builder.response


class NotFoundExceptionHandler(AbstractExceptionHandler):
    """A missing question set or record: a kind reply, logged for the operator."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handle NotFound."""
        return isinstance(exception, NotFound)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Apologise and end."""
        logger.error("Missing record while handling a request: %s", exception)
        return respond(handler_input, Turn((Line("no_question_set"),), end=True))


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything else: apologise; the stack trace goes to the log, not to the elder."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handle every exception."""
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Apologise and end."""
        logger.error("Unhandled error in the skill", exc_info=exception)
        builder = handler_input.response_builder
        builder.speak(ssml(prompts(handler_input)["error"]))
        return builder.set_should_end_session(True).response
