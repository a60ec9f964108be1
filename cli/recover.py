"""`gate recover`: the recovery gates of a checkout, judged against the contract (and the
recovery half of `gate check --recovery-checkout`). Like the other command lines, it only
translates."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.console import (
    clock_for,
    echo,
    echo_report,
    error_boundary,
    finish,
    interrupted_report,
    show_waits,
    sigterm_as_interrupt,
)
from cli.gate_options import (
    cli_bundle_option,
    cold_start_runs_option,
    commit_option,
    contract_option,
    covers,
    report_dir_option,
)

if TYPE_CHECKING:
    from harness.results import Report


def _progress() -> Any:
    from gates.recovery.progress import GithubProgress, TerminalProgress  # noqa: PLC0415

    def raw(text: str) -> None:
        echo(text, nl=False)

    if os.environ.get("GITHUB_ACTIONS") == "true":
        return GithubProgress(raw)
    return TerminalProgress(raw, tty=sys.stdout.isatty())


def run_recovery(
    checkout: Path,
    rules: Any,
    *,
    only: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
    baseline: Path | None = None,
    report_dir: Path | None = None,
    log_dir: Path | None = None,
    release: tuple[str, str] | None = None,
    binaries: tuple[Any, ...] | None = None,
    platform: str = "",
    cold_start: tuple[Path | None, int] = (None, 7),
) -> Report:
    """The recovery gates of `rules` in `checkout`, with live progress on stdout."""
    from gates.recovery import runner as recovery_runner  # noqa: PLC0415

    options = recovery_runner.Options(
        only=only,
        skip=skip,
        baseline=baseline,
        report_dir=report_dir,
        log_dir=log_dir,
        release=release,
        binaries=binaries,
        platform=platform,
        cli_bundle=cold_start[0],
        cold_start_runs=cold_start[1],
    )
    return recovery_runner.run(
        checkout, rules, options, progress=_progress(), env=dict(os.environ), clock=clock_for(None)
    )


@click.command("recover")
@click.option(
    "--checkout",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The source checkout the recovery scripts run in.",
)
@contract_option
@report_dir_option
@click.option("--only", multiple=True, metavar="ID", help="Run only this gate (repeatable).")
@click.option("--skip", multiple=True, metavar="ID", help="Do not run this gate (repeatable).")
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A previous run's report.json: show the delta of every metric.",
)
@click.option(
    "--release",
    "selector",
    default=None,
    help="Measure the AOT binary size from this release's AOT archives (with --source).",
)
@click.option("--source", "source_spec", default=None, help="Where --release lives.")
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep each attempt's log here (default: <report-dir>/logs, else <checkout>/.fuse/gate-logs/<time>).",
)
@click.option(
    "--platform",
    default=None,
    help="The platform these gates run for and its AOT is measured on (default: this "
    "machine's, e.g. linux-x64); gates the contract does not run there are skipped by contract.",
)
@click.option(
    "--tag", default=None, help="The release tag this run covers, for `gate merge` (default: --release)."
)
@cli_bundle_option
@cold_start_runs_option
@commit_option
@click.option("-v", "--verbose", is_flag=True, help="Also list passed gates at the end.")
@error_boundary("gate")
def recover_cmd(
    checkout: Path,
    contract_path: Path | None,
    report_dir: Path | None,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    baseline: Path | None,
    selector: str | None,
    source_spec: str | None,
    log_dir: Path | None,
    platform: str | None,
    tag: str | None,
    cli_bundle: Path | None,
    cold_start_runs: int,
    commit: str | None,
    verbose: bool,
) -> None:
    """Run the recovery gates (perf bench, SLO check, smoke) and judge them against the contract.

    report.json records --platform, the tag and the commit, so `gate merge` can join the
    platforms' runs into one verdict.

    Each gate runs in its own process group with a timeout; Ctrl-C kills the group and
    exits 130 after writing the reports.
    """
    from gates import contract  # noqa: PLC0415

    release = _release_to_measure(selector, source_spec)
    rules = contract.load(contract_path)
    covered = _platform_of(platform, rules)
    sigterm_as_interrupt()
    show_waits("gate")
    started = datetime.now(UTC)
    try:  # the gates' own interrupts give a partial report; this covers the rest
        report = run_recovery(
            checkout,
            replace(rules, platforms=(covered,)),  # S002 measures this platform's AOT only
            platform=covered,
            only=only,
            skip=skip,
            baseline=baseline,
            report_dir=report_dir,
            log_dir=log_dir,
            release=release,
            cold_start=(cli_bundle, cold_start_runs),
        )
    except KeyboardInterrupt:
        subject = f"recovery gates in {checkout}"
        report = interrupted_report("gate recover", subject, started, datetime.now(UTC))
    report = covers(report, platforms=(covered,), release=tag or selector or "", commit=commit)
    echo_report(report, verbose=verbose)
    finish(report, report_dir)


def _release_to_measure(selector: str | None, source_spec: str | None) -> tuple[str, str] | None:
    """`--release` with `--source`: the release whose AOT binaries S002 measures, if any."""
    from harness.errors import ConfigError  # noqa: PLC0415

    if selector is None and source_spec is None:
        return None
    if selector is None or source_spec is None:
        raise ConfigError(
            "--release and --source go together (the release to measure the "
            "AOT binary size of, and where it lives)"
        )
    return selector, source_spec


def _platform_of(given: str | None, rules: Any) -> str:
    """--platform, else this machine's; either must be a platform of the contract."""
    from gates.platforms import host_platform  # noqa: PLC0415
    from harness.errors import ConfigError  # noqa: PLC0415

    platform = given or host_platform()
    if platform not in rules.platforms:
        raise ConfigError(
            f"--platform: '{platform}' is not a platform of {rules.origin} "
            f"(expected one of {', '.join(rules.platforms)})"
        )
    return str(platform)
