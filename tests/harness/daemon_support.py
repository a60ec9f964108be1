"""A detached child (a new session, out of the group kill's reach) that holds a command's
output open, and its cleanup by the pid it wrote (never by name)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def detached_sleeper(pid_file: Path, seconds: int = 30) -> str:
    """Shell lines that start it and wait until it has left the command's group."""
    return (
        f"setsid bash -c 'echo $$ > {pid_file}; exec sleep {seconds}' &\n"
        f"while [ ! -s {pid_file} ]; do sleep 0.01; done\n"
    )


def end_detached(pid_file: Path) -> int:
    """Kill the detached child by its pid; fails unless it was still running (nobody else
    may kill a process outside the group). Returns its pid."""
    deadline = time.monotonic() + 5
    while not pid_file.is_file() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, f"the detached child never wrote {pid_file}"
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        raise AssertionError(f"pid {pid} was gone: something killed a process outside the group") from None
    return pid
