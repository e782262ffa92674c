"""Data files: import device readings, export alerts, check-ins and notices as CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from backend.cli.common import load_settings


@click.group("import")
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
    from backend.services import readings_import

    try:
        report = readings_import.import_readings(bootstrap(load_settings()), file)
    except OSError as err:
        raise click.ClickException(f"{file}: ファイルを読めません（{err.strerror}）") from err
    except readings_import.ReadingsFileError as err:
        click.echo(err.report(), err=True)
        raise click.ClickException(
            f"{file}: {len(err.problems)} 件の誤りがあります。何も取り込んでいません。"
        ) from err
    click.echo(
        f"{file}: {report.rows} 行を確認しました（新規 {report.new} 件、"
        f"取り込み済み {report.already_present} 件）"
    )


@click.group()
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
    from backend.services import csv_exports

    try:
        rows = rows_of(
            bootstrap(load_settings()),
            since=since.date() if since else None,
            until=until.date() if until else None,
            municipality_code=municipality_code,
        )
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    if output is None:
        if bom:
            sys.stdout.write("\ufeff")
        count = csv_exports.write_csv(rows, sys.stdout)
        sys.stdout.flush()
    else:
        with output.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            count = csv_exports.write_csv(rows, out)
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
    from backend.services.csv_exports import alert_note_rows, alert_rows

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
    from backend.services.csv_exports import checkin_rows

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
