"""Release windows (a local policy: FUSE never defined one).

A line's window closes on an explicit date, or N days after the next line's first release.
While it is open, every fallback CLI bundle of every release in the line must stay (R001,
gates/checks/kept.py).
"""

from __future__ import annotations

from datetime import date

from gates.contract import Contract
from gates.reading.facts import WindowState
from gates.sources.release import LINE_RE, ReleaseRef, version_key
from harness.stamps import days_after


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
    closes = days_after(successor.published_at.date(), days)
    is_open = today <= closes
    return WindowState(
        open=is_open,
        closes=closes,
        reason=f"{line} window {'closes' if is_open else 'closed'} on {closes} "
        f"({days} days after {successor.tag})",
    )
