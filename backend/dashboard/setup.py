"""Wire the dashboard into the app: sessions, login, CSRF and the blueprint."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from backend.dashboard import texts
from backend.dashboard.admin import create_admin_blueprint
from backend.dashboard.api import create_api_blueprint
from backend.dashboard.contacts import create_contacts_blueprint
from backend.dashboard.elder_admin import create_elder_admin_blueprint
from backend.dashboard.engagement import create_engagement_blueprint
from backend.dashboard.enrolment import create_enrolment_blueprint
from backend.dashboard.sessions import ServerSessionInterface, raise_if_unavailable
from backend.dashboard.views import Principal, create_blueprint
from backend.services import staff_auth
from backend.services.context import Services
from backend.settings import Settings

logger = logging.getLogger(__name__)


def init_dashboard(app: Flask, settings: Settings, services: Services) -> None:
    """Serve the dashboard at ``/`` (login at ``/login``) in this app."""
    if not app.config.get("SECRET_KEY"):
        logger.warning("MIMAMORI_SECRET_KEY is not set: dashboard forms use a per-process key")
        app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    timeouts = staff_auth.SessionTimeouts(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )
    app.session_interface = ServerSessionInterface(
        services, timeouts, secure=settings.session_cookie_secure
    )
    app.before_request(raise_if_unavailable)
    app.config.update(
        # Checked by the dashboard blueprint only: /alexa and webhooks have their own checks.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as its session
        WTF_CSRF_SSL_STRICT=settings.session_cookie_secure,
    )
    csrf = CSRFProtect(app)
    login_manager = LoginManager(app)
    login_manager.login_view = "dashboard.login"
    login_manager.login_message = texts.LOGIN_REQUIRED
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are server-side and rotated at sign-in

    @login_manager.user_loader
    def load_user(user_id: str) -> Principal | None:
        user = staff_auth.active_user(services, user_id)
        return Principal(user) if user is not None else None

    app.register_blueprint(create_blueprint(services, csrf))
    app.register_blueprint(create_api_blueprint(services))
    app.register_blueprint(create_admin_blueprint(services, csrf))
    app.register_blueprint(create_elder_admin_blueprint(services, csrf))
    app.register_blueprint(create_enrolment_blueprint(services, csrf))
    app.register_blueprint(create_contacts_blueprint(services, csrf))
    app.register_blueprint(create_engagement_blueprint(services, csrf))
