"""The Alexa Reminders API, called in session with the request's own endpoint and token.

A reminder is created while the elder is in the skill: ``POST {apiEndpoint}/v1/alerts/reminders``
with ``Authorization: Bearer {apiAccessToken}`` (both from ``context.System`` of the request), a
daily recurring ``SCHEDULED_ABSOLUTE`` trigger in local time without an offset, and the text the
speaker says. ``DELETE …/v1/alerts/reminders/{alertToken}`` removes it. The elder is waiting for
the answer, so every call has a short timeout (``IN_SESSION_TIMEOUT`` seconds at most); a failure
raises ``ReminderError`` with a reason the dialogue turns into a gentle line: ``unauthorized``
(401), ``forbidden`` (403, the permission was revoked), ``busy`` (429), ``unavailable`` (5xx or
no connection), ``timeout``, ``gone`` (404 on delete: already removed) or ``refused`` (another
4xx). Errors carry the status only, never the token.

This module imports only the standard library: it is on the skill's import path.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol

log = logging.getLogger(__name__)

SCOPE = "alexa::alerts:reminders:skill:readwrite"
PATH = "/v1/alerts/reminders"
TIME_ZONE = "Asia/Tokyo"
IN_SESSION_TIMEOUT = 3.0  # Alexa waits 8 seconds for the whole turn
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S.000"


class ReminderError(Exception):
    """A Reminders API call failed; ``reason`` says how (see the module docstring)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(f"Alexa reminders: {reason}" + (f" (HTTP {status})" if status else ""))
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class InSession:
    """Where and as whom to call the API: ``context.System.apiEndpoint`` and ``apiAccessToken``."""

    api_endpoint: str
    api_access_token: str

    def __repr__(self) -> str:
        return f"InSession({self.api_endpoint!r}, <token>)"


class RemindersApi(Protocol):
    """The port: create and delete one user's reminders in session."""

    def create(self, session: InSession, body: dict[str, Any]) -> str:
        """Create the reminder; return its ``alertToken`` or raise ReminderError."""
        ...

    def delete(self, session: InSession, alert_token: str) -> None:
        """Delete the reminder or raise ReminderError (``gone``: it was already removed)."""
        ...


def daily_rule(at: time) -> str:
    """Return the RRULE of a reminder every day at ``at``."""
    return f"FREQ=DAILY;BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0;INTERVAL=1;"


def first_time(at: time, now: datetime) -> datetime:
    """Return the first ``at`` after ``now`` (naive local time): today if to come, else tomorrow."""
    local = now.replace(tzinfo=None, microsecond=0)
    first = local.replace(hour=at.hour, minute=at.minute, second=0)
    return first if first > local else first + timedelta(days=1)


def reminder_body(at: time, now: datetime, text: str) -> dict[str, Any]:
    """Return the request body of a reminder said every day at ``at`` (``now`` in Japan time)."""
    start = first_time(at, now).strftime(_LOCAL_FORMAT)
    return {
        "requestTime": now.replace(tzinfo=None).strftime(_LOCAL_FORMAT),
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": start,
            "timeZoneId": TIME_ZONE,
            "recurrence": {"startDateTime": start, "recurrenceRules": [daily_rule(at)]},
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": "ja-JP", "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }


def _checked_base(endpoint: str) -> str:
    """Return the endpoint without a trailing slash: https, or http to a loopback address only."""
    parts = urllib.parse.urlsplit(endpoint)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return endpoint.rstrip("/")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme == "http" and loopback:
        return endpoint.rstrip("/")
    raise ReminderError("refused")


def _reason(status: int) -> str:
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "gone"
    if status == 429:
        return "busy"
    return "unavailable" if status >= 500 else "refused"


class AlexaReminders:
    """The Reminders API over HTTP (urllib), each call within ``timeout`` seconds."""

    def __init__(self, *, timeout: float = IN_SESSION_TIMEOUT) -> None:
        self._timeout = min(timeout, IN_SESSION_TIMEOUT)

    def __repr__(self) -> str:
        return f"<AlexaReminders timeout={self._timeout}s>"

    def _call(self, session: InSession, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Authorization": f"Bearer {session.api_access_token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            _checked_base(session.api_endpoint) + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            err.close()  # the error holds the connection open
            raise ReminderError(_reason(err.code), err.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            timed_out = isinstance(reason, TimeoutError) or isinstance(err, TimeoutError)
            raise ReminderError("timeout" if timed_out else "unavailable") from None
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def create(self, session: InSession, body: dict[str, Any]) -> str:
        """Post the reminder; return its ``alertToken`` (none in the answer: ``unavailable``)."""
        answer = self._call(session, "POST", PATH, body)
        token = answer.get("alertToken") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise ReminderError("unavailable")
        log.info("medication reminder created")
        return token

    def delete(self, session: InSession, alert_token: str) -> None:
        """Delete the reminder of ``alert_token``."""
        self._call(session, "DELETE", f"{PATH}/{urllib.parse.quote(alert_token, safe='')}")
        log.info("medication reminder deleted")
