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
from ask_sdk_model.ui import SsmlOutputSpeech

from skill import const
from skill.prompts import JA_JP
from skill.sdk_types import request_id, session_attributes

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
            request_id(handler_input),
        )


class RepeatCacheInterceptor(AbstractResponseInterceptor):
    """Keep the last speech and reprompt in the session so 「もう一度」 can repeat it."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        """Remember what was said (except when it was itself a repeat)."""
        if response is None or is_intent_name(const.INTENT_REPEAT)(handler_input):
            return
        if handler_input.request_envelope.session is None:  # nothing to keep it in
            return
        speech = response.output_speech
        if not isinstance(speech, SsmlOutputSpeech):
            return
        if handler_input.attributes_manager.request_attributes.get(const.ATTR_REPEAT_KEPT):
            return  # the handler kept the words worth repeating (no thanks, no greeting)
        attributes = session_attributes(handler_input)
        reprompt = response.reprompt.output_speech if response.reprompt else None
        attributes[const.ATTR_LAST_RESPONSE] = {
            "speech": speech.ssml,
            "reprompt": reprompt.ssml if isinstance(reprompt, SsmlOutputSpeech) else None,
        }
