"""The ``mimamori`` command line: it only translates arguments into calls."""

from __future__ import annotations

import logging

import click

from backend.cli import accounts, content, data, operations, serving, talk


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Mimamori: watch over elders who live alone, through a smart speaker."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for _command in (
    operations.db,
    operations.jobs,
    operations.scheduler,
    content.questions,
    accounts.user,
    data.import_group,
    data.export,
    content.notices_group,
    serving.serve,
    serving.demo,
    talk.talk,
):
    main.add_command(_command)
