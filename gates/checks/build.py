"""The AOT build: its build-info line names the platform's Rust target triple and the
release profile (contract sheet 1.1, 1.4), as the contract's `build_targets` and
`build_profile` say. The line is parsed as C004-C006 parse it."""

from __future__ import annotations

from gates.checks.base import bundles
from gates.checks.contents import field_mismatches
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts
from harness.results import Finding


def build_target(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The build-info target= is the Rust triple of the bundle's platform."""
    platform_of = {a.ref.name: p for p, a in bundles(release, contract, "primary")}
    return field_mismatches(
        release,
        contract,
        "target",
        lambda asset: contract.assets.build_targets.get(platform_of.get(asset.ref.name, "")),
        lambda asset: f"the AOT binary was built for another target than {platform_of[asset.ref.name]}",
    )


def build_profile(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The build-info profile= is the contract's (release): a debug AOT is not the production artifact."""
    return field_mismatches(
        release,
        contract,
        "profile",
        lambda _asset: contract.assets.build_profile,
        lambda _asset: "the AOT binary was built with another profile",
    )
