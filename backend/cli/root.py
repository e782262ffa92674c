"""The ``mimamori`` command line: it only translates arguments into calls."""

from __future__ import annotations

import logging
import secrets
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from backend.settings import ConfigError, Settings

DEMO_SKILL_ID = "amzn1.ask.skill.mimamori-demo"


def _settings(**overrides: Any) -> Settings:
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
    """Create or migrate the store to the newest schema (MIMAMORI_STORE; DynamoDB: the table)."""
    from backend.bootstrap import prepare_store

    where = prepare_store(_settings())
    click.echo(f"データベースを最新にしました: {where}")


@main.group()
def jobs() -> None:
    """Scheduler jobs, run once (for cron, EventBridge and tests)."""


@jobs.command("run")
@click.option("--now", "now_text", default=None, help="Run as of this ISO 8601 time.")
def jobs_run(now_text: str | None) -> None:
    """Run once every job due at NOW: alert sweep, escalation, notification delivery."""
    from backend import jobs as job_functions
    from backend.bootstrap import utc_now

    settings = _settings()
    now = utc_now()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as err:
            raise click.BadParameter(f"ISO 8601 ではありません: {now_text}") from err
        if now.tzinfo is None:
            now = now.replace(tzinfo=settings.tz)
    for job_id, result in job_functions.run_due(settings, now).items():
        click.echo(f"{job_id}: {result}")


@main.command()
def scheduler() -> None:
    """Run the deployment's one scheduler process (APScheduler, Asia/Tokyo)."""
    from backend import scheduler as scheduler_module

    click.echo("スケジューラーを起動します（最初に期限の過ぎたジョブをまとめて実行します）。")
    scheduler_module.run(_settings())


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


@user.command("token")
@click.option("--login", required=True, help="The staff account the token acts as.")
@click.option("--name", default="API", show_default=True, help="What the token is for.")
@click.option("--revoke", "revoke", default=None, help="Revoke this token (its secret or id).")
def user_token(login: str, name: str, revoke: str | None) -> None:
    """Issue a token for the JSON API (/api/v1), with the account's scope; or revoke one."""
    from backend.bootstrap import bootstrap
    from backend.domain.errors import NotFound
    from backend.services import staff_auth

    svc = bootstrap(_settings())
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


@main.group("import")
def import_group() -> None:
    """Import data files (device readings)."""


@import_group.command("readings")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_readings(file: Path) -> None:
    """Import device readings from a CSV file; a file with any bad row imports nothing.

    \b
    UTF-8 (a BOM is fine), a header row, then one reading a row:
      elder_id,measured_at,kind,value,value2
      demo-elder-1,2026-11-20T07:05:00+09:00,weight,52.4,
      demo-elder-1,2026-11-20 07:06,blood_pressure,128,82
    measured_at: ISO 8601; without an offset, in MIMAMORI_TIMEZONE (Asia/Tokyo).
    kind: weight (kg 20-200), steps (0-100000), activity_minutes (0-1440),
    blood_pressure or bp (value = systolic 60-260, value2 = diastolic 30-160).
    value2 is for blood pressure only. Every problem is printed as
    FILE:LINE: column: what is wrong. Rows already imported are skipped.
    """  # noqa: D301 (\b keeps click from rewrapping)
    from backend.bootstrap import bootstrap
    from backend.services import data_io

    try:
        report = data_io.import_readings(bootstrap(_settings()), file)
    except OSError as err:
        raise click.ClickException(f"{file}: ファイルを読めません（{err.strerror}）") from err
    except data_io.ReadingsFileError as err:
        click.echo(err.report(), err=True)
        raise click.ClickException(
            f"{file}: {len(err.problems)} 件の誤りがあります。何も取り込んでいません。"
        ) from err
    click.echo(
        f"{file}: {report.rows} 行を確認しました（新規 {report.new} 件、"
        f"取り込み済み {report.already_present} 件）"
    )


@main.group()
def export() -> None:
    """Export data as CSV for municipality admins.

    Exports carry ids only (elder ids, staff or family ids), never names, addresses or
    answers' contents: no personal data beyond what the statistics need.
    """


def _export_options(command):
    options = (
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["csv"]),
            default="csv",
            show_default=True,
            help="Output format.",
        ),
        click.option(
            "--since",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            help="First local date (YYYY-MM-DD) included.",
        ),
        click.option(
            "--until",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            help="Last local date (YYYY-MM-DD) included.",
        ),
        click.option(
            "--municipality",
            "municipality_code",
            default=None,
            help="Only this municipality's elders (6-digit code).",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, writable=True, path_type=Path),
            default=None,
            help="Write to this file instead of standard output.",
        ),
        click.option("--bom", is_flag=True, help="Start with a UTF-8 BOM (for Excel)."),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _export(rows_of, since, until, municipality_code, output, bom) -> None:
    from backend.bootstrap import bootstrap
    from backend.services import data_io

    try:
        rows = rows_of(
            bootstrap(_settings()),
            since=since.date() if since else None,
            until=until.date() if until else None,
            municipality_code=municipality_code,
        )
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    if output is None:
        if bom:
            sys.stdout.write("\ufeff")
        count = data_io.write_csv(rows, sys.stdout)
        sys.stdout.flush()
    else:
        with output.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            count = data_io.write_csv(rows, out)
    click.echo(f"{count} 件を書き出しました", err=True)


