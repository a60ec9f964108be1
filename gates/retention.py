"""Release windows (a local policy: FUSE never defined one) and the retention check.

A line's window closes on an explicit date, or N days after the next line's first release.
While it is open, every fallback CLI bundle of every release in the line must stay.
"""

from __future__ import annotations

from datetime import date, timedelta

from gates.contract import Contract, asset_name
from gates.facts import WindowState
from gates.source import LINE_RE, ReleaseRef, version_key
from harness.results import Finding


def _line_key(line: str) -> tuple[int, int]:
    match = LINE_RE.match(line)
    return (int(match["major"]), int(match["minor"])) if match else (-1, -1)


def next_line_first_release(line: str, releases: list[ReleaseRef]) -> ReleaseRef | None:
    """The first release (not a draft or a pre-release: an RC ships nothing) of the next line."""
    later = [
        r for r in releases if not r.draft and not r.is_prerelease and _line_key(r.line) > _line_key(line)
    ]
    if not later:
        return None
    first_line = min(later, key=lambda r: _line_key(r.line)).line
    return min((r for r in later if r.line == first_line), key=lambda r: version_key(r.tag))


def window_state(line: str, releases: list[ReleaseRef], contract: Contract, today: date) -> WindowState:
    """Whether `line`'s release window is open on `today`, and why."""
    window = contract.window_for(line)
    if window.closes is not None:
        is_open = today <= window.closes
        return WindowState(
            open=is_open,
            closes=window.closes,
            reason=f"{line} window {'closes' if is_open else 'closed'} on {window.closes} (contract date)",
        )
    days = window.days_after_next_line or 0
    successor = next_line_first_release(line, releases)
    if successor is None:
        return WindowState(open=True, closes=None, reason=f"{line} window is open: no later line has shipped")
    if successor.published_at is None:
        return WindowState(
            open=True, closes=None, reason=f"{line} window is open: {successor.tag}'s release date is unknown"
        )
    closes = successor.published_at.date() + timedelta(days=days)
    is_open = today <= closes
    return WindowState(
        open=is_open,
        closes=closes,
        reason=f"{line} window {'closes' if is_open else 'closed'} on {closes} "
        f"({days} days after {successor.tag})",
    )


def _what_happened(name: str, listed: set[str] | None, contract: Contract) -> str:
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


def fallback_retained(
    release: ReleaseRef,
    names: set[str],
    window: WindowState,
    contract: Contract,
    listed: set[str] | None = None,
) -> list[Finding]:
    """Fallback CLI bundles are kept while the release window is open.

    `listed`: what the release's integrity files list (None: not read), to say whether a
    missing bundle was removed or never there."""
    if not window.open:
        return []
    # the subject is the platform, as in P002, so a `v0.7.1/windows-x64` waiver scopes it
    return [
        Finding(
            subject=platform,
            message=f"{_what_happened(expected, listed, contract)} while the release window is open "
            f"({window.reason})",
            expected=expected,
            actual="absent",
            where=release.location,
        )
        for platform, expected in ((p, asset_name(contract.assets.fallback, p)) for p in contract.platforms)
        if expected not in names
    ]
