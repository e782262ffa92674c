"""The server settings of ``mimamori serve`` and the redaction of signed media links in logs."""

from __future__ import annotations

import logging

import pytest

from backend import server
from backend.settings import Settings


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_gunicorn_takes_workers_threads_timeouts_from_the_settings() -> None:
    settings = _settings(
        web_workers=3, web_threads=6, web_timeout_seconds=45, web_keepalive_seconds=7
    )
    application = server.gunicorn_application(settings, "::1", 8123, lambda: None)
    cfg = application.cfg
    assert (cfg.workers, cfg.threads, cfg.timeout, cfg.keepalive) == (3, 6, 45, 7)
    assert cfg.graceful_timeout == 45
    assert cfg.worker_class_str == "gthread"
    assert cfg.bind == ["[::1]:8123"]
    assert cfg.preload_app is False  # every worker builds its own services after the fork
    assert cfg.accesslog == "-"
    quiet = server.gunicorn_options(_settings(access_log=False), "127.0.0.1", 8000)
    assert quiet["accesslog"] is None


def test_the_server_is_gunicorn_unless_waitress_is_asked_for() -> None:
    assert server.server_name(_settings()) == "gunicorn"  # it runs here (POSIX)
    assert server.server_name(_settings(web_server="waitress")) == "waitress"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "GET /media/line/1.jpg?exp=1893456000&sig=abc HTTP/1.1",
            "GET /media/line/1.jpg?[redacted] HTTP/1.1",
        ),
        ('"https://x.jp/media/a/b.png?sig=abc&exp=1"', '"https://x.jp/media/a/b.png?[redacted]"'),
        ("GET /elders/e1?tab=history HTTP/1.1", "GET /elders/e1?tab=history HTTP/1.1"),
        ("GET /media/line/1.jpg HTTP/1.1", "GET /media/line/1.jpg HTTP/1.1"),
    ],
)
def test_only_the_query_of_a_media_link_is_redacted(line: str, expected: str) -> None:
    assert server.redact_media_links(line) == expected


def test_an_error_logged_with_a_media_link_keeps_no_signature(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.server.error_log")
    logger.addFilter(server.MediaLinkFilter())
    with caplog.at_level(logging.ERROR, logger=logger.name):
        logger.error("Error handling request %s", "/media/line/1.jpg?exp=1&sig=SECRET")
    assert caplog.messages == ["Error handling request /media/line/1.jpg?[redacted]"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("web_workers", 0),
        ("web_threads", 0),
        ("web_timeout_seconds", 0),
        ("max_body_bytes", 10),
        ("web_server", "werkzeug"),
    ],
)
def test_a_server_setting_out_of_range_is_refused(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        _settings(**{name: value})


def test_gunicorn_s_error_log_keeps_no_signature_of_a_media_link() -> None:
    application = server.gunicorn_application(_settings(), "127.0.0.1", 8000, lambda: None)
    gunicorn_log = application.cfg.logger_class(application.cfg)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = Keep()
    gunicorn_log.error_log.addHandler(keep)
    try:
        gunicorn_log.error("Error handling request %s", "/media/line/1.jpg?exp=1&sig=SECRET")
    finally:
        gunicorn_log.error_log.removeHandler(keep)
    assert seen == ["Error handling request /media/line/1.jpg?[redacted]"]
