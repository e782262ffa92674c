"""The engagement page: how the center's elders use the speaker beyond the check-in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFProtect

from backend.dashboard import texts
from backend.dashboard.guard import protect
from backend.domain.errors import NotFound
from backend.services import engagement_figures
from backend.services.context import Services


def create_engagement_blueprint(services: Services, csrf: CSRFProtect) -> Blueprint:
    """Return the blueprint of ``/engagement``."""
    bp = Blueprint("engagement", __name__, template_folder="templates")
    protect(bp, csrf)

    @bp.errorhandler(NotFound)
    def not_found(_err: NotFound) -> tuple[str, int]:
        return render_template("dashboard/error.html", message=texts.NOT_FOUND), 404

    @bp.get("/engagement")
    @login_required
    def figures() -> Any:
        found = engagement_figures.figures(
            services,
            current_user.user,
            request.args.get("center") or None,
        )
        return render_template("dashboard/engagement.html", figures=found)

    return bp
