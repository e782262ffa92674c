"""Talk to the skill in this terminal, in-process or against a running /alexa."""

from __future__ import annotations

from datetime import datetime

import click

from backend.cli.common import DEMO_SKILL_ID, load_settings


@click.command()
@click.option("--device", default="demo-1", show_default=True, help="Demo device name or id.")
@click.option("--url", default=None, help="POST to a running /alexa instead of in-process.")
@click.option("--now", "now_text", default=None, help="Pretend it is this ISO 8601 time.")
@click.option("--no-screen", is_flag=True, help="A speaker without a screen.")
def talk(device: str, url: str | None, now_text: str | None, no_screen: bool) -> None:
    """Talk to the skill in Japanese in this terminal (empty line = silence, #2 = touch)."""
    from backend.bootstrap import bootstrap, utc_now
    from backend.envelopes import AlexaSession
    from backend.services.demo import alexa_device_id, alexa_user_id
    from backend.talk import Conversation, TalkError, http_sender, in_process_sender
    from skill.builder import build_skill

    settings = load_settings()
    skill_id = settings.alexa_skill_id or DEMO_SKILL_ID
    clock = utc_now
    if now_text:
        fixed = datetime.fromisoformat(now_text)
        if fixed.tzinfo is None:
            fixed = fixed.replace(tzinfo=settings.tz)
        start = utc_now()
        clock = lambda: fixed + (utc_now() - start)  # noqa: E731
    user_id, device_id = (
        (device, device)
        if device.startswith("amzn1.")
        else (alexa_user_id(device), alexa_device_id(device))
    )
    session = AlexaSession(skill_id, user_id, device_id, screen=not no_screen)
    if url:
        send = http_sender(url)
    else:
        send = in_process_sender(build_skill(bootstrap(settings, clock=clock), skill_id))
    conversation = Conversation(session, send, clock, settings.tz)
    try:
        _talk_loop(conversation)
    except TalkError as err:
        raise click.ClickException(str(err)) from err


def _stamp_card(reply) -> str | None:
    """Return the stamp card of a response as one line of text (● a stamped day)."""
    for directive in (reply.raw.get("response") or {}).get("directives") or []:
        stamps = (directive.get("datasources") or {}).get("stamps")
        if stamps:
            days = "".join(
                "◎" if d["today"] else "●" if d["stamped"] else "・" for d in stamps["days"]
            )
            return f"  画面: {stamps['title']}  {stamps['message']}  {days}"
    return None


def _show(reply) -> None:
    if reply.speech:
        click.echo(f"みまもり> {reply.speech}")
    card = _stamp_card(reply)
    if card:
        click.echo(card)
    if reply.screen and reply.screen.get("buttons") and not reply.end:
        labels = "  ".join(f"[#{i}] {b['label']}" for i, b in enumerate(reply.screen["buttons"], 1))
        click.echo(f"  画面: {reply.screen.get('text', '')}  {labels}")


def _talk_loop(conversation) -> None:
    reply = conversation.open()
    _show(reply)
    silences = 0
    while not reply.end:
        try:
            text = input("あなた> ")
        except EOFError:
            conversation.end("USER_INITIATED")
            click.echo("")
            return
        if not text.strip():
            silences += 1
            if silences == 1 and reply.reprompt:
                click.echo(f"みまもり> {reply.reprompt}")
                continue
            conversation.end("EXCEEDED_MAX_REPROMPTS")
            click.echo("（セッションが終わりました）")
            return
        silences = 0
        reply = conversation.say(text)
        _show(reply)
