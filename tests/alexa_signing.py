"""Test helpers: throwaway certificate chains and signed Alexa requests (no network)."""

from __future__ import annotations

import base64
import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
CA_NOT_BEFORE = datetime(2000, 1, 1, tzinfo=UTC)
CA_NOT_AFTER = datetime(2049, 12, 31, tzinfo=UTC)
LEAF_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
LEAF_NOT_AFTER = datetime(2049, 12, 31, tzinfo=UTC)


@functools.cache
def rsa_key(role: str, key_set: int = 0, key_size: int = 2048) -> rsa.RSAPrivateKey:
    """One RSA key per (role, key_set, key_size) per process; generation is slow."""
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


@dataclass(frozen=True)
class TestChain:
    """A root CA, and the leaf + intermediate PEM that Alexa would serve."""

    __test__ = False  # not a pytest test class

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    chain_pem: bytes
    leaf_key: rsa.RSAPrivateKey

    def sign(self, body: bytes) -> str:
        """Base64 RSA-SHA256 PKCS#1 v1.5 signature of body, as in Signature-256."""
        signature = self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mimamori Test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def make_chain(
    *,
    san: str = "echo-api.amazon.com",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    key_size: int = 2048,
    key_set: int = 0,
) -> TestChain:
    """Build root CA → intermediate CA → leaf; not_before/not_after apply to the leaf."""
    tag = uuid.uuid4().hex[:8]
    root_key = rsa_key("root", key_set, key_size)
    inter_key = rsa_key("intermediate", key_set, key_size)
    leaf_key = rsa_key("leaf", key_set, key_size)
    root_name = _name(f"Test Root CA {tag}")
    inter_name = _name(f"Test Intermediate CA {tag}")

    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(CA_NOT_BEFORE)
        .not_valid_after(CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    intermediate = (
        x509.CertificateBuilder()
        .subject_name(inter_name)
        .issuer_name(root_name)
        .public_key(inter_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(CA_NOT_BEFORE)
        .not_valid_after(CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(san))
        .issuer_name(inter_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or LEAF_NOT_BEFORE)
        .not_valid_after(not_after or LEAF_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_key_usage(), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_key.public_key()),
            critical=False,
        )
        .sign(inter_key, hashes.SHA256())
    )
    chain_pem = leaf.public_bytes(serialization.Encoding.PEM) + intermediate.public_bytes(
        serialization.Encoding.PEM
    )
    return TestChain(
        root=root, intermediate=intermediate, leaf=leaf, chain_pem=chain_pem, leaf_key=leaf_key
    )


def signed_headers(chain: TestChain, body: bytes, url: str = DEFAULT_CERT_URL) -> dict[str, str]:
    """Headers Alexa sends with a request whose body is signed by chain's leaf key."""
    return {"SignatureCertChainUrl": url, "Signature-256": chain.sign(body)}


def format_timestamp(moment: datetime) -> str:
    """Alexa's request.timestamp format, e.g. 2026-11-23T01:02:03Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(
    request_type: str = "LaunchRequest",
    *,
    skill_id: str,
    timestamp: datetime | int | str,
    request_id: str = "amzn1.echo-api.request.test",
    user_id: str = "amzn1.ask.account.test",
    device_id: str = "amzn1.ask.device.test",
    locale: str = "ja-JP",
    session_application_id: str | None = None,
    extra_request: dict | None = None,
) -> dict:
    """A minimal Alexa request envelope; a datetime timestamp is formatted the Alexa way."""
    if isinstance(timestamp, datetime):
        timestamp = format_timestamp(timestamp)
    user = {"userId": user_id}
    request = {
        "type": request_type,
        "requestId": request_id,
        "timestamp": timestamp,
        "locale": locale,
        **(extra_request or {}),
    }
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.test",
            "application": {"applicationId": session_application_id or skill_id},
            "user": user,
        },
        "context": {
            "System": {
                "application": {"applicationId": skill_id},
                "user": user,
                "device": {"deviceId": device_id, "supportedInterfaces": {}},
                "apiEndpoint": "https://api.fe.amazonalexa.com",
            }
        },
        "request": request,
    }
