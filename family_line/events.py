"""What each LINE webhook event does: dispatch tables by event type and message type.

Every event type LINE documents is handled or explicitly ignored here; an unknown type
is ignored with a log line. Handlers get the stored event object (a dict, as LINE sent
it) and must be idempotent: an event is processed again after a crash mid-way.
Replies use the event's reply token (free of quota); a failed reply is logged, never
retried (the token is single-use and short-lived).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backend.domain.family import MessageKind
from backend.media import MediaStore, extension_for
from backend.services import family
from backend.services.context import Services
from family_line import commands
from family_line.api import ContentTooLarge, LineApi, LineApiError
from family_line.messages import text

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 500  # a message read aloud to an elder: longer ones are asked to be split
CODE_LENGTH = 6


@dataclass(frozen=True)
class LineContext:
    """What processing an event needs: the services, the LINE API and the media store."""

    svc: Services
    api: LineApi
    media: MediaStore


Handler = Callable[[LineContext, dict[str, Any]], None]


def user_of(event: dict[str, Any]) -> str | None:
    """Return the LINE user id of a one-to-one chat event, or None (groups, rooms)."""
    source = event.get("source") or {}
    return source.get("userId") if source.get("type") == "user" else None


def sent_at(event: dict[str, Any]) -> datetime:
    """Return when LINE says the event happened (its millisecond timestamp)."""
    return datetime.fromtimestamp(int(event["timestamp"]) / 1000, UTC)


def reply(ctx: LineContext, event: dict[str, Any], *messages: dict[str, Any]) -> None:
    """Reply to the event if it has a reply token; log (without content) if LINE refuses."""
    token = event.get("replyToken")
    if not token or not messages:
        return
    try:
        ctx.api.reply(token, list(messages))
    except LineApiError as err:
        log.warning("LINE reply to event %s failed: %s", event.get("webhookEventId"), err)


def _names(elders: list[Any]) -> str:
    return "さん、".join(elder.name for elder in elders)


# --- events ----------------------------------------------------------------------------


def on_follow(ctx: LineContext, event: dict[str, Any]) -> None:
    """Greet a new friend and ask for the code; an unblocking friend must link again."""
    unblocked = bool((event.get("follow") or {}).get("isUnblocked"))
    reply(ctx, event, text("welcome_back" if unblocked else "welcome"))


def on_unfollow(ctx: LineContext, event: dict[str, Any]) -> None:
    """Blocked: end every link of the user, so no push is sent to them any more."""
    user = user_of(event)
    if user:
        elders = family.unlink(ctx.svc, user)
        log.info("LINE user unfollowed; %d link(s) ended", len(elders))


def on_join(ctx: LineContext, event: dict[str, Any]) -> None:
    """Invited to a group or room: say that only one-to-one chats are served."""
    reply(ctx, event, text("groups_unsupported"))


def ignore(ctx: LineContext, event: dict[str, Any]) -> None:
    """Events we deliberately do nothing with."""


def on_postback(ctx: LineContext, event: dict[str, Any]) -> None:
    """Run the pressed button's postback action (see ``commands.POSTBACKS``)."""
    user = user_of(event)
    if user is None:
        return
    postback = event.get("postback") or {}
    answer = commands.postback(ctx.svc, user, postback.get("data") or "", postback.get("params"))
    reply(ctx, event, *answer)


def on_message(ctx: LineContext, event: dict[str, Any]) -> None:
    """Dispatch a one-to-one chat message by its type; ignore groups."""
    if user_of(event) is None:
        return
    kind = (event.get("message") or {}).get("type", "")
    MESSAGE_HANDLERS.get(kind, on_unsupported)(ctx, event)


EVENT_HANDLERS: dict[str, Handler] = {
    "message": on_message,
    "follow": on_follow,
    "unfollow": on_unfollow,
    "postback": on_postback,
    "join": on_join,
    "leave": ignore,  # removed from a group: nothing was kept for groups
    "memberJoined": ignore,
    "memberLeft": ignore,
    "accountLink": ignore,  # we link with one-time codes sent in chat, not LINE's account link
    "unsend": ignore,  # the elder may already have heard it; we keep what was relayed
    "videoPlayComplete": ignore,
    "beacon": ignore,
    "membership": ignore,
    "things": ignore,
}


def dispatch(ctx: LineContext, event: dict[str, Any]) -> bool:
    """Run the event's handler; return False when its type is unknown (then ignored)."""
    handler = EVENT_HANDLERS.get(event.get("type", ""))
    if handler is None:
        log.info("LINE event type %r ignored", event.get("type"))
        return False
    handler(ctx, event)
    return True


