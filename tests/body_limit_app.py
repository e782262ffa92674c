"""A tiny app with the real app's body handling, for serving under several WSGI servers.

``create()`` is what ``gunicorn 'tests.body_limit_app:create()'`` loads: MAX_CONTENT_LENGTH
as ``backend.web`` sets it and ``bound_request_bodies``; ``POST /echo`` answers how many body
bytes the view read.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from backend.http_edge import bound_request_bodies
from backend.web import MAX_BODY_BYTES


def create() -> Flask:
    """Return the app."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    bound_request_bodies(app)

    @app.post("/echo")
    def echo():
        return jsonify(read=len(request.get_data()))

    return app
