"""`gate check`: read the selected releases once, run every registered check, apply the waivers
in one pass over the results, then judge the waivers themselves, and report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from gates import prune, retention, waivers
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
from gates.reading.facts import ReleaseFacts, WindowState, read_releases
from gates.sources.release import ReleaseRef, ReleaseSource, releases_of_line, select
from harness.errors import ConfigError
from harness.results import Finding, Outcome, Report, Result, judged

if TYPE_CHECKING:
    from gates.recovery.binsize import Binary

Clock = Callable[[], datetime]


def _result(check_id: str, scope: str, run: Callable[[], list[Finding]]) -> Result:
    """One registered check on one scope, as a Result (errors and skips included)."""
    check = REGISTRY[check_id]
    base = Result(check=check_id, title=title(check.run), scope=scope, outcome=Outcome.PASSED, summary="ok")
    try:
        found = run()
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


def _line_results(
    all_releases: list[ReleaseRef],
    windows: dict[str, WindowState],
    names: dict[str, set[str]],
    listed: dict[str, frozenset[str]],
    source: ReleaseSource,
    contract: Contract,
) -> list[Result]:
    """Line checks on every release of every line the run touched (not only the chosen ones)."""
    results = []
    for line in sorted(windows):
        for release in releases_of_line(all_releases, line):
            have = names.get(release.tag) or {a.name for a in source.assets(release)}
            facts = LineFacts(
                release=release, names=frozenset(have), window=windows[line], listed=listed.get(release.tag)
            )
            for cid, check in REGISTRY.items():
                if isinstance(check, LineCheck):
                    result = _result(cid, release.tag, partial(check.run, facts, contract))
                    results.append(replace(result, data={"window": windows[line].reason}))
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


def check(source: ReleaseSource, selector: str, contract: Contract, clock: Clock) -> Report:
    """Run the release gate for a tag or a line."""
    return _check(source, selector, contract, clock, None)[0]


@contextmanager
def check_keeping_binaries(
    source: ReleaseSource, selector: str, contract: Contract, clock: Clock
) -> Iterator[tuple[Report, list[Binary]]]:
    """`check`, and the AOT binaries its one read copied out (to a temp dir, while open)."""
    # binsize (and the process seam under it) loads only when recovery gates are asked for,
    # and so does tempfile (with shutil, random, bz2 and lzma under it)
    import tempfile  # noqa: PLC0415

    from gates.recovery import binsize  # noqa: PLC0415

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
    facts = [replace(f, checked_at=started, prune_keeps=_prune_keeps(f.ref, all_releases)) for f in facts]
    names = {f.ref.tag: set(f.names) for f in facts}
    listed = {f.ref.tag: frozenset(inventory.listed_names(f, contract)) for f in facts}
    judged_results = _release_results(facts, contract)
    judged_results += _line_results(all_releases, windows, names, listed, source, contract)
    by_tag = {r.tag: r for r in all_releases}
    results, used = waivers.apply(judged_results, by_tag, contract.waivers, today)
    coverage = _coverage(all_releases, chosen, results)
    results += _run_results(RunFacts(today=today, used=used, coverage=coverage), contract)
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
