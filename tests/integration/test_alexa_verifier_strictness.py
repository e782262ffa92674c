"""The Alexa verifier against hostile headers, certificates and certificate hosts.

Certificate chains are made locally (``tests.alexa_signing``); chains are downloaded over
real HTTP from a local server that stands in for s3.amazonaws.com and counts every fetch.
The live-app tests send real duplicate headers to ``POST /alexa``.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import Headers

from skill.verifier import (
    AlexaRequestVerifier,
    VerificationError,
    fetch_certificate_chain,
    validate_cert_url,
)
from tests.alexa_signing import DEFAULT_CERT_URL, TestChain, envelope, make_chain, signed_headers
from tests.clock import FakeClock
from tests.live_app import SKILL_ID, live_app

NOW = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
OTHER_CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"


# --- a local certificate host ---------------------------------------------------------------


@dataclass
class CertificateHost:
    """Serves PEM files by path (404 otherwise) and records every GET."""

    files: dict[str, bytes] = field(default_factory=dict)
    fetches: list[str] = field(default_factory=list)
    drip: threading.Semaphore | None = None  # send one byte of the body per release
    base: str = ""

    def fetch(self, url: str, **limits: float) -> bytes:
        """What the verifier's default fetch does, sent here instead of s3.amazonaws.com."""
        return fetch_certificate_chain(self.base + urlsplit(url).path, **limits)


