"""`gate check`: read the selected releases once, run every check, apply waivers, report."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gates import retention, waivers
from gates.checks import CHECKS, CannotEvaluate, Check, NotApplicable, inventory, title
from gates.contract import Contract
from gates.facts import ReleaseFacts, WindowState, read_releases
from gates.source import ReleaseRef, ReleaseSource, releases_of_line, select
from harness.errors import ConfigError
from harness.results import Finding, Outcome, Report, Result, outcome_for

if TYPE_CHECKING:
    from gates.binsize import Binary

Clock = Callable[[], datetime]


def _summary(outcome: Outcome, findings: list[Finding]) -> str:
    if outcome is Outcome.PASSED:
        return "ok"
    waived = sum(1 for f in findings if f.waived_by)
    if outcome is Outcome.WAIVED:
        return f"{waived} finding(s), all waived"
    first = next(f for f in findings if not f.waived_by)
    more = len(findings) - 1
    return first.line() + (f" (+{more} more)" if more else "")


def run_one(
    check_id: str, check: Check, facts: ReleaseFacts, contract: Contract, today: date, used: set[str]
) -> Result:
    """One check on one release, as a Result (errors and skips included)."""

    def result(outcome: Outcome, summary: str, found: tuple[Finding, ...] = ()) -> Result:
        return Result(
            check=check_id,
            title=title(check),
            scope=facts.ref.tag,
            outcome=outcome,
            summary=summary,
            findings=found,
        )

    try:
        found = check(facts, contract)
    except CannotEvaluate as exc:
        return result(Outcome.ERROR, f"could not evaluate: {exc}")
    except NotApplicable as exc:
        return result(Outcome.SKIPPED, str(exc))
    found = waivers.apply(found, check_id, facts.ref, contract.waivers, today, used)
    outcome = outcome_for(found)
    return result(outcome, _summary(outcome, found), tuple(found))


def _retention_results(
    all_releases: list[ReleaseRef],
    lines: set[str],
    names: dict[str, set[str]],
    listed: dict[str, set[str]],
    source: ReleaseSource,
    contract: Contract,
    today: date,
    used: set[str],
) -> list[Result]:
    results = []
    for line in sorted(lines):
        window = retention.window_state(line, all_releases, contract, today)
        for release in releases_of_line(all_releases, line):
            have = names.get(release.tag) or {a.name for a in source.assets(release)}
            found = retention.fallback_retained(release, have, window, contract, listed.get(release.tag))
            found = waivers.apply(found, "R001", release, contract.waivers, today, used)
            outcome = outcome_for(found) if window.open else Outcome.SKIPPED
            summary = _summary(outcome, found) if window.open else window.reason
            results.append(
                Result(
                    check="R001",
                    title=title(retention.fallback_retained),
                    scope=release.tag,
                    outcome=outcome,
                    summary=summary,
                    findings=tuple(found),
                    data={"window": window.reason},
                )
            )
    return results


def _coverage(
    all_releases: list[ReleaseRef], chosen: list[ReleaseRef], results: list[Result]
) -> waivers.Coverage:
    return waivers.Coverage(
        releases=tuple(r for r in all_releases if not r.draft or r in chosen),
        checked=frozenset((r.check, r.scope) for r in results if r.outcome is not Outcome.ERROR),
        runnable=frozenset({*CHECKS, "R001"}),
    )


def _waiver_results(
    contract: Contract, today: date, used: set[str], coverage: waivers.Coverage
) -> list[Result]:
    results = []
    for check_id, fn, found in (
        ("W001", waivers.expired, waivers.expired(contract.waivers, today, contract.origin)),
        ("W002", waivers.unused, waivers.unused(contract.waivers, used, today, contract.origin, coverage)),
    ):
        outcome = outcome_for(found)
        results.append(
            Result(
                check=check_id,
                title=title(fn),
                scope="waivers",
                outcome=outcome,
                summary=_summary(outcome, found),
                findings=tuple(found),
            )
        )
    return results


def check(source: ReleaseSource, selector: str, contract: Contract, clock: Clock) -> Report:
    """Run the release gate for a tag or a line."""
    return _check(source, selector, contract, clock, None)[0]


@contextmanager
def check_keeping_binaries(
    source: ReleaseSource, selector: str, contract: Contract, clock: Clock
) -> Iterator[tuple[Report, list[Binary]]]:
    """`check`, and the AOT binaries its one read copied out (to a temp dir, while open)."""
    # binsize (and the process seam under it) loads only when recovery gates are asked for
    from gates import binsize  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="gate-aot-") as tmp:
        report, facts = _check(source, selector, contract, clock, Path(tmp))
        yield (
            report,
            binsize.scoped([(f.ref.tag, binsize.binaries_of(f.ref.tag, f.assets, contract)) for f in facts]),
        )


def _check(
    source: ReleaseSource, selector: str, contract: Contract, clock: Clock, keep_binaries: Path | None
) -> tuple[Report, list[ReleaseFacts]]:
    started = clock()
    today = started.date()
    all_releases = source.releases()
    chosen = select(all_releases, selector)
    if not chosen:
        seen = ", ".join(sorted(r.tag for r in all_releases)) or "none"
        raise ConfigError(f"--release {selector}: no such release in {source.description} (found: {seen})")
    windows: dict[str, WindowState] = {
        line: retention.window_state(line, all_releases, contract, today) for line in {r.line for r in chosen}
    }
    facts = read_releases(source, [(r, windows[r.line]) for r in chosen], contract, keep_binaries)
    used: set[str] = set()
    results = [run_one(cid, fn, f, contract, today, used) for f in facts for cid, fn in CHECKS.items()]
    names = {f.ref.tag: set(f.names) for f in facts}
    listed = {f.ref.tag: inventory.listed_names(f, contract) for f in facts}
    results += _retention_results(all_releases, set(windows), names, listed, source, contract, today, used)
    results += _waiver_results(contract, today, used, _coverage(all_releases, chosen, results))
    notes = [contract.retention_note, *(w.reason for w in windows.values())]
    notes += [f"{r.tag} is a draft" for r in chosen if r.draft]
    report = Report(
        tool="gate check",
        subject=f"{selector} from {source.description} (contract: {contract.origin})",
        started_at=started,
        finished_at=clock(),
        results=tuple(results),
        notes=tuple(n for n in notes if n),
        stats=source.stats(),
    )
    return report, facts