# --- messages --------------------------------------------------------------------------


def _normalised(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def on_text(ctx: LineContext, event: dict[str, Any]) -> None:
    """Link with a code, run a command, or relay anything else to the linked elders."""
    user = user_of(event) or ""
    raw = (event.get("message") or {}).get("text") or ""
    said = _normalised(raw)
    if said.isdigit() and len(said) == CODE_LENGTH:
        reply(ctx, event, *commands.link(ctx.svc, user, said))
        return
    command = commands.COMMANDS.get(said)
    if command is not None:
        reply(ctx, event, *command(ctx.svc, user))
        return
    found = commands.with_argument(said)
    if found is not None:
        argued, argument = found
        reply(ctx, event, *argued(ctx.svc, user, argument))
        return
    if len(raw) > MAX_TEXT_CHARS:
        reply(ctx, event, text("too_long", limit=MAX_TEXT_CHARS))
        return
    elders = family.relay(
        ctx.svc,
        user,
        event["webhookEventId"],
        MessageKind.TEXT,
        received_at=sent_at(event),
        text=raw.strip(),
    )
    reply(ctx, event, text("relayed_text", elders=_names(elders)) if elders else text("not_linked"))


def on_sticker(ctx: LineContext, event: dict[str, Any]) -> None:
    """Relay a sticker (announced as 「スタンプが届きました」)."""
    user = user_of(event) or ""
    elders = family.relay(
        ctx.svc, user, event["webhookEventId"], MessageKind.STICKER, received_at=sent_at(event)
    )
    reply(
        ctx, event, text("relayed_sticker", elders=_names(elders)) if elders else text("not_linked")
    )


def _video_ready(ctx: LineContext, message_id: str) -> bool:
    """Return True once LINE has transcoded the video, False if it failed; raise meanwhile."""
    ready = ctx.api.transcoding(message_id)
    if ready == "processing":  # not ready yet: the inbox tries the event again later
        raise LineApiError("video still transcoding")
    return ready == "succeeded"


def _on_media(ctx: LineContext, event: dict[str, Any], kind: MessageKind, done_key: str) -> None:
    """Download the content at once (LINE deletes it after a while) and relay it."""
    user = user_of(event) or ""
    if not family.linked_elders(ctx.svc, user):
        reply(ctx, event, text("not_linked"))
        return
    message = event.get("message") or {}
    provider = (message.get("contentProvider") or {}).get("type", "line")
    if provider != "line":
        reply(ctx, event, text("unsupported"))
        return
    try:
        if kind is MessageKind.VIDEO and not _video_ready(ctx, message["id"]):
            reply(ctx, event, text("media_failed"))
            return
        content = ctx.api.content(message["id"])
    except ContentTooLarge:
        reply(ctx, event, text("too_large"))
        return
    except LineApiError as err:
        if err.status is not None and 400 <= err.status < 500:
            reply(ctx, event, text("media_failed"))  # gone or refused: ask to send again
            return
        raise  # LINE is down: the inbox tries the event again later
    key = f"line/{message['id']}.{extension_for(content.content_type)}"
    ctx.media.put(key, content.data)
    elders = family.relay(
        ctx.svc,
        user,
        event["webhookEventId"],
        kind,
        received_at=sent_at(event),
        media_key=key,
        media_type=content.content_type.split(";", 1)[0].strip(),
    )
    reply(ctx, event, text(done_key, elders=_names(elders)))


def on_image(ctx: LineContext, event: dict[str, Any]) -> None:
    """Download a photo into the media store, to be shown on the Echo Show."""
    _on_media(ctx, event, MessageKind.IMAGE, "relayed_photo")


def on_video(ctx: LineContext, event: dict[str, Any]) -> None:
    """Download a video into the media store, to be played on the Echo Show."""
    _on_media(ctx, event, MessageKind.VIDEO, "relayed_video")


def on_unsupported(ctx: LineContext, event: dict[str, Any]) -> None:
    """Answer audio, location, files and unknown types kindly; relay nothing."""
    reply(ctx, event, text("unsupported"))


MESSAGE_HANDLERS: dict[str, Handler] = {
    "text": on_text,
    "sticker": on_sticker,
    "image": on_image,
    "video": on_video,
    "audio": on_unsupported,
    "location": on_unsupported,
    "file": on_unsupported,
}
