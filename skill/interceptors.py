"""Interceptors: localization, "say that again" and redacted logging."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name
from ask_sdk_model import Response

from skill import const
from skill.prompts import JA_JP

logger = logging.getLogger(__name__)

CATALOGS = {"ja-JP": JA_JP}


class LocalizationInterceptor(AbstractRequestInterceptor):
    """Put the prompt catalog of the request's locale into the request attributes."""

    def process(self, handler_input: HandlerInput) -> None:
        """Choose the catalog (ja-JP is the only locale, and the fallback)."""
        locale = getattr(handler_input.request_envelope.request, "locale", None) or "ja-JP"
        catalog = CATALOGS.get(locale, JA_JP)
        handler_input.attributes_manager.request_attributes[const.ATTR_PROMPTS] = catalog


class RedactedRequestLogger(AbstractRequestInterceptor):
    """Log the request type, intent and id only: never slots, user or device ids."""

    def process(self, handler_input: HandlerInput) -> None:
        """Log one line per request."""
        request_type = get_request_type(handler_input)
        intent = get_intent_name(handler_input) if request_type == "IntentRequest" else "-"
        logger.info(
            "Alexa request %s intent=%s id=%s",
            request_type,
            intent,
            handler_input.request_envelope.request.request_id,
        )


class RepeatCacheInterceptor(AbstractResponseInterceptor):
    """Keep the last speech and reprompt in the session so 「もう一度」 can repeat it."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        """Remember what was said (except when it was itself a repeat)."""
        if response is None or is_intent_name(const.INTENT_REPEAT)(handler_input):
            return
        if handler_input.request_envelope.session is None:  # nothing to keep it in
            return
        if response.output_speech is None:
            return
        attributes = handler_input.attributes_manager.session_attributes
        attributes[const.ATTR_LAST_RESPONSE] = {
            "speech": response.output_speech.ssml,
            "reprompt": response.reprompt.output_speech.ssml if response.reprompt else None,
        }
