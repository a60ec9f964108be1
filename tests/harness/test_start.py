"""The console scripts' entry points (cli/start.py): what they do around the click group."""

from __future__ import annotations

import subprocess
import sys

import pytest

AT_EXIT = (
    "import atexit, gc, sys; "
    "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr)); "
    "sys.argv[0] = 'gate'; from cli.start import gate; sys.exit(gate())"
)


@pytest.mark.parametrize(("args", "code"), [(["contract"], 0), (["check"], 2)])
def test_the_gate_leaves_what_it_made_to_the_process_end_not_to_a_last_collection(
    args: list[str], code: int
) -> None:
    """Whatever click exits with (a verdict, a usage error), the objects are frozen first and
    the exit code is the command's."""
    proc = subprocess.run(
        [sys.executable, "-c", AT_EXIT, *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == code
    assert int(proc.stderr.split("frozen ")[-1]) > 10_000
