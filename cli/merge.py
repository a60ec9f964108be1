"""`gate merge` and `drill merge`: one verdict from the reports of several runs (per-platform
jobs, drill shards). Like the other command lines, it only translates."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.console import echo_report, error_boundary, finish

reports_arg = click.argument(
    "paths",
    metavar="REPORT.json...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
out_option = click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the merged report.json, junit.xml and summary.md here.",
)
commit_option = click.option(
    "--commit",
    default=None,
    help="The commit every report must name (default: $GITHUB_SHA when set, else the first report's).",
)


def _commit(given: str | None) -> str:
    return given if given is not None else os.environ.get("GITHUB_SHA", "")


@click.command("merge")
@reports_arg
@click.option(
    "--contract",
    "contract_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Release contract YAML whose platforms must be covered (default: the embedded one).",
)
@click.option("--release", default="", help="The tag (or line) every report must name.")
@click.option(
    "--expect",
    multiple=True,
    type=click.Choice(["gate check", "gate recover"]),
    help="A command whose reports must cover every platform even if none was passed (repeatable).",
)
@commit_option
@out_option
@click.option("-v", "--verbose", is_flag=True, help="Also list passed checks.")
@error_boundary("gate")
def gate_merge_cmd(
    paths: tuple[Path, ...],
    contract_path: Path | None,
    release: str,
    expect: tuple[str, ...],
    commit: str | None,
    report_dir: Path | None,
    verbose: bool,
) -> None:
    """Merge the report.json of several gate runs (gate check, one gate recover per platform).

    A contract platform no run of a merged command covers fails (M001); reports of another
    commit or release are refused (exit 2).
    """
    from gates import contract, merge  # noqa: PLC0415

    rules = contract.load(contract_path)
    report = merge.merged(paths, rules, commit=_commit(commit), release=release, expect=expect)
    echo_report(report, verbose=verbose)
    finish(report, report_dir)


@click.command("merge")
@reports_arg
@commit_option
@out_option
@error_boundary("drill")
def drill_merge_cmd(paths: tuple[Path, ...], commit: str | None, report_dir: Path | None) -> None:
    """Merge the report.json of the shards of one drill suite (`drill run --shard K/N`).

    A shard no report covers fails (D001); reports of another commit are refused (exit 2).
    """
    from drills.records import merge  # noqa: PLC0415

    report = merge.merged(paths, commit=_commit(commit))
    echo_report(report)
    finish(report, report_dir)
