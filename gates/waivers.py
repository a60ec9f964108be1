"""Waivers as code: a finding covered by a live waiver is waived; an expired waiver, or
one that covered nothing in this run, is itself a failure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fnmatch import fnmatchcase

from gates.contract import Waiver
from gates.source import ReleaseRef
from harness.results import Finding


def _matches(waiver: Waiver, check: str, release: ReleaseRef, finding: Finding) -> bool:
    scope, _, subject = waiver.scope.partition("/")
    in_scope = scope in ("*", release.tag, release.line)
    return waiver.check == check and in_scope and (not subject or fnmatchcase(finding.subject, subject))


def apply(
    findings: list[Finding],
    check: str,
    release: ReleaseRef,
    waivers: tuple[Waiver, ...],
    today: date,
    used: set[str],
) -> list[Finding]:
    """The findings with waived_by set where a live waiver covers them; records used ids."""
    live = [w for w in waivers if w.expires >= today]
    out = []
    for finding in findings:
        waiver = next((w for w in live if _matches(w, check, release, finding)), None)
        if waiver is None:
            out.append(finding)
            continue
        used.add(waiver.id)
        out.append(
            replace(finding, waived_by=f"{waiver.id} ({waiver.reason}; approved by {waiver.approver})")
        )
    return out


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
    waivers: tuple[Waiver, ...], used: set[str], today: date, origin: str, evaluated: set[str]
) -> list[Finding]:
    """Live waivers that cover no finding in this run fail (delete them before they hide one)."""
    return [
        Finding(
            subject=w.id,
            message=f"waiver for {w.check} in {w.scope} covers no finding; remove it",
            expected="at least one waived finding",
            actual="none",
            where=origin,
        )
        for w in waivers
        if w.expires >= today and w.id not in used and w.scope.partition("/")[0] in (evaluated | {"*"})
    ]
