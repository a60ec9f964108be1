"""`gate merge`: one verdict from the runs of one release, e.g. `gate check` on the assembled
dist/ and one `gate recover` per platform.

Every command that was merged (and every one named with --expect, so a job that wrote no
report at all is noticed too) must cover every platform of the contract: a platform no run
of that command covers is a failure naming it (M001), never a silent gap. Two runs of one
command for one platform, or a run for a platform the contract does not name, are refused
(the caller passed the wrong files), as are runs of another commit or release.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gates.contract import Contract
from harness.errors import ConfigError
from harness.reports import merge
from harness.results import Finding, Outcome, Report, Result

M001_TITLE = "Every platform the contract names is covered by a run of each merged command"


def _owners(runs: Sequence[merge.Loaded], contract: Contract) -> dict[tuple[str, str], merge.Loaded]:
    """(command, platform) -> the run covering it; duplicates and foreign platforms refused."""
    owners: dict[tuple[str, str], merge.Loaded] = {}
    for run in runs:
        if not run.report.platforms:
            raise ConfigError(
                f"{run.path}: platforms: the report names no platform; rerun with a gate that "
                "records them (`gate recover --platform P`)"
            )
        for platform in run.report.platforms:
            if platform not in contract.platforms:
                raise ConfigError(
                    f"{run.path}: platforms: '{platform}' is not a platform of {contract.origin} "
                    f"(expected {', '.join(contract.platforms)})"
                )
            key = (run.report.tool, platform)
            if key in owners:
                raise ConfigError(
                    f"{run.path}: {platform} is also covered by {owners[key].path} "
                    f"({run.report.tool}); pass one report per command and platform"
                )
            owners[key] = run
    return owners


def coverage(runs: Sequence[merge.Loaded], contract: Contract, expect: Sequence[str] = ()) -> list[Result]:
    """M001 for every merged (or expected) command and contract platform."""
    owners = _owners(runs, contract)
    tools = list(dict.fromkeys([*expect, *(run.report.tool for run in runs)]))
    results = []
    for tool in tools:
        for platform in contract.platforms:
            run = owners.get((tool, platform))
            base: dict[str, Any] = {"check": "M001", "title": M001_TITLE, "scope": platform}
            if run is None:
                why = f"no {tool} report covers {platform}"
                results.append(
                    Result(
                        **base,
                        outcome=Outcome.FAILED,
                        summary=why,
                        findings=(
                            Finding(
                                subject=platform,
                                message=f"{why}: its job did not run or its report was not passed",
                                expected=f"a {tool} report.json for {platform}",
                                actual="absent",
                            ),
                        ),
                    )
                )
            else:
                summary = f"{tool}: {run.path} ({run.report.verdict.value})"
                results.append(Result(**base, outcome=Outcome.PASSED, summary=summary))
    return results


def merged(
    paths: Sequence[Path],
    contract: Contract,
    *,
    commit: str = "",
    release: str = "",
    expect: Sequence[str] = (),
) -> Report:
    """The merged report of the runs in `paths`, judged for coverage against `contract`:
    every command in `expect` must cover every platform even when none of its reports came."""
    runs = [merge.load(path) for path in paths]
    tag_commit, tag = merge.same_run(runs, commit=commit, release=release)
    checks = [*coverage(runs, contract, expect), *merge.interrupted(runs, "M002")]
    what = ", ".join(dict.fromkeys(run.report.tool for run in runs))
    return merge.combined(
        runs,
        "gate merge",
        checks,
        subject=f"{tag or 'release'} at {tag_commit[:12] or 'an unrecorded commit'}: "
        f"{len(runs)} reports ({what}) over {', '.join(contract.platforms)}",
        platforms=contract.platforms,
        release=tag,
        commit=tag_commit,
    )
