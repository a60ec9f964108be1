"""The result model shared by the gate and the drill: check -> Result -> Report.

A finding is not a failure to check: `failed` means the release (or the fallback path)
broke a rule, `error` means we could not tell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from harness.errors import ExitCode
from harness.text import one_line


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    WAIVED = "waived"
    SKIPPED = "skipped"


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One broken rule, explained: what, expected vs actual, and where."""

    subject: str
    message: str
    expected: str = ""
    actual: str = ""
    where: str = ""
    waived_by: str = ""  # id of the waiver that covers it, if any

    def line(self) -> str:
        parts = [f"{self.subject}: {self.message}"]
        if self.expected or self.actual:
            parts.append(f"(expected {self.expected or '-'}, actual {self.actual or '-'})")
        if self.where:
            parts.append(f"at {self.where}")
        if self.waived_by:
            parts.append(f"[waived: {self.waived_by}]")
        return one_line(" ".join(parts))


@dataclass(frozen=True, kw_only=True)
class Result:
    """The outcome of one check (or drill phase) for one scope (a release, a scenario)."""

    check: str
    title: str
    scope: str
    outcome: Outcome
    summary: str
    findings: tuple[Finding, ...] = ()
    duration_s: float | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.check} {self.scope}".strip()


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything one command run found; reports are pure renderings of it."""

    tool: str
    subject: str
    started_at: datetime
    finished_at: datetime
    results: tuple[Result, ...]
    notes: tuple[str, ...] = ()
    stats: Mapping[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    # what the run covered, so reports of several runs can be merged (and mixed ones refused)
    platforms: tuple[str, ...] = ()
    release: str = ""  # the tag or line judged ('' when none)
    commit: str = ""  # the commit the run built or gated (GITHUB_SHA, or --commit)
    shard: str = ""  # K/N of a sharded drill suite ('' for the whole suite)

    @property
    def verdict(self) -> Outcome:
        return verdict_of(self.results)

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.INTERRUPTED
        return exit_code_for(self.verdict)


def verdict_of(results: Iterable[Result]) -> Outcome:
    """failed beats error beats passed; waived and skipped results do not fail a run.

    No results at all is an error: a run that evaluated nothing must not pass.
    """
    outcomes = {r.outcome for r in results}
    if not outcomes:
        return Outcome.ERROR
    if Outcome.FAILED in outcomes:
        return Outcome.FAILED
    if Outcome.ERROR in outcomes:
        return Outcome.ERROR
    return Outcome.PASSED


def exit_code_for(verdict: Outcome) -> ExitCode:
    if verdict is Outcome.FAILED:
        return ExitCode.FAILED
    if verdict is Outcome.ERROR:
        return ExitCode.INFRA
    return ExitCode.PASSED


def outcome_for(findings: Iterable[Finding]) -> Outcome:
    """passed without findings, waived when every finding is waived, else failed."""
    found = list(findings)
    if not found:
        return Outcome.PASSED
    if all(f.waived_by for f in found):
        return Outcome.WAIVED
    return Outcome.FAILED


def summary_of(outcome: Outcome, findings: Sequence[Finding]) -> str:
    """A result's one-line summary: ok, all waived, or the first unwaived finding (+N more)."""
    if outcome is Outcome.PASSED:
        return "ok"
    if outcome is Outcome.WAIVED:
        return f"{len(findings)} finding(s), all waived"
    first = next(f for f in findings if not f.waived_by)
    more = len(findings) - 1
    return first.line() + (f" (+{more} more)" if more else "")


def judged(result: Result, findings: Sequence[Finding]) -> Result:
    """`result` with these findings: its outcome and summary follow from them."""
    outcome = outcome_for(findings)
    return replace(result, outcome=outcome, summary=summary_of(outcome, findings), findings=tuple(findings))


def counts(results: Iterable[Result]) -> dict[str, int]:
    tally = {o.value: 0 for o in Outcome}
    for result in results:
        tally[result.outcome.value] += 1
    return tally
