"""The release's inventory: every file is an asset FUSE ships (a bundle, the VSIX, an
integrity file, a sidecar) or is listed in the release's integrity files; anything else is
a file nobody accounts for."""

from __future__ import annotations

import contextlib
from fnmatch import fnmatchcase

from gates.assets import is_known
from gates.checks import integrity, sidecars
from gates.checks.base import CannotEvaluate, NotApplicable
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts
from harness.results import Finding


def listed_names(release: ReleaseFacts, contract: Contract) -> set[str]:
    """Every name SHA256SUMS, artifacts[] or integrityArtifacts[] lists (what is readable)."""
    names: set[str] = set()
    with contextlib.suppress(NotApplicable, CannotEvaluate):
        names |= {e.name for e in integrity._sums(release, contract)[1]}
    try:
        names |= {str(a.get("name")) for a in integrity._metadata(release, contract)[1]}
        found = sidecars.entries(release, contract)
        names |= {str(r.get("name")) for r in found.rows} if found else set()
    except (NotApplicable, CannotEvaluate, integrity._Invalid, sidecars.Malformed):
        pass
    return names


def files_known(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every file is an asset FUSE ships or is listed in the release's integrity files."""
    listed = listed_names(release, contract)
    return [
        Finding(
            subject=a.ref.name,
            message="a file that is neither a FUSE release asset nor listed in "
            f"{contract.checksums_name} or {contract.metadata_name}",
            expected="a known asset, or listed",
            actual="unknown, not listed",
            where=a.ref.location,
        )
        for a in release.assets
        if not is_known(contract, a.ref.name)
        and a.ref.name not in listed
        and not any(fnmatchcase(a.ref.name, g) for g in contract.assets.not_assets)
    ]
