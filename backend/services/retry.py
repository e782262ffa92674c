"""Retry a whole service call when the store was busy (its unit of work rolled back).

Up to 8 tries over a second or two (random exponential backoff, at most 0.5 s between
tries); the retries run inside ``lock_first``, so on SQLite each retried unit takes the
write lock first (waiting for it) instead of losing the same race again. Several
``mimamori jobs run`` at once, or a job beside a busy dashboard, wait; they never crash.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from backend.domain.errors import StoreBusy
from backend.ports import lock_first

P = ParamSpec("P")
R = TypeVar("R")

_retrying = retry(
    retry=retry_if_exception_type(StoreBusy),
    stop=stop_after_attempt(7),  # after the first try
    wait=wait_random_exponential(multiplier=0.02, max=0.5),
    reraise=True,
)


def retry_when_busy(service: Callable[P, R]) -> Callable[P, R]:
    """Run the service; if the store was busy, run it again with backoff (it is idempotent)."""
    again = _retrying(service)

    @functools.wraps(service)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except StoreBusy:
            # The first try costs nothing extra; tenacity only handles the retries.
            with lock_first():
                return again(*args, **kwargs)

    return call
