"""Family commands in chat and postback actions: dispatch tables, not if/elif chains.

Each command takes the services and the LINE user id and returns the reply messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from backend.services import family
from backend.services.context import Services
from backend.services.family import LinkOutcome
from family_line.messages import AWAY_NAMES, CHECKIN_STATUS_NAMES, SLOT_NAMES, say, text

Messages = list[dict[str, Any]]
Command = Callable[[Services, str], Messages]


def link(svc: Services, user: str, code: str) -> Messages:
    """Link the user with a one-time code."""
    result = family.link(svc, user, code)
    if result.outcome is LinkOutcome.LINKED and result.elder and result.member:
        member = result.member
        return [text("linked", elder=result.elder.name, relation=member.relation, name=member.name)]
    return [text("code_unknown" if result.outcome is LinkOutcome.UNKNOWN else "code_expired")]


def status(svc: Services, user: str) -> Messages:
    """Today's status of each linked elder, as far as the elder's consent shares it."""
    found = family.today_status(svc, user)
    if not found:
        return [text("not_linked")]
    parts = []
    for item in found:
        if not item.visible:
            parts.append(say("status_hidden", elder=item.elder.name))
            continue
        lines = [say("status_header", elder=item.elder.name)]
        if item.away_kind:
            lines.append(say("status_away", kind=AWAY_NAMES.get(item.away_kind, item.away_kind)))
        for slot, state, answers in item.slots:
            lines.append(
                say(
                    "status_slot",
                    slot=SLOT_NAMES.get(slot, slot),
                    status=CHECKIN_STATUS_NAMES.get(state, state),
                    answers=answers,
                )
            )
        if not item.slots and not item.away_kind:
            lines.append(say("status_none"))
        parts.append("\n".join(lines))
    return [{"type": "text", "text": "\n\n".join(parts)}]


def help_(svc: Services, user: str) -> Messages:
    """How to use the bot."""
    return [text("help")]


def unlink(svc: Services, user: str) -> Messages:
    """End every link of the user."""
    elders = family.unlink(svc, user)
    if not elders:
        return [text("not_linked")]
    return [text("unlinked", elders="さん、".join(e.name for e in elders))]


COMMANDS: dict[str, Command] = {
    "状況": status,
    "様子": status,
    "ようす": status,
    "ヘルプ": help_,
    "使い方": help_,
    "解除": unlink,
    "つながりを解除": unlink,
}

# Postback actions by ``action=`` (alerts to family come with buttons in a later step).
POSTBACKS: dict[str, Callable[[Services, str, dict[str, str]], Messages]] = {}


def postback(svc: Services, user: str, data: str) -> Messages:
    """Run the action named in postback data (``action=…&…``); unknown ones are answered kindly."""
    fields = {key: values[0] for key, values in parse_qs(data).items() if values}
    action = POSTBACKS.get(fields.get("action", ""))
    if action is None:
        return [text("postback_unknown")]
    return action(svc, user, fields)
