"""Pairs: every platform keeps exactly one primary AOT and one fallback CLI bundle.

A bundle may be gone only where `gate prune` could have deleted it: after its window closed,
from a release prune does not always keep (not the line's newest, not an immutable one), and
only a bundle the integrity files list (prune keeps those, so an unlisted one never existed).
"""

from __future__ import annotations

from gates.assets import is_required, why_not_required
from gates.checks.base import NotApplicable, candidates, may_be_pruned
from gates.checks.inventory import listed_names
from gates.contract import Contract, asset_name, extension
from gates.reading.facts import ReleaseFacts
from harness.results import Finding


def _not_pruned(release: ReleaseFacts, contract: Contract, name: str) -> str:
    """Why an absent bundle is no pruned one ("": it may be), once its window has closed."""
    if not may_be_pruned(release):
        return f"not pruned: gate prune always keeps {release.ref.tag}, {release.prune_keeps}"
    if name not in listed_names(release, contract):
        return (
            f"not pruned: never built ({contract.checksums_name} and {contract.metadata_name} do not list it)"
        )
    return ""


def _absent(release: ReleaseFacts, contract: Contract, name: str, message: str) -> str:
    """The message for an absent bundle ("": absent as pruning leaves it, no finding)."""
    if release.window.open:
        return message
    why = _not_pruned(release, contract, name)
    return f"{message} ({why})" if why else ""


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
        if found:
            message = f"{len(found)} {role} bundles for {platform}; exactly one is allowed"
        else:
            message = _absent(release, contract, expected, f"no {role} bundle for {platform}")
        if not message:
            continue
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
