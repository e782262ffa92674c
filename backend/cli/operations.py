"""Operator commands: migrate the store, run the due jobs once, run the scheduler."""

from __future__ import annotations

from datetime import datetime

import click

from backend.cli.common import load_settings


@click.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store to the newest schema (MIMAMORI_STORE; DynamoDB: the table)."""
    from backend.bootstrap import prepare_store

    where = prepare_store(load_settings())
    click.echo(f"データベースを最新にしました: {where}")


@click.group()
def jobs() -> None:
    """Scheduler jobs, run once (for cron, EventBridge and tests)."""


@jobs.command("run")
@click.option("--now", "now_text", default=None, help="Run as of this ISO 8601 time.")
def jobs_run(now_text: str | None) -> None:
    """Run once every job due at NOW: alert sweep, escalation, notification delivery."""
    from backend import jobs as job_functions
    from backend.bootstrap import utc_now

    settings = load_settings()
    now = utc_now()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as err:
            raise click.BadParameter(f"ISO 8601 ではありません: {now_text}") from err
        if now.tzinfo is None:
            now = now.replace(tzinfo=settings.tz)
    # A run as of another time is no sign of the scheduler: it leaves the heartbeat alone.
    for job_id, result in job_functions.run_due(settings, now, heartbeat=not now_text).items():
        click.echo(f"{job_id}: {result}")


@click.command()
def scheduler() -> None:
    """Run the deployment's one scheduler process (APScheduler, Asia/Tokyo)."""
    from backend import scheduler as scheduler_module

    click.echo("スケジューラーを起動します（最初に期限の過ぎたジョブをまとめて実行します）。")
    scheduler_module.run(load_settings())
