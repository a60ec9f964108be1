"""SBOMs (v0.9.4+): one SPDX 2.x JSON document per payload, naming its payload with the
payload's sha256 (contract sheet 1.8)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from gates.assets import is_required, sbom_name, why_not_required
from gates.checks.base import NotApplicable, at
from gates.checks.integrity import payloads
from gates.checks.sidecars import Invalid, json_object, sha_of
from gates.contract import Contract
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness.results import Finding


def _sboms(release: ReleaseFacts, contract: Contract) -> list[AssetFacts]:
    pattern = contract.kinds["sbom"].name.replace("{stem}", "*")
    return [a for a in release.assets if fnmatchcase(a.ref.name, pattern)]


def sboms_present(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every payload has its SPDX SBOM (<stem>.spdx.json), and every SBOM has its payload."""
    if not is_required(contract, "sbom", release.ref):
        raise NotApplicable(why_not_required(contract, "sbom", release.ref))
    have = {a.ref.name for a in _sboms(release, contract)}
    wanted = {sbom_name(contract, p): p for p in payloads(release, contract)}
    findings = [
        Finding(
            subject=name,
            message=f"the SBOM of {payload} is missing",
            expected=name,
            actual="absent",
            where=release.ref.location,
        )
        for name, payload in sorted(wanted.items())
        if name not in have
    ]
    findings += [
        Finding(
            subject=name,
            message="an SBOM of a payload the release does not have",
            expected="its payload present",
            actual="no payload",
            where=release.ref.location,
        )
        for name in sorted(have - set(wanted))
    ]
    return findings


def _package(document: dict[str, Any]) -> dict[str, Any]:
    version = document.get("spdxVersion")
    if not isinstance(version, str) or not version.startswith("SPDX-2."):
        raise Invalid(f"is not an SPDX 2.x document (spdxVersion {version!r})")
    if document.get("SPDXID") != "SPDXRef-DOCUMENT":
        raise Invalid(f"has SPDXID {document.get('SPDXID')!r}, not 'SPDXRef-DOCUMENT'")
    packages = document.get("packages")
    if not isinstance(packages, list) or len(packages) != 1 or not isinstance(packages[0], dict):
        count = len(packages) if isinstance(packages, list) else "no"
        raise Invalid(f"describes {count} packages; one (its payload) is expected")
    return packages[0]


def _describes(document: dict[str, Any], package_id: object) -> bool:
    relationships = document.get("relationships")
    return isinstance(relationships, list) and any(
        isinstance(r, dict)
        and r.get("spdxElementId") == "SPDXRef-DOCUMENT"
        and r.get("relationshipType") == "DESCRIBES"
        and r.get("relatedSpdxElement") == package_id
        for r in relationships
    )


def _sha256s(package: dict[str, Any]) -> list[str]:
    """The package's distinct SHA256 checksum values, in the order listed."""
    checksums = package.get("checksums")
    if not isinstance(checksums, list):
        return []
    found = [
        str(c.get("checksumValue"))
        for c in checksums
        if isinstance(c, dict) and c.get("algorithm") == "SHA256"
    ]
    return list(dict.fromkeys(found))


def _digest_findings(
    asset: AssetFacts, package: dict[str, Any], payload: str, want: str | None
) -> list[Finding]:
    """One SHA256 for the package, its payload's: two differing ones mean one thing to a reader
    that takes the first and another to one that takes the last."""
    have = _sha256s(package)
    if len(have) > 1:
        message = (
            f"the SBOM gives {payload} {len(have)} different SHA256 checksums: give it one, its bytes' sha256"
        )
        return [at(asset, message, want or "one SHA256", ", ".join(have))]
    if want is not None and (have[0] if have else None) != want:
        return [
            at(asset, f"the SBOM's SHA256 is not the sha256 of {payload}", want, have[0] if have else "None")
        ]
    return []


def _judge(release: ReleaseFacts, contract: Contract, asset: AssetFacts) -> list[Finding]:
    try:
        document = json_object(asset)
        package = _package(document)
    except Invalid as exc:
        return [at(asset, f"the SBOM {exc}")]
    payload = next((p for p in payloads(release, contract) if sbom_name(contract, p) == asset.ref.name), None)
    if payload is None:
        return []  # B001 reports an SBOM without its payload
    findings = []
    if package.get("packageFileName") != payload:
        findings.append(
            at(asset, "the SBOM's package names another file", payload, str(package.get("packageFileName")))
        )
    findings += _digest_findings(asset, package, payload, sha_of(release, payload))
    if not _describes(document, package.get("SPDXID")):
        findings.append(
            at(
                asset,
                "the SBOM does not say the document DESCRIBES its package",
                f"SPDXRef-DOCUMENT DESCRIBES {package.get('SPDXID')}",
                "no such relationship",
            )
        )
    return findings


def sboms_valid(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every SBOM is SPDX 2.x JSON describing one package: its payload, with the payload's sha256."""
    found = _sboms(release, contract)
    if not found:
        raise NotApplicable("the release holds no SBOM (B001 says whether it must)")
    return [f for asset in found for f in _judge(release, contract, asset)]
