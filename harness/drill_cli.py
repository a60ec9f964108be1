"""The `drill` command line: chaos drills for the AOT -> JIT-native fallback path.

It only translates: parse options, load scenarios, call the runner, render the outputs from
the journal, map the verdict to an exit code. Heavy modules load lazily so `drill --help`
starts fast.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.console import echo, error_boundary
from harness.errors import ExitCode
from harness.redact import redact

if TYPE_CHECKING:
    from drills.journal import Event


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="fuse-release-harness")
def drill(debug: bool) -> None:
    """Chaos drills: inject AOT faults into Docker containers and prove the native fallback.

    Exit codes: 0 every verdict as expected, 1 a fallback path broken or over budget,
    2 usage or config error, 3 harness or Docker failure, 130 interrupted.
    """


scenario_args = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
suite_option = click.option("--suite", default=None, help="A named suite: standard.")


@drill.command("validate")
@scenario_args
@suite_option
@error_boundary("drill")
def validate_cmd(paths: tuple[Path, ...], suite: str | None) -> None:
    """Check scenario files against the schema and the playbook's rules."""
    from drills import scenario  # noqa: PLC0415
    from harness.results import one_line  # noqa: PLC0415

    for item in scenario.load_all(scenario.scenario_files(paths, suite)):
        expect = "fallback" if item.expect_fallback else "no fallback"
        echo(
            one_line(
                f"ok {item.origin}: {item.name} (fault {item.fault_id}, expect {expect}, "
                f"verdict {item.expect_verdict})"
            )
        )


def _render(events: list[Event], out_dir: Path, journal_path: Path) -> int:
    """Write every output, publish under GitHub Actions, print verdicts; the exit code."""
    from drills import outputs  # noqa: PLC0415
    from harness.reports.github import publish  # noqa: PLC0415
    from harness.results import one_line  # noqa: PLC0415

    report, written = outputs.write(events, out_dir, evidence_dir=journal_path.parent / "evidence")
    # summaries and notes carry what containers and journals said: one line each, so none
    # can start a line of its own (under Actions, a workflow command)
    for result in report.results:
        if result.check == "drill.verdict" or result.outcome.value in ("failed", "error"):
            echo(one_line(f"{result.outcome.value:<8} {result.scope} {result.check}: {result.summary}"))
    for note in report.notes:
        echo(one_line(f"note: {note}"))
    publish(report, os.environ, echo)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") == "true" and summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(redact(outputs.markdown_overview(events) + "\n" + outputs.markdown_timeline(events)))
    echo(one_line(f"reports: {', '.join(str(p) for p in written)}"))
    verdict = "INTERRUPTED" if report.interrupted else report.verdict.value.upper()
    echo(one_line(f"drill: {verdict} - {report.subject}"))
    return int(report.exit_code)


@drill.command("run")
@scenario_args
@suite_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("drill-out"),
    show_default=True,
    help="Journal, reports, evidence and the work dir go here.",
)
@click.option(
    "--deadline",
    "deadline_s",
    type=click.FloatRange(min=1),
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
@error_boundary("drill")
def run_cmd(
    paths: tuple[Path, ...],
    suite: str | None,
    out_dir: Path,
    deadline_s: float,
    lock_file: Path | None,
    no_reap: bool,
) -> None:
    """Run drills: every scenario named, or a whole suite."""
    from drills import runner, scenario, wiring  # noqa: PLC0415
    from drills.safety import Interrupted  # noqa: PLC0415

    scenarios = scenario.load_all(scenario.scenario_files(paths, suite))
    tools = wiring.real_tools(out_dir / "work")
    wiring.check_base_images(tools.seam, scenarios)
    opts = runner.RunOptions(
        out_dir=out_dir,
        deadline_s=deadline_s,
        lock_file=lock_file,
        reap_first=not no_reap,
        run_id=runner.new_run_id(),
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
        journal_path = out_dir / "journal.jsonl"
        events = _own_journal(journal_path, opts.run_id)
        rendered = _render(events, out_dir, journal_path) if events else int(ExitCode.INFRA)
    sys.exit(rendered if code is None else code)


def _own_journal(path: Path, run_id: str) -> list[Event]:
    """This run's journal events; none when the run never opened it (e.g. the lock was
    held), so another run's journal is never rendered."""
    from drills import journal  # noqa: PLC0415
    from harness.errors import HarnessError  # noqa: PLC0415

    try:
        events = journal.read(path)
    except HarnessError:
        return []
    return events if events[0].get("run_id") == run_id else []


@drill.command("report")
@click.argument("journal_path", metavar="JOURNAL", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the reports (default: beside the journal).",
)
@error_boundary("drill")
def report_cmd(journal_path: Path, out_dir: Path | None) -> None:
    """Rebuild every report from a journal, even one a killed run left."""
    from drills import journal  # noqa: PLC0415

    events = journal.read(journal_path)
    sys.exit(_render(events, out_dir or journal_path.parent, journal_path))


@drill.command("reap")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Remove every labelled resource, not only stale ones (no run may be active).",
)
@error_boundary("drill")
def reap_cmd(everything: bool) -> None:
    """Remove containers and images a killed run left behind (by label)."""
    from drills import safety, seam  # noqa: PLC0415

    removed = safety.reap(seam.connect(), time.time(), everything=everything)
    for item in removed:
        echo(f"removed {item}")
    echo(f"drill reap: {len(removed)} removed")
