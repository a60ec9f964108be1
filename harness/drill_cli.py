"""The `drill` command line: chaos drills for the AOT -> JIT-native fallback path."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="fuse-release-harness")
def drill(debug: bool) -> None:
    """Chaos drills: inject AOT faults into Docker containers and prove the native fallback.

    Exit codes: 0 every verdict as expected, 1 a fallback path broken or over budget,
    2 usage or config error, 3 harness or Docker failure, 130 interrupted.
    """
