"""Verify that an HTTPS request really comes from Alexa and is meant for this skill."""

from __future__ import annotations

import base64
import binascii
import contextlib
import posixpath
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification

from backend import bounded_json

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
SIGNING_CERT_DNS_NAME = "echo-api.amazon.com"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"
SKILL_EVENT_PREFIX = "AlexaSkillEvent."

FETCH_TIMEOUT_SECONDS = 5.0  # for the whole download, not per read
FETCH_MAX_BYTES = 64 * 1024
CHAIN_CACHE_SIZE = 16
# A URL whose chain could not be downloaded or did not validate is not fetched again for a
# minute: requests that anyone can send with a made-up Signature-256 cannot make us download
# the same URL again and again.
FAILED_FETCH_SECONDS = 60
FAILED_CACHE_SIZE = 1024
# Made-up URLs differ each time: past this many failures within FAILED_FETCH_SECONDS, a URL
# not cached is refused without a download. Chains already cached keep working.
FAILED_FETCHES_PER_WINDOW = 10

# What an Alexa certificate URL is made of (https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem):
# anything else (control characters, spaces, "%" escapes, "\\", "@", "?", "#", "," from a
# header sent twice, non-ASCII) is refused before the URL is parsed.
_CERT_URL_CHARS = re.compile(r"[A-Za-z0-9._~/:-]+")

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

_MESSAGES = {
    "missing_cert_url": "the SignatureCertChainUrl header is missing or empty",
    "bad_cert_url": "the SignatureCertChainUrl header is not an Alexa certificate URL",
    "missing_signature": "the Signature-256 header is missing or empty",
    "cert_fetch_failed": "the signing certificate chain could not be downloaded",
    "bad_certificate": "the signing certificate chain is not valid",
    "bad_signature": "the request signature does not match the body",
    "malformed_body": "the request body is not a valid Alexa request envelope",
    "bad_timestamp": "the request timestamp is missing or unreadable",
    "stale_timestamp": "the request timestamp is outside the allowed tolerance",
    "bad_skill_id": "the request is not addressed to this skill",
}


class VerificationError(Exception):
    """An Alexa request failed verification; `reason` says which check failed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(_MESSAGES.get(reason, reason))


def validate_cert_url(url: str) -> None:
    """Raise VerificationError("bad_cert_url") unless url is an Alexa signing-chain URL."""
    if not url or not isinstance(url, str) or not _CERT_URL_CHARS.fullmatch(url):
        raise VerificationError("bad_cert_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise VerificationError("bad_cert_url") from err
    if parts.scheme.lower() != "https":
        raise VerificationError("bad_cert_url")
    if (parts.hostname or "").lower() != CERT_URL_HOST:
        raise VerificationError("bad_cert_url")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("bad_cert_url")
    if port is not None and port != 443:
        raise VerificationError("bad_cert_url")
    # "%" cannot occur (see _CERT_URL_CHARS), so no encoded "../" can hide in the path.
    # normpath keeps a leading "//", so "//echo.api/..." fails the prefix check too.
    if not posixpath.normpath(parts.path).startswith(CERT_URL_PATH_PREFIX):
        raise VerificationError("bad_cert_url")


def check_skill_id(envelope: dict, skill_id: str) -> None:
    """Raise VerificationError("bad_skill_id") unless the envelope is addressed to skill_id."""
    if not skill_id:
        raise ValueError("skill_id must not be empty")
    if not isinstance(envelope, dict):
        raise VerificationError("malformed_body")
    found = [
        app_id
        for app_id in (
            _dig(envelope, "context", "System", "application", "applicationId"),
            _dig(envelope, "session", "application", "applicationId"),
        )
        if app_id is not None
    ]
    if not found or any(app_id != skill_id for app_id in found):
        raise VerificationError("bad_skill_id")


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _parse_timestamp(value: Any) -> datetime:
    if isinstance(value, bool):
        raise VerificationError("bad_timestamp")
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if isinstance(value, str) and value:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError) as err:
        raise VerificationError("bad_timestamp") from err
    raise VerificationError("bad_timestamp")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def fetch_certificate_chain(
    url: str,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = FETCH_MAX_BYTES,
    monotonic: Callable[[], float] = time.monotonic,
) -> bytes:
    """Download url (one GET, no redirects), at most max_bytes within timeout seconds in all.

    A declared Content-Length over the cap is refused before reading; a server that sends
    slowly is cut off at the deadline, checked between reads (on ``monotonic``) and enforced
    by closing the socket from a timer, so neither a slow body nor slow headers can hold a
    request. Raises OSError (TimeoutError included), ValueError or http.client.HTTPException.
    """
    import http.client
    import socket
    import ssl

    parts = urlsplit(url)
    deadline = monotonic() + timeout
    if parts.scheme.lower() == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme.lower() == "http":  # only local test servers: verify() wants https
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    else:
        raise ValueError("certificate URLs are http(s)")
    connection.connect()
    sock = connection.sock

    def cut_off() -> None:
        with contextlib.suppress(OSError):  # already closed: nothing to cut
            sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.daemon = True
    watchdog.start()
    response: http.client.HTTPResponse | None = None
    try:
        connection.request("GET", parts.path or "/", headers={"Accept": "*/*"})
        response = connection.getresponse()
        if response.status != 200:
            raise OSError(f"certificate download failed with HTTP {response.status}")
        declared = (response.getheader("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise ValueError("certificate chain exceeds the size cap")
        data = bytearray()
        while len(data) <= max_bytes:
            if monotonic() >= deadline:
                raise TimeoutError("certificate download exceeded its time limit")
            piece = response.read1(max_bytes + 1 - len(data))
            if not piece:
                break
            data += piece
        if len(data) > max_bytes:
            raise ValueError("certificate chain exceeds the size cap")
        return bytes(data)
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()
        connection.close()


def _load_certifi_roots() -> list[x509.Certificate]:
    import certifi

    with open(certifi.where(), "rb") as handle:
        bundle = handle.read()
    roots = []
    for block in _PEM_CERT.findall(bundle):
        # A few old roots in the bundle (GoDaddy/Starfield G2, SECOM RootCA2, HARICA 2015) have
        # serial number 0: cryptography warns now and will refuse them later. Keep them while
        # they load, and skip any that no longer do.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    if not roots:
        raise VerificationError("bad_certificate")
    return roots


class HeaderItems(Protocol):
    """Request headers as a dict or werkzeug's Headers give them: name and value pairs."""

    def items(self) -> Iterable[tuple[str, str]]:
        """Return each header's name and value."""
        ...


