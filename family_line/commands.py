"""Family commands in chat and postback actions: dispatch tables, not if/elif chains.

Each command takes the services and the LINE user id and returns the reply messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any
from urllib.parse import parse_qs

from backend.domain.model import AwayKind, Outcome
from backend.services import family
from backend.services.context import Services
from backend.services.family import ClaimOutcome, LinkOutcome
from family_line.flex import away_choices, outcome_choices
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


def away_ask(svc: Services, user: str) -> Messages:
    """Ask whose away period and of which kind, with a date picker for its end."""
    elders = [elder for _member, elder in family.linked_elders(svc, user)]
    if not elders:
        return [text("not_linked")]
    return [away_choices(elders, svc.now().date())]


def away_end(svc: Services, user: str) -> Messages:
    """End the current away periods of the user's elders."""
    ended = family.end_away(svc, user)
    if not ended:
        return [text("away_none")]
    return [text("away_ended", elders="さん、".join(e.name for e in ended))]


COMMANDS.update({"おやすみ登録": away_ask, "おやすみ終了": away_end})


def _claim(svc: Services, user: str, fields: dict[str, str], params: dict[str, Any]) -> Messages:
    result = family.claim_alert(svc, user, fields.get("alert", ""))
    if result.outcome is ClaimOutcome.NOT_ALLOWED or result.elder is None:
        return [text("not_allowed")]
    if result.outcome is ClaimOutcome.TAKEN:
        if result.claimed_by is None:
            return [text("claim_done_already", elder=result.elder.name)]
        return [text("claim_taken", elder=result.elder.name, holder=result.claimed_by)]
    message = say("claimed", elder=result.elder.name, holder=result.claimed_by)
    return [outcome_choices(message, fields["alert"])]


def _resolve(svc: Services, user: str, fields: dict[str, str], params: dict[str, Any]) -> Messages:
    try:
        outcome = Outcome[fields.get("outcome", "")]
    except KeyError:
        return [text("postback_unknown")]
    result = family.resolve_alert(svc, user, fields.get("alert", ""), outcome)
    if result.outcome is ClaimOutcome.NOT_ALLOWED or result.elder is None:
        return [text("not_allowed")]
    if result.outcome is ClaimOutcome.TAKEN:
        if result.claimed_by is None:
            return [text("claim_done_already", elder=result.elder.name)]
        return [text("claim_taken", elder=result.elder.name, holder=result.claimed_by)]
    return [text("resolved", elder=result.elder.name, outcome=outcome.value)]


def _away(svc: Services, user: str, fields: dict[str, str], params: dict[str, Any]) -> Messages:
    until = str(params.get("date") or "")
    try:
        kind = AwayKind(fields.get("kind", ""))
        date.fromisoformat(until)
    except ValueError:
        return [text("away_bad_date")]
    found = family.declare_away(svc, user, fields.get("elder", ""), kind, until)
    if found is None:
        return [text("not_allowed")]
    elder, _period = found
    day = date.fromisoformat(until)
    return [
        text(
            "away_set",
            elder=elder.name,
            until=f"{day.month}月{day.day}日",
            kind=AWAY_NAMES[kind.value],
        )
    ]


_TIME = re.compile(r"^(午前|午後)?(\d{1,2})(?:時(半|(\d{1,2})分)?|:(\d{2}))$")


def parse_summary_time(words: str) -> time | None:
    """Return the time in 「8時」「19時半」「午後7時」「8:30」, or None."""
    match = _TIME.match("".join(words.split()))
    if match is None:
        return None
    noon, hour_text, half, minutes, colon = match.groups()
    hour = int(hour_text) + (12 if noon == "午後" and int(hour_text) < 12 else 0)
    minute = 30 if half == "半" else int(minutes or colon or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _clock(at: time) -> str:
    return f"{at.hour}時" + (f"{at.minute}分" if at.minute else "")


def summary(svc: Services, user: str, argument: str) -> Messages:
    """「まとめ 8時」: opt in to the daily summary at that time (「まとめ」 alone: the setting)."""
    if argument in ("停止", "やめる", "止める", "解除", "終了"):
        return summary_stop(svc, user)
    if not argument:
        current = family.summary_of(svc, user)
        if current is None:
            return [text("summary_not_set")]
        return [text("summary_current", time=_clock(time.fromisoformat(current.send_at)))]
    at = parse_summary_time(argument)
    if at is None:
        return [text("summary_bad_time")]
    try:
        elders = family.subscribe_summary(svc, user, at)
    except ValueError:
        return [text("summary_bad_time")]
    if elders is None:
        return [text("not_linked")]
    return [text("summary_set", time=_clock(at), elders="さん、".join(e.name for e in elders))]


def summary_stop(svc: Services, user: str) -> Messages:
    """「まとめ停止」: opt out of the daily summary."""
    return [text("summary_stopped" if family.unsubscribe_summary(svc, user) else "summary_not_set")]


COMMANDS.update({"まとめ停止": summary_stop, "まとめ": lambda svc, user: summary(svc, user, "")})

ArgumentCommand = Callable[[Services, str, str], Messages]

_SUMMARY_ARGUMENT = re.compile(r"^(?:停止|やめる|止める|解除|終了|午前|午後|\d)")

# Commands followed by a value (「まとめ 8時」), by their first word, with what the value
# must look like: anything else (「まとめて送るね」) is an ordinary message, relayed.
ARGUMENT_COMMANDS: dict[str, tuple[ArgumentCommand, re.Pattern[str]]] = {
    "まとめ": (summary, _SUMMARY_ARGUMENT),
}


def with_argument(said: str) -> tuple[ArgumentCommand, str] | None:
    """Return the command that ``said`` starts with and the rest of it, or None."""
    for word, (command, argument_pattern) in ARGUMENT_COMMANDS.items():
        argument = said[len(word) :].strip()
        if said.startswith(word) and argument_pattern.match(argument):
            return command, argument
    return None


Postback = Callable[[Services, str, dict[str, str], dict[str, Any]], Messages]

# Postback actions by ``action=`` in the postback data.
POSTBACKS: dict[str, Postback] = {"claim": _claim, "resolve": _resolve, "away": _away}


def postback(svc: Services, user: str, data: str, params: dict[str, Any] | None = None) -> Messages:
    """Run the action named in postback data (``action=…&…``); unknown ones are answered kindly.

    ``params`` are the postback's parameters (the date a date picker chose).
    """
    fields = {key: values[0] for key, values in parse_qs(data).items() if values}
    action = POSTBACKS.get(fields.get("action", ""))
    if action is None:
        return [text("postback_unknown")]
    return action(svc, user, fields, params or {})
