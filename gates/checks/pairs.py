"""Pairs: every platform keeps exactly one primary AOT and one fallback CLI bundle."""

from __future__ import annotations

from gates.assets import is_required, why_not_required
from gates.checks.base import NotApplicable, candidates
from gates.contract import Contract, asset_name, extension
from gates.reading.facts import ReleaseFacts
from harness.results import Finding


def _exactly_one(
    release: ReleaseFacts, contract: Contract, kind: str, pattern: str, role: str
) -> list[Finding]:
    if not is_required(contract, kind, release.ref) and not any(
        candidates(release, pattern, p, contract) for p in contract.platforms
    ):
        raise NotApplicable(why_not_required(contract, kind, release.ref))
    findings = []
    for platform in contract.platforms:
        found = [a.ref.name for a in candidates(release, pattern, platform, contract)]
        expected = asset_name(pattern, platform)
        if len(found) == 1:
            continue
        if not found and not release.window.open:
            continue  # pruned after the release window closed: allowed
        message = (
            f"no {role} bundle for {platform}"
            if not found
            else f"{len(found)} {role} bundles for {platform}; exactly one is allowed"
        )
        findings.append(
            Finding(
                subject=platform,
                message=message,
                expected=expected,
                actual=", ".join(found) or "absent",
                where=release.ref.location,
            )
        )
    return findings


def primary_present(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every platform has exactly one primary AOT bundle."""
    return _exactly_one(release, contract, "primary", contract.assets.primary, "primary AOT")


def fallback_present(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every platform has exactly one fallback CLI bundle (the playbook's rollback path)."""
    return _exactly_one(release, contract, "fallback", contract.assets.fallback, "fallback CLI")


def right_extension(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Bundles use .zip on windows and .tar.gz elsewhere."""
    findings = []
    for platform in contract.platforms:
        for pattern in (contract.assets.primary, contract.assets.fallback):
            for asset in candidates(release, pattern, platform, contract):
                if asset.ref.name != asset_name(pattern, platform):
                    findings.append(
                        Finding(
                            subject=asset.ref.name,
                            message=f"{platform} bundles must be {extension(platform)} archives",
                            expected=asset_name(pattern, platform),
                            actual=asset.ref.name,
                            where=asset.ref.location,
                        )
                    )
    return findings
