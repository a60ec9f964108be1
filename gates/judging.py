"""Judge a run's facts: every registered check on its scope (release checks per release, line
checks per release of each line the run touched), the waivers applied in one pass over the
results, then the run checks that judge the waivers themselves (W001, W002).

Pure functions of what was read and the contract. gates/runner.py loads this module (and the
checks under it) while the reads it started are running, so their import costs no wall time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial

from gates import prune, waivers
from gates.checks import (
    REGISTRY,
    CannotEvaluate,
    LineCheck,
    LineFacts,
    NotApplicable,
    ReleaseCheck,
    RunCheck,
    RunFacts,
    inventory,
    title,
)
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts
from gates.retention import WindowState
from gates.sources.release import ReleaseRef, ReleaseSource, releases_of_line
from harness.results import Finding, Outcome, Result, judged


@dataclass(frozen=True, kw_only=True)
class Run:
    """What the checks of one run are judged on, besides each release's facts."""

    source: ReleaseSource
    contract: Contract
    all_releases: list[ReleaseRef]  # every release the source lists
    chosen: list[ReleaseRef]  # the ones the selector named
    windows: dict[str, WindowState]  # each chosen line's window
    started: datetime  # when the run began (its clock, or --as-of)

    @property
    def today(self) -> date:
        return self.started.date()


def judge(read: list[ReleaseFacts], run: Run) -> tuple[list[ReleaseFacts], list[Result]]:
    """The facts as the checks see them (the run's time and prune's rule added) and every result."""
    facts = [
        replace(f, checked_at=run.started, prune_keeps=_prune_keeps(f.ref, run.all_releases)) for f in read
    ]
    names = {f.ref.tag: set(f.names) for f in facts}
    listed = {f.ref.tag: frozenset(inventory.listed_names(f, run.contract)) for f in facts}
    judged_results = _release_results(facts, run.contract)
    judged_results += _line_results(run, names, listed)
    by_tag = {r.tag: r for r in run.all_releases}
    results, used = waivers.apply(judged_results, by_tag, run.contract.waivers, run.today)
    coverage = _coverage(run.all_releases, run.chosen, results)
    results += _run_results(RunFacts(today=run.today, used=used, coverage=coverage), run.contract)
    return facts, results


def _result(check_id: str, scope: str, check: Callable[[], list[Finding]]) -> Result:
    """One registered check on one scope, as a Result (errors and skips included)."""
    base = Result(
        check=check_id, title=title(REGISTRY[check_id].run), scope=scope, outcome=Outcome.PASSED, summary="ok"
    )
    try:
        found = check()
    except CannotEvaluate as exc:
        return replace(base, outcome=Outcome.ERROR, summary=f"could not evaluate: {exc}")
    except NotApplicable as exc:
        return replace(base, outcome=Outcome.SKIPPED, summary=str(exc))
    return judged(base, found)


def _release_results(facts: list[ReleaseFacts], contract: Contract) -> list[Result]:
    return [
        _result(cid, f.ref.tag, partial(check.run, f, contract))
        for f in facts
        for cid, check in REGISTRY.items()
        if isinstance(check, ReleaseCheck)
    ]


def _line_results(run: Run, names: dict[str, set[str]], listed: dict[str, frozenset[str]]) -> list[Result]:
    """Line checks on every release of every line the run touched (not only the chosen ones)."""
    results = []
    for line in sorted(run.windows):
        window = run.windows[line]
        for release in releases_of_line(run.all_releases, line):
            have = names.get(release.tag) or {a.name for a in run.source.assets(release)}
            facts = LineFacts(
                release=release, names=frozenset(have), window=window, listed=listed.get(release.tag)
            )
            for cid, check in REGISTRY.items():
                if isinstance(check, LineCheck):
                    result = _result(cid, release.tag, partial(check.run, facts, run.contract))
                    results.append(replace(result, data={"window": window.reason}))
    return results


def _prune_keeps(release: ReleaseRef, all_releases: list[ReleaseRef]) -> str:
    """Why `gate prune` would never delete this release's bundles ("": it may)."""
    if release.draft:
        return "a draft is not part of its line, and gate prune never prunes it"
    newest = prune.newest_kept(releases_of_line(all_releases, release.line))
    return prune.always_kept(release, newest)


def _run_results(run: RunFacts, contract: Contract) -> list[Result]:
    return [
        _result(cid, "waivers", partial(check.run, run, contract))
        for cid, check in REGISTRY.items()
        if isinstance(check, RunCheck)
    ]


def _coverage(
    all_releases: list[ReleaseRef], chosen: list[ReleaseRef], results: list[Result]
) -> waivers.Coverage:
    return waivers.Coverage(
        releases=tuple(r for r in all_releases if not r.draft or r in chosen),
        checked=frozenset((r.check, r.scope) for r in results if r.outcome is not Outcome.ERROR),
        runnable=frozenset(REGISTRY),
    )
