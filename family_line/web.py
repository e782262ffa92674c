"""HTTP side of family on LINE: ``POST /line/webhook`` and the signed ``GET /media/<key>``.

The webhook checks ``X-Line-Signature`` on the raw body with line-bot-sdk's
``SignatureValidator`` (HMAC-SHA256, constant-time compare) before anything else (400 and
nothing stored otherwise), checks that every event has what the inbox needs (400 and nothing
stored otherwise), stores the events, answers 200 at once and processes them after the
response is sent (``call_on_close``); the scheduled job picks up whatever that missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, Response, abort, jsonify, request

from backend import bounded_json
from backend.media import MediaError, MediaStore, check_key, content_type_of
from backend.services.context import Services
from family_line import inbox

log = logging.getLogger(__name__)


def create_webhook_blueprint(
    services: Services, channel_secret: str, after_accept: Callable[[], object] | None
) -> Blueprint:
    """Return the blueprint of ``POST /line/webhook``."""
    from linebot.v3.webhook import SignatureValidator

    validator = SignatureValidator(channel_secret)
    bp = Blueprint("line", __name__)

    @bp.post("/line/webhook")
    def webhook() -> tuple[Response, int]:
        raw = request.get_data(cache=False)
        signature = request.headers.get("X-Line-Signature", "")
        try:
            body_text = raw.decode("utf-8")
        except UnicodeDecodeError:
            body_text = None
        if body_text is None or not validator.validate(body_text, signature):
            log.warning("LINE webhook with a bad signature refused")
            return jsonify(error="invalid signature"), 400
        try:
            events = inbox.events_of(bounded_json.loads(body_text))
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            log.warning("LINE webhook with a malformed body refused: %s", type(err).__name__)
            return jsonify(error="malformed body"), 400
        stored = inbox.accept(services, events)
        # What jsonify(status="ok", stored=stored) writes, without the JSON provider.
        response = Response(b'{"status":"ok","stored":%d}\n' % stored, mimetype="application/json")
        if stored and after_accept is not None:
            response.call_on_close(after_accept)
        return response, 200

    return bp


def create_media_blueprint(services: Services, media: MediaStore) -> Blueprint:
    """Return the blueprint of ``GET /media/<key>`` (signed, short-lived links only)."""
    bp = Blueprint("media", __name__)

    @bp.get("/media/<path:key>")
    def media_file(key: str) -> Response:
        links = services.media_links
        expires, signature = request.args.get("exp", ""), request.args.get("sig", "")
        try:
            check_key(key)
        except MediaError:
            abort(404)
        if links is None or not links.valid(key, expires, signature, services.now()):
            abort(403)
        try:
            data = media.get(key)
        except MediaError:
            abort(404)
        response = Response(data, mimetype=content_type_of(key))
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["Access-Control-Allow-Origin"] = "*"  # APL fetches cross-origin
        return response

    return bp


def register_family_line(app: Flask, services: Services) -> None:
    """Register the media links and, when LINE is configured, the webhook."""
    app.register_blueprint(create_media_blueprint(services, services.media))
    line = services.line
    if line is None:
        return

    def process_now() -> None:
        try:
            line.process_pending(services, accepted_here=True)  # not another worker's events
        except Exception as err:  # the scheduled job tries again; never break the server
            log.error("LINE events not processed right away: %s", type(err).__name__)

    app.register_blueprint(create_webhook_blueprint(services, line.channel_secret, process_now))
