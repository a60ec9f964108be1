"""Release windows (a local policy: FUSE never defined one).

A line's window closes on an explicit date, or N days after the next line's first release.
While it is open, every fallback CLI bundle of every release in the line must stay (R001,
gates/checks/kept.py).

That first release's date comes from an untrusted place (a dist/'s generatedAtUtc, GitHub's
published_at). One before the first release of the checked line, or of any earlier line, is
no date the next line can have shipped on (a next line branches after its predecessors
shipped): it is treated as unknown, so the window stays open, which fails safe. Patch
releases of the checked line may come after the next line's first (backports); they bound
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gates.contract import Contract
from gates.sources.release import LINE_RE, ReleaseRef, version_key
from harness.stamps import days_after, format_utc


@dataclass(frozen=True, kw_only=True)
class WindowState:
    """A line's release window as the gate judged it: open or closed, and why."""

    open: bool
    closes: date | None
    reason: str


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


def _latest_line_start(line: str, releases: list[ReleaseRef]) -> ReleaseRef | None:
    """Of the first releases of `line` and every earlier line, the latest dated one: no
    later line can have shipped before it."""
    firsts: dict[str, ReleaseRef] = {}
    for r in sorted(releases, key=lambda r: version_key(r.tag)):
        if not r.draft and not r.is_prerelease and _line_key(r.line) <= _line_key(line):
            firsts.setdefault(r.line, r)
    dated = [r for r in firsts.values() if r.published_at is not None]
    return max(dated, key=lambda r: (r.published_at, version_key(r.tag))) if dated else None


def _implausible(line: str, successor: str, shipped: datetime, releases: list[ReleaseRef]) -> str:
    """Why `successor`'s date, `shipped`, cannot be when it shipped ("": it can be)."""
    start = _latest_line_start(line, releases)
    if start is None or start.published_at is None or shipped >= start.published_at:
        return ""
    return (
        f"{successor}'s release date ({format_utc(shipped)}) is before "
        f"{start.tag}'s ({format_utc(start.published_at)}), so it is no date {successor} shipped on; "
        "treated as unknown (fix the release's generatedAtUtc or published_at)"
    )


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
    implausible = _implausible(line, successor.tag, successor.published_at, releases)
    if implausible:
        return WindowState(open=True, closes=None, reason=f"{line} window is open: {implausible}")
    closes = days_after(successor.published_at.date(), days)
    is_open = today <= closes
    return WindowState(
        open=is_open,
        closes=closes,
        reason=f"{line} window {'closes' if is_open else 'closed'} on {closes} "
        f"({days} days after {successor.tag})",
    )
