"""A drill's verdict, a pure function of its phase outcomes and what the scenario expects.

passed: the expected fallback happened within budget and recovery was verified (or, for a
control, no fallback happened); failed: the fallback path is broken or too slow, or a
control wrongly fell back; error: the harness or Docker failed, so we cannot tell (a run
whose journal lost events is one: its phases are not all on record, so it cannot claim a pass).

The `broken-fallback` control expects a failed verdict, and only a fallback that is
genuinely broken (it exited, or never answered healthy) counts: one that served, if late
or slow, means the sabotage did not take, and the control goes red.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from harness.results import Outcome


@dataclass(frozen=True, kw_only=True)
class PhaseOutcome:
    phase: str
    outcome: Outcome
    summary: str
    broken: bool = False  # the fallback itself is broken: it exited or never served


FALLBACK_PHASES = ("fallback", "verify")  # where an expected-red control must go red


@dataclass(frozen=True, kw_only=True)
class Verdict:
    verdict: Outcome  # what the drill found about the fallback path
    expected: Outcome
    reason: str
    on_target: bool = True  # False: failed as expected, but not because the fallback is broken

    @property
    def as_expected(self) -> bool:
        return self.verdict is self.expected and self.on_target


def decide(
    phases: Iterable[PhaseOutcome],
    *,
    fell_back: bool,
    expect_fallback: bool,
    expected: Outcome,
    interrupted: bool = False,
    journal_lost: str | None = None,
) -> Verdict:
    """The verdict; a control expected to fail only counts when the fallback itself is broken.
    `journal_lost` is the first journal write that failed, if any."""
    done = list(phases)
    if journal_lost is not None:
        reason = f"the journal could not record every event, so the drill cannot tell ({journal_lost})"
        return Verdict(verdict=Outcome.ERROR, expected=expected, reason=reason)
    found = _verdict(
        done, fell_back=fell_back, expect_fallback=expect_fallback, expected=expected, interrupted=interrupted
    )
    if expected is not Outcome.FAILED or found.verdict is not Outcome.FAILED:
        return found
    first = next((p for p in done if p.outcome is Outcome.FAILED), None)
    if not (fell_back and expect_fallback and first is not None and first.phase in FALLBACK_PHASES):
        why = "expected the fallback itself to fail, so the fallback path went untested"
    elif not first.broken:
        why = "expected a broken fallback (exited or never healthy), but it served: the sabotage did not take"
    else:
        return found
    return replace(found, on_target=False, reason=f"{found.reason}; {why}")


def _verdict(
    done: list[PhaseOutcome], *, fell_back: bool, expect_fallback: bool, expected: Outcome, interrupted: bool
) -> Verdict:
    errors = [p for p in done if p.outcome is Outcome.ERROR]
    failures = [p for p in done if p.outcome is Outcome.FAILED]
    if interrupted or errors:
        first = errors[0] if errors else None
        reason = f"{first.phase}: {first.summary}" if first else "interrupted before the verdict"
        return Verdict(verdict=Outcome.ERROR, expected=expected, reason=reason)
    if fell_back and not expect_fallback:
        return Verdict(
            verdict=Outcome.FAILED,
            expected=expected,
            reason="a control fell back: the incident was wrongly called AOT-specific",
        )
    if expect_fallback and not fell_back:
        why = f" ({failures[0].phase}: {failures[0].summary})" if failures else ""
        return Verdict(
            verdict=Outcome.FAILED, expected=expected, reason=f"the expected fallback did not happen{why}"
        )
    if failures:
        first = failures[0]
        return Verdict(verdict=Outcome.FAILED, expected=expected, reason=f"{first.phase}: {first.summary}")
    what = "fell back and recovered within budget" if fell_back else "no fallback, as expected"
    return Verdict(verdict=Outcome.PASSED, expected=expected, reason=what)
