"""Signatures (v0.9.4+): SHA256SUMS and release-provenance.json are signed (cosign keyless):
each `.sig` verifies over its file with the key of its `.pem` certificate, the certificate
names the release workflow at the tag and GitHub's OIDC issuer, and it was valid when the
release was made (contract sheet 1.10; gates/signing.py says what is and is not checked)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING

from gates.assets import is_required, why_not_required
from gates.checks.base import NotApplicable
from gates.checks.sidecars import Invalid, content, json_object
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts
from harness.results import Finding
from harness.stamps import days_after, format_utc, read_stamp

if TYPE_CHECKING:
    from cryptography import x509


def _signing() -> ModuleType:
    """gates/signing.py, loaded when a release has signatures to check: `cryptography` costs
    about 30 ms to import, which a v0.7 release (and `gate --help`) should not pay."""
    from gates import signing  # noqa: PLC0415

    return signing


# (the signed file's kind, its signature's kind, its certificate's kind)
SIGNED = (
    ("checksums", "checksums-signature", "checksums-certificate"),
    ("provenance", "provenance-signature", "provenance-certificate"),
)


@dataclass(frozen=True, kw_only=True)
class Signed:
    file: str
    signature: str
    certificate: str
    where: str  # the release
    certificate_at: str = ""  # the certificate's location


def _file_name(contract: Contract, kind: str) -> str:
    return contract.checksums_name if kind == "checksums" else contract.kinds[kind].name


def _pairs(release: ReleaseFacts, contract: Contract) -> list[Signed]:
    """The signed files this release must have, or has (signed or not)."""
    out = []
    for file_kind, sig_kind, cert_kind in SIGNED:
        file, sig, cert = (_file_name(contract, k) for k in (file_kind, sig_kind, cert_kind))
        if is_required(contract, sig_kind, release.ref) or release.asset(sig) or release.asset(cert):
            out.append(Signed(file=file, signature=sig, certificate=cert, where=release.ref.location))
    if not out:
        raise NotApplicable(why_not_required(contract, "checksums-signature", release.ref))
    return out


def _missing(release: ReleaseFacts, pair: Signed) -> list[Finding]:
    return [
        Finding(
            subject=name,
            message=f"{what} of {pair.file} is missing",
            expected=name,
            actual="absent",
            where=pair.where,
        )
        for name, what in (
            (pair.file, "the signed file"),
            (pair.signature, "the signature"),
            (pair.certificate, "the certificate"),
        )
        if release.asset(name) is None
    ]


def _certificate(release: ReleaseFacts, pair: Signed) -> x509.Certificate:
    asset = release.asset(pair.certificate)
    assert asset is not None
    try:
        certificate: x509.Certificate = _signing().load_certificate(content(asset))
    except (_signing().SigningError, Invalid) as exc:
        raise Invalid(f"{pair.certificate}: {exc}") from exc
    return certificate


def _verify(release: ReleaseFacts, pair: Signed) -> list[Finding]:
    found = _missing(release, pair)
    if found:
        return found
    sig, signed = release.asset(pair.signature), release.asset(pair.file)
    assert sig is not None and signed is not None
    try:
        certificate = _certificate(release, pair)
        signature = _signing().load_signature(content(sig))
        ok = _signing().verifies(certificate, signature, content(signed))
    except (_signing().SigningError, Invalid) as exc:
        return [
            Finding(
                subject=pair.signature,
                message=f"cannot verify the signature of {pair.file}: {exc}",
                where=sig.ref.location,
            )
        ]
    if ok:
        return []
    return [
        Finding(
            subject=pair.signature,
            message=f"the signature does not verify over {pair.file}",
            expected=f"a signature of {pair.file}'s bytes by the key of {pair.certificate}",
            actual="does not verify",
            where=sig.ref.location,
        )
    ]


def signatures_verify(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """SHA256SUMS.sig and release-provenance.sig verify over their files with their certificates' keys."""
    return [f for pair in _pairs(release, contract) for f in _verify(release, pair)]


def _readable(release: ReleaseFacts, contract: Contract) -> list[tuple[Signed, x509.Certificate]]:
    out = []
    for pair in _pairs(release, contract):
        if release.asset(pair.certificate) is None:
            continue  # G001 reports it
        try:
            at = release.asset(pair.certificate)
            assert at is not None
            out.append((replace(pair, certificate_at=at.ref.location), _certificate(release, pair)))
        except Invalid:
            continue  # G001 reports it
    if not out:
        raise NotApplicable("no readable signing certificate (G001 reports why)")
    return out


