"""The `gate` subcommands check, contract and prune (cli/gate.py is the group, which loads
this module only to run one of them). Each only translates: parse options, load config, call
one runner, write reports, map the result to an exit code. Heavy modules load lazily, inside
each command.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.console import (
    clock_for,
    echo,
    echo_report,
    error_boundary,
    finish,
    inconclusive_report,
    interrupted_report,
    show_waits,
    sigterm_as_interrupt,
)
from cli.gate_options import (
    as_of_option,
    cli_bundle_option,
    cold_start_runs_option,
    commit_option,
    contract_option,
    covers,
    report_dir_option,
)
from harness.errors import ExitCode, InfraError

if TYPE_CHECKING:
    from harness.results import Report


@click.command("check")
@click.option(
    "--release",
    "selector",
    required=True,
    help="A tag (v0.7.0) or a line (v0.7.x: every published release of it).",
)
@click.option(
    "--source",
    "source_spec",
    required=True,
    help="A dist/ folder, a folder of per-tag folders, or github:OWNER/REPO.",
)
@contract_option
@report_dir_option
@as_of_option
@commit_option
@click.option("-v", "--verbose", is_flag=True, help="Also list passed checks.")
@click.option(
    "--recovery-checkout",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Also run the contract's recovery gates in this checkout "
    "(as `gate recover` does) and measure the release's AOT binary size.",
)
@cli_bundle_option
@cold_start_runs_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print report.json's document on stdout instead of the findings."
)
@error_boundary("gate")
def check_cmd(
    selector: str,
    source_spec: str,
    contract_path: Path | None,
    report_dir: Path | None,
    as_of: datetime | None,
    commit: str | None,
    verbose: bool,
    recovery_checkout: Path | None,
    cli_bundle: Path | None,
    cold_start_runs: int,
    as_json: bool,
) -> None:
    """Check a release (or a whole line) against the release contract."""
    from gates import contract, runner  # noqa: PLC0415
    from gates.sources.release import check_selector  # noqa: PLC0415
    from gates.sources.spec import GITHUB_PREFIX, open_source  # noqa: PLC0415

    sigterm_as_interrupt()
    if source_spec.startswith(GITHUB_PREFIX):  # only the GitHub transport logs its waits,
        show_waits("gate")  # so a folder check does without importing logging
    clock = clock_for(as_of.date() if as_of else None)
    started = clock()
    report: Report | None = None
    check_selector(selector)
    if cli_bundle is not None and recovery_checkout is None:
        from harness.errors import ConfigError  # noqa: PLC0415

        raise ConfigError("--cli-bundle times cold start in the recovery gates: pass --recovery-checkout too")
    rules = contract.load(contract_path)
    try:  # an interrupt at any point still writes a report (and exits 130)
        source = open_source(source_spec, selector, os.environ)
        if recovery_checkout is None:
            report = runner.check(source, selector, rules, clock)
        else:  # S002 measures the binaries the check's one read of each archive kept
            from cli.recover import run_recovery  # noqa: PLC0415
            from gates.recovery.runner import combined  # noqa: PLC0415

            with runner.check_keeping_binaries(source, selector, rules, clock) as (report, found):
                recovered = run_recovery(
                    recovery_checkout,
                    rules,
                    report_dir=report_dir,
                    binaries=tuple(found),
                    cold_start=(cli_bundle, cold_start_runs),
                )
            report = combined(report, recovered)
    except KeyboardInterrupt:
        report = (
            interrupted_report("gate check", selector, started, clock())
            if report is None
            else replace(report, interrupted=True)
        )
    except InfraError as exc:  # could not evaluate: the reports still say what and why
        report = inconclusive_report("gate check", selector, exc, started, clock())
    report = covers(report, platforms=rules.platforms, release=selector, commit=commit)
    if not as_json:
        echo_report(report, verbose=verbose)
    finish(report, report_dir, as_json=as_json)


@click.command("contract")
@contract_option
@click.option(
    "--release",
    "tag",
    default=None,
    help="Also print what applies to this release (a tag like v1.1.0): the assets it must hold.",
)
@error_boundary("gate")
def contract_cmd(contract_path: Path | None, tag: str | None) -> None:
    """Print the effective release contract (defaults merged), as YAML."""
    import yaml  # noqa: PLC0415

    from gates import assets, contract  # noqa: PLC0415
    from gates.sources import release as source  # noqa: PLC0415
    from harness.errors import ConfigError  # noqa: PLC0415

    if tag is not None and not source.TAG_RE.match(tag):
        raise ConfigError(f"--release: '{tag}' is not a tag like v1.1.0")
    rules = contract.load(contract_path)
    echo(f"# effective contract from {rules.origin}")
    echo(yaml.safe_dump(rules.raw, sort_keys=False), nl=False)
    if tag is not None:
        echo(f"# what applies to {tag}: per asset kind, whether it is required and its files")
        echo(yaml.safe_dump({"applies_to": {tag: assets.applies_to(rules, tag)}}, sort_keys=False), nl=False)


@click.command("prune")
@click.option("--release", "line", required=True, help="The line to prune, e.g. v0.7.x.")
@click.option("--source", "source_spec", required=True, help="Folder or github:OWNER/REPO.")
@contract_option
@as_of_option
@click.option("--apply", "do_apply", is_flag=True, help="Perform the deletions (default: plan only).")
@error_boundary("gate")
def prune_cmd(
    line: str, source_spec: str, contract_path: Path | None, as_of: datetime | None, do_apply: bool
) -> None:
    """Plan (or --apply) deletion of old bundles; never inside an open release window."""
    from gates import contract, prune  # noqa: PLC0415
    from gates.sources.release import is_line  # noqa: PLC0415
    from gates.sources.spec import open_source  # noqa: PLC0415
    from harness.errors import ConfigError  # noqa: PLC0415
    from harness.text import one_line  # noqa: PLC0415

    if not is_line(line):
        raise ConfigError(f"--release: '{line}' is not a line like v0.7.x; prune works per line")
    rules = contract.load(contract_path)
    source = open_source(source_spec, line, os.environ)
    today = clock_for(as_of.date() if as_of else None)().date()
    items = prune.plan(source, line, rules, today)
    if do_apply:
        items = prune.apply(source, items)
    for item in items:
        # names are untrusted: a newline in one must not start a line (an Actions command)
        echo(one_line(f"{item.action.value:<8} {item.release.tag}/{item.asset.name}: {item.reason}"))
    failed = [i for i in items if i.action is prune.Action.FAILED]
    mode = "applied" if do_apply else "plan only (pass --apply to delete)"
    echo(
        f"gate prune: {mode}; "
        + ", ".join(
            f"{sum(1 for i in items if i.action is a)} {a.value}"
            for a in prune.Action
            if any(i.action is a for i in items)
        )
    )
    sys.exit(ExitCode.INFRA if failed else ExitCode.PASSED)
