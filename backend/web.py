"""The Flask app of ``mimamori serve``: the skill endpoint, health check and dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, jsonify

from backend.bootstrap import alexa_verifier, bootstrap
from backend.http_edge import bound_request_bodies
from backend.services.context import Services
from backend.settings import DEFAULT_MAX_BODY_BYTES, Settings
from backend.web_busy import register_busy_handlers
from backend.web_headers import install_security_headers

if TYPE_CHECKING:
    from skill.verifier import AlexaRequestVerifier

MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES  # MIMAMORI_MAX_BODY_BYTES when not set


def create_app(
    settings: Settings,
    services: Services | None = None,
    *,
    verifier: AlexaRequestVerifier | None = None,
    jobs_watchdog: bool = False,
) -> Flask:
    """Return the app; ``verifier`` replaces the default Alexa verifier (tests use local roots).

    ``jobs_watchdog`` (``mimamori serve``): when the scheduler's heartbeat is stale, the jobs
    run from the app after a request.
    """
    from skill.builder import build_skill
    from skill.flask_app import create_alexa_blueprint

    settings.require_for_skill()
    services = services or bootstrap(settings)
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SECRET_KEY=settings.secret_key.get_secret_value() if settings.secret_key else None,
    )
    install_security_headers(app, settings)
    bound_request_bodies(app)
    if verifier is None or not settings.alexa_verify_signature:
        verifier = alexa_verifier(settings)
    skill = build_skill(services, settings.alexa_skill_id)
    app.register_blueprint(
        create_alexa_blueprint(skill, skill_id=settings.alexa_skill_id or "", verifier=verifier)
    )

    _init_dashboard(app, settings, services)
    _register_family_line(app, services)
    register_busy_handlers(app)
    if jobs_watchdog:
        from backend.web_watchdog import JobsWatchdog, install_jobs_watchdog

        install_jobs_watchdog(app, JobsWatchdog(settings))

    @app.get("/healthz")
    def healthz():
        with services.uow() as uow:
            uow.municipalities.get("000000")
        return jsonify(status="ok")

    return app


def _init_dashboard(app: Flask, settings: Settings, services: Services) -> None:
    """Serve the care-staff dashboard (``/``, ``/login``) in the same app."""
    from backend.dashboard import init_dashboard

    init_dashboard(app, settings, services)


def _register_family_line(app: Flask, services: Services) -> None:
    """Family on LINE: signed media links always, the webhook when LINE is configured."""
    from family_line.web import register_family_line

    register_family_line(app, services)
