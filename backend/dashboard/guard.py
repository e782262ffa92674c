"""What every dashboard blueprint shares: CSRF on POST, no caching, security headers."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from backend.dashboard import texts


def protect(bp: Blueprint, csrf: CSRFProtect, *, cacheable: str | None = None) -> None:
    """Check CSRF on every POST of ``bp`` and mark its pages no-store (except ``cacheable``)."""

    @bp.before_request
    def check_csrf() -> None:
        if request.method == "POST":
            csrf.protect()

    @bp.after_request
    def no_store(response: Response) -> Response:
        if cacheable is None or request.endpoint != cacheable:
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @bp.errorhandler(CSRFError)
    def csrf_failed(_err: CSRFError) -> tuple[str, int]:
        return render_template("dashboard/error.html", message=texts.SESSION_EXPIRED), 400
