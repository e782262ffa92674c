"""Server-side sessions for Flask: the cookie holds a random value, the data is in the store.

Only a signed-in staff member has a stored session. A visitor who is not signed in (the
login page's CSRF token, a flashed message) keeps that little data in a signed cookie of
its own: an anonymous ``GET /login`` writes nothing to the store, so no one can fill the
sessions table (or compete with staff for the SQLite write lock) by asking for a page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import NullSession, SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from backend.domain.errors import StoreBusy
from backend.domain.staff import StaffSession
from backend.services import staff_auth
from backend.services.context import Services

COOKIE_NAME = "mimamori_session"
# The signed data of a visitor not signed in (never stored server-side).
VISITOR_COOKIE_NAME = "mimamori_visitor"
_VISITOR_SALT = "mimamori-visitor-session"
# Set in the session by Flask-Login at sign-in: only such a session is stored.
USER_KEY = "_user_id"
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
        self.had_visitor_cookie = False
        self.unavailable = False  # the store was busy when the session was to be loaded
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
        try:
            record = staff_auth.load_session(self.services, token, self.timeouts) if token else None
        except StoreBusy:
            # Raised here Flask could only answer 500; ``raise_if_unavailable`` raises it
            # again from the request, where the edge answers 503 (with an empty session).
            unavailable = ServerSession()
            unavailable.unavailable = True
            return unavailable
        visitor = request.cookies.get(VISITOR_COOKIE_NAME)
        if record is not None:
            session = ServerSession(record.data, record)
        else:
            session = ServerSession(self._visitor_data(app, visitor), None)
        session.had_cookie = token is not None
        session.had_visitor_cookie = visitor is not None
        return session

    def _signer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            app.secret_key or "", salt=_VISITOR_SALT, serializer=TaggedJSONSerializer()
        )

    def _visitor_data(self, app: Flask, value: str | None) -> dict[str, Any] | None:
        """Return the data of a visitor cookie that is ours and recent (else None)."""
        if not value:
            return None
        try:
            # itsdangerous compares the age as a float; its annotation asks for an int.
            max_age = self.timeouts.idle.total_seconds()
            data = self._signer(app).loads(value, max_age=max_age)  # type: ignore[arg-type]
        except BadSignature:
            return None
        if not isinstance(data, dict) or USER_KEY in data:
            return None  # a signed-in session is never taken from a cookie
        return data

    def _set_cookie(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name, value, httponly=True, secure=self.secure, samesite="Lax", path="/"
        )

    def _delete_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", httponly=True, secure=self.secure)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Store a signed-in session (or keep a visitor's data in a signed cookie)."""
        assert isinstance(session, ServerSession)
        if session.accessed:
            response.vary.add("Cookie")
        if session.unavailable:
            return  # not loaded: keep the cookies as they are
        if USER_KEY not in session:
            self._save_visitor(app, session, response)
            return
        if session.had_visitor_cookie:
            self._delete_cookie(response, VISITOR_COOKIE_NAME)
        if session.record is None or session.rotate:
            replaces = session.record.id if session.record is not None else None
            token, session.record = staff_auth.start_session(
                self.services, dict(session), replaces, self.timeouts
            )
            self._set_cookie(response, COOKIE_NAME, token)
            return
        if (
            not session.modified
            and self.services.now() - session.record.last_seen_at < TOUCH_INTERVAL
        ):
            return  # nothing new, seen a moment ago: spare the store a write
        session.record = staff_auth.save_session(self.services, session.record, dict(session))

    def _save_visitor(self, app: Flask, session: ServerSession, response: Response) -> None:
        """Not signed in (or just signed out): end any stored session, data to the cookie."""
        if session.record is not None:
            staff_auth.end_session(self.services, session.record.id)
        if session.had_cookie:
            self._delete_cookie(response, COOKIE_NAME)
        if not session:
            if session.had_visitor_cookie:
                self._delete_cookie(response, VISITOR_COOKIE_NAME)
            return
        if session.modified or session.record is not None or not session.had_visitor_cookie:
            self._set_cookie(response, VISITOR_COOKIE_NAME, self._signer(app).dumps(dict(session)))


def raise_if_unavailable() -> None:
    """Raise StoreBusy in the request when its session could not be loaded (a before hook)."""
    if getattr(session, "unavailable", False):
        raise StoreBusy("the database is busy; the session could not be loaded")
