"""The VS Code extension: every platform ships `fuse-vscode-<platform>.vsix`, a well-formed
zip holding `extension/bin/<platform>/fuse-lsp[.exe]` (contract sheet 1.5)."""

from __future__ import annotations

from gates.assets import is_required, vsix_name, why_not_required
from gates.checks.base import NotApplicable, at
from gates.contract import Contract, exe
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness.results import Finding


def vsix_present(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every platform has its VS Code extension (fuse-vscode-<platform>.vsix)."""
    if not is_required(contract, "vsix", release.ref):
        raise NotApplicable(why_not_required(contract, "vsix", release.ref))
    return [
        Finding(
            subject=platform,
            message=f"no VS Code extension for {platform}",
            expected=name,
            actual="absent",
            where=release.ref.location,
        )
        for platform, name in ((p, vsix_name(contract, p)) for p in contract.platforms)
        if release.asset(name) is None
    ]


def _judge(platform: str, asset: AssetFacts, contract: Contract) -> list[Finding]:
    listing = asset.listing
    assert listing is not None

    if listing.error:
        return [at(asset, listing.error)]
    findings = [at(asset, problem) for problem in listing.problems]
    if listing.truncated:
        return findings
    files = {m.name for m in listing.members if m.kind == "file"}
    for name in (exe(m.replace("{platform}", platform), platform) for m in contract.assets.vsix_members):
        if name not in files:
            findings.append(at(asset, f"member '{name}' is missing", name, f"{len(files)} other files"))
    return findings


def vsix_contents(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every VSIX is a well-formed, safe zip holding extension/bin/<platform>/fuse-lsp."""
    present = [(p, release.asset(vsix_name(contract, p))) for p in contract.platforms]
    found = [(p, a) for p, a in present if a is not None and a.listing is not None]
    if not found:
        raise NotApplicable("no VSIX of the contract's platforms was read")
    return [f for platform, asset in found for f in _judge(platform, asset, contract)]
