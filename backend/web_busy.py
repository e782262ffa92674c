"""The web edge's last line of defence: a store still busy after retries answers 503, not 500.

Services retry a busy store themselves (``retry_when_busy``); when it stays busy the
request gets ``503 Service Unavailable`` with ``Retry-After``, for every part of the app:
the dashboard (its error page, in Japanese), the JSON API, ``/alexa`` and the LINE webhook
(JSON; LINE redelivers). A StoreBusy raised while the session is opened or saved happens
outside the view, where Flask turns it into a 500 first: the 500 handler looks at the
original exception for that case.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import InternalServerError

from backend.dashboard import texts
from backend.domain.errors import StoreBusy

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
_MACHINE_PATHS = ("/api/", "/alexa", "/line/")


def busy_response() -> Response:
    """Return the 503 answer for the current request (HTML for a browser, else JSON)."""
    logger.warning(
        "store still busy after retries: %s %s answered 503", request.method, request.endpoint
    )
    if request.path.startswith(_MACHINE_PATHS) or not request.accept_mimetypes.accept_html:
        response = jsonify(error={"code": "busy", "message": texts.STORE_BUSY})
    else:
        response = Response(
            render_template("dashboard/error.html", message=texts.STORE_BUSY),
            mimetype="text/html",
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register_busy_handlers(app: Flask) -> None:
    """Answer StoreBusy with 503 and Retry-After wherever it is raised in a request."""

    @app.errorhandler(StoreBusy)
    def store_busy(_err: StoreBusy) -> Response:
        return busy_response()

    @app.errorhandler(InternalServerError)
    def server_error(err: InternalServerError) -> Response | InternalServerError:
        if isinstance(err.original_exception, StoreBusy):
            return busy_response()
        return err