def _header(headers: HeaderItems, name: str, ambiguous_reason: str) -> str:
    """Return the one value of header name ("" if absent); sent more than once is refused.

    A WSGI server joins a repeated header into one value with commas (neither a certificate
    URL nor base64 has one); a plain mapping or header list may also carry it twice.
    """
    wanted = name.lower()
    values = [str(value).strip() for key, value in headers.items() if key.lower() == wanted]
    if len(values) > 1 or any("," in value for value in values):
        raise VerificationError(ambiguous_reason)
    return values[0] if values else ""


class AlexaRequestVerifier:
    """Checks the signature, certificate, timestamp and skill id of Alexa HTTPS requests."""

    def __init__(
        self,
        *,
        skill_id: str,
        trusted_roots: Sequence[x509.Certificate] | None = None,
        fetch: Callable[[str], bytes] | None = None,
        clock: Callable[[], datetime] | None = None,
        timestamp_tolerance: int = 150,
        skill_event_tolerance: int = 3600,
        failed_fetch_seconds: float = FAILED_FETCH_SECONDS,
    ) -> None:
        if not skill_id:
            raise ValueError("AlexaRequestVerifier needs a non-empty skill_id")
        if timestamp_tolerance < 0 or skill_event_tolerance < 0:
            raise ValueError("tolerances must not be negative")
        self.skill_id = skill_id
        self._roots: list[x509.Certificate] | None = (
            list(trusted_roots) if trusted_roots is not None else None
        )
        if self._roots is not None and not self._roots:
            raise ValueError("trusted_roots must not be empty")
        self._fetch = fetch or fetch_certificate_chain
        self._clock = clock or _utc_now
        self._tolerance = timedelta(seconds=timestamp_tolerance)
        self._event_tolerance = timedelta(seconds=skill_event_tolerance)
        self._store: verification.Store | None = None
        self._chains: dict[str, tuple[list[x509.Certificate], datetime, datetime]] = {}
        # URL -> (why it failed, until when it is not fetched again)
        self._failed: dict[str, tuple[str, datetime]] = {}
        self._failed_for = timedelta(seconds=failed_fetch_seconds)
        self._lock = threading.Lock()

    def verify(self, headers: HeaderItems, body: bytes) -> dict:
        """Verify one request and return its parsed JSON envelope, or raise VerificationError."""
        cert_url = _header(headers, CERT_URL_HEADER, "bad_cert_url")
        if not cert_url:
            raise VerificationError("missing_cert_url")
        validate_cert_url(cert_url)
        signature_b64 = _header(headers, SIGNATURE_HEADER, "bad_signature")
        if not signature_b64:
            raise VerificationError("missing_signature")
        # Decoded before any download: garbage in the header costs no fetch.
        signature = _decode_signature(signature_b64)

        now = self._now()
        leaf = self._verified_leaf(cert_url, now)
        self._check_signature(leaf, signature, bytes(body))

        try:
            envelope = bounded_json.loads(body)
        except ValueError as err:
            raise VerificationError("malformed_body") from err
        if not isinstance(envelope, dict):
            raise VerificationError("malformed_body")
        self._check_envelope_at(envelope, now)
        return envelope

    def check_envelope(self, envelope: dict) -> None:
        """Check only the timestamp and the skill id of an already parsed envelope."""
        self._check_envelope_at(envelope, self._now())

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo else now.replace(tzinfo=UTC)

    def _check_envelope_at(self, envelope: dict, now: datetime) -> None:
        if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
            raise VerificationError("malformed_body")
        request = envelope["request"]
        timestamp = _parse_timestamp(request.get("timestamp"))
        request_type = request.get("type")
        is_event = isinstance(request_type, str) and request_type.startswith(SKILL_EVENT_PREFIX)
        tolerance = self._event_tolerance if is_event else self._tolerance
        if abs(now - timestamp) > tolerance:
            raise VerificationError("stale_timestamp")
        check_skill_id(envelope, self.skill_id)

    def _trust_store(self) -> verification.Store:
        with self._lock:
            if self._store is None:
                roots = self._roots if self._roots is not None else _load_certifi_roots()
                self._store = verification.Store(roots)
            return self._store

    def _verified_leaf(self, cert_url: str, now: datetime) -> x509.Certificate:
        with self._lock:
            cached = self._chains.get(cert_url)
            failed = self._failed.get(cert_url)
        if cached is not None:
            chain, valid_from, valid_until = cached
            # A chain that validated stays valid while every certificate's dates hold.
            if valid_from <= now <= valid_until:
                return chain[0]
        elif failed is not None and now < failed[1]:
            raise VerificationError(failed[0])
        elif self._recent_failures(now) >= FAILED_FETCHES_PER_WINDOW:
            raise VerificationError("cert_fetch_failed")
        try:
            chain = cached[0] if cached is not None else self._download_chain(cert_url)
            leaf, built = self._validate(chain, now)
        except VerificationError as err:
            self._remember_failure(cert_url, err.reason, now)
            raise
        valid_from = max(c.not_valid_before_utc for c in built)
        valid_until = min(c.not_valid_after_utc for c in built)
        # Only chains that validated are cached, so garbage cannot fill the cache.
        with self._lock:
            self._failed.pop(cert_url, None)
            if cert_url not in self._chains:
                while len(self._chains) >= CHAIN_CACHE_SIZE:
                    self._chains.pop(next(iter(self._chains)))
            self._chains[cert_url] = (chain, valid_from, valid_until)
        return leaf

    def _validate(
        self, chain: list[x509.Certificate], now: datetime
    ) -> tuple[x509.Certificate, list[x509.Certificate]]:
        leaf, intermediates = chain[0], chain[1:]
        if not _names_the_signing_host(leaf):
            raise VerificationError("bad_certificate")
        verifier = (
            verification.PolicyBuilder()
            .store(self._trust_store())
            .time(now)
            .build_server_verifier(verification.DNSName(SIGNING_CERT_DNS_NAME))
        )
        try:
            built = verifier.verify(leaf, intermediates)
        except (verification.VerificationError, ValueError) as err:
            raise VerificationError("bad_certificate") from err
        return leaf, built

    def _recent_failures(self, now: datetime) -> int:
        with self._lock:
            return sum(1 for _, until in self._failed.values() if now < until)

    def _remember_failure(self, cert_url: str, reason: str, now: datetime) -> None:
        with self._lock:
            self._failed.pop(cert_url, None)
            while len(self._failed) >= FAILED_CACHE_SIZE:
                self._failed.pop(next(iter(self._failed)))
            self._failed[cert_url] = (reason, now + self._failed_for)

    def _download_chain(self, cert_url: str) -> list[x509.Certificate]:
        import http.client

        try:
            pem = self._fetch(cert_url)
        except (OSError, ValueError, http.client.HTTPException) as err:
            raise VerificationError("cert_fetch_failed") from err
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except (ValueError, TypeError) as err:
            raise VerificationError("bad_certificate") from err
        if not chain:
            raise VerificationError("bad_certificate")
        return chain

    @staticmethod
    def _check_signature(leaf: x509.Certificate, signature: bytes, body: bytes) -> None:
        public_key = leaf.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise VerificationError("bad_certificate")
        try:
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as err:
            raise VerificationError("bad_signature") from err


def _decode_signature(signature_b64: str) -> bytes:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError) as err:
        raise VerificationError("bad_signature") from err
    if not signature:
        raise VerificationError("bad_signature")
    return signature


def _names_the_signing_host(leaf: x509.Certificate) -> bool:
    """Whether the leaf's SAN lists echo-api.amazon.com itself (a wildcard does not count)."""
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return any(
        name.lower() == SIGNING_CERT_DNS_NAME for name in san.get_values_for_type(x509.DNSName)
    )