@export.command("alerts")
@_export_options
@click.option(
    "--with-notes", is_flag=True, help="Add the staff notes (free text) as a last column."
)
def export_alerts(fmt, since, until, municipality_code, output, bom, with_notes) -> None:
    """Export alerts as CSV, one row per alert created in the period.

    \b
    Columns: id, elder_id, rule, period, severity, status, created_at, claimed_by,
    claimed_at, outcome, resolved_at (times in MIMAMORI_TIMEZONE); with --with-notes
    also note. Ids only, no names: the file goes to municipality admins; notes are
    free text that may name people, so they come only when asked for.
    """  # noqa: D301 (\b keeps click from rewrapping)
    from backend.services.data_io import alert_note_rows, alert_rows

    rows_of = alert_note_rows if with_notes else alert_rows
    _export(rows_of, since, until, municipality_code, output, bom)


@export.command("checkins")
@_export_options
def export_checkins(fmt, since, until, municipality_code, output, bom) -> None:
    """Export check-ins as CSV, one row per check-in dated in the period.

    \b
    Columns: elder_id, date, slot, status, started_at, completed_at, answered
    (answered = questions answered, not skipped). The answers themselves are not
    exported. Ids only, no names: the file goes to municipality admins.
    """  # noqa: D301 (\b keeps click from rewrapping)
    from backend.services.data_io import checkin_rows

    _export(checkin_rows, since, until, municipality_code, output, bom)


@export.command("notices")
@_export_options
@click.option(
    "--hours",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="災害: no 安否 answer this many hours after publication → needs_call=yes.",
)
def export_notices(fmt, since, until, municipality_code, output, bom, hours) -> None:
    """Export who heard each notice and who has not, one row per notice and elder.

    \b
    Columns: notice_id, title, priority, status, elder_id, center_id, district, heard,
    last_heard_at, times_heard, safety, safety_at, needs_call. Every targeted elder has
    a row (heard = no when not yet). For 災害 notices, safety is the 安否 answer
    (safe / need_help) and needs_call = yes lists the elders staff should call.
    Notices whose period overlaps --since/--until; drafts are left out. Ids only.
    """  # noqa: D301 (\b keeps click from rewrapping)
    from functools import partial

    from backend.services.notices import tracking_rows

    _export(partial(tracking_rows, hours=hours), since, until, municipality_code, output, bom)


@main.group("notices")
def notices_group() -> None:
    """Municipal notices (お知らせ) on the speaker."""


@notices_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def notices_import(file: Path) -> None:
    """Import a municipality's notices from a YAML file (see notices/samples/032158.yaml).

    Notices are matched by id: new ones are added and published (unless draft: true),
    changed ones updated. A file with any error imports nothing and every problem is
    printed as FILE:LINE: path: what is wrong. Publishing a 重要 or 災害 notice queues
    a notification to each targeted speaker (sent by `mimamori jobs run`).
    """
    from backend.bootstrap import bootstrap
    from backend.domain.errors import NotFound
    from backend.services import notices as notice_service
    from notices.loader import NoticeFileError

    try:
        report = notice_service.import_file(bootstrap(_settings()), file)
    except NoticeFileError as err:
        click.echo(err.report(), err=True)
        raise click.ClickException(
            f"{file}: {len(err.problems)} 件の誤りがあります。何も取り込んでいません。"
        ) from err
    except NotFound as err:
        raise click.ClickException(f"{file}: {err}") from err
    click.echo(
        f"{file}: 市町村 {report.municipality_code} のお知らせを取り込みました"
        f"（新規 {report.added} 件、更新 {report.updated} 件、変更なし {report.unchanged} 件、"
        f"スピーカーへの通知 {report.nudges} 件）"
    )


def _serve(settings: Settings, host: str, port: int) -> None:
    from backend import server
    from backend.bootstrap import release_clients
    from backend.web import create_app

    try:
        create_app(settings)  # a wrong setting stops here, before any worker starts
    except ConfigError as err:
        raise _fail_on_config(err) from err
    release_clients()  # every worker builds its own services after the fork
    click.echo(
        f"http://{host}:{port}/ で待ち受けます（Alexa: POST /alexa、"
        f"{server.server_name(settings)}）。Ctrl+C で終了。"
    )
    server.serve(settings, host, port, lambda: create_app(settings))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the skill endpoint, LINE webhook, dashboard and API (gunicorn; MIMAMORI_WEB_*)."""
    settings = _settings()
    try:
        settings.require_for_web()
    except ConfigError as err:
        raise _fail_on_config(err) from err
    _serve(settings, host, port)


def _echo_dashboard(host: str, port: int) -> None:
    click.echo(f"ダッシュボード: http://{host}:{port}/ （ログインは上の職員アカウントで）")


@main.command()
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

    base = _settings()
    settings = _settings(
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
