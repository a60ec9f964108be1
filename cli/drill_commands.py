"""The `drill` subcommands but merge (cli/drill.py is the group, which loads this module only
to run one of them): chaos drills for the AOT -> JIT-native fallback path.

Each only translates: parse options, load scenarios, call the runner, render the outputs
from the journal, map the verdict to an exit code. Heavy modules load lazily, inside each
command.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.console import F, FiniteFloatRange, OutputFolder, echo, error_boundary
from cli.drill_output import given_trends, output_mode, render
from harness.errors import ExitCode

if TYPE_CHECKING:
    from drills.records.journal import Event


scenario_args = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
suite_option = click.option("--suite", default=None, help="A named suite: standard, notes.")


@click.command("validate")
@scenario_args
@suite_option
@error_boundary("drill")
def validate_cmd(paths: tuple[Path, ...], suite: str | None) -> None:
    """Check scenario files against the schema and the playbook's rules."""
    from cli.drill_bundles import github_fetcher  # noqa: PLC0415
    from drills.scenario import model as scenario  # noqa: PLC0415
    from harness.text import one_line  # noqa: PLC0415

    files = scenario.scenario_files(paths, suite)
    for item in scenario.load_all(files, github_fetcher(os.environ)):
        expect = "fallback" if item.expect_fallback else "no fallback"
        echo(
            one_line(
                f"ok {item.origin}: {item.name} (fault {item.fault_id}, expect {expect}, "
                f"verdict {item.expect_verdict})"
            )
        )


@click.command("init")
@click.option(
    "--app", "app", required=True, type=click.Path(file_okay=False, path_type=Path), help="The package."
)
@click.option(
    "--release",
    "release",
    required=True,
    help="The FUSE release folder holding fuse-cli-linux-x64.tar.gz, the bundle, "
    "or github:OWNER/REPO (with --tag).",
)
@click.option(
    "--tag", default=None, help="With a release line folder or a GitHub release: the release's tag."
)
@click.option(
    "--aot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The candidate AOT (default: what `fuse build --release` wrote).",
)
@click.option(
    "--previous-aot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The previous known-good AOT, to contain on (default: no containment).",
)
@click.option("--health-path", default=None, help="Default: /health if declared, else /api/public/notes.")
@click.option(
    "--out",
    "out_dir",
    type=OutputFolder(),
    default=Path("drill-suite"),
    show_default=True,
)
@error_boundary("drill")
def init_cmd(
    app: Path,
    release: str,
    tag: str | None,
    aot: Path | None,
    previous_aot: Path | None,
    health_path: str | None,
    out_dir: Path,
) -> None:
    """Write a suite (every fault and control) for your own service."""
    from cli.drill_bundles import github_fetcher  # noqa: PLC0415
    from drills.scenario.init import InitOptions, release_source, write_suite  # noqa: PLC0415
    from drills.scenario.model import load_all  # noqa: PLC0415

    opts = InitOptions(
        app=app,
        release=release_source(release, tag),
        out=out_dir,
        tag=tag,
        aot=aot,
        previous_aot=previous_aot,
        health_path=health_path,
    )
    written = write_suite(opts)
    load_all(written, github_fetcher(os.environ))  # what was written validates, or the error says why
    echo(
        f"drill init: {len(written)} scenarios in {out_dir}; "
        f"next: drill validate {out_dir} && drill run {out_dir}"
    )


trend_options = (
    click.option(
        "--baseline",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="An earlier run's report.json: flag scenarios whose detection or restore got slower "
        "(a missing file is a note).",
    ),
    click.option(
        "--tolerance",
        type=FiniteFloatRange(min=0, max=100),
        default=None,
        help="How much slower than the baseline is a regression (0.5: 50 %), for every "
        "scenario [default: each scenario's regression.tolerance, else 0.5].",
    ),
    click.option(
        "--fail-on-regression",
        is_flag=True,
        help="Every regression fails the run (exit 1) [default: only where a scenario's "
        "regression.fail says so].",
    ),
)


output_options = (
    click.option("--quiet", "-q", is_flag=True, help="No progress; only the verdict line."),
    click.option(
        "--json", "as_json", is_flag=True, help="The verdict as one JSON object on stdout (progress: stderr)."
    ),
)


def report_options(fn: F) -> F:
    """--quiet, --json and the trend options, for the commands that write reports."""
    for option in reversed((*output_options, *trend_options)):
        fn = option(fn)
    return fn


