"""Handlers of the medication reminder: the offer, the time, the permission answer, on and off.

The request tells what the skill may do: ``context.System.apiEndpoint`` and ``apiAccessToken``
call the Reminders API in session, and ``context.System.user.permissions.scopes`` says whether
the elder granted reminders. When not, the skill asks by voice (``Connections.SendRequest``
``AskFor``) and Alexa answers with a ``Connections.Response`` request; its token carries where the
check-in was and the time chosen, so the conversation goes on even in a new session.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.interfaces.connections import ConnectionsResponse, SendRequestDirective

from backend.channels.reminders import InSession
from backend.domain.conversation import Reply, ReplyKind
from backend.services import engagement_dialogue, exercise_dialogue
from backend.services import medication_reminders as service
from backend.services.turns import Turn
from skill import const
from skill.handlers import (
    _ReplyHandler,
    _ServiceHandler,
    caller_of,
    prompts,
    remember_for_repeat,
    respond,
    session_state,
)
from skill.render import speech_text, ssml
from skill.sdk_types import request_as, session_attributes, system_of

# Intents that keep their own meaning while the offer or the time question waits.
_NOT_ANSWERS = frozenset({
    const.INTENT_STOP, const.INTENT_CANCEL, const.INTENT_NAVIGATE_HOME, const.INTENT_HELP,
    const.INTENT_REPEAT, const.INTENT_EMERGENCY, const.INTENT_REMINDER, const.INTENT_REMINDER_OFF,
})  # fmt: skip


def access_of(handler_input: HandlerInput) -> service.Access:
    """Return the in-session API access of the request and whether reminders are granted."""
    system = system_of(handler_input)
    session = None
    if system.api_endpoint and system.api_access_token:
        session = InSession(system.api_endpoint, system.api_access_token)
    permissions = system.user.permissions if system.user is not None else None
    scopes = (permissions.scopes if permissions is not None else None) or {}
    scope = scopes.get(const.REMINDERS_SCOPE)
    status = getattr(getattr(scope, "status", None), "value", None)
    return service.Access(session, status == const.PERMISSION_GRANTED)


def _words(handler_input: HandlerInput) -> str | None:
    """Return what was said or touched: a yes/no button's label, or every slot heard."""
    request = handler_input.request_envelope.request
    if is_request_type(const.APL_USER_EVENT)(handler_input):
        arguments = list(getattr(request, "arguments", None) or [])
        if len(arguments) >= 3 and arguments[1] in ("yes", "no"):
            return "はい" if arguments[1] == "yes" else "いいえ"
        return None
    intent = request.intent if isinstance(request, IntentRequest) else None
    if intent is None or intent.name in _NOT_ANSWERS:
        return None
    if intent.name == const.INTENT_YES:
        return "はい"
    if intent.name == const.INTENT_NO:
        return "いいえ"
    slots = intent.slots or {}
    return "、".join(s.value for s in slots.values() if s.value not in (None, "", "?"))


def ask_permission(handler_input: HandlerInput, turn: Turn) -> Response:
    """Speak the lead-in and ask Alexa's permission question (reminders, by voice).

    The response carries only the speech and the directive: no reprompt and no screen, and the
    session is neither kept open nor ended here (Alexa asks its own question next).
    """
    text, _ = speech_text(turn, prompts(handler_input))
    builder = handler_input.response_builder
    builder.speak(ssml(text))
    builder.add_directive(
        SendRequestDirective(
            name=const.ASK_FOR,
            payload={
                "@type": "AskForPermissionsConsentRequest",
                "@version": "2",
                "permissionScopes": [
                    {"permissionScope": const.REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}
                ],
            },
            token=service.permission_token(turn.state),
        )
    )
    session_attributes(handler_input)[const.ATTR_STATE] = turn.state
    remember_for_repeat(handler_input, text, None)
    return builder.response


class _ReminderHandler(_ServiceHandler):
    def respond(self, handler_input: HandlerInput, turn: Turn) -> Response:
        """Speak the turn, ask the permission when it waits for it, or go on after the check-in."""
        if service.in_stage(turn.state) == service.STAGE_PERMISSION:
            return ask_permission(handler_input, turn)
        caller = caller_of(handler_input)
        # The check-in closed after the reminder: what follows a closed check-in follows now.
        turn = exercise_dialogue.follow(self.services, caller, turn)
        return respond(
            handler_input, engagement_dialogue.after_checkin(self.services, caller, turn)
        )


class ReminderOfferHandler(_ReminderHandler):
    """What is said (or touched) to 「お薬の時間に、このスピーカーでお知らせしましょうか。」."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle any answer while the offer waits."""
        if _words(handler_input) is None:  # first: an event has no session to read
            return False
        return service.in_stage(session_state(handler_input)) == service.STAGE_OFFER

    def handle(self, handler_input: HandlerInput) -> Response:
        """はい sets it (asking the permission first); いいえ leaves it; the check-in goes on."""
        caller, state = caller_of(handler_input), session_state(handler_input)
        words = _words(handler_input) or ""
        turn = service.offer_reply(self.services, caller, state, words, access_of(handler_input))
        return self.respond(handler_input, turn)


