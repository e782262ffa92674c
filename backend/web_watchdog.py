"""The web app's watch on the scheduler: a silent scheduler's jobs run after a request."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from backend import jobs
from backend.settings import Settings

logger = logging.getLogger(__name__)

# How often one worker looks at the heartbeat (one read), however busy it is.
LOOK_EVERY = timedelta(minutes=1)

Runner = Callable[[Settings, datetime], Any]


class JobsWatchdog:
    """Look at the scheduler's heartbeat now and then; catch up in a thread when it is stale."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        runner: Runner = jobs.catch_up_if_stale,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._runner = runner
        self._lock = threading.Lock()
        self._looked: datetime | None = None
        self._thread: threading.Thread | None = None

    def poke(self) -> threading.Thread | None:
        """Start a look in the background if one is due and none is running; return its thread."""
        now = self._clock()
        with self._lock:
            busy = self._thread is not None and self._thread.is_alive()
            if busy or (self._looked is not None and now - self._looked < LOOK_EVERY):
                return None
            self._looked = now
            self._thread = threading.Thread(
                target=self._look, args=(now,), name="mimamori-jobs-watchdog", daemon=True
            )
        self._thread.start()
        return self._thread

    def _look(self, now: datetime) -> None:
        try:
            self._runner(self._settings, now)
        except Exception:
            logger.exception("The jobs watchdog could not catch up")


def install_jobs_watchdog(app: Flask, watchdog: JobsWatchdog) -> None:
    """Poke ``watchdog`` after every request (the response is not held up)."""

    @app.after_request
    def _poke(response: Any) -> Any:
        watchdog.poke()
        return response
