"""The ``mimamori`` command line: it only translates arguments into calls."""

from __future__ import annotations

import logging
import secrets
import sys
from datetime import datetime
from pathlib import Path

import click

from backend.settings import ConfigError, Settings

DEMO_SKILL_ID = "amzn1.ask.skill.mimamori-demo"


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as err:
        raise click.ClickException(f"設定が正しくありません: {err}") from err


def _fail_on_config(err: ConfigError) -> click.ClickException:
    return click.ClickException(str(err))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Mimamori: watch over elders who live alone, through a smart speaker."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database at MIMAMORI_DATABASE_URL to the newest schema."""
    from backend.stores.sql.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    click.echo(f"データベースを最新にしました: {settings.database_url}")


@main.group()
def questions() -> None:
    """Question-set commands."""


@questions.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def questions_validate(paths: tuple[Path, ...]) -> None:
    """Validate question-set files (or folders of them); print what is wrong and where."""
    from questions.loader import QuestionSetError, load_question_set

    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    if not files:
        raise click.ClickException("検査するファイルがありません")
    failed = 0
    for file in files:
        try:
            qset = load_question_set(file)
        except QuestionSetError as err:
            failed += 1
            click.echo(err.report(), err=True)
        else:
            click.echo(f"OK {file}: {qset.municipality_name}（{len(qset.questions)}問）")
    if failed:
        raise click.ClickException(f"{failed} 件のファイルに誤りがあります")


@main.group()
def user() -> None:
    """Staff account commands."""


@user.command("create")
@click.option("--login", required=True, help="Login name (case-insensitive).")
@click.option("--name", "display_name", required=True, help="Name shown to other staff.")
@click.option(
    "--role",
    type=click.Choice(["center_staff", "municipality_admin", "operator"]),
    default="center_staff",
    show_default=True,
)
@click.option("--center", "center_id", default=None, help="Center id (center staff).")
@click.option("--municipality", "municipality_code", default=None, help="Municipality code.")
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once.")
def user_create(
    login: str,
    display_name: str,
    role: str,
    center_id: str | None,
    municipality_code: str | None,
    generate_password: bool,
) -> None:
    """Create a staff account (the password is stored as an Argon2id hash)."""
    from backend.bootstrap import bootstrap
    from backend.domain.errors import Conflict, NotFound
    from backend.domain.model import StaffRole
    from backend.services import accounts

    if generate_password:
        password = accounts.generate_password()
    else:
        password = click.prompt("パスワード", hide_input=True, confirmation_prompt=True)
    try:
        created = accounts.create_user(
            bootstrap(_settings()),
            login=login,
            display_name=display_name,
            role=StaffRole(role),
            password=password,
            municipality_code=municipality_code,
            center_id=center_id,
        )
    except (ValueError, NotFound, Conflict) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"職員アカウントを作りました: {created.login}（{created.role.value}）")
    if generate_password:
        click.echo(f"パスワード: {password}（この画面でしか表示しません）")


def _serve(settings: Settings, host: str, port: int) -> None:
    from backend.web import create_app

    try:
        app = create_app(settings)
    except ConfigError as err:
        raise _fail_on_config(err) from err
    click.echo(f"http://{host}:{port}/ で待ち受けます（Alexa: POST /alexa）。Ctrl+C で終了。")
    app.run(host=host, port=port, threaded=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the skill endpoint, health check (and later the dashboard) with Flask."""
    settings = _settings()
    try:
        settings.require_for_web()
    except ConfigError as err:
        raise _fail_on_config(err) from err
    _serve(settings, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Seed the demo data and exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Seed a demo municipality, center, elders and staff account, then serve."""
    from backend.bootstrap import bootstrap
    from backend.services.demo import seed
    from backend.stores.sql.migrate import upgrade

    base = _settings()
    settings = _settings(
        alexa_skill_id=base.alexa_skill_id or DEMO_SKILL_ID,
        secret_key=base.secret_key or secrets.token_urlsafe(32),
    )
    upgrade(settings.database_url)
    data = seed(bootstrap(settings))
    created = "（作成しました）" if data.created else ""
    click.echo(f"デモデータ: {settings.database_url}{created}")
    for elder in data.elders:
        device = data.devices.get(elder.id)
        where = f"--device {device}" if device else "（スピーカー未登録）"
        click.echo(f"  {elder.name}（{elder.district}） {where}")
    if data.pairing_code is not None:
        click.echo(
            f"  ペアリングコード {data.pairing_code.code}（{data.elders[-1].name}さん用、"
            f"新しいスピーカーで「コードは{data.pairing_code.code}」）"
        )
    if data.staff_password is not None:
        click.echo(f"  職員アカウント: {data.staff_login} / パスワード {data.staff_password}")
    click.echo("話しかけるには、別の端末で: mimamori talk --device demo-1")
    if not no_serve:
        _serve(settings, host, port)


@main.command()
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

    settings = _settings()
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


def _show(reply) -> None:
    if reply.speech:
        click.echo(f"みまもり> {reply.speech}")
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


if __name__ == "__main__":
    sys.exit(main())