def _handler(host: CertificateHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host.fetches.append(self.path)
            body = host.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if host.drip is None:
                self.wfile.write(body)
                return
            for byte in body:
                if not host.drip.acquire(timeout=10):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def host() -> Iterator[CertificateHost]:
    state = CertificateHost()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        if state.drip is not None:
            state.drip.release(1_000_000)  # let a dripping handler finish
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return make_chain()


def verifier_for(
    chain: TestChain, host: CertificateHost, clock: FakeClock | None = None
) -> AlexaRequestVerifier:
    return AlexaRequestVerifier(
        skill_id=SKILL_ID,
        trusted_roots=[chain.root],
        fetch=host.fetch,
        clock=clock or FakeClock(NOW),
    )


def body_at(moment: datetime = NOW) -> bytes:
    return json.dumps(envelope(skill_id=SKILL_ID, timestamp=moment)).encode()


def reason_of(verifier: AlexaRequestVerifier, headers: object, body: bytes) -> str:
    with pytest.raises(VerificationError) as excinfo:
        verifier.verify(headers, body)  # type: ignore[arg-type]
    return excinfo.value.reason


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- the signing certificate's name -------------------------------------------------------


class TestTheSigningCertificateName:
    def test_a_wildcard_amazon_com_leaf_is_refused(self, host: CertificateHost) -> None:
        wildcard = make_chain(san="*.amazon.com")
        host.files[path_of(DEFAULT_CERT_URL)] = wildcard.chain_pem
        body = body_at()

        reason = reason_of(verifier_for(wildcard, host), signed_headers(wildcard, body), body)

        assert reason == "bad_certificate"

    def test_the_literal_echo_api_amazon_com_leaf_is_accepted(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        host.files[path_of(DEFAULT_CERT_URL)] = chain.chain_pem
        body = body_at()

        verifier_for(chain, host).verify(signed_headers(chain, body), body)

        assert host.fetches == [path_of(DEFAULT_CERT_URL)]


# --- repeated headers -----------------------------------------------------------------------


def twice(headers: dict[str, str], name: str, value: str | None = None) -> Headers:
    """The headers with ``name`` sent a second time (the same value unless given)."""
    repeated = Headers(list(headers.items()))
    repeated.add(name, value if value is not None else headers[name])
    return repeated


class TestARepeatedHeader:
    @pytest.mark.parametrize("second", [None, OTHER_CERT_URL], ids=["same value", "other value"])
    def test_signature_cert_chain_url_twice_is_refused_without_a_fetch(
        self, chain: TestChain, host: CertificateHost, second: str | None
    ) -> None:
        body = body_at()
        headers = twice(signed_headers(chain, body), "SignatureCertChainUrl", second)

        assert reason_of(verifier_for(chain, host), headers, body) == "bad_cert_url"
        assert host.fetches == []

    def test_signature_cert_chain_url_joined_by_the_server_is_refused_without_a_fetch(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        body = body_at()
        headers = signed_headers(chain, body)
        headers["SignatureCertChainUrl"] = f"{DEFAULT_CERT_URL},{DEFAULT_CERT_URL}"

        assert reason_of(verifier_for(chain, host), headers, body) == "bad_cert_url"
        assert host.fetches == []

    def test_signature_256_twice_is_refused_without_a_fetch(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        host.files[path_of(DEFAULT_CERT_URL)] = chain.chain_pem
        body = body_at()
        headers = twice(signed_headers(chain, body), "Signature-256")

        assert reason_of(verifier_for(chain, host), headers, body) == "bad_signature"
        assert host.fetches == []


# --- certificate URLs -----------------------------------------------------------------------

TRICKY_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem%00",
    "https://s3.amazonaws.com/echo.api/echo-api-cert\x00.pem",
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem\x7f",
    "https://s3.amazonaws.com/echo.api/echo\tapi-cert.pem",
    "https://s3.amazonaws.com/echo.api/echo api-cert.pem",
    "https://s3.amazonaws.com/echo.api/%2e%2e/other/cert.pem",
    "https://s3.amazonaws.com/echo.api/%2Fother/cert.pem",
    "https://s3.amazonaws.com/echo%2eapi/cert.pem",
    "https://s3.amazonaws.com/echo.api/..%2fother/cert.pem",
    "https://s3.amazonaws.com/echo.api/..\\other/cert.pem",
    "https://s3.amazonaws.com/echo.api/cert.pem?x-redirect=https://evil.example/",
    "https://s3.amazonaws.com/echo.api/cert.pem#fragment",
    "https://s3.amazonaws.com@evil.example/echo.api/cert.pem",
    "https://evil.example@s3.amazonaws.com/echo.api/cert.pem",
    "https://s3.amazonaws.com%2f@evil.example/echo.api/cert.pem",
    "https://s3.amazonaws.com./echo.api/cert.pem",
    "https://s3.amazonaws.com:443:443/echo.api/cert.pem",
    "https://s3.amazonaws.com:0443/echo.api/cert.pem%20",
    "https://s3.amazonaws.com/echo.api/ｃｅｒｔ.pem",
    "https://s3.amazonaws.com/echo.api/../cert.pem",
    "https://s3.amazonaws.com/echo.api/",
]
NORMALISED_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert-12.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert-12.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-12.pem",
    "https://s3.amazonaws.com/echo.api/./sub/../echo-api-cert-12.pem",
]


class TestACertificateUrl:
    @pytest.mark.parametrize("url", TRICKY_URLS)
    def test_with_control_characters_escapes_or_tricks_is_refused(self, url: str) -> None:
        with pytest.raises(VerificationError) as excinfo:
            validate_cert_url(url)
        assert excinfo.value.reason == "bad_cert_url"

    @pytest.mark.parametrize("url", TRICKY_URLS)
    def test_with_tricks_costs_no_fetch(
        self, chain: TestChain, host: CertificateHost, url: str
    ) -> None:
        body = body_at()
        headers = {"SignatureCertChainUrl": url, "Signature-256": chain.sign(body)}

        reason = reason_of(verifier_for(chain, host), headers, body)

        assert reason in {"bad_cert_url", "missing_cert_url"}
        assert host.fetches == []

    @pytest.mark.parametrize("url", NORMALISED_URLS)
    def test_that_normalises_to_echo_api_is_accepted(self, url: str) -> None:
        validate_cert_url(url)


# --- failed downloads -----------------------------------------------------------------------


class TestAFailedDownload:
    def test_is_not_repeated_for_a_minute_however_many_requests_come(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        clock = FakeClock(NOW)
        verifier = verifier_for(chain, host, clock)  # the host has no file: every GET is a 404
        for _ in range(20):
            body = body_at(clock())
            assert reason_of(verifier, signed_headers(chain, body), body) == "cert_fetch_failed"
            clock.tick(timedelta(seconds=2))
        assert host.fetches == [path_of(DEFAULT_CERT_URL)]  # 20 requests over 40 s

        clock.tick(timedelta(seconds=21))  # 61 s after the failure
        host.files[path_of(DEFAULT_CERT_URL)] = chain.chain_pem
        body = body_at(clock())
        verifier.verify(signed_headers(chain, body), body)
        assert host.fetches == [path_of(DEFAULT_CERT_URL)] * 2

    def test_of_a_chain_that_is_not_pem_is_not_repeated_for_a_minute(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        host.files[path_of(DEFAULT_CERT_URL)] = b"<html>not a certificate</html>"
        clock = FakeClock(NOW)
        verifier = verifier_for(chain, host, clock)
        for _ in range(5):
            body = body_at(clock())
            assert reason_of(verifier, signed_headers(chain, body), body) == "bad_certificate"
        assert len(host.fetches) == 1

    def test_of_one_url_does_not_block_another(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        host.files[path_of(OTHER_CERT_URL)] = chain.chain_pem
        verifier = verifier_for(chain, host)
        body = body_at()
        assert reason_of(verifier, signed_headers(chain, body), body) == "cert_fetch_failed"

        verifier.verify(signed_headers(chain, body, url=OTHER_CERT_URL), body)

        assert host.fetches == [path_of(DEFAULT_CERT_URL), path_of(OTHER_CERT_URL)]


class TestManyFailedDownloads:
    def test_of_made_up_urls_stop_further_downloads_for_a_minute_but_not_cached_chains(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        host.files[path_of(DEFAULT_CERT_URL)] = chain.chain_pem
        clock = FakeClock(NOW)
        verifier = verifier_for(chain, host, clock)
        body = body_at()
        verifier.verify(signed_headers(chain, body), body)  # the real chain, now cached
        made_up = [f"https://s3.amazonaws.com/echo.api/made-up-{n}.pem" for n in range(30)]

        for url in made_up:
            headers = signed_headers(chain, body, url=url)
            assert reason_of(verifier, headers, body) == "cert_fetch_failed"
        verifier.verify(signed_headers(chain, body), body)

        assert len(host.fetches) == 1 + 10
        clock.tick(timedelta(seconds=61))
        later = body_at(clock())
        headers = signed_headers(chain, later, url="https://s3.amazonaws.com/echo.api/new.pem")
        assert reason_of(verifier, headers, later) == "cert_fetch_failed"
        assert len(host.fetches) == 1 + 10 + 1


# --- bounded downloads ----------------------------------------------------------------------


class Ticks:
    """A monotonic clock that moves one second, and lets the host send one byte, per read."""

    def __init__(self, gate: threading.Semaphore) -> None:
        self.now = 0.0
        self.gate = gate

    def __call__(self) -> float:
        self.now += 1.0
        self.gate.release()
        return self.now


class TestTheDownload:
    def test_of_a_declared_length_over_the_cap_is_refused(self, host: CertificateHost) -> None:
        host.files["/big.pem"] = b"x" * (64 * 1024 + 1)

        with pytest.raises(ValueError, match="size cap"):
            fetch_certificate_chain(host.base + "/big.pem")

    def test_that_arrives_too_slowly_is_cut_off_at_the_deadline(
        self, chain: TestChain, host: CertificateHost
    ) -> None:
        host.files["/slow.pem"] = chain.chain_pem
        host.drip = threading.Semaphore(0)
        ticks = Ticks(host.drip)

        with pytest.raises(TimeoutError):
            fetch_certificate_chain(host.base + "/slow.pem", timeout=5, monotonic=ticks)
        assert ticks.now == 6  # the deadline set at 1 s, one-byte reads at 2-5 s, refused at 6 s

    def test_from_a_server_that_never_answers_fails(self) -> None:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        try:
            url = f"http://127.0.0.1:{listener.getsockname()[1]}/echo.api/cert.pem"
            with pytest.raises((TimeoutError, ConnectionError, http.client.HTTPException)):
                fetch_certificate_chain(url, timeout=0.2)
        finally:
            listener.close()

    def test_of_a_chain_that_fits_returns_it(self, chain: TestChain, host: CertificateHost) -> None:
        host.files["/ok.pem"] = chain.chain_pem

        assert fetch_certificate_chain(host.base + "/ok.pem") == chain.chain_pem


# --- over real HTTP -------------------------------------------------------------------------


class TestRepeatedHeadersOverHttp:
    @pytest.mark.parametrize("name", ["SignatureCertChainUrl", "Signature-256"])
    def test_get_400_without_a_fetch_and_store_nothing(
        self, tmp_path: Path, chain: TestChain, host: CertificateHost, name: str
    ) -> None:
        host.files[path_of(DEFAULT_CERT_URL)] = chain.chain_pem
        clock = FakeClock(NOW)
        with live_app(tmp_path, clock, verifier=verifier_for(chain, host, clock)) as app:
            body = body_at()
            headers = signed_headers(chain, body)
            before = app.snapshot()
            connection = http.client.HTTPConnection(app.host, app.port, timeout=10)
            try:
                connection.putrequest("POST", "/alexa")
                connection.putheader("Content-Type", "application/json")
                connection.putheader("Content-Length", str(len(body)))
                for key, value in headers.items():
                    connection.putheader(key, value)
                connection.putheader(name, headers[name])
                connection.endheaders(body)
                status = connection.getresponse().status
            finally:
                connection.close()

            assert status == 400
            assert host.fetches == []
            assert app.snapshot() == before
