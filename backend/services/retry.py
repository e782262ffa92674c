"""Retry a whole service call when the store was busy (its unit of work rolled back)."""

from __future__ import annotations

from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from backend.domain.errors import StoreBusy

# Every service is idempotent per request, so running it again after a rollback is safe.
retry_when_busy = retry(
    retry=retry_if_exception_type(StoreBusy),
    stop=stop_after_attempt(6),
    wait=wait_random_exponential(multiplier=0.01, max=0.5),
    reraise=True,
)
