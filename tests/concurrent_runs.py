"""Helpers for tests that run jobs at once: the demo's watchers on LINE, CLI processes together."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

from backend.services.context import Services
from backend.services.demo import DEMO_RECIPIENTS
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET

T = TypeVar("T")


def in_threads(work: Callable[[], T], threads: int) -> list[T]:
    """Run ``work`` in ``threads`` threads at once; return their results, none having raised."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as err:
            errors.append(err)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    assert errors == []
    return results


def demo_watchers_on_line(services: Services) -> None:
    """Move the demo's family and center to LINE (one user each), without quiet hours."""
    with services.uow() as uow:
        for n, recipient in enumerate(DEMO_RECIPIENTS):
            on_line = dataclasses.replace(
                recipient, channel="line", address=f"U{n:032x}", quiet_start=None, quiet_end=None
            )
            uow.recipients.update(on_line)
        uow.commit()


def jobs_run_at_once(
    now: str, processes: int, line_url: str, **settings: str
) -> list[subprocess.CompletedProcess]:
    """Start ``processes`` × ``mimamori jobs run --now NOW`` together; return them once ended.

    ``settings`` are ``MIMAMORI_*`` values by lower-case name (the LINE ones are set here).
    """
    env = {
        **os.environ,
        "MIMAMORI_LINE_CHANNEL_SECRET": CHANNEL_SECRET,
        "MIMAMORI_LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "MIMAMORI_LINE_API_BASE": line_url,
        **{f"MIMAMORI_{name.upper()}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "backend.cli", "jobs", "run", "--now", now]
    started = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(), *p.communicate()) for p in started]
