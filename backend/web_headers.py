"""Security headers on every response of the web app, error pages and static files included.

The dashboard uses no JavaScript, no inline styles (stylesheets under ``/assets``), no
frames and no images from elsewhere (family photos are ``/media`` links on this origin;
the charts are inline SVG), so the policy allows stylesheets, images and form posts from
this origin only and nothing else. ``/alexa``, the LINE webhook and the JSON API answer
JSON, which the same policy leaves inert. HSTS is sent only over https: always when
``MIMAMORI_PUBLIC_URL`` is an https address (the server sits behind a TLS proxy), else
when the request itself came over https.
"""

from __future__ import annotations

from flask import Flask, Response, request

from backend.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000"  # one year; subdomains are not ours to pin

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def install_security_headers(app: Flask, settings: Settings) -> None:
    """Add the security headers to every response ``app`` sends (a blueprint's own win)."""
    public_https = (settings.public_url or "").lower().startswith("https://")

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if public_https or request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
