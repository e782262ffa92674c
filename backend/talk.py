"""A Japanese terminal conversation with the skill, in-process or against ``--url``."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from backend.envelopes import AlexaSession, builtin_intent

_TAGS = re.compile(r"<[^>]+>")
SILENCE = ""


def plain(ssml: str | None) -> str:
    """Return the text of an SSML string."""
    return _TAGS.sub("", ssml or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Reply:
    """What the skill answered, ready to print."""

    speech: str
    reprompt: str
    end: bool
    screen: dict[str, Any] | None
    raw: dict[str, Any]


def parse_response(raw: dict[str, Any]) -> Reply:
    """Return the speech, reprompt, end flag and APL datasource of a response envelope."""
    response = raw.get("response") or {}
    speech = plain((response.get("outputSpeech") or {}).get("ssml"))
    reprompt = plain(((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml"))
    screen = None
    for directive in response.get("directives") or []:
        if directive.get("type") == "Alexa.Presentation.APL.RenderDocument":
            screen = (directive.get("datasources") or {}).get("checkin")
    end = response.get("shouldEndSession")
    return Reply(speech, reprompt, end is not False, screen, raw)


def in_process_sender(skill: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a sender that invokes the skill object directly."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    serializer = DefaultSerializer()

    def send(envelope: dict[str, Any]) -> dict[str, Any]:
        request = serializer.deserialize(json.dumps(envelope), RequestEnvelope)
        answer = serializer.serialize(skill.invoke(request_envelope=request, context=None))
        return cast("dict[str, Any]", answer)  # the SDK serializes a response to a JSON object

    return send


def http_sender(url: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a sender that POSTs envelopes to a running ``/alexa`` endpoint."""

    def send(envelope: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            url,
            data=json.dumps(envelope).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as err:
            raise TalkError(
                f"{url} が {err.code} を返しました。署名検証が有効なサーバーには、"
                "ローカルの talk から送れません（開発用サーバーでは "
                "MIMAMORI_ALEXA_VERIFY_SIGNATURE=false）。"
            ) from err

    return send


class TalkError(RuntimeError):
    """The conversation could not go on."""


class Conversation:
    """Turns typed Japanese into Alexa requests and keeps the session."""

    def __init__(
        self,
        session: AlexaSession,
        send: Callable[[dict[str, Any]], dict[str, Any]],
        clock: Callable[[], datetime],
        tz: tzinfo | None = None,
    ) -> None:
        from skill.const import APL_EVENT_ANSWER, APL_TOKEN
        from skill.nlu import ModelResolver

        self.session = session
        self.send = send
        self.clock = clock
        self.tz = tz or ZoneInfo("Asia/Tokyo")
        self.resolver = ModelResolver.from_package()
        self.screen: dict[str, Any] | None = None
        self.silences = 0
        self._answer_event = APL_EVENT_ANSWER
        self._token = APL_TOKEN

    def _exchange(self, envelope: dict[str, Any]) -> Reply:
        reply = parse_response(self.send(envelope))
        self.session.absorb(reply.raw)
        if reply.screen is not None:
            self.screen = reply.screen
        self.silences = 0
        return reply

    def open(self) -> Reply:
        """Send a LaunchRequest."""
        return self._exchange(self.session.launch(self.clock()))

    def say(self, text: str) -> Reply:
        """Send what the elder said (or pressed: ``#2`` presses the second button)."""
        text = text.strip()
        if text.startswith("#") and self.screen and text[1:].isdigit():
            index = int(text[1:]) - 1
            buttons = self.screen.get("buttons") or []
            if 0 <= index < len(buttons):
                b = buttons[index]
                arguments = [self._answer_event, b["kind"], b["value"], b["label"]]
                return self._exchange(self.session.touch(arguments, self.clock(), self._token))
        resolution = self.resolver.resolve(text, today=self.clock().astimezone(self.tz).date())
        intent = (
            resolution.to_intent_json(self.session.skill_id)
            if resolution
            else builtin_intent("AMAZON.FallbackIntent")
        )
        return self._exchange(self.session.intent(intent, self.clock()))

    def end(self, reason: str = "USER_INITIATED") -> None:
        """Send a SessionEndedRequest."""
        self.send(self.session.ended(self.clock(), reason))
