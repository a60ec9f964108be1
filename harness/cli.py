"""The `gate` command line. It only translates: parse options, load config, call one
runner, write reports, map the result to an exit code. Heavy modules load lazily so
`gate --help` starts fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from harness.errors import ExitCode, HarnessError

if TYPE_CHECKING:
    from harness.results import Report

F = TypeVar("F", bound=Callable[..., Any])


def error_boundary(prog: str) -> Callable[[F], F]:
    """Map every exception to one clear line on stderr and a distinct exit code."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            debug = click.get_current_context().find_root().params.get("debug", False)
            try:
                return fn(*args, **kwargs)
            except HarnessError as exc:
                if debug:
                    traceback.print_exc()
                click.echo(f"{prog}: error: {exc}", err=True)
                sys.exit(exc.exit_code)
            except KeyboardInterrupt:
                click.echo(f"{prog}: interrupted", err=True)
                sys.exit(ExitCode.INTERRUPTED)
            except Exception as exc:  # noqa: BLE001 - the one boundary that catches all
                if debug:
                    traceback.print_exc()
                click.echo(f"{prog}: internal error: {type(exc).__name__}: {exc} "
                           "(rerun with --debug for the traceback, and report it)", err=True)
                sys.exit(ExitCode.INFRA)

        return wrapper  # type: ignore[return-value]

    return decorate


def clock_for(as_of: date | None) -> Callable[[], datetime]:
    if as_of is None:
        return lambda: datetime.now(UTC)
    fixed = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=UTC)
    return lambda: fixed


def echo_report(report: Report, *, verbose: bool = False) -> None:
    """A terminal rendering: everything that is not a pass, then the verdict line."""
    from harness.results import Outcome, counts  # noqa: PLC0415

    quiet = (Outcome.PASSED, Outcome.SKIPPED)
    for result in report.results:
        if result.outcome in quiet and not verbose:
            continue
        click.echo(f"{result.outcome.value:<8} {result.check} {result.scope}: {result.title}")
        for finding in result.findings or ():
            click.echo(f"         - {finding.line()}")
        if not result.findings and result.outcome is not Outcome.PASSED:
            click.echo(f"         - {result.summary}")
    for note in report.notes:
        click.echo(f"note: {note}")
    tally = ", ".join(f"{n} {k}" for k, n in counts(report.results).items() if n)
    click.echo(f"{report.tool}: {report.verdict.value.upper()} ({tally}) - {report.subject}")


def finish(report: Report, report_dir: Path | None) -> None:
    """Write reports (before exiting, always), publish to GitHub, exit with the verdict."""
    from harness.reports import write_all  # noqa: PLC0415
    from harness.reports.github import publish  # noqa: PLC0415

    if report_dir is not None:
        written = write_all(report, report_dir)
        click.echo(f"reports: {', '.join(str(p) for p in written)}")
    publish(report, os.environ, click.echo)
    sys.exit(report.exit_code)


report_dir_option = click.option(
    "--report-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Write report.json, junit.xml and summary.md here.")
contract_option = click.option(
    "--contract", "contract_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Release contract YAML (default: the embedded FUSE v0.7.x contract).")
as_of_option = click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="Judge release windows and waiver expiry as of this date (default: today).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="fuse-release-harness")
def gate(debug: bool) -> None:
    """Release gate for FUSE: artifact pairs, contents, integrity, retention, recovery gates.

    Exit codes: 0 pass, 1 a gate failed, 2 usage or config error,
    3 could not evaluate (I/O, source unreachable), 130 interrupted.
    """


@gate.command("check")
@click.option("--release", "selector", required=True,
              help="A tag (v0.7.0) or a line (v0.7.x: every published release of it).")
@click.option("--source", "source_spec", required=True,
              help="A dist/ folder, a folder of per-tag folders, or github:OWNER/REPO.")
@contract_option
@report_dir_option
@as_of_option
@click.option("-v", "--verbose", is_flag=True, help="Also list passed checks.")
@error_boundary("gate")
def check_cmd(selector: str, source_spec: str, contract_path: Path | None,
              report_dir: Path | None, as_of: datetime | None, verbose: bool) -> None:
    """Check a release (or a whole line) against the release contract."""
    from gates import contract, runner  # noqa: PLC0415
    from gates.source import check_selector  # noqa: PLC0415
    from gates.sources import open_source  # noqa: PLC0415

    check_selector(selector)
    rules = contract.load(contract_path)
    source = open_source(source_spec, selector, os.environ)
    report = runner.check(source, selector, rules, clock_for(as_of.date() if as_of else None))
    echo_report(report, verbose=verbose)
    finish(report, report_dir)


@gate.command("contract")
@contract_option
@error_boundary("gate")
def contract_cmd(contract_path: Path | None) -> None:
    """Print the effective release contract (defaults merged), as YAML."""
    import yaml  # noqa: PLC0415

    from gates import contract  # noqa: PLC0415

    rules = contract.load(contract_path)
    click.echo(f"# effective contract from {rules.origin}")
    click.echo(yaml.safe_dump(rules.raw, sort_keys=False), nl=False)


@gate.command("prune")
@click.option("--release", "line", required=True, help="The line to prune, e.g. v0.7.x.")
@click.option("--source", "source_spec", required=True, help="Folder or github:OWNER/REPO.")
@contract_option
@as_of_option
@click.option("--apply", "do_apply", is_flag=True, help="Perform the deletions (default: plan only).")
@error_boundary("gate")
def prune_cmd(line: str, source_spec: str, contract_path: Path | None, as_of: datetime | None,
              do_apply: bool) -> None:
    """Plan (or --apply) deletion of old bundles; never inside an open release window."""
    from gates import contract, prune  # noqa: PLC0415
    from gates.source import is_line  # noqa: PLC0415
    from gates.sources import open_source  # noqa: PLC0415
    from harness.errors import ConfigError  # noqa: PLC0415

    if not is_line(line):
        raise ConfigError(f"--release: '{line}' is not a line like v0.7.x; prune works per line")
    rules = contract.load(contract_path)
    source = open_source(source_spec, line, os.environ)
    today = clock_for(as_of.date() if as_of else None)().date()
    items = prune.plan(source, line, rules, today)
    if do_apply:
        items = prune.apply(source, items)
    for item in items:
        click.echo(f"{item.action.value:<8} {item.release.tag}/{item.asset.name}: {item.reason}")
    failed = [i for i in items if i.action is prune.Action.FAILED]
    mode = "applied" if do_apply else "plan only (pass --apply to delete)"
    click.echo(f"gate prune: {mode}; " + ", ".join(
        f"{sum(1 for i in items if i.action is a)} {a.value}" for a in prune.Action
        if any(i.action is a for i in items)))
    sys.exit(ExitCode.INFRA if failed else ExitCode.PASSED)
