"""Sidecars (v0.9.4+): release-artifacts.json's `integrityArtifacts[]` lists every sidecar on
disk with its kind, subject, sha256 and size (contract sheet 1.7). Also what the SBOM,
provenance and signature checks share: a sidecar's bytes and its JSON."""

from __future__ import annotations

from typing import Any

from gates.assets import is_required, is_sidecar, stem, why_not_required
from gates.checks.base import CannotEvaluate, NotApplicable
from gates.checks.integrity import actual_sha, listed_right, payloads
from gates.contract import Contract
from gates.reading.archive import MAX_TEXT_FILE
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness import bounded_read
from harness.results import Finding, printable

KEY = "integrityArtifacts"


class Invalid(Exception):
    """A sidecar is not what FUSE writes: the finding's message."""


def content(asset: AssetFacts) -> bytes:
    """The bytes of a small sidecar as read (its text, losslessly re-encoded)."""
    if asset.text is None:
        raise CannotEvaluate(f"{asset.ref.name} was not read")
    if (asset.size_read or 0) > MAX_TEXT_FILE:
        raise Invalid(f"is {asset.size_read} bytes, more than the {MAX_TEXT_FILE} a sidecar may hold")
    return asset.text.encode("utf-8", "surrogateescape")


def json_object(asset: AssetFacts) -> dict[str, Any]:
    content(asset)  # read, and not cut short
    try:
        # from the text, as I004 reads the metadata: a name that is not UTF-8 stays \xNN-shaped
        document = bounded_read.parse_json(asset.text or "")
    except ValueError as exc:
        raise Invalid(f"is not valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise Invalid("is not a JSON object")
    return document


def sha_of(release: ReleaseFacts, name: str) -> str | None:
    asset = release.asset(name)
    return actual_sha(asset) if asset else None


def expected_kind(contract: Contract, name: str) -> str:
    """FUSE's `kind` for a sidecar's name (sheet 1.7)."""
    if name == contract.checksums_name:
        return "checksums"
    if name == contract.kinds["provenance"].name:
        return "provenance"
    if name.endswith(".spdx.json"):
        return "sbom"
    return {".sig": "signature", ".pem": "certificate"}.get(name[name.rfind(".") :], "auxiliary")


def expected_subject(release: ReleaseFacts, contract: Contract, name: str) -> str:
    """The `subject` FUSE writes: a signature's file, an SBOM's payload, else none."""
    for kind in (
        "checksums-signature",
        "checksums-certificate",
        "provenance-signature",
        "provenance-certificate",
    ):
        if name == contract.kinds[kind].name:
            return contract.kinds[kind].subject
    if expected_kind(contract, name) == "sbom":
        base = name.removesuffix(".spdx.json")
        return next((p for p in sorted(payloads(release, contract)) if stem(p) == base), "")
    return ""


def entries(release: ReleaseFacts, contract: Contract) -> tuple[AssetFacts, list[dict[str, Any]]] | None:
    """The metadata and its integrityArtifacts (None: the key is absent)."""
    meta = release.asset(contract.metadata_name)
    if meta is None:
        raise NotApplicable(f"{contract.metadata_name} is absent (I004 reports it)")
    try:
        document = json_object(meta)
    except Invalid as exc:
        raise NotApplicable(f"{contract.metadata_name} {exc} (I004 reports it)") from exc
    if KEY not in document:
        return None
    rows = document[KEY]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise NotApplicable(f"{contract.metadata_name}: {KEY} is not a list of objects")
    return meta, [{k: printable(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows]


def on_disk(release: ReleaseFacts, contract: Contract) -> list[str]:
    """The sidecars a release holds, SHA256SUMS included (FUSE lists it too)."""
    names = [n for n in release.names if is_sidecar(contract, n)]
    return sorted([*names, contract.checksums_name] if release.asset(contract.checksums_name) else names)


def _listed_or_skip(
    release: ReleaseFacts, contract: Contract
) -> tuple[AssetFacts, list[dict[str, Any]]] | list[Finding]:
    found = entries(release, contract)
    if found is not None:
        return found
    if not is_required(contract, "sbom", release.ref) and not any(
        is_sidecar(contract, n) for n in release.names
    ):
        raise NotApplicable(f"{KEY}: {why_not_required(contract, 'sbom', release.ref)}")
    meta = release.asset(contract.metadata_name)
    where = meta.ref.location if meta else release.ref.location
    return [
        Finding(
            subject=contract.metadata_name,
            message=f"{KEY} is missing: the sidecars are not listed",
            expected=f"{KEY}[] listing {', '.join(on_disk(release, contract))}",
            actual="absent",
            where=where,
        )
    ]


def _entry_findings(
    release: ReleaseFacts, contract: Contract, row: dict[str, Any], where: str
) -> list[Finding]:
    name = str(row.get("name"))
    if release.asset(name) is None:
        return [
            Finding(
                subject=name,
                message=f"{KEY} lists a file the release does not have",
                expected="file present",
                actual="absent",
                where=where,
            )
        ]
    out = []
    for key, want in (
        ("kind", expected_kind(contract, name)),
        ("subject", expected_subject(release, contract, name)),
    ):
        have = row.get(key)
        if (have or "") != want:
            out.append(
                Finding(
                    subject=name,
                    message=f"{KEY} gives it the wrong {key}",
                    expected=want or "(none)",
                    actual=str(have) if have else "(none)",
                    where=where,
                )
            )
    return out


def integrity_artifacts_listed(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """integrityArtifacts lists every sidecar on disk, each present, with its kind and subject."""
    found = _listed_or_skip(release, contract)
    if isinstance(found, list):
        return found
    meta, rows = found
    where = meta.ref.location
    listed = {str(r.get("name")) for r in rows}
    findings = [f for r in rows for f in _entry_findings(release, contract, r, where)]
    findings += [
        Finding(
            subject=n,
            message=f"sidecar is not listed in {KEY}",
            expected=f"listed in {KEY}",
            actual="not listed",
            where=where,
        )
        for n in on_disk(release, contract)
        if n not in listed
    ]
    return findings


def integrity_artifacts_match(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """integrityArtifacts sha256 and size agree with the bytes."""
    found = entries(release, contract)
    if found is None:
        raise NotApplicable(f"{contract.metadata_name} has no {KEY} (I007 says whether it must)")
    meta, rows = found
    return [
        finding
        for row in rows
        if (asset := release.asset(str(row.get("name")))) is not None
        for finding in listed_right(asset, row, KEY, meta.ref.location)
    ]
