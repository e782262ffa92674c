"""The municipality's files: validate question sets, import notices."""

from __future__ import annotations

from pathlib import Path

import click

from backend.cli.common import load_settings


@click.group()
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


@click.group("notices")
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
        report = notice_service.import_file(bootstrap(load_settings()), file)
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