@click.command("run")
@scenario_args
@suite_option
@click.option(
    "--out",
    "out_dir",
    type=OutputFolder(),
    default=Path("drill-out"),
    show_default=True,
    help="Journal, reports, evidence and the work dir go here.",
)
@click.option(
    "--deadline",
    "deadline_s",
    type=FiniteFloatRange(min=1, max=7 * 24 * 3600),  # a week: past it, a typo
    default=600.0,
    show_default=True,
    help="Run-wide deadline in seconds.",
)
@click.option(
    "--lock-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Single-run lock (default: <out>/drill.lock).",
)
@click.option("--no-reap", is_flag=True, help="Do not reap stale leftovers first.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1, max=8),
    default=None,
    help="Scenarios run at once on the engine [default: half the usable CPU cores, 1 to 4: "
    "a scenario's measured waits must not absorb another's CPU; see the README on timings].",
)
@click.option(
    "--shard",
    "shard_text",
    default=None,
    metavar="K/N",
    help="Run only shard K of N (scenarios sorted by name, dealt round-robin); "
    "`drill merge` joins the shards' reports.",
)
@report_options
@error_boundary("drill")
def run_cmd(
    paths: tuple[Path, ...],
    suite: str | None,
    out_dir: Path,
    deadline_s: float,
    lock_file: Path | None,
    no_reap: bool,
    jobs: int | None,
    shard_text: str | None,
    quiet: bool,
    as_json: bool,
    baseline: Path | None,
    tolerance: float | None,
    fail_on_regression: bool,
) -> None:
    """Run drills: every scenario named, or a whole suite (or one shard of it).

    Each phase is a line as it ends; on a terminal a status line says what runs now."""
    from cli.drill_bundles import github_fetcher  # noqa: PLC0415
    from cli.drill_progress import printer  # noqa: PLC0415
    from drills.playbook.signals import Interrupted  # noqa: PLC0415
    from drills.run import runner, wiring  # noqa: PLC0415
    from drills.run.parallel import default_jobs  # noqa: PLC0415
    from drills.scenario import model as scenario  # noqa: PLC0415
    from drills.scenario import shard  # noqa: PLC0415

    jobs = jobs or default_jobs()
    split = shard.parse(shard_text) if shard_text is not None else None
    everything = scenario.load_all(scenario.scenario_files(paths, suite), github_fetcher(os.environ))
    scenarios = shard.select(split, everything) if split else everything
    given = given_trends(baseline, tolerance, fail_on_regression)  # a bad baseline stops the run first
    progress = printer(quiet=quiet, to_stderr=as_json, env=os.environ, grouped=jobs == 1)
    tools = wiring.real_tools(out_dir / "work")
    wiring.check_base_images(tools.seam, scenarios)
    opts = runner.RunOptions(
        out_dir=out_dir,
        deadline_s=deadline_s,
        lock_file=lock_file,
        reap_first=not no_reap,
        run_id=runner.new_run_id(),
        on_event=progress,
        jobs=jobs,
        shard=str(split or ""),
        suite=tuple(s.name for s in everything) if split else (),
        commit=os.environ.get("GITHUB_SHA", ""),
    )
    code: int | None = None
    try:
        runner.run(tools, scenarios, opts)
    except Interrupted as exc:
        click.echo(f"drill: {exc}; cleanup done", err=True)
        code = ExitCode.INTERRUPTED
    finally:
        # whatever ended the run, its reports are written; an error then still reaches
        # the error boundary
        if progress is not None:
            progress.close()
        journal_path = out_dir / "journal.jsonl"
        events = _own_journal(journal_path, opts.run_id)
        output = output_mode(quiet, as_json)
        rendered = render(events, out_dir, journal_path, output, given) if events else int(ExitCode.INFRA)
    sys.exit(rendered if code is None else code)


def _own_journal(path: Path, run_id: str) -> list[Event]:
    """This run's journal events; none when the run never opened it (e.g. the lock was
    held), so another run's journal is never rendered."""
    from drills.records import journal  # noqa: PLC0415
    from drills.records.events import RunStarted  # noqa: PLC0415
    from harness.errors import HarnessError  # noqa: PLC0415

    try:
        events = journal.read(path)
    except HarnessError:
        return []
    return events if RunStarted.of(events[0]).run_id == run_id else []


@click.command("report")
@click.argument("journal_path", metavar="JOURNAL", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=OutputFolder(),
    default=None,
    help="Where to write the reports (default: beside the journal).",
)
@report_options
@error_boundary("drill")
def report_cmd(
    journal_path: Path,
    out_dir: Path | None,
    quiet: bool,
    as_json: bool,
    baseline: Path | None,
    tolerance: float | None,
    fail_on_regression: bool,
) -> None:
    """Rebuild every report from a journal, even one a killed run left."""
    from drills.records import journal  # noqa: PLC0415

    events = journal.read(journal_path)
    given = given_trends(baseline, tolerance, fail_on_regression)
    code = render(events, out_dir or journal_path.parent, journal_path, output_mode(quiet, as_json), given)
    sys.exit(code)


@click.command("compare")
@click.argument("before", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("after", type=click.Path(dir_okay=False, path_type=Path))
@trend_options[1]
@trend_options[2]
@error_boundary("drill")
def compare_cmd(before: Path, after: Path, tolerance: float | None, fail_on_regression: bool) -> None:
    """Compare two runs' report.json: detection and restore time per scenario, each judged
    by the regression policy AFTER's report records for it (--tolerance overrides)."""
    from drills.records import trends  # noqa: PLC0415
    from harness.errors import ConfigError  # noqa: PLC0415
    from harness.text import one_line  # noqa: PLC0415

    base, note = trends.load(before)
    now, missing = trends.load(after)
    if base is None or now is None:
        raise ConfigError(note or missing or "")
    override = trends.Override(tolerance=tolerance, fail=fail_on_regression)
    judged_by = {name: override.policy(now.regression.get(name)) for name in now.numbers}
    found = trends.compare(now.numbers, base, judged_by)
    for t in found:
        echo(one_line(f"{'regressed' if t.regressed else 'ok':<9} {t.line()}"))
    bad = sum(t.regressed for t in found)
    echo(f"drill compare: {bad} regressions in {len(found)} figures ({before} -> {after})")
    sys.exit(int(ExitCode.FAILED) if any(t.regressed and t.fail for t in found) else 0)


@click.command("reap")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Remove every labelled resource, not only stale ones (no run may be active).",
)
@error_boundary("drill")
def reap_cmd(everything: bool) -> None:
    """Remove containers and images a killed run left behind (by label)."""
    from drills.engine import seam  # noqa: PLC0415
    from drills.engine.reap import reap  # noqa: PLC0415

    removed = reap(seam.connect(), time.time(), everything=everything)
    for item in removed:
        echo(f"removed {item}")
    echo(f"drill reap: {len(removed)} removed")
