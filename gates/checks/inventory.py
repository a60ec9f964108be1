"""The release's inventory: every file is an asset FUSE ships (a bundle, the VSIX, an
integrity file, a sidecar) or is listed in the release's integrity files; anything else is
a file nobody accounts for. An entry that is no file at all (a folder, a FIFO, a dangling
symlink) is a finding too, unless `assets.not_assets` names it: a release is files, and the
gate never opens such an entry (a FIFO would block it)."""

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


def _not_asset(contract: Contract, name: str) -> bool:
    return any(fnmatchcase(name, g) for g in contract.assets.not_assets)


def _strays(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    return [
        Finding(
            subject=s.name,
            message="not a file, so no release asset (the gate never opens it); remove it from "
            "the release folder",
            expected="a regular file",
            actual=s.what,
            where=s.location,
        )
        for s in release.strays
        if not _not_asset(contract, s.name)
    ]


def files_known(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every file is an asset FUSE ships or is listed in the release's integrity files."""
    listed = listed_names(release, contract)
    return _strays(release, contract) + [
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
        and not _not_asset(contract, a.ref.name)
    ]