def _identity_findings(pair: Signed, cert: x509.Certificate, contract: Contract, tag: str) -> list[Finding]:
    rules = contract.signing
    expected = rules.expected_identity(tag)
    matches = _signing().identity_matcher(expected, rules.repository, rules.identity_regexp)
    names, issuers = _signing().identities(cert), _signing().issuers(cert)
    where, findings = pair.certificate_at, []
    if not any(matches(n) for n in names):
        findings.append(
            Finding(
                subject=pair.certificate,
                message=f"the certificate signing {pair.file} names another identity",
                expected=rules.identity_regexp or expected,
                actual=", ".join(names) or "no SAN",
                where=where,
            )
        )
    wrong = {oid: value for oid, value in issuers.items() if value != rules.oidc_issuer}
    if not issuers or wrong:
        actual = (
            ", ".join(f"{v} ({oid})" for oid, v in (wrong or issuers).items()) or "no OIDC issuer extension"
        )
        findings.append(
            Finding(
                subject=pair.certificate,
                message=f"the certificate signing {pair.file} comes from another OIDC issuer",
                expected=rules.oidc_issuer,
                actual=actual,
                where=where,
            )
        )
    return findings


def certificates_identity(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The signing certificates name the release workflow at the tag (SAN) and GitHub's OIDC issuer."""
    return [
        f
        for pair, cert in _readable(release, contract)
        for f in _identity_findings(pair, cert, contract, release.ref.tag)
    ]


def _metadata_built_at(release: ReleaseFacts, contract: Contract) -> tuple[datetime | None, str]:
    """Its metadata's generatedAtUtc, or None and why there is none to read."""
    meta = release.asset(contract.metadata_name)
    if meta is None:
        return None, f"no {contract.metadata_name}"
    try:
        stamp = json_object(meta)["generatedAtUtc"]  # read as I004 reads it: UTF-8, each key once
    except KeyError:
        return None, f"no generatedAtUtc in {contract.metadata_name}"
    except (ValueError, TypeError, Invalid) as exc:
        return None, f"{contract.metadata_name} is not FUSE release metadata ({exc})"
    try:
        return read_stamp(stamp), ""
    except ValueError as exc:
        return None, f"{contract.metadata_name}'s generatedAtUtc is malformed: {exc}"


def _built_at(release: ReleaseFacts, contract: Contract) -> datetime:
    """When the release was built: its metadata's generatedAtUtc, else its publication."""
    built, why = _metadata_built_at(release, contract)
    built = built or release.ref.published_at
    if built is None:  # the metadata is at fault, and I004 says so: a finding, not an error
        raise NotApplicable(
            f"when the release was made is unknown: {why} (I004 reports it), no publication date"
        )
    return built


def _span(start: datetime, end: datetime) -> str:
    return f"{format_utc(start)} .. {format_utc(end)}"


def release_window(release: ReleaseFacts, contract: Contract) -> tuple[datetime, datetime]:
    """From the build to the publication (or the contract's window after the build)."""
    built = _built_at(release, contract)
    published = release.ref.published_at
    if published is not None and published > built:
        return built, published
    return built, days_after(built, contract.signing.signing_window_days)


def _valid(cert: x509.Certificate, start: datetime, end: datetime, now: datetime | None) -> bool:
    """Valid while the release was made, or (cosign's offline rule) valid now."""
    return _signing().valid_between(cert, start, end) or (
        now is not None and _signing().valid_between(cert, now, now)
    )


def certificates_valid_then(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The signing certificates were valid while the release was made (build to publication) or are now."""
    readable = _readable(release, contract)
    start, end = release_window(release, contract)
    now = release.checked_at
    shown = _span(start, end) + (f", or at {format_utc(now)} (now)" if now else "")
    return [
        Finding(
            subject=pair.certificate,
            message=f"the certificate signing {pair.file} was not valid while the release was made",
            expected=f"valid at some time in {shown}",
            actual=f"valid {_span(cert.not_valid_before_utc, cert.not_valid_after_utc)}",
            where=pair.certificate_at,
        )
        for pair, cert in readable
        if not _valid(cert, start, end, now)
    ]
