"""The production WSGI server of ``mimamori serve``: gunicorn, or waitress where it cannot run.

gunicorn (POSIX only) runs ``MIMAMORI_WEB_WORKERS`` processes of ``MIMAMORI_WEB_THREADS``
threads each (the gthread worker). The app is not preloaded: every worker builds its own
app and services (engines, connection pools, AWS clients) after the fork, so no process
ever uses a database connection or socket that another opened. The master builds the app
once before forking only to fail early with a clear message on a wrong setting; it then
closes what that opened (``bootstrap.release_clients``).

One worker (the default) suits SQLite: threads share the process's engine and the LINE
inbox writer (one connection per thread and process). Several workers store every event
once (WAL and the busy timeout serialise SQLite's writers; the writer reopens its
connection in a new process), and each processes right away only the events it stored
itself (``family_line.inbox``), the job the rest. No worker runs the scheduler: that is the one
``mimamori scheduler`` process of the deployment.

waitress (pure Python, one process of ``MIMAMORI_WEB_THREADS`` threads) is used where
gunicorn cannot be imported (Windows), or when ``MIMAMORI_WEB_SERVER=waitress``.

Neither sends a ``Server`` header that names the software: gunicorn's is replaced by
``mimamori``, waitress's too. The access log (gunicorn, ``MIMAMORI_ACCESS_LOG``) writes the
query string of a ``/media`` link as ``[redacted]``: its expiry and signature are a
credential for the photo while it is valid.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from backend.settings import Settings

log = logging.getLogger(__name__)

SERVER_HEADER = "mimamori"
REDACTED = "[redacted]"
_MEDIA_QUERY = re.compile(r"(/media/[^?\s\"]*)\?[^\s\"]*")

AppFactory = Callable[[], Any]


def redact_media_links(text: str) -> str:
    """Return ``text`` with the query string of every ``/media/…`` link redacted."""
    return _MEDIA_QUERY.sub(rf"\1?{REDACTED}", text)


class MediaLinkFilter(logging.Filter):
    """Redact the query strings of ``/media`` links in a log record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (never drops it)."""
        message = record.getMessage()
        redacted = redact_media_links(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def server_name(settings: Settings) -> str:
    """Return the server ``MIMAMORI_WEB_SERVER`` chooses (auto: gunicorn if it can run)."""
    if settings.web_server != "auto":
        return settings.web_server
    try:
        import gunicorn.app.base  # noqa: F401  (fcntl: POSIX only)
    except ImportError:
        return "waitress"
    return "gunicorn"


def serve(settings: Settings, host: str, port: int, app_factory: AppFactory) -> None:
    """Serve the app that ``app_factory`` builds (called in each worker) until stopped."""
    if server_name(settings) == "waitress":
        _serve_waitress(settings, host, port, app_factory())
    else:
        gunicorn_application(settings, host, port, app_factory).run()


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """Return gunicorn's settings for ``mimamori serve`` (all from ``settings``)."""
    return {
        "bind": [_bind(host, port)],
        "worker_class": "gthread",
        "workers": settings.web_workers,
        "threads": settings.web_threads,
        "timeout": settings.web_timeout_seconds,
        "graceful_timeout": settings.web_timeout_seconds,
        "keepalive": settings.web_keepalive_seconds,
        "preload_app": False,
        "accesslog": "-" if settings.access_log else None,
        "errorlog": "-",
        "logger_class": _redacting_logger_class(),
        "proc_name": "mimamori",
        "post_fork": _post_fork,
        # gunicorn >= 25 opens a control socket at one path per user; none is needed.
        "control_socket_disable": True,
    }


def gunicorn_application(settings: Settings, host: str, port: int, app_factory: AppFactory) -> Any:
    """Return the gunicorn application of ``mimamori serve`` (``.run()`` serves)."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import wsgi as gunicorn_wsgi

    # The Server header gunicorn writes itself (types-gunicorn does not list the name).
    gunicorn_wsgi.SERVER = SERVER_HEADER  # type: ignore[attr-defined]

    options = gunicorn_options(settings, host, port)

    class MimamoriApplication(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # an older gunicorn lacks the newest settings
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return app_factory()  # in the worker, after the fork

    return MimamoriApplication()


def _post_fork(_arbiter: Any, _worker: Any) -> None:
    from backend.bootstrap import release_clients

    release_clients(close=False)  # the master's are not this process's to use or close


def _redacting_logger_class() -> type:
    from gunicorn.glogging import Logger

    class RedactingLogger(Logger):
        """gunicorn's logger, with the query strings of ``/media`` links redacted."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            self.error_log.addFilter(MediaLinkFilter())  # "Error handling request /media/…"

        # The same atoms, redacted, as a plain dict (types-gunicorn types them as a TypedDict).
        def atoms(  # type: ignore[override]
            self, resp: Any, req: Any, environ: Any, request_time: Any
        ) -> dict[str, Any]:
            atoms: dict[str, Any] = dict(super().atoms(resp, req, environ, request_time))
            if str(environ.get("PATH_INFO", "")).startswith("/media/"):
                for key in ("q", "{query_string}e"):
                    if atoms.get(key):
                        atoms[key] = REDACTED
            return {
                key: redact_media_links(value) if isinstance(value, str) else value
                for key, value in atoms.items()
            }

    return RedactingLogger


def _serve_waitress(settings: Settings, host: str, port: int, app: Any) -> None:
    import waitress

    waitress.serve(
        app,
        host=host,
        port=port,
        threads=settings.web_threads,
        channel_timeout=settings.web_timeout_seconds,
        # The app answers 413 itself (with its headers) up to twice its own limit.
        max_request_body_size=2 * settings.max_body_bytes,
        ident=SERVER_HEADER,
        expose_tracebacks=False,
    )
