"""Staff accounts: create one, issue or revoke a JSON API token."""

from __future__ import annotations

import click

from backend.cli.common import load_settings


@click.group()
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
            bootstrap(load_settings()),
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


@user.command("token")
@click.option("--login", required=True, help="The staff account the token acts as.")
@click.option("--name", default="API", show_default=True, help="What the token is for.")
@click.option("--revoke", "revoke", default=None, help="Revoke this token (its secret or id).")
def user_token(login: str, name: str, revoke: str | None) -> None:
    """Issue a token for the JSON API (/api/v1), with the account's scope; or revoke one."""
    from backend.bootstrap import bootstrap
    from backend.domain.errors import NotFound
    from backend.services import staff_auth

    svc = bootstrap(load_settings())
    try:
        if revoke:
            token = staff_auth.revoke_api_token(svc, revoke)
            click.echo(f"トークンを無効にしました: {token.name}")
            return
        secret, token = staff_auth.create_api_token(svc, login, name)
    except NotFound as err:
        raise click.ClickException(f"見つかりません: {err}") from err
    click.echo(f"API トークンを発行しました（{token.name}）: {secret}")
    click.echo("この画面でしか表示しません。Authorization: Bearer <トークン> で送ってください。")
