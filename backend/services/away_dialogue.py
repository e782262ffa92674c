"""Away periods and weekly absences told by voice: asked until when, read back, set on はい."""

from __future__ import annotations

from typing import Any

from backend.domain.conversation import Reply, ReplyKind
from backend.domain.model import AwayKind
from backend.services import away
from backend.services.checkin_repair import fallback
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.turns import (
    Caller,
    Line,
    Turn,
    current_question,
    elder_for,
    unpaired,
    with_question,
)

_QUESTION_KEYS = ("date", "slot", "q", "later")


def _kept(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k in _QUESTION_KEYS}


def _away_confirm(
    state: dict[str, Any], kind: str, until: str | None, since: str | None = None
) -> Turn:
    key = "away_confirm" if until else "away_confirm_open"
    params: dict[str, Any] = {"kind": kind, "until": until}
    if since:
        key += "_from"
        params["since"] = since
    new_state = {**_kept(state), "stage": away.STAGE_CONFIRM, "away_kind": kind}
    new_state["away_until"] = until
    if since:
        new_state["away_since"] = since
    return Turn((Line(key, params),), state=new_state, reprompt=Line("yes_or_no"))


def away_said(
    svc: Services,
    caller: Caller,
    state: dict[str, Any],
    kind: str | None,
    until: str | None,
    since: str | None = None,
) -> Turn:
    """「しばらく入院します」: ask until when (unless said), then read it back."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    kind = kind or "other"
    if until is None:
        new_state = {**_kept(state), "stage": away.STAGE_UNTIL, "away_kind": kind}
        line = Line("away_ask_until", {"kind": kind})
        if since:
            new_state["away_since"] = since
            line = Line("away_ask_until_from", {"kind": kind, "since": since})
        return Turn((line,), state=new_state, reprompt=Line("away_until_reprompt"))
    return _away_confirm(state, kind, until, since)


def until_said(svc: Services, caller: Caller, state: dict[str, Any], until: str | None) -> Turn:
    """Take the answer to "until when?" (out of that context a date is not understood)."""
    if state.get("stage") != away.STAGE_UNTIL or not until:
        return fallback(svc, caller, state)
    return _away_confirm(state, state.get("away_kind", "other"), until, state.get("away_since"))


@retry_when_busy
def away_reply(svc: Services, caller: Caller, state: dict[str, Any], reply: Reply) -> Turn:
    """Take the reply to "until when?" or to the away period read back (set on はい)."""
    kind = state.get("away_kind", "other")
    if state.get("stage") == away.STAGE_UNTIL:
        if reply.kind is ReplyKind.SKIP:
            return _away_confirm(state, kind, None, state.get("away_since"))
        return Turn(
            (Line("away_ask_until", {"kind": kind}),),
            state=state,
            reprompt=Line("away_until_reprompt"),
        )
    if reply.kind is ReplyKind.NO:
        with svc.uow() as uow:
            elder = elder_for(uow, caller)
        question = current_question(svc, elder, state) if elder else None
        return with_question([Line("away_cancelled")], question, _kept(state))
    if reply.kind is not ReplyKind.YES:
        return _away_confirm(state, kind, state.get("away_until"), state.get("away_since"))
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    now = svc.now()
    end = away.end_of(state.get("away_until"), svc.tz)
    start = away.start_of(state.get("away_since"), svc.tz, now)
    away.declare(svc, elder.id, AwayKind(kind), start=start, end=end, set_by="elder")
    return Turn((Line(f"away_set_{kind}"),), end=True)


def _weekly_confirm(state: dict[str, Any], kind: str, weekdays: list[str]) -> Turn:
    new_state = {**_kept(state), "stage": away.STAGE_WEEKLY}
    new_state |= {"weekly_kind": kind, "weekly_days": weekdays}
    line = Line("weekly_confirm", {"absence": kind, "weekdays": weekdays})
    return Turn((line,), state=new_state, reprompt=Line("yes_or_no"))


def weekly_said(
    svc: Services, caller: Caller, state: dict[str, Any], kind: str, weekdays: tuple[str, ...]
) -> Turn:
    """「水曜日はデイサービスです」: read it back; remembered only once the elder says はい."""
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    return _weekly_confirm(state, kind, list(weekdays))


def weekly_again(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Read the weekly absence back again: only はい or いいえ answers it."""
    return _weekly_confirm(
        state, state.get("weekly_kind", "other"), list(state.get("weekly_days", ()))
    )


def weekly_reply(svc: Services, caller: Caller, state: dict[str, Any], reply: Reply) -> Turn:
    """Take the はい/いいえ to the weekly absence read back (remembered on はい)."""
    kind, weekdays = state.get("weekly_kind", "other"), list(state.get("weekly_days", ()))
    if reply.kind not in (ReplyKind.YES, ReplyKind.NO) or not weekdays:
        return _weekly_confirm(state, kind, weekdays)
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return unpaired()
    question = current_question(svc, elder, state)
    if reply.kind is ReplyKind.NO:
        return with_question([Line("weekly_cancelled")], question, _kept(state))
    away.declare_weekly(svc, elder.id, kind, tuple(weekdays))
    return with_question([Line("weekly_set")], question, _kept(state))
