"""Server-side sessions for Flask: the cookie holds a random value, the data is in the store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import NullSession, SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from backend.domain.staff import StaffSession
from backend.services import staff_auth
from backend.services.context import Services

COOKIE_NAME = "mimamori_session"
# An unchanged session is written back (its idle time restarted) at most this often.
TOUCH_INTERVAL = timedelta(minutes=1)
# Server-to-server endpoints: never a staff session (the LINE webhook's acknowledgement).
SESSIONLESS_PATHS = frozenset({"/line/webhook"})


class ServerSession(CallbackDict, SessionMixin):
    """A session whose data lives in the store; ``regenerate`` gives it a new id."""

    def __init__(
        self, initial: dict[str, Any] | None = None, record: StaffSession | None = None
    ) -> None:
        def on_update(session: ServerSession) -> None:
            session.modified = True

        super().__init__(initial or {}, on_update)
        self.record = record
        self.rotate = False
        self.had_cookie = False
        self.modified = False

    def regenerate(self) -> None:
        """Move the data to a new random id at the end of the request (after sign-in)."""
        self.rotate = True
        self.modified = True


class ServerSessionInterface(SessionInterface):
    """Load and store sessions through the services; expired sessions are gone."""

    def __init__(
        self, services: Services, timeouts: staff_auth.SessionTimeouts, *, secure: bool
    ) -> None:
        self.services = services
        self.timeouts = timeouts
        self.secure = secure

    def open_session(self, app: Flask, request: Request) -> ServerSession | NullSession:
        """Return the request's session (a new empty one without a live cookie).

        Webhooks called by other servers (``SESSIONLESS_PATHS``) get Flask's null session:
        no cookie read, nothing saved (it refuses writes).
        """
        if request.path in SESSIONLESS_PATHS:
            return self.make_null_session(app)
        token = request.cookies.get(COOKIE_NAME)
        record = staff_auth.load_session(self.services, token, self.timeouts) if token else None
        session = ServerSession(record.data if record else None, record)
        session.had_cookie = token is not None
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Store the session (or delete it when emptied) and set or clear the cookie."""
        assert isinstance(session, ServerSession)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.record is not None:
                staff_auth.end_session(self.services, session.record.id)
            if session.had_cookie:
                response.delete_cookie(COOKIE_NAME, path="/", httponly=True, secure=self.secure)
            return
        if session.record is None or session.rotate:
            replaces = session.record.id if session.record is not None else None
            token, session.record = staff_auth.start_session(
                self.services, dict(session), replaces, self.timeouts
            )
            response.set_cookie(
                COOKIE_NAME,
                token,
                httponly=True,
                secure=self.secure,
                samesite="Lax",
                path="/",
            )
            return
        if (
            not session.modified
            and self.services.now() - session.record.last_seen_at < TOUCH_INTERVAL
        ):
            return  # nothing new, seen a moment ago: spare the store a write
        session.record = staff_auth.save_session(self.services, session.record, dict(session))
