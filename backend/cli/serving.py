"""Serve the web app, or seed the demo and serve it."""

from __future__ import annotations

import secrets

import click

from backend.cli.common import DEMO_SKILL_ID, config_failure, load_settings
from backend.settings import ConfigError, Settings


def _serve(settings: Settings, host: str, port: int) -> None:
    from backend import server
    from backend.bootstrap import release_clients
    from backend.web import create_app

    try:
        create_app(settings)  # a wrong setting stops here, before any worker starts
    except ConfigError as err:
        raise config_failure(err) from err
    release_clients()  # every worker builds its own services after the fork
    click.echo(
        f"http://{host}:{port}/ で待ち受けます（Alexa: POST /alexa、"
        f"{server.server_name(settings)}）。Ctrl+C で終了。"
    )
    server.serve(settings, host, port, lambda: create_app(settings, jobs_watchdog=True))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the skill endpoint, LINE webhook, dashboard and API (gunicorn; MIMAMORI_WEB_*)."""
    settings = load_settings()
    try:
        settings.require_for_web()
    except ConfigError as err:
        raise config_failure(err) from err
    _serve(settings, host, port)


def _echo_dashboard(host: str, port: int) -> None:
    click.echo(f"ダッシュボード: http://{host}:{port}/ （ログインは上の職員アカウントで）")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Seed the demo data and exit.")
@click.option(
    "--new-passwords", is_flag=True, help="Give the demo accounts new passwords (printed once)."
)
def demo(host: str, port: int, no_serve: bool, new_passwords: bool) -> None:
    """Seed a demo municipality, center, elders and staff accounts (once), then serve."""
    from backend.bootstrap import bootstrap, prepare_store
    from backend.services.demo import DEMO_ACCOUNTS, seed

    base = load_settings()
    settings = load_settings(
        alexa_skill_id=base.alexa_skill_id or DEMO_SKILL_ID,
        secret_key=base.secret_key or secrets.token_urlsafe(32),
        session_cookie_secure=False,  # the demo serves plain http on this machine
    )
    where = prepare_store(settings)
    data = seed(bootstrap(settings), new_passwords=new_passwords)
    created = "（作成しました）" if data.created else "（前に作ったものをそのまま使います）"
    click.echo(f"デモデータ: {where}{created}")
    for elder in data.elders:
        device = data.devices.get(elder.id)
        if device:
            state = f"--device {device}"
        elif elder.id in data.paired:
            state = "（スピーカー登録済み）"
        else:
            state = "（スピーカー未登録）"
        click.echo(f"  {elder.name}（{elder.district}） {state}")
    if data.pairing_code is not None:
        click.echo(
            f"  ペアリングコード {data.pairing_code.code}（{data.elders[-1].name}さん用、"
            f"新しいスピーカーで「コードは{data.pairing_code.code}」）"
        )
    elif data.elders[-1].id not in data.paired:
        click.echo(
            f"  ペアリングコードは、ダッシュボードの{data.elders[-1].name}さんのページで"
            "発行できます"
        )
    for login, _name, _role in DEMO_ACCOUNTS:
        what = "センター職員" if login == data.staff_login else "市町村担当（/admin の設定）"
        password = data.passwords.get(login)
        if password is not None:
            click.echo(f"  {what}: {login} / パスワード {password}")
        else:
            click.echo(
                f"  {what}: {login} （パスワードは前に表示したままです。"
                "忘れたときは mimamori demo --new-passwords）"
            )
    _echo_dashboard(host, port)
    click.echo("話しかけるには、別の端末で: mimamori talk --device demo-1")
    if data.try_alert_at is not None:
        at = data.try_alert_at.strftime("%Y-%m-%dT%H:%M")
        click.echo(
            f"アラートを試すには: mimamori jobs run --now {at}"
            "（ペアリングの翌朝に答えなかったことにして見守りの判定をします）"
        )
    if not no_serve:
        _serve(settings, host, port)