class ReminderTimeHandler(_ReminderHandler):
    """The time asked for: 「朝8時」 (ReminderTimeIntent), or other words while it waits."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle any answer while the time question waits."""
        if _words(handler_input) is None:  # first: an event has no session to read
            return False
        return service.in_stage(session_state(handler_input)) == service.STAGE_TIME

    def handle(self, handler_input: HandlerInput) -> Response:
        """Set the reminder at that time, or ask once again."""
        caller, state = caller_of(handler_input), session_state(handler_input)
        value = None
        if is_intent_name(const.INTENT_REMINDER_TIME)(handler_input):
            intent = request_as(handler_input, IntentRequest).intent
            slots = (intent.slots if intent is not None else None) or {}
            slot = slots.get(const.SLOT_TIME)
            value = slot.value if slot is not None else None
        words = _words(handler_input) or ""
        access = access_of(handler_input)
        turn = service.time_said(self.services, caller, state, value, words, access)
        return self.respond(handler_input, turn)


class ReminderHelpHandler(_ReminderHandler):
    """「使い方を教えて」 while the offer or the time question waits: say how to answer it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle AMAZON.HelpIntent in a reminder stage."""
        if not is_intent_name(const.INTENT_HELP)(handler_input):
            return False
        return service.in_stage(session_state(handler_input)) in (
            service.STAGE_OFFER,
            service.STAGE_TIME,
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask the same question again, with how to answer it."""
        return self.respond(handler_input, service.help_turn(session_state(handler_input)))


class ReminderIntentHandler(_ReminderHandler):
    """「薬の時間に教えて」: the elder asks for the reminder (even after a no)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle MedicationReminderIntent."""
        return is_intent_name(const.INTENT_REMINDER)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Go on to set it: the time, the permission, then the reminder."""
        caller, state = caller_of(handler_input), session_state(handler_input)
        turn = service.wanted(self.services, caller, state, access_of(handler_input))
        return self.respond(handler_input, turn)


class ReminderOffIntentHandler(_ReminderHandler):
    """「お薬のお知らせはいらない」: delete the reminder; it is offered no more."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle MedicationReminderOffIntent."""
        return is_intent_name(const.INTENT_REMINDER_OFF)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Delete it and say so (kindly, also when it could not be deleted now)."""
        caller, state = caller_of(handler_input), session_state(handler_input)
        turn = service.remove(self.services, caller, state, access_of(handler_input))
        return self.respond(handler_input, turn)


class PermissionResponseHandler(_ReminderHandler):
    """Alexa's answer to the permission question: ACCEPTED, DENIED or NOT_ANSWERED."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle Connections.Response of AskFor."""
        request = handler_input.request_envelope.request
        return (
            is_request_type(const.REQUEST_CONNECTIONS_RESPONSE)(handler_input)
            and getattr(request, "name", None) == const.ASK_FOR
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        """Set the reminder when accepted; else go on with the check-in kindly."""
        request = request_as(handler_input, ConnectionsResponse)
        kept = _stage_free(session_state(handler_input))
        state = {**service.state_of_token(request.token), **kept}
        turn = service.permission_answered(
            self.services,
            caller_of(handler_input),
            state,
            permission_status(request.payload),
            access_of(handler_input),
        )
        return self.respond(handler_input, turn)


def _stage_free(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in ("stage", "tries")}


def permission_status(payload: Any) -> str:
    """Return the answer in a Connections.Response payload (version 1 or 2 of AskFor)."""
    if not isinstance(payload, dict):
        return "NOT_ANSWERED"
    status = payload.get("status")
    if isinstance(status, str):
        return status
    for scope in payload.get("permissionScopes") or []:
        if isinstance(scope, dict) and isinstance(scope.get("status"), str):
            return scope["status"]
    return "NOT_ANSWERED"


class ReminderTimeElsewhereHandler(_ReplyHandler):
    """A bare time (「8時」) when no reminder time is asked: words for the check-in to read."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Handle ReminderTimeIntent outside the time question."""
        return is_intent_name(const.INTENT_REMINDER_TIME)(handler_input)

    def reply(self, handler_input: HandlerInput) -> Reply:
        """Return the time heard as words."""
        return Reply(ReplyKind.WORDS, None, _words(handler_input) or "")


__all__ = [
    "PermissionResponseHandler",
    "ReminderHelpHandler",
    "ReminderIntentHandler",
    "ReminderOffIntentHandler",
    "ReminderOfferHandler",
    "ReminderTimeElsewhereHandler",
    "ReminderTimeHandler",
]
