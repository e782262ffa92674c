"""Alexa request envelopes as Alexa sends them (for ``mimamori talk``, tests and benchmarks)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

APL_MAX_VERSION = "2023.3"
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AlexaSession:
    """One Alexa session on one device: keeps the session id and attributes between turns."""

    skill_id: str
    user_id: str
    device_id: str
    screen: bool = True
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    attributes: dict[str, Any] = field(default_factory=dict)
    new: bool = True
    # Whether the user granted the skill reminders (context.System.user.permissions.scopes).
    reminders_granted: bool = False
    api_endpoint: str = "https://api.fe.amazonalexa.com"
    api_access_token: str = "local-talk"

    def envelope(self, request: dict[str, Any], at: datetime) -> dict[str, Any]:
        """Return a full envelope around ``request`` sent at ``at``."""
        request = {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": _timestamp(at),
            "locale": "ja-JP",
            **request,
        }
        interfaces: dict[str, Any] = {}
        if self.screen:
            interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": APL_MAX_VERSION}}
        application = {"applicationId": self.skill_id}
        user: dict[str, Any] = {"userId": self.user_id}
        if self.reminders_granted:
            scope = {REMINDERS_SCOPE: {"status": "GRANTED"}}
            user["permissions"] = {"consentToken": self.api_access_token, "scopes": scope}
        envelope = {
            "version": "1.0",
            "session": {
                "new": self.new,
                "sessionId": self.session_id,
                "application": application,
                "attributes": self.attributes,
                "user": user,
            },
            "context": {
                "System": {
                    "application": application,
                    "user": user,
                    "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
                    "apiEndpoint": self.api_endpoint,
                    "apiAccessToken": self.api_access_token,
                }
            },
            "request": request,
        }
        self.new = False
        return envelope

    def launch(self, at: datetime) -> dict[str, Any]:
        """Return a LaunchRequest envelope."""
        return self.envelope({"type": "LaunchRequest"}, at)

    def intent(self, intent: dict[str, Any], at: datetime) -> dict[str, Any]:
        """Return an IntentRequest envelope for an intent object as Alexa sends it."""
        return self.envelope(
            {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": intent}, at
        )

    def touch(self, arguments: list[Any], at: datetime, token: str) -> dict[str, Any]:
        """Return an APL UserEvent envelope for a button press."""
        return self.envelope(
            {
                "type": "Alexa.Presentation.APL.UserEvent",
                "token": token,
                "arguments": arguments,
                "source": {"type": "TouchWrapper", "handler": "Press", "id": "button"},
            },
            at,
        )

    def permission_answer(self, status: str, token: str, at: datetime) -> dict[str, Any]:
        """Return the Connections.Response envelope of the user's answer to AskFor reminders."""
        scope = {"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}
        return self.envelope(
            {
                "type": "Connections.Response",
                "name": "AskFor",
                "status": {"code": "200", "message": "OK"},
                "token": token,
                "payload": {"permissionScopes": [scope], "status": status},
            },
            at,
        )

    def ended(self, at: datetime, reason: str = "USER_INITIATED") -> dict[str, Any]:
        """Return a SessionEndedRequest envelope."""
        return self.envelope({"type": "SessionEndedRequest", "reason": reason}, at)

    def absorb(self, response: dict[str, Any]) -> None:
        """Keep the session attributes that a response returned."""
        self.attributes = response.get("sessionAttributes") or {}


def builtin_intent(name: str) -> dict[str, Any]:
    """Return an intent object without slots."""
    return {"name": name, "confirmationStatus": "NONE", "slots": {}}
