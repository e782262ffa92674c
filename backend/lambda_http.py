"""AWS Lambda entry point of the web app behind an API Gateway HTTP API (payload 2.0).

The same Flask app as ``mimamori serve`` (``backend.web.create_app``): the LINE webhook,
the dashboard and the JSON API. ``apig-wsgi`` translates the event into a WSGI request
and the response back (cookies, base64 bodies). The app is built at the first request
of a container and reused.

On Lambda nothing runs after the function returns: ``apig-wsgi`` closes the response
before returning it, so the webhook's "process after the response" step runs inside the
invocation; the one-minute ``process-line-inbox`` schedule still picks up whatever it
could not finish.
"""

from __future__ import annotations

from typing import Any

_handler: Any = None


def _build() -> Any:
    from apig_wsgi import make_lambda_handler

    from backend.settings import Settings
    from backend.web import create_app

    settings = Settings()
    settings.require_for_web()
    return make_lambda_handler(create_app(settings), binary_support=True)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one HTTP API request."""
    global _handler
    if _handler is None:
        _handler = _build()
    return _handler(event, context)
