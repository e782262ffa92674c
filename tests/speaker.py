"""Drive the skill like an Echo Show would: typed Japanese in, parsed replies out."""

from __future__ import annotations

import copy
from typing import Any

from backend.envelopes import AlexaSession
from backend.talk import Conversation, Reply, in_process_sender, parse_response

SKILL_ID = "amzn1.ask.skill.test"
USER_ID = "amzn1.ask.account.TEST"
DEVICE_ID = "amzn1.ask.device.TEST"


class Speaker(Conversation):
    """A Conversation that also remembers the last envelope, to replay it."""

    def __init__(
        self,
        skill: Any,
        clock: Any,
        *,
        screen: bool = True,
        granted: bool = False,
        api_endpoint: str | None = None,
        api_access_token: str | None = None,
        **ids: str,
    ) -> None:
        session = AlexaSession(
            SKILL_ID, ids.get("user_id", USER_ID), ids.get("device_id", DEVICE_ID), screen=screen
        )
        session.reminders_granted = granted
        if api_endpoint is not None:
            session.api_endpoint = api_endpoint
        if api_access_token is not None:
            session.api_access_token = api_access_token
        self.sent: list[dict[str, Any]] = []
        self.last_raw: dict[str, Any] | None = None
        sender = in_process_sender(skill)

        def send(envelope: dict[str, Any]) -> dict[str, Any]:
            self.sent.append(copy.deepcopy(envelope))
            return sender(envelope)

        super().__init__(session, send, clock)

    def directives(self) -> list[dict[str, Any]]:
        """Return the directives of the last response."""
        return list(((self.last_raw or {}).get("response") or {}).get("directives") or [])

    def answer_permission(self, status: str) -> Reply:
        """Answer Alexa's permission question (ACCEPTED, DENIED, NOT_ANSWERED) as Alexa reports it."""
        (ask,) = [d for d in self.directives() if d.get("type") == "Connections.SendRequest"]
        if status == "ACCEPTED":
            self.session.reminders_granted = True
        return self._exchange(self.session.permission_answer(status, ask["token"], self.clock()))

    def _exchange(self, envelope: dict[str, Any]) -> Reply:
        reply = super()._exchange(envelope)
        self.last_raw = reply.raw
        return reply

    def replay_last(self) -> Reply:
        """Send the last envelope again, same request id (Alexa's retry)."""
        return parse_response(self.send(copy.deepcopy(self.sent[-1])))

    def new_session(self) -> None:
        """Start a new Alexa session on the same device."""
        self.session = AlexaSession(
            self.session.skill_id,
            self.session.user_id,
            self.session.device_id,
            screen=self.session.screen,
            reminders_granted=self.session.reminders_granted,
            api_endpoint=self.session.api_endpoint,
            api_access_token=self.session.api_access_token,
        )
