"""The shape an Alexa request envelope must have before the SDK and the handlers see it.

Every host (``POST /alexa`` and the Lambda entry) checks the parsed JSON here first. The
SDK's deserializer accepts ``null`` or a missing ``context``/``request`` and leaves the
handlers to fail on them; :func:`check_envelope` refuses those (and strings, numbers or lists
where Alexa sends an object) with :class:`MalformedEnvelope`, whose message names only the
fields at fault, never their values. A well-formed envelope whose request type the SDK does
not know (a type Alexa added later) is not an error: :func:`read_envelope` returns None and
the host answers :func:`empty_response`.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from ask_sdk_model import Request, RequestEnvelope
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from skill import const

logger = logging.getLogger(__name__)


def empty_response() -> dict[str, Any]:
    """Return what Alexa expects when a request needs no speech (skill events, errors)."""
    return {"version": "1.0", "response": {}}


# Alexa request types are dotted names (IntentRequest, AlexaSkillEvent.SkillEnabled ...).
RequestType = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,99}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=500)]
_Object = dict[str, Any]

# The request types of a conversation turn (the check-in, family messages, notices).
CONVERSATION = frozenset(
    {const.REQUEST_LAUNCH, const.REQUEST_INTENT, const.REQUEST_SESSION_ENDED, const.APL_USER_EVENT}
)


class _Open(BaseModel):
    """A JSON object: the listed fields (Alexa's names) must have these types; others pass."""

    model_config = ConfigDict(extra="allow", strict=True)


class _Application(_Open):
    applicationId: NonEmpty


class _User(_Open):
    userId: NonEmpty


class _Device(_Open):
    deviceId: NonEmpty | None = None
    supportedInterfaces: _Object | None = None


class _SpeakerDevice(_Device):
    deviceId: NonEmpty
    supportedInterfaces: _Object


class _System(_Open):
    application: _Application
    user: _User | None = None
    device: _Device | None = None
    apiEndpoint: str | None = None
    apiAccessToken: str | None = None


class _Context(_Open):
    System: _System


class _Attributes(_Open):
    """What our own responses put in the session (Alexa sends it back on the next turn)."""

    state: _Object | None = Field(None, alias=const.ATTR_STATE)
    last_response: _Object | None = Field(None, alias=const.ATTR_LAST_RESPONSE)
    family_reply: _Object | None = Field(None, alias=const.ATTR_FAMILY_REPLY)
    last_sender: str | None = Field(None, alias=const.ATTR_LAST_SENDER)


class _Session(_Open):
    new: bool | None = None
    sessionId: str | None = None
    application: _Application | None = None
    user: _User | None = None
    attributes: _Attributes | None = None


class _Slot(_Open):
    name: str | None = None
    value: str | None = None


class _Intent(_Open):
    name: NonEmpty
    slots: dict[str, _Slot] | None = None


class _Request(_Open):
    type: RequestType
    requestId: NonEmpty
    timestamp: str | int | None = None
    locale: str | None = None
    intent: _Intent | None = None
    arguments: list[Any] | None = None


class _Envelope(_Open):
    version: str | None = None
    session: _Session | None = None
    context: _Context
    request: _Request


class _SpeakerSystem(_System):
    user: _User
    device: _SpeakerDevice


class _SpeakerContext(_Context):
    System: _SpeakerSystem


class _Conversation(_Envelope):
    """A turn of a conversation: what the handlers read is there (session, user, device)."""

    session: _Session
    context: _SpeakerContext


class MalformedEnvelope(ValueError):
    """The JSON is not an Alexa request envelope; the message names the fields at fault."""


def check_envelope(data: Any) -> None:
    """Raise MalformedEnvelope unless ``data`` (parsed JSON) has an Alexa envelope's shape.

    A conversation turn (launch, intent, touch, session end) must also have what its
    handlers read: the session, the user and the device with its supported interfaces.
    """
    request = data.get("request") if isinstance(data, dict) else None
    kind = request.get("type") if isinstance(request, dict) else None
    # One validation a request: a conversation turn's model includes the envelope's.
    conversation = isinstance(kind, str) and kind in CONVERSATION
    envelope = _validated(_Conversation if conversation else _Envelope, data)
    if envelope.request.type == const.REQUEST_INTENT and envelope.request.intent is None:
        raise MalformedEnvelope("malformed fields: request.intent")


def _validated(model: type[_Envelope], data: Any) -> _Envelope:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fields = sorted({".".join(map(str, e["loc"])) or "(body)" for e in err.errors()})
        raise MalformedEnvelope("malformed fields: " + ", ".join(fields[:5])) from None


# The request types a handler acts on; any other is answered empty (event_handlers).
ACTED_ON = CONVERSATION | {
    const.REQUEST_PROACTIVE_SUBSCRIPTION_CHANGED,
    const.REQUEST_EXCEPTION_ENCOUNTERED,
}


def read_envelope(data: dict[str, Any], serializer: Any) -> RequestEnvelope | None:
    """Return the SDK's envelope of checked ``data``, or None when it is to be answered empty.

    None for a request type the SDK does not know (a type Alexa added later), or one that no
    handler acts on and the SDK cannot read (e.g. an APL error kind newer than the SDK).
    Raise MalformedEnvelope when the SDK cannot read a request type a handler acts on.
    """
    request_type = data["request"]["type"]
    if request_type not in Request.discriminator_value_class_map:
        logger.warning("Alexa request of an unknown type answered empty: %s", request_type)
        return None
    try:
        return serializer.deserialize(json.dumps(data), RequestEnvelope)
    except Exception as err:  # the SDK raises its own and various parsing errors
        if request_type not in ACTED_ON:
            logger.warning("Alexa request %s the SDK cannot read answered empty", request_type)
            return None
        raise MalformedEnvelope(f"unreadable {request_type}: {type(err).__name__}") from None
