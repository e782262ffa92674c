"""A clock that tests move by hand."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Return a fixed time until told to move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, now: datetime) -> None:
        self.now = now
