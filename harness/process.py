"""The subprocess seam: the only module that starts processes.

A command runs in its own process group (a new session), so a timeout or Ctrl-C can end
the command and everything it started. Its output (stdout and stderr merged, in order) is
streamed line by line to a log file and to a callback for live progress. The group is
always reaped when the command ends, so nothing it left running in the background
outlives it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from harness.errors import InfraError

LineSink = Callable[[str], None]
GRACE_S = 3.0
_POLL_S = 0.05


@dataclass(frozen=True, kw_only=True)
class Command:
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]
    timeout_s: float
    log_path: Path


@dataclass(frozen=True, kw_only=True)
class Completed:
    """How one run of a command ended. `exit_code` is None when it was killed by us."""

    argv: tuple[str, ...]
    exit_code: int | None
    duration_s: float
    timed_out: bool
    log_path: Path
    pgid: int


class Runner(Protocol):
    def __call__(self, command: Command, on_line: LineSink) -> Completed: ...


def group_alive(pgid: int) -> bool:
    """True while a live (non-zombie) process belongs to process group `pgid`."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return any(e.name.isdigit() and _in_group(e / "stat", pgid) for e in proc.iterdir())


def _in_group(stat_path: Path, pgid: int) -> bool:
    try:
        text = stat_path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # Fields after the parenthesised command name: state ppid pgrp ...
    fields = text[text.rfind(")") + 2 :].split()
    return len(fields) > 2 and fields[0] not in ("Z", "X") and fields[2] == str(pgid)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _wait_gone(process: subprocess.Popen[bytes], pgid: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None and not group_alive(pgid):
            return True
        time.sleep(_POLL_S)
    return process.poll() is not None and not group_alive(pgid)


def end_group(process: subprocess.Popen[bytes], pgid: int, grace_s: float = GRACE_S) -> None:
    """SIGTERM the whole group, SIGKILL what is left after `grace_s`, reap the leader."""
    if process.poll() is not None and not group_alive(pgid):
        return
    _signal_group(pgid, signal.SIGTERM)
    if not _wait_gone(process, pgid, time.monotonic() + grace_s):
        _signal_group(pgid, signal.SIGKILL)
        _wait_gone(process, pgid, time.monotonic() + grace_s)
    process.wait()


def _pump(stream: IO[bytes], log: IO[bytes], on_line: LineSink) -> None:
    for raw in iter(stream.readline, b""):
        log.write(raw)
        log.flush()
        on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))


def _start(command: Command) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=dict(command.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise InfraError(
            f"{command.argv[0]}: no such file (cwd {command.cwd}); check the command path"
        ) from exc
    except PermissionError as exc:
        raise InfraError(
            f"{command.argv[0]}: not executable (cwd {command.cwd}); "
            "chmod +x it or run it through its interpreter"
        ) from exc
    except OSError as exc:
        raise InfraError(f"{command.argv[0]}: cannot start ({exc})") from exc


def run(command: Command, on_line: LineSink, *, grace_s: float = GRACE_S) -> Completed:
    """Run `command` to completion, timeout or Ctrl-C; the group never outlives this call.

    KeyboardInterrupt is re-raised after the group is gone.
    """
    command.log_path.parent.mkdir(parents=True, exist_ok=True)
    with command.log_path.open("wb") as log:
        started = time.monotonic()
        process = _start(command)
        pgid = process.pid  # the leader of its new session and group
        assert process.stdout is not None
        pump = threading.Thread(target=_pump, args=(process.stdout, log, on_line), daemon=True)
        pump.start()
        timed_out = False
        try:
            process.wait(timeout=command.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:  # after an exit, a timeout or Ctrl-C alike
            end_group(process, pgid, grace_s)
            pump.join(grace_s)
            process.stdout.close()
    return Completed(
        argv=command.argv,
        exit_code=None if timed_out else process.returncode,
        duration_s=round(time.monotonic() - started, 3),
        timed_out=timed_out,
        log_path=command.log_path,
        pgid=pgid,
    )
