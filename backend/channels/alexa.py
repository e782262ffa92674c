"""The Alexa notification channel: Proactive Events (``AMAZON.MessageAlert.Activated``).

A nudge only: the speaker chimes and shows a notification that 「{creator}から新しい
メッセージ」 arrived; saying 「通知を読んで」 reads it, and opening the skill hears the
notice itself. The event is addressed to one skill user (``Recipient.address`` is the
Alexa user id, Unicast); ``OutboxMessage.subject`` is the creator's name (the
municipality) and ``urgent`` sets ``messageGroup.urgency`` to ``URGENT``.

Access: an LWA token from client credentials (``scope=alexa::proactive_events``), cached
until a minute before it expires, then ``POST {api_base}/v1/proactiveEvents/`` (live) or
``…/v1/proactiveEvents/stages/development``. Failures are sorted for the outbox: 429,
5xx, 401 (the token is dropped and fetched again), a refused connection or a timeout
(``MIMAMORI_ALEXA_TIMEOUT`` seconds per network operation, token and event alike) are
retryable; other 4xx (a payload or user Alexa refuses) are permanent. Errors carry the
status only, never the user id.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.channels import ChannelError
from backend.domain.model import OutboxMessage, Recipient

log = logging.getLogger(__name__)

EVENT_NAME = "AMAZON.MessageAlert.Activated"
TOKEN_URL = "https://api.amazon.com/auth/O2/token"
API_BASE = "https://api.fe.amazonalexa.com"  # ja-JP speakers are served by the FE region
SCOPE = "alexa::proactive_events"
EXPIRY = timedelta(hours=23)  # the API accepts at most 24 hours after the timestamp
DEFAULT_TIMEOUT = 5.0
_REFRESH_MARGIN = timedelta(seconds=60)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def event_body(message: OutboxMessage, recipient: Recipient, now: datetime) -> dict[str, Any]:
    """Return the Proactive Events request body of a message to one speaker."""
    group: dict[str, Any] = {"creator": {"name": message.subject}, "count": 1}
    if message.urgent:
        group["urgency"] = "URGENT"
    return {
        "timestamp": _iso(now),
        "referenceId": message.id,  # the outbox id: a resend is recognisably the same event
        "expiryTime": _iso(now + EXPIRY),
        "event": {
            "name": EVENT_NAME,
            "payload": {
                "state": {"status": "UNREAD", "freshness": "NEW"},
                "messageGroup": group,
            },
        },
        "relevantAudience": {"type": "Unicast", "payload": {"user": recipient.address}},
    }


class AlexaNotificationChannel:
    """Send outbox messages as Proactive Events; ``name`` is ``alexa``."""

    name = "alexa"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        api_base: str = API_BASE,
        token_url: str = TOKEN_URL,
        live: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._api_base = api_base.rstrip("/")
        self._token_url = token_url
        self._live = live
        self._timeout = timeout
        self._token: tuple[str, datetime] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        stage = "live" if self._live else "development"
        return f"<AlexaNotificationChannel {self._api_base} {stage}>"

    @property
    def events_url(self) -> str:
        """Return the URL events are posted to."""
        path = "/v1/proactiveEvents/" if self._live else "/v1/proactiveEvents/stages/development"
        return self._api_base + path

    def _access_token(self) -> str:
        with self._lock:
            now = datetime.now(UTC)
            if self._token is not None and now < self._token[1]:
                return self._token[0]
            form = urllib.parse.urlencode(
                {
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._client_secret,
                    "scope": SCOPE,
                }
            ).encode()
            request = urllib.request.Request(
                self._token_url,
                data=form,
                headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
                method="POST",
            )
            doc = self._call(request, "token")
            token = doc.get("access_token") if isinstance(doc, dict) else None
            if not token:
                raise ChannelError("token: no access_token in the answer", retryable=True)
            lifetime = timedelta(seconds=int(doc.get("expires_in", 3600)))
            self._token = (token, now + lifetime - _REFRESH_MARGIN)
            return token

    def _call(self, request: urllib.request.Request, stage: str) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as err:
            code = err.code
            err.close()  # the error response holds the connection open until closed
            if code == 401 and stage == "event":
                with self._lock:
                    self._token = None
            # The token endpoint refusing our credentials is our configuration: fixable.
            retryable = code in (401, 429) or code >= 500 or stage == "token"
            raise ChannelError(f"Alexa {stage}: HTTP {code}", retryable=retryable) from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ChannelError(
                f"Alexa {stage}: {type(reason).__name__}",
                retryable=True,
                timed_out=isinstance(reason, TimeoutError),
            ) from None
        if not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None

    def send(self, message: OutboxMessage, recipient: Recipient) -> None:
        """Post the event; return when Alexa accepted it (2xx), else raise ChannelError."""
        token = self._access_token()
        body = event_body(message, recipient, datetime.now(UTC))
        request = urllib.request.Request(
            self.events_url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        self._call(request, "event")
        log.info("outbox message %s accepted by the Proactive Events API", message.id)
