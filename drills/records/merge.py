"""`drill merge`: one report from the shards of one suite (`drill run --shard K/N`).

Every shard 1..N must be there exactly once: a missing one fails D001, naming the shard and
the scenarios it holds (the split is recomputed from the suite the shards recorded). Shards
of different splits, a shard passed twice and reports of another commit are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drills.scenario import shard as sharding
from harness.errors import ConfigError
from harness.reports import merge
from harness.results import Finding, Outcome, Report, Result

D001_TITLE = "Every shard of the suite is covered by a report"


def _split(runs: Sequence[merge.Loaded]) -> tuple[int, dict[int, merge.Loaded], list[str]]:
    """N, shard index -> its run, and the whole suite's names (from the shards' reports)."""
    owners: dict[int, merge.Loaded] = {}
    counts: set[int] = set()
    for run in runs:
        part = sharding.parse(run.report.shard or "1/1")
        counts.add(part.count)
        if len(counts) > 1:
            raise ConfigError(
                f"{run.path}: shard {part} is not of the same split as {runs[0].path}; "
                "merge the shards of one `drill run --shard K/N` matrix"
            )
        if part.index in owners:
            raise ConfigError(
                f"{run.path}: shard {part} is also {owners[part.index].path}; pass each shard once"
            )
        owners[part.index] = run
    suite = next((list(r.report.stats.get("suite") or []) for r in runs if r.report.stats.get("suite")), [])
    return counts.pop(), owners, [str(name) for name in suite]


def coverage(runs: Sequence[merge.Loaded]) -> list[Result]:
    """D001 per shard of the split."""
    count, owners, suite = _split(runs)
    results = []
    for index in range(1, count + 1):
        part = sharding.Shard(index, count)
        base: dict[str, Any] = {"check": "D001", "title": D001_TITLE, "scope": f"shard {part}"}
        run = owners.get(index)
        if run is not None:
            summary = f"{run.path} ({run.report.verdict.value})"
            results.append(Result(**base, outcome=Outcome.PASSED, summary=summary))
            continue
        held = ", ".join(sharding.names_in(part, suite)) or "unknown scenarios"
        why = f"no report covers shard {part}"
        finding = Finding(
            subject=f"shard {part}",
            message=f"{why}: its job did not run or its report was not passed",
            expected=held,
            actual="absent",
        )
        results.append(Result(**base, outcome=Outcome.FAILED, summary=f"{why} ({held})", findings=(finding,)))
    return results


def merged(paths: Sequence[Path], *, commit: str = "") -> Report:
    runs = [merge.load(path) for path in paths]
    sha, _release = merge.same_run(runs, commit=commit)
    checks = [*coverage(runs), *merge.interrupted(runs, "D002")]
    scenarios = len({r.scope for run in runs for r in run.report.results})
    return merge.combined(
        runs,
        "drill merge",
        checks,
        subject=f"{len(runs)} shard reports, {scenarios} scenarios at {sha[:12] or 'an unrecorded commit'}",
        commit=sha,
    )
