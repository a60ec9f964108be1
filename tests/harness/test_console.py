"""The shared command-line edge when stdout's reader goes away mid-command."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import click
from click.testing import CliRunner

from harness.console import STDOUT_GONE, error_boundary

# A command that writes to stdout behind the edge's back, then would go on.
COMMAND = textwrap.dedent(
    """
    import click
    from harness.console import error_boundary

    @click.command()
    @error_boundary("demo")
    def demo() -> None:
        print("a line nobody reads", flush=True)

    demo()
    """
)


def test_a_write_that_cannot_carry_on_exits_141_without_a_message() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-c", COMMAND],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (STDOUT_GONE, "")


def test_a_broken_pipe_elsewhere_is_still_an_internal_error() -> None:
    @click.command()
    @error_boundary("demo")
    def demo() -> None:
        raise BrokenPipeError(32, "Broken pipe")  # e.g. a subprocess's stdin, not our stdout

    done = CliRunner().invoke(demo, [])
    assert done.exit_code == 3
    assert "demo: internal error: BrokenPipeError" in done.output
