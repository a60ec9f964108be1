"""Checks over a whole line or the whole run: fallbacks kept while the window is open (R001,
judged per release of every line the run touched) and the waivers themselves (W001, W002,
judged over the run's finished results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gates import waivers
from gates.checks.base import NotApplicable
from gates.contract import Contract, asset_name
from gates.retention import WindowState
from gates.sources.release import ReleaseRef
from harness.results import Finding


@dataclass(frozen=True, kw_only=True)
class LineFacts:
    """One release of a line, as the retention check sees it: which assets it still has."""

    release: ReleaseRef
    names: frozenset[str]
    window: WindowState
    listed: frozenset[str] | None = None  # what its integrity files list (None: not read)


@dataclass(frozen=True, kw_only=True)
class RunFacts:
    """What the waiver checks judge: the finished run, after waivers were applied."""

    today: date
    used: frozenset[str]  # ids of waivers that covered at least one finding
    coverage: waivers.Coverage


def _what_happened(name: str, listed: frozenset[str] | None, contract: Contract) -> str:
    """Removed (its integrity files list it), absent from the start (they do not), or unknown."""
    if listed is None:
        return "fallback bundle absent"
    if name in listed:
        return (
            f"fallback bundle removed (listed in {contract.checksums_name} or "
            f"{contract.metadata_name}, file gone)"
        )
    return (
        f"fallback bundle absent from the start: never built (not listed in "
        f"{contract.checksums_name} or {contract.metadata_name})"
    )


def fallback_retained(line: LineFacts, contract: Contract) -> list[Finding]:
    """Fallback CLI bundles are kept while the release window is open."""
    if not line.window.open:
        raise NotApplicable(line.window.reason)
    # the subject is the platform, as in P002, so a `v0.7.1/windows-x64` waiver scopes it
    return [
        Finding(
            subject=platform,
            message=f"{_what_happened(expected, line.listed, contract)} while the release window is open "
            f"({line.window.reason})",
            expected=expected,
            actual="absent",
            where=line.release.location,
        )
        for platform, expected in ((p, asset_name(contract.assets.fallback, p)) for p in contract.platforms)
        if expected not in line.names
    ]


def waivers_live(run: RunFacts, contract: Contract) -> list[Finding]:
    """Expired waivers fail: renew them with a new expiry, or fix the finding."""
    return waivers.expired(contract.waivers, run.today, contract.origin)


def waivers_used(run: RunFacts, contract: Contract) -> list[Finding]:
    """Live waivers that cover no finding in this run fail (delete them before they hide one)."""
    return waivers.unused(contract.waivers, run.used, run.today, contract.origin, run.coverage)
