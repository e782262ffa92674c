"""The LINE Messaging API as we use it: reply, push (with a retry key) and content download.

Replies and pushes go through line-bot-sdk v3 (``MessagingApi``), pointed at
``MIMAMORI_LINE_API_BASE``. The SDK's generated clients hard-code their hosts
(``MessagingApi.line_base_path``; ``MessagingApiBlob`` even inside each method), so the
base is set on the client, and content is downloaded with urllib from the data host:
``https://api-data.line.me`` for the real API base, the same base otherwise (a local
test server serves both).

Every call has a timeout (``MIMAMORI_LINE_TIMEOUT``, seconds; the SDK takes it per call as
``_request_timeout``, the whole request at most that long): a LINE that answers late is
a ``LineApiError`` with no status (retryable) and ``timed_out`` set, never a sweep held up.
The SDK's own connection retries are off: the outbox retries, with backoff.
"""

from __future__ import annotations

import builtins
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

LINE_API = "https://api.line.me"
LINE_DATA_API = "https://api-data.line.me"
TIMEOUT = 5.0
MAX_CONTENT_BYTES = 10 * 1024 * 1024  # larger content is refused, kindly, in the chat


class LineApiError(Exception):
    """A call to LINE failed; ``status`` is the HTTP status (None: no answer at all)."""

    def __init__(self, detail: str, status: int | None = None, *, timed_out: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.timed_out = timed_out


class ContentTooLarge(LineApiError):
    """The content is larger than we accept."""


def data_base_for(api_base: str) -> str:
    """Return the content (data) API base that belongs to an API base."""
    base = api_base.rstrip("/")
    return LINE_DATA_API if base == LINE_API else base


@dataclass(frozen=True)
class Content:
    """Downloaded message content."""

    data: bytes
    content_type: str


class LineApi:
    """A client of the LINE Messaging API for one channel (no I/O until called)."""

    def __init__(
        self,
        access_token: str,
        api_base: str = LINE_API,
        *,
        data_base: str | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self._token = access_token
        self.api_base = api_base.rstrip("/")
        self.data_base = (data_base or data_base_for(self.api_base)).rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"LineApi(api_base={self.api_base!r})"

    def _messaging(self) -> tuple[Any, Any]:
        from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

        configuration = Configuration(host=self.api_base, access_token=self._token)
        configuration.retries = 0  # urllib3 would try a connection 4 times; the outbox retries
        client = ApiClient(configuration)
        api = MessagingApi(client)
        api.line_base_path = self.api_base  # the SDK ignores Configuration(host) here
        return client, api

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None:
        """Answer a webhook event with its reply token (free of quota); raise LineApiError."""
        from linebot.v3.messaging import ReplyMessageRequest

        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
        self._call(
            "reply",
            lambda api: api.reply_message_with_http_info(
                request, _preload_content=False, _request_timeout=self.timeout
            ),
        )

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> int:
        """Push messages to a user with ``X-Line-Retry-Key``; return the HTTP status.

        409 (the same retry key was accepted before) counts as sent: 409 is returned.
        """
        from linebot.v3.messaging import PushMessageRequest

        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        return self._call(
            "push",
            lambda api: api.push_message_with_http_info(
                request,
                x_line_retry_key=retry_key,
                _preload_content=False,
                _request_timeout=self.timeout,
            ),
            accept=(409,),
        )

    def _call(self, what: str, call: Any, accept: tuple[int, ...] = ()) -> int:
        # The answer's body is not parsed (_preload_content=False): a 2xx is success
        # whatever the body, so a push LINE accepted is never sent again for a parse error.
        from linebot.v3.messaging.exceptions import ApiException
        from urllib3.exceptions import HTTPError, MaxRetryError, TimeoutError

        client, api = self._messaging()
        try:
            with client:
                result = call(api)
        except ApiException as err:
            if err.status in accept:
                return err.status
            raise LineApiError(f"LINE {what}: HTTP {err.status}", err.status) from err
        except (HTTPError, OSError) as err:
            reason = err.reason if isinstance(err, MaxRetryError) else err
            timed_out = isinstance(reason, TimeoutError | builtins.TimeoutError)
            name = type(reason).__name__
            raise LineApiError(f"LINE {what}: {name}", timed_out=timed_out) from err
        return int(result.status_code)

    def transcoding(self, message_id: str) -> str:
        """Return whether a video is ready: ``processing``, ``succeeded`` or ``failed``."""
        quoted = urllib.parse.quote(message_id)
        url = f"{self.data_base}/v2/bot/message/{quoted}/content/transcoding"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self._token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = json.loads(response.read(4096)).get("status")
        except urllib.error.HTTPError as err:
            raise LineApiError(f"LINE transcoding: HTTP {err.code}", err.code) from err
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise _unanswered("transcoding", err) from err
        return str(status)

    def content(self, message_id: str, max_bytes: int = MAX_CONTENT_BYTES) -> Content:
        """Download a message's content (image, video, audio); raise LineApiError."""
        url = f"{self.data_base}/v2/bot/message/{urllib.parse.quote(message_id)}/content"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self._token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > max_bytes:
                    raise ContentTooLarge("content too large", response.status)
                data = response.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise ContentTooLarge("content too large", response.status)
                content_type = response.headers.get("Content-Type", "application/octet-stream")
        except urllib.error.HTTPError as err:
            raise LineApiError(f"LINE content: HTTP {err.code}", err.code) from err
        except (urllib.error.URLError, OSError) as err:
            raise _unanswered("content", err) from err
        return Content(data, content_type)


def _unanswered(what: str, err: Exception) -> LineApiError:
    """Return the error of a urllib call that got no HTTP answer (refused, timed out ...)."""
    reason = getattr(err, "reason", err)
    timed_out = isinstance(reason, TimeoutError)
    return LineApiError(f"LINE {what}: {type(reason).__name__}", timed_out=timed_out)
