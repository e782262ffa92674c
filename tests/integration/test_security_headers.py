"""Every response of the app carries the security headers (Flask test client, real SQLite)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.web import create_app
from backend.web_headers import SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY
from tests.databases import fresh_sqlite
from tests.http_probes import response_probes
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, line_settings

BODY_LIMIT = 2048


def _app(tmp_path: Path, **changes):
    settings = line_settings(
        database_url=fresh_sqlite(tmp_path),
        media_url=f"file://{tmp_path / 'media'}",
        secret_key="k" * 32,
        alexa_skill_id="amzn1.ask.skill.test",
        line_channel_secret=CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        line_api_base="http://127.0.0.1:9",  # never called: no event is stored
        max_body_bytes=BODY_LIMIT,
        **changes,
    )
    app = create_app(settings)

    @app.get("/boom")  # an unhandled error: the 500 page must carry the headers too
    def boom():
        raise RuntimeError("boom")

    return app


@pytest.fixture
def client(tmp_path: Path):
    return _app(tmp_path).test_client()


RESPONSES = {
    **response_probes(BODY_LIMIT),
    "unhandled error": ("GET", "/boom", None, 500),
}


@pytest.mark.parametrize("probe", RESPONSES.values(), ids=RESPONSES.keys())
def test_every_kind_of_response_carries_the_security_headers(client, probe) -> None:
    method, path, body, status = probe
    with client.open(path, method=method, data=body, content_type="application/json") as response:
        assert response.status_code == status
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, name
        assert "Strict-Transport-Security" not in response.headers  # plain http, no https


def test_the_policy_allows_this_origin_s_styles_and_images_and_nothing_else() -> None:
    policy = dict(
        directive.split(" ", 1)
        for directive in SECURITY_HEADERS["Content-Security-Policy"].split("; ")
    )
    assert policy == {
        "default-src": "'none'",
        "style-src": "'self'",
        "img-src": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
    }


def test_hsts_is_sent_on_a_request_over_https(client) -> None:
    response = client.get("/healthz", base_url="https://mimamori.example.jp")
    assert response.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY


def test_hsts_is_sent_on_every_response_when_the_public_address_is_https(tmp_path: Path) -> None:
    client = _app(tmp_path, public_url="https://mimamori.example.jp").test_client()
    for path in ("/healthz", "/no-such-page", "/login"):
        with client.get(path) as response:  # plain http behind the TLS proxy
            assert response.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY


def test_no_template_needs_an_inline_style_or_script() -> None:
    inline = re.compile(r"<style|<script|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)
    templates = Path(__file__).resolve().parents[2] / "backend/dashboard/templates"
    for template in templates.rglob("*.html"):
        found = inline.search(template.read_text(encoding="utf-8"))
        assert found is None, f"{template.name}: {found and found.group(0)}"
