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

    def __init__(self, skill: Any, clock: Any, *, screen: bool = True, **ids: str) -> None:
        session = AlexaSession(
            SKILL_ID, ids.get("user_id", USER_ID), ids.get("device_id", DEVICE_ID), screen=screen
        )
        self.sent: list[dict[str, Any]] = []
        sender = in_process_sender(skill)

        def send(envelope: dict[str, Any]) -> dict[str, Any]:
            self.sent.append(copy.deepcopy(envelope))
            return sender(envelope)

        super().__init__(session, send, clock)

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
        )
