"""The AOT build: its build-info line names the platform's Rust target triple and the
release profile (contract sheet 1.1, 1.4), as the contract's `build_targets` and
`build_profile` say. The line is parsed as C004-C006 parse it."""

from __future__ import annotations

from gates.checks.base import bundles
from gates.checks.contents import _build_infos
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts
from harness.results import Finding


def build_target(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The build-info target= is the Rust triple of the bundle's platform."""
    platform_of = {a.ref.name: p for p, a in bundles(release, contract, "primary")}
    findings = []
    for asset, found in _build_infos(release, contract):
        info = found.info
        want = contract.assets.build_targets.get(platform_of.get(asset.ref.name, ""))
        if info is not None and want is not None and info.target != want:
            findings.append(
                Finding(
                    subject=asset.ref.name,
                    message=f"the AOT binary was built for another target than {platform_of[asset.ref.name]}",
                    expected=f"target={want}",
                    actual=f"target={info.target}",
                    where=f"{asset.ref.location}:{contract.assets.build_info_member}",
                )
            )
    return findings


def build_profile(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The build-info profile= is the contract's (release): a debug AOT is not the production artifact."""
    want = contract.assets.build_profile
    return [
        Finding(
            subject=asset.ref.name,
            message="the AOT binary was built with another profile",
            expected=f"profile={want}",
            actual=f"profile={info.profile}",
            where=f"{asset.ref.location}:{contract.assets.build_info_member}",
        )
        for asset, found in _build_infos(release, contract)
        if (info := found.info) is not None and info.profile != want
    ]
