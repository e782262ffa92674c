"""What every request body goes through before a view sees it: a size limit and bounded JSON.

The limit is the app's ``MAX_CONTENT_LENGTH``. Werkzeug refuses a ``Content-Length`` over it,
but a chunked body (no ``Content-Length``) is only cut at the limit, so a view would get the
first 256 KiB as if it were the whole body. :class:`BoundedRequest` reads one byte more than
the limit and answers 413 when that byte exists, whatever WSGI server runs the app (the
development server, gunicorn and apig-wsgi all hand over a terminated ``wsgi.input``).
"""

from __future__ import annotations

from typing import IO, Any, cast

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from backend import bounded_json


class _CappedStream(LimitedStream):
    """A body stream that raises 413 once it has yielded more than ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__(stream, limit + 1, is_max=True)

    def readinto(self, b: bytearray) -> int | None:  # type: ignore[override]
        size = super().readinto(b)
        if self.is_exhausted:  # limit + 1 bytes came: the body is over the limit
            raise RequestEntityTooLarge()
        return size


class BoundedRequest(Request):
    """Flask's request, refusing (413) a body without Content-Length that is over the limit."""

    @cached_property
    def stream(self) -> IO[bytes]:
        """Return the body stream, capped at ``max_content_length``, declared length or not."""
        limit = self.max_content_length
        if (
            limit is not None
            and self.content_length is None
            and "wsgi.input_terminated" in self.environ
            and not self.shallow
        ):
            # A LimitedStream is a binary stream; werkzeug casts its own to IO[bytes] as well.
            return cast("IO[bytes]", _CappedStream(self.environ["wsgi.input"], limit))
        return super().stream


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing with a nesting bound (``request.get_json`` answers 400, not 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse like Flask; nesting past the bound is a ValueError like any bad JSON."""
        if kwargs:
            return super().loads(s, **kwargs)
        return bounded_json.loads(s)


def bound_request_bodies(app: Flask) -> None:
    """Make ``app`` cap every body at its MAX_CONTENT_LENGTH and parse JSON with a depth bound."""
    app.request_class = BoundedRequest
    app.json = BoundedJSONProvider(app)
