"""Options and helpers the `gate` subcommands share (cli/gate_commands.py, cli/recover.py)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.console import OutputFolder
from harness.stamps import DAY, parse_day

if TYPE_CHECKING:
    from harness.results import Report

report_dir_option = click.option(
    "--report-dir",
    type=OutputFolder(),
    help="Write report.json, junit.xml and summary.md here.",
)
contract_option = click.option(
    "--contract",
    "contract_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Release contract YAML (default: the embedded FUSE v0.7.x contract).",
)


class Day(click.DateTime):
    """click.DateTime([DAY]), reading the usual zero-padded day without strptime's set-up
    (harness/stamps.py); any other text goes to click.DateTime, its errors included."""

    def __init__(self) -> None:
        super().__init__(formats=[DAY])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                return parse_day(value)
            except ValueError:
                pass
        return super().convert(value, param, ctx)


as_of_option = click.option(
    "--as-of",
    type=Day(),
    default=None,
    help="Judge release windows and waiver expiry as of this date (default: today).",
)


def covers(report: Report, *, platforms: tuple[str, ...], release: str, commit: str | None) -> Report:
    """The report with what the run covered, for `gate merge` (commit: --commit, else $GITHUB_SHA)."""
    sha = commit if commit is not None else os.environ.get("GITHUB_SHA", "")
    return replace(report, platforms=platforms, release=release, commit=sha)


cli_bundle_option = click.option(
    "--cli-bundle",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The release's fuse-cli-<platform>.tar.gz (or .zip): time cold start of its `fuse run "
    "--backend native` against the AOT binary (S004), and let S001 judge those figures.",
)
cold_start_runs_option = click.option(
    "--cold-start-runs",
    type=click.IntRange(min=1, max=1000),
    default=7,
    show_default=True,
    help="Runs of each backend with --cli-bundle (nearest-rank p50/p95, as FUSE's bench).",
)

commit_option = click.option(
    "--commit",
    default=None,
    help="The commit this run gates, recorded in report.json (default: $GITHUB_SHA).",
)
