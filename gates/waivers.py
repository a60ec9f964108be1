"""Waivers as code: a finding covered by a live waiver is waived; an expired waiver, or
one that covered nothing in this run, is itself a failure.

A waiver's scope is `*`, a tag or a line, optionally `/subject`: a glob on the finding's
subject (the platform for P001, P002 and R001, the file name for the other checks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase

from gates.contract import Waiver
from gates.sources.release import ReleaseRef
from harness.results import Finding, Result, judged


def _in_scope(waiver: Waiver, release: ReleaseRef) -> bool:
    scope = waiver.scope.partition("/")[0]
    return scope in ("*", release.tag, release.line)


def _matches(waiver: Waiver, check: str, release: ReleaseRef, finding: Finding) -> bool:
    subject = waiver.scope.partition("/")[2]
    return (
        waiver.check == check
        and _in_scope(waiver, release)
        and (not subject or fnmatchcase(finding.subject, subject))
    )


def _is_star(waiver: Waiver) -> bool:
    return waiver.scope.partition("/")[0] == "*"


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """What one run checked: which check ran (and could tell) on which release."""

    releases: tuple[ReleaseRef, ...]  # every release a waiver's scope may name
    checked: frozenset[tuple[str, str]]  # (check id, tag), errors left out
    runnable: frozenset[str]  # every check id the gate runs

    def _done(self, check: str) -> set[str]:
        """The tags `check` ran on. A check id the gate never runs counts as checked
        wherever the run checked anything: such a waiver can never cover a finding."""
        any_check = check not in self.runnable
        return {tag for ran, tag in self.checked if any_check or ran == check}

    def whole_lines(self, check: str) -> list[str]:
        """The lines of the source on every release of which `check` ran in this run."""
        done = self._done(check)
        lines = sorted({r.line for r in self.releases})
        return [line for line in lines if {r.tag for r in self.releases if r.line == line} <= done]

    def covers(self, waiver: Waiver) -> bool:
        """Whether this run checked enough of the waiver's scope to call it unused.

        A tag or line scope: the waiver's check ran on every release it names. `*` names
        every release of every line, which one `--release` never covers in a source with
        several lines: it is judged by the lines this run checked whole (at least one)."""
        if _is_star(waiver):
            return bool(self.whole_lines(waiver.check))
        tags = {r.tag for r in self.releases if _in_scope(waiver, r)}
        return bool(tags) and tags <= self._done(waiver.check)


def apply(
    results: Sequence[Result], releases: Mapping[str, ReleaseRef], waivers: tuple[Waiver, ...], today: date
) -> tuple[list[Result], frozenset[str]]:
    """One pure pass over the finished results: each finding a live waiver covers is waived
    (the result's outcome follows), and the ids of the waivers that covered something."""
    live = [w for w in waivers if w.expires >= today]
    out: list[Result] = []
    used: list[str] = []
    for result in results:
        release = releases.get(result.scope)
        if release is None or not result.findings:
            out.append(result)
            continue
        covered = [(f, _covering(f, result.check, release, live)) for f in result.findings]
        used += [waiver.id for _finding, waiver in covered if waiver is not None]
        out.append(judged(result, [_waived(finding, waiver) for finding, waiver in covered]))
    return out, frozenset(used)


def _covering(finding: Finding, check: str, release: ReleaseRef, live: list[Waiver]) -> Waiver | None:
    """The first live waiver that covers the finding, if any."""
    return next((w for w in live if _matches(w, check, release, finding)), None)


def _waived(finding: Finding, waiver: Waiver | None) -> Finding:
    if waiver is None:
        return finding
    return replace(finding, waived_by=f"{waiver.id} ({waiver.reason}; approved by {waiver.approver})")


def expired(waivers: tuple[Waiver, ...], today: date, origin: str) -> list[Finding]:
    """Expired waivers fail: renew them with a new expiry, or fix the finding."""
    return [
        Finding(
            subject=w.id,
            message=f"waiver for {w.check} expired; renew it or fix the finding",
            expected=f"expires >= {today}",
            actual=f"expired {w.expires}",
            where=origin,
        )
        for w in waivers
        if w.expires < today
    ]


def unused(
    waivers: tuple[Waiver, ...], used: frozenset[str], today: date, origin: str, coverage: Coverage
) -> list[Finding]:
    """Live waivers that cover no finding in this run fail (delete them before they hide one).

    Only a waiver whose whole scope was checked in this run: `--release v0.7.1` cannot tell
    whether a v0.7.x waiver still covers a finding in v0.7.0. A `*` waiver counts once
    this run checked a whole line: it covered nothing there."""
    return [
        Finding(
            subject=w.id,
            message=f"waiver for {w.check} in {w.scope} covers no finding{_checked(w, coverage)}",
            expected="at least one waived finding",
            actual="none",
            where=origin,
        )
        for w in waivers
        if w.expires >= today and w.id not in used and coverage.covers(w)
    ]


def _checked(waiver: Waiver, coverage: Coverage) -> str:
    if not _is_star(waiver):
        return "; remove it"
    lines = ", ".join(coverage.whole_lines(waiver.check))
    return f" in {lines}, checked whole in this run; remove it or narrow its scope"
