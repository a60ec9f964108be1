"""cosign keyless signatures, checked offline with `cryptography` (contract sheet 1.10).

`cosign sign-blob --output-signature X.sig --output-certificate X.pem` writes the signature
as base64 of the DER ECDSA signature over the file's bytes, and the Fulcio certificate as PEM,
or (some cosign versions) as base64 of the PEM; both are read here. The certificate names the
signer in its SAN (for GitHub Actions, the workflow URL at its ref) and the OIDC issuer in
Fulcio's extensions 1.3.6.1.4.1.57264.1.1 (the raw URL) and .1.8 (a DER UTF8String). The
chain to Fulcio's root and the transparency log are not checked: this is an offline check of
what the release holds. The one hand-written part reads the UTF8String's tag and length
(cryptography has no generic DER reader); all cryptography is the library's.
The SAN is matched with RE2, as cosign's Go regexp matches it (gates/identity_match.py).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from gates import identity_match
from harness.text import printable

OID_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
OID_ISSUER_V2 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
UTF8_STRING = 0x0C
PEM_HEADER = b"-----BEGIN CERTIFICATE-----"


class SigningError(Exception):
    """A signature or certificate file cannot be read as what cosign writes."""


_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_READ = _ALPHABET | frozenset(b"\r\n")  # Go skips line breaks


def _b64(data: bytes) -> bytes:
    """Base64 as cosign decodes it (Go's base64.StdEncoding): line breaks are skipped, and any
    other byte outside the alphabet (a space, a tab) or wrong padding is refused."""
    stray = next((i for i, byte in enumerate(data) if byte not in _READ), None)
    if stray is not None:
        raise SigningError(
            f"not base64 (byte {data[stray : stray + 1]!r} at offset {stray}; cosign decodes "
            "base64 strictly, skipping only line breaks)"
        )
    try:
        return base64.b64decode(data.replace(b"\r", b"").replace(b"\n", b""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningError(f"not base64 ({exc})") from exc


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM, base64 of PEM (cosign's --output-certificate in some versions)."""
    pem = data if PEM_HEADER in data else _b64(data)
    if PEM_HEADER not in pem:
        raise SigningError("neither a PEM certificate nor base64 of one")
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise SigningError(f"not a readable certificate ({exc})") from exc


def load_signature(data: bytes) -> bytes:
    """The raw signature from a `.sig` file (base64, as cosign writes it)."""
    raw = _b64(data)
    if not raw:
        raise SigningError("empty signature")
    return raw


def verifies(certificate: x509.Certificate, signature: bytes, data: bytes) -> bool:
    """Whether `signature` over `data` verifies with the certificate's public key."""
    key = certificate.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise SigningError(f"unsupported key type {type(key).__name__}")
    except InvalidSignature:
        return False
    return True


def identities(certificate: x509.Certificate) -> list[str]:
    """The SAN entries cosign matches an identity against (URIs and e-mail addresses)."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    names = san.get_values_for_type(x509.UniformResourceIdentifier)
    return [printable(n) for n in [*names, *san.get_values_for_type(x509.RFC822Name)]]


def _utf8_string(der: bytes) -> str:
    if len(der) < 2 or der[0] != UTF8_STRING:
        raise SigningError("issuer extension is not a UTF8String")
    length, start = der[1], 2
    if length & 0x80:  # long form: the next (length & 0x7f) bytes hold the length
        count = length & 0x7F
        length, start = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    if start + length != len(der):
        raise SigningError("issuer extension has a wrong length")
    return der[start:].decode("utf-8", "replace")


def issuers(certificate: x509.Certificate) -> dict[str, str]:
    """Fulcio's OIDC issuer extensions present: OID -> issuer URL."""
    found: dict[str, str] = {}
    for ext in certificate.extensions:
        if ext.oid == OID_ISSUER_V1 and isinstance(ext.value, x509.UnrecognizedExtension):
            found[OID_ISSUER_V1.dotted_string] = printable(ext.value.value.decode("utf-8", "replace"))
        elif ext.oid == OID_ISSUER_V2 and isinstance(ext.value, x509.UnrecognizedExtension):
            found[OID_ISSUER_V2.dotted_string] = printable(_utf8_string(ext.value.value))
    return found


def identity_matcher(expected: str, repository: str, regexp: str | None) -> identity_match.Matcher:
    """What a SAN must fully match: the contract's RE2 regexp, or the expected identity with
    its owner/repo compared case-insensitively (FUSE spells its slug both ways, sheet 1.10)."""
    if regexp:
        return identity_match.regexp_matcher(regexp)
    return identity_match.identity_matcher(expected, repository)


def valid_between(certificate: x509.Certificate, start: datetime, end: datetime) -> bool:
    """Whether the certificate was valid at some moment from `start` to `end`."""
    return certificate.not_valid_before_utc <= end and certificate.not_valid_after_utc >= start
