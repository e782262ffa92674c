"""One request of every kind the app answers, for the checks every response must pass."""

from __future__ import annotations


def response_probes(body_limit: int) -> dict[str, tuple[str, str, bytes | None, int]]:
    """Return (method, path, body, expected status) by name: JSON, HTML, static, errors, 413."""
    return {
        "health check": ("GET", "/healthz", None, 200),
        "unknown path": ("GET", "/no-such-page", None, 404),
        "static asset": ("GET", "/assets/dashboard.css", None, 200),
        "letter stylesheet": ("GET", "/assets/letter.css", None, 200),
        "login page": ("GET", "/login", None, 200),
        "dashboard redirect": ("GET", "/", None, 302),
        "API document": ("GET", "/api/v1/openapi.json", None, 200),
        "API without token": ("GET", "/api/v1/elders", None, 401),
        "Alexa without signature": ("POST", "/alexa", b"{}", 400),
        "LINE with a bad signature": ("POST", "/line/webhook", b'{"events":[]}', 400),
        "media without signature": ("GET", "/media/line/1.jpg", None, 403),
        "body over the limit": ("POST", "/alexa", b"x" * (body_limit + 1), 413),
    }
