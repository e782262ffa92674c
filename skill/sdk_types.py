"""Typed reads of the ASK SDK where its annotations are wider than what it returns."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_device_id, get_user_id
from ask_sdk_model import Request
from ask_sdk_model.interfaces.system import SystemState

R = TypeVar("R", bound=Request)


def request_as(handler_input: HandlerInput, kind: type[R]) -> R:
    """Return the request as the type its handler was chosen for (the envelope check ran)."""
    request = handler_input.request_envelope.request
    assert isinstance(request, kind), f"a {kind.__name__} handler got another request"
    return request


def session_attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """Return the session attributes (the SDK raises, never returns None, without a session)."""
    return cast("dict[str, Any]", handler_input.attributes_manager.session_attributes)


def user_id(handler_input: HandlerInput) -> str | None:
    """Return the Alexa user id (the SDK annotates it AnyStr; it is the envelope's str)."""
    return cast("str | None", get_user_id(handler_input))


def device_id(handler_input: HandlerInput) -> str | None:
    """Return the device id (the SDK annotates it AnyStr; it is the envelope's str)."""
    return cast("str | None", get_device_id(handler_input))


def system_of(handler_input: HandlerInput) -> SystemState:
    """Return the envelope's System context (the envelope check refused one without it)."""
    context = handler_input.request_envelope.context
    assert context is not None, "the envelope check refuses an envelope without a context"
    assert context.system is not None, "the envelope check refuses a context without System"
    return context.system


def request_id(handler_input: HandlerInput) -> str:
    """Return the request id (Alexa always sends one; the SDK marks every field optional)."""
    request = handler_input.request_envelope.request
    assert request is not None, "the SDK read an envelope without a request"
    return cast("str", request.request_id)
