"""Alexa request verification: the certification matrix, fully offline."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from skill import verifier as verifier_module
from skill.verifier import (
    AlexaRequestVerifier,
    VerificationError,
    check_skill_id,
    validate_cert_url,
)
from tests.alexa_signing import (
    DEFAULT_CERT_URL,
    TestChain,
    envelope,
    make_chain,
    signed_headers,
)

NOW = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
OTHER_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000002"

BAD_URLS = [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
]
GOOD_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://S3.AmazonAWS.com/echo.api/echo-api-cert.pem",
    "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/x.pem",
]


class FakeFetch:
    """Serves one PEM for every URL and records what was asked for."""

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self.pem


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return make_chain()


@pytest.fixture
def fetch(chain: TestChain) -> FakeFetch:
    return FakeFetch(chain.chain_pem)


def make_verifier(
    chain: TestChain,
    fetch: Callable[[str], bytes],
    *,
    now: datetime = NOW,
) -> AlexaRequestVerifier:
    return AlexaRequestVerifier(
        skill_id=SKILL_ID, trusted_roots=[chain.root], fetch=fetch, clock=lambda: now
    )


def body_for(request_type: str = "LaunchRequest", **kwargs) -> bytes:
    kwargs.setdefault("skill_id", SKILL_ID)
    kwargs.setdefault("timestamp", NOW)
    return json.dumps(envelope(request_type, **kwargs), ensure_ascii=False).encode("utf-8")


def reason_of(verifier: AlexaRequestVerifier, headers: dict, body: bytes) -> str:
    with pytest.raises(VerificationError) as excinfo:
        verifier.verify(headers, body)
    return excinfo.value.reason


class TestAValidRequest:
    def test_is_accepted_and_its_envelope_returned(self, chain, fetch):
        body = body_for()
        result = make_verifier(chain, fetch).verify(signed_headers(chain, body), body)
        assert result["request"]["type"] == "LaunchRequest"
        assert fetch.calls == [DEFAULT_CERT_URL]

    def test_is_accepted_with_lower_case_header_names(self, chain, fetch):
        body = body_for()
        headers = {key.lower(): value for key, value in signed_headers(chain, body).items()}
        assert make_verifier(chain, fetch).verify(headers, body)["version"] == "1.0"

    @pytest.mark.parametrize("url", GOOD_URLS)
    def test_is_accepted_from_every_valid_cert_url_form(self, chain, fetch, url):
        body = body_for()
        make_verifier(chain, fetch).verify(signed_headers(chain, body, url=url), body)
        assert fetch.calls == [url]

    def test_has_its_chain_fetched_only_once_per_url(self, chain, fetch):
        verifier = make_verifier(chain, fetch)
        other_url = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"
        for url in (DEFAULT_CERT_URL, DEFAULT_CERT_URL, other_url, DEFAULT_CERT_URL):
            body = body_for()
            verifier.verify(signed_headers(chain, body, url=url), body)
        assert fetch.calls == [DEFAULT_CERT_URL, other_url]


class TestTheCertUrlHeader:
    def test_when_missing_is_rejected(self, chain, fetch):
        body = body_for()
        headers = {"Signature-256": chain.sign(body)}
        assert reason_of(make_verifier(chain, fetch), headers, body) == "missing_cert_url"
        assert fetch.calls == []

    def test_when_empty_is_rejected(self, chain, fetch):
        body = body_for()
        headers = signed_headers(chain, body, url="")
        assert reason_of(make_verifier(chain, fetch), headers, body) == "missing_cert_url"
        assert fetch.calls == []

    @pytest.mark.parametrize("url", BAD_URLS)
    def test_when_not_an_alexa_url_is_rejected_without_downloading(self, chain, fetch, url):
        body = body_for()
        headers = signed_headers(chain, body, url=url)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_cert_url"
        assert fetch.calls == []

    def test_when_sent_twice_with_different_values_is_rejected(self, chain, fetch):
        body = body_for()
        headers = signed_headers(chain, body)
        headers["signaturecertchainurl"] = GOOD_URLS[1]
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_cert_url"
        assert fetch.calls == []


class TestValidateCertUrl:
    @pytest.mark.parametrize("url", GOOD_URLS)
    def test_accepts_valid_urls(self, url):
        validate_cert_url(url)

    @pytest.mark.parametrize(
        "url",
        [
            *BAD_URLS,
            "",
            "s3.amazonaws.com/echo.api/x.pem",
            "https://s3.amazonaws.com/echo.api/../x.pem",
            "https://s3.amazonaws.com/echo.api/%2e%2e/x.pem",
            "https://s3.amazonaws.com//echo.api/x.pem",
            "https://s3.amazonaws.com/echo.api",
            "https://s3.amazonaws.com/echo.api/..",
            "https://s3.amazonaws.com/x/../../echo.api/../etc/x.pem",
            "https://s3.amazonaws.com:notaport/echo.api/x.pem",
            "https://user@s3.amazonaws.com/echo.api/x.pem",
            "https://s3.amazonaws.com.evil.example/echo.api/x.pem",
        ],
    )
    def test_rejects_invalid_urls(self, url):
        with pytest.raises(VerificationError) as excinfo:
            validate_cert_url(url)
        assert excinfo.value.reason == "bad_cert_url"


class TestTheSignatureHeader:
    def test_when_missing_is_rejected(self, chain, fetch):
        body = body_for()
        headers = {"SignatureCertChainUrl": DEFAULT_CERT_URL}
        assert reason_of(make_verifier(chain, fetch), headers, body) == "missing_signature"
        assert fetch.calls == []

    def test_when_empty_is_rejected(self, chain, fetch):
        body = body_for()
        headers = {"SignatureCertChainUrl": DEFAULT_CERT_URL, "Signature-256": ""}
        assert reason_of(make_verifier(chain, fetch), headers, body) == "missing_signature"

    def test_legacy_sha1_signature_header_alone_is_rejected(self, chain, fetch):
        body = body_for()
        headers = {"SignatureCertChainUrl": DEFAULT_CERT_URL, "Signature": chain.sign(body)}
        assert reason_of(make_verifier(chain, fetch), headers, body) == "missing_signature"

    def test_over_a_flipped_body_byte_is_rejected(self, chain, fetch):
        body = body_for()
        headers = signed_headers(chain, body)
        tampered = bytearray(body)
        tampered[10] ^= 0x01
        assert reason_of(make_verifier(chain, fetch), headers, bytes(tampered)) == "bad_signature"

    def test_over_a_reserialised_body_is_rejected(self, chain, fetch):
        body = body_for()
        headers = signed_headers(chain, body)
        reserialised = json.dumps(json.loads(body), indent=1).encode()
        assert reason_of(make_verifier(chain, fetch), headers, reserialised) == "bad_signature"

    def test_in_garbage_base64_is_rejected(self, chain, fetch):
        body = body_for()
        headers = {"SignatureCertChainUrl": DEFAULT_CERT_URL, "Signature-256": "not*base64!"}
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_signature"

    def test_made_by_another_key_is_rejected(self, chain, fetch):
        body = body_for()
        headers = signed_headers(make_chain(key_set=1), body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_signature"


class TestTheSigningCertificate:
    def test_that_expires_after_it_was_cached_is_rejected(self):
        short = make_chain(not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(hours=1))
        clock = {"now": NOW}
        verifier = AlexaRequestVerifier(
            skill_id=SKILL_ID,
            trusted_roots=[short.root],
            fetch=FakeFetch(short.chain_pem),
            clock=lambda: clock["now"],
        )
        body = body_for()
        verifier.verify(signed_headers(short, body), body)
        clock["now"] = NOW + timedelta(hours=2)
        late = body_for(timestamp=clock["now"])
        assert reason_of(verifier, signed_headers(short, late), late) == "bad_certificate"

    def test_when_expired_is_rejected(self):
        expired = make_chain(not_before=NOW - timedelta(days=30), not_after=NOW - timedelta(days=1))
        body = body_for()
        verifier = make_verifier(expired, FakeFetch(expired.chain_pem))
        assert reason_of(verifier, signed_headers(expired, body), body) == "bad_certificate"

    def test_when_not_yet_valid_is_rejected(self):
        future = make_chain(not_before=NOW + timedelta(days=1), not_after=NOW + timedelta(days=30))
        body = body_for()
        verifier = make_verifier(future, FakeFetch(future.chain_pem))
        assert reason_of(verifier, signed_headers(future, body), body) == "bad_certificate"

    def test_with_the_wrong_san_is_rejected(self):
        wrong_san = make_chain(san="echo-api.notamazon.com")
        body = body_for()
        verifier = make_verifier(wrong_san, FakeFetch(wrong_san.chain_pem))
        assert reason_of(verifier, signed_headers(wrong_san, body), body) == "bad_certificate"

    def test_from_a_chain_not_rooted_in_the_trusted_roots_is_rejected(self, chain):
        untrusted = make_chain(key_set=1)
        body = body_for()
        verifier = make_verifier(chain, FakeFetch(untrusted.chain_pem))
        assert reason_of(verifier, signed_headers(untrusted, body), body) == "bad_certificate"

    def test_from_a_test_chain_is_rejected_by_the_default_certifi_roots(self, chain, fetch):
        verifier = AlexaRequestVerifier(skill_id=SKILL_ID, fetch=fetch, clock=lambda: NOW)
        body = body_for()
        assert reason_of(verifier, signed_headers(chain, body), body) == "bad_certificate"

    def test_that_is_not_pem_is_rejected(self, chain):
        body = body_for()
        verifier = make_verifier(chain, FakeFetch(b"<html>not a certificate</html>"))
        assert reason_of(verifier, signed_headers(chain, body), body) == "bad_certificate"

    def test_that_cannot_be_downloaded_is_rejected(self, chain):
        def failing_fetch(url: str) -> bytes:
            raise TimeoutError("timed out")

        body = body_for()
        verifier = make_verifier(chain, failing_fetch)
        assert reason_of(verifier, signed_headers(chain, body), body) == "cert_fetch_failed"

    def test_that_failed_validation_is_fetched_again_only_after_a_minute(self):
        expired = make_chain(not_before=NOW - timedelta(days=30), not_after=NOW - timedelta(days=1))
        fetch = FakeFetch(expired.chain_pem)
        clock = {"now": NOW}
        verifier = AlexaRequestVerifier(
            skill_id=SKILL_ID,
            trusted_roots=[expired.root],
            fetch=fetch,
            clock=lambda: clock["now"],
        )
        for seconds in (0, 30, 59, 60):
            clock["now"] = NOW + timedelta(seconds=seconds)
            body = body_for(timestamp=clock["now"])
            assert reason_of(verifier, signed_headers(expired, body), body) == "bad_certificate"
        assert len(fetch.calls) == 2  # at 0 s and again at 60 s


class TestTheTimestamp:
    @pytest.mark.parametrize("offset", [-151, 151])
    def test_more_than_150_seconds_away_is_rejected(self, chain, fetch, offset):
        body = body_for(timestamp=NOW + timedelta(seconds=offset))
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "stale_timestamp"

    @pytest.mark.parametrize("offset", [-149, 149, -150])
    def test_within_150_seconds_is_accepted(self, chain, fetch, offset):
        body = body_for(timestamp=NOW + timedelta(seconds=offset))
        make_verifier(chain, fetch).verify(signed_headers(chain, body), body)

    def test_of_a_skill_event_3599_seconds_old_is_accepted(self, chain, fetch):
        body = body_for("AlexaSkillEvent.SkillEnabled", timestamp=NOW - timedelta(seconds=3599))
        make_verifier(chain, fetch).verify(signed_headers(chain, body), body)

    def test_of_a_skill_event_3601_seconds_old_is_rejected(self, chain, fetch):
        body = body_for("AlexaSkillEvent.SkillEnabled", timestamp=NOW - timedelta(seconds=3601))
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "stale_timestamp"

    def test_in_epoch_milliseconds_is_accepted(self, chain, fetch):
        epoch_ms = int((NOW - timedelta(seconds=60)).timestamp() * 1000)
        body = body_for("AlexaSkillEvent.SkillDisabled", timestamp=epoch_ms)
        make_verifier(chain, fetch).verify(signed_headers(chain, body), body)

    def test_with_fractional_seconds_is_accepted(self, chain, fetch):
        body = body_for(timestamp="2026-11-23T01:02:00.123Z")
        make_verifier(chain, fetch).verify(signed_headers(chain, body), body)

    @pytest.mark.parametrize("timestamp", ["", "yesterday", True, None])
    def test_that_is_unreadable_is_rejected(self, chain, fetch, timestamp):
        body = body_for(timestamp=timestamp)
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_timestamp"


class TestTheSkillId:
    def test_of_another_skill_is_rejected(self, chain, fetch):
        body = body_for(skill_id=OTHER_SKILL_ID)
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_skill_id"

    def test_that_differs_between_session_and_context_is_rejected(self, chain, fetch):
        body = body_for(session_application_id=OTHER_SKILL_ID)
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "bad_skill_id"

    def test_only_in_the_session_is_accepted(self):
        data = envelope(skill_id=SKILL_ID, timestamp=NOW)
        del data["context"]
        check_skill_id(data, SKILL_ID)

    def test_that_is_absent_is_rejected(self):
        data = envelope(skill_id=SKILL_ID, timestamp=NOW)
        del data["context"], data["session"]
        with pytest.raises(VerificationError) as excinfo:
            check_skill_id(data, SKILL_ID)
        assert excinfo.value.reason == "bad_skill_id"

    def test_check_with_an_empty_expected_id_is_a_configuration_error(self):
        with pytest.raises(ValueError, match="skill_id"):
            check_skill_id(envelope(skill_id=SKILL_ID, timestamp=NOW), "")

    def test_a_verifier_without_a_skill_id_cannot_be_built(self, chain, fetch):
        with pytest.raises(ValueError, match="skill_id"):
            AlexaRequestVerifier(skill_id="", trusted_roots=[chain.root], fetch=fetch)


class TestTheBody:
    def test_that_is_malformed_json_but_validly_signed_is_rejected(self, chain, fetch):
        body = b'{"version": "1.0", "request": SECRET-CONTENT'
        headers = signed_headers(chain, body)
        with pytest.raises(VerificationError) as excinfo:
            make_verifier(chain, fetch).verify(headers, body)
        assert excinfo.value.reason == "malformed_body"
        assert "SECRET" not in str(excinfo.value)

    def test_that_is_a_json_array_is_rejected(self, chain, fetch):
        body = b"[1, 2, 3]"
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "malformed_body"

    def test_without_a_request_object_is_rejected(self, chain, fetch):
        body = b'{"version": "1.0"}'
        headers = signed_headers(chain, body)
        assert reason_of(make_verifier(chain, fetch), headers, body) == "malformed_body"


class TestCheckEnvelope:
    def test_accepts_a_fresh_envelope_for_this_skill(self, chain, fetch):
        make_verifier(chain, fetch).check_envelope(envelope(skill_id=SKILL_ID, timestamp=NOW))

    def test_rejects_a_stale_envelope(self, chain, fetch):
        data = envelope(skill_id=SKILL_ID, timestamp=NOW - timedelta(minutes=10))
        with pytest.raises(VerificationError) as excinfo:
            make_verifier(chain, fetch).check_envelope(data)
        assert excinfo.value.reason == "stale_timestamp"
        assert fetch.calls == []


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def do_GET(self):
        status, headers, payload = self.routes[self.path]
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class TestTheDefaultFetch:
    def test_downloads_a_small_file(self, local_server):
        _Handler.routes = {"/ok": (200, {}, b"pem")}
        assert verifier_module.fetch_certificate_chain(local_server + "/ok") == b"pem"

    def test_refuses_more_than_64_kib(self, local_server):
        _Handler.routes = {"/big": (200, {}, b"x" * (64 * 1024 + 1))}
        with pytest.raises(ValueError, match="size cap"):
            verifier_module.fetch_certificate_chain(local_server + "/big")

    def test_does_not_follow_redirects(self, local_server):
        _Handler.routes = {
            "/moved": (302, {"Location": "/ok"}, b""),
            "/ok": (200, {}, b"pem"),
        }
        with pytest.raises(OSError, match="302"):
            verifier_module.fetch_certificate_chain(local_server + "/moved")
