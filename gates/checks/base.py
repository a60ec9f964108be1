"""What the checks share: outcomes other than findings, and locating the pair archives."""

from __future__ import annotations

from gates.assets import is_sidecar
from gates.contract import Contract, asset_name
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness.results import Finding


class CannotEvaluate(Exception):
    """The check could not tell (unreadable input): the result is `error`."""


class NotApplicable(Exception):
    """The check does not apply to this release: the result is `skipped`."""


def may_be_pruned(release: ReleaseFacts) -> bool:
    """Whether `gate prune` may have deleted this release's bundles: its window closed and
    prune does not always keep it (as it keeps the line's newest and an immutable release)."""
    return not release.window.open and not release.prune_keeps


def candidates(release: ReleaseFacts, pattern: str, platform: str, contract: Contract) -> list[AssetFacts]:
    """Assets that claim to be this platform's primary/fallback bundle, any extension; its
    sidecars (`fuse-aot-linux-x64.spdx.json`) are not bundles."""
    stem = pattern.replace("{platform}", platform)
    return [
        a
        for a in release.assets
        if a.ref.name.startswith(stem + ".") and not is_sidecar(contract, a.ref.name)
    ]


def bundle(release: ReleaseFacts, pattern: str, platform: str, contract: Contract) -> AssetFacts | None:
    """The one bundle for a platform (exact name first, else the single candidate)."""
    exact = release.asset(asset_name(pattern, platform))
    if exact is not None:
        return exact
    found = candidates(release, pattern, platform, contract)
    return found[0] if len(found) == 1 else None


def bundles(release: ReleaseFacts, contract: Contract, role: str) -> list[tuple[str, AssetFacts]]:
    """(platform, asset) for every platform whose primary or fallback bundle exists."""
    pattern = contract.assets.primary if role == "primary" else contract.assets.fallback
    found = [(p, bundle(release, pattern, p, contract)) for p in contract.platforms]
    return [(p, a) for p, a in found if a is not None]


def at(asset: AssetFacts, message: str, expected: str = "", actual: str = "") -> Finding:
    """A finding about one asset, where it is."""
    return Finding(
        subject=asset.ref.name, message=message, expected=expected, actual=actual, where=asset.ref.location
    )
