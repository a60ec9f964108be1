"""The subprocess seam: the only module that starts processes.

A command runs in its own process group (a new session on POSIX, a new process group on
Windows: harness/process_groups.py is the platform seam), so a timeout or Ctrl-C can end
the command and everything it started. Its output (stdout and stderr merged, in order) is
streamed line by line to a log file and to a callback for live progress. The group is
always reaped when the command ends, so nothing it left running in the background
outlives it.

A process that left the group (`setsid`, a daemon) is out of the group kill's reach and
may keep the output pipe open long after the command ended. The output is read with
a selector on a daemon thread that can be told to stop, so such a process cannot hold
`run()` past its timeout and graces: the output is cut off, the log and the result say
which process kept it open, and that process is left alone (it is not ours to kill).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from harness.errors import InfraError
from harness.process_groups import Groups, group_alive, groups_for
from harness.script_log import ScriptLog, open_log

LineSink = Callable[[str], None]
GRACE_S = 3.0
_POLL_S = 0.05
__all__ = ["GROUPS", "Command", "Completed", "Runner", "end_group", "group_alive", "run"]


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
    output_cut: str = ""  # why the output was cut off before its end ('' when read to the end)
    # seconds from start until its output closed, unrounded: its exit, for a command that leaves
    # no process holding the output (cold-start timing; `duration_s` includes reaping the group)
    output_closed_s: float | None = None


class Runner(Protocol):
    def __call__(self, command: Command, on_line: LineSink) -> Completed: ...


def _tool(argv: Sequence[str]) -> int:
    """A helper program of the seam itself (taskkill), run to its end, quietly."""
    done = subprocess.run(
        list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=30
    )
    return done.returncode


GROUPS: Groups = groups_for(os.name, _tool)


def _wait_gone(process: subprocess.Popen[bytes], pgid: int, deadline: float, groups: Groups) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None and not groups.alive(process, pgid):
            return True
        time.sleep(_POLL_S)
    return process.poll() is not None and not groups.alive(process, pgid)


def end_group(
    process: subprocess.Popen[bytes], pgid: int, grace_s: float = GRACE_S, groups: Groups | None = None
) -> None:
    """Ask the whole group to end (SIGTERM; taskkill /T), force what is left after
    `grace_s` (SIGKILL; taskkill /T /F), reap the leader."""
    groups = groups or GROUPS
    if process.poll() is not None and not groups.alive(process, pgid):
        if groups.always_kill:  # leftovers of an exited leader cannot be seen: end the tree
            groups.kill(pgid)
        return
    groups.terminate(pgid)
    if not _wait_gone(process, pgid, time.monotonic() + grace_s, groups):
        groups.kill(pgid)
        _wait_gone(process, pgid, time.monotonic() + grace_s, groups)
    process.wait()


def pipe_holders(fd: int) -> list[str]:
    """'pid N (name)' of every other process holding the pipe behind `fd` (empty without /proc)."""
    target = f"pipe:[{os.fstat(fd).st_ino}]"
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        if entry.name == str(os.getpid()):
            continue
        try:
            if any(str(link.readlink()) == target for link in (entry / "fd").iterdir()):
                found.append(f"pid {entry.name} ({(entry / 'comm').read_text().strip()})")
        except OSError:  # gone, or not ours to look into
            continue
    return found


def _cut_reason(holders: list[str], grace_s: float) -> str:
    if holders or not Path("/proc").is_dir():
        return (
            f"output cut off: {', '.join(holders) or 'a process'} outside the command's process "
            f"group (a setsid child or daemon) still held its output open {grace_s:g}s after the "
            "group ended; it was left running"
        )
    return (
        f"output cut off: the output callback was still busy {grace_s:g}s after the command's "
        "process group ended; the log holds everything read until then"
    )


class _Output:
    """The command's merged output, read on a daemon thread that can be stopped.

    A reader still busy after `finish` (a slow `on_line`) is cut loose: it writes nothing
    more to the log, which the caller is about to close, and closes the pipe itself when
    it ends. The lock makes "reader ended" and "reader cut loose" exclusive, so the pipe is
    closed exactly once, by whoever is last.
    """

    def __init__(self, stream: IO[bytes], log: ScriptLog, on_line: LineSink, groups: Groups) -> None:
        self.stream, self.log, self.on_line, self.groups = stream, log, on_line, groups
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ended = self.detached = False
        self.closed_at: float | None = None  # monotonic time of the end of the output
        self.sink_error: Exception | None = None  # what `on_line` raised; `run` raises it after
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            self.groups.read(self.stream.fileno(), self._emit, self.stop)
            if not self.stop.is_set():
                self.closed_at = time.monotonic()
        finally:
            with self.lock:
                self.ended = True
                if self.detached:
                    self.stream.close()

    def _emit(self, lines: list[bytes]) -> None:
        with self.lock:
            if self.detached:
                return
            self.log.write(b"".join(lines))
            self.log.flush()
        for raw in lines:
            if self.detached or self.sink_error is not None:
                return
            try:
                self.on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            except Exception as exc:  # kept: `run` raises it once the group is gone
                # The reader goes on logging: a dead reader would leave the pipe full and the
                # command blocked on it until its timeout.
                self.sink_error = exc

    def finish(self, grace_s: float) -> str:
        """Read to the end for up to `grace_s`, then stop; why the output was cut ('' if not)."""
        self.thread.join(grace_s)
        cut = ""
        if self.thread.is_alive():  # the group is gone, yet the output is still being read
            cut = _cut_reason(pipe_holders(self.stream.fileno()), grace_s)
            self.stop.set()
            self.thread.join(grace_s)
        with self.lock:
            if cut:
                self.log.write(f"\n[{cut}]\n".encode())
            self.detached = True
            if self.ended:
                self.stream.close()
        return cut


def _start(command: Command, groups: Groups) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=dict(command.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            **groups.start_options(),
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


def run(
    command: Command, on_line: LineSink, *, grace_s: float = GRACE_S, groups: Groups | None = None
) -> Completed:
    """Run `command` to completion, timeout or Ctrl-C; the group never outlives this call.

    It returns within the timeout plus at most four graces (TERM, KILL, reading the rest of
    the output, stopping the reader), whatever the command left behind. KeyboardInterrupt
    is re-raised after the group is gone. `groups` is the platform seam (default: this OS's).
    """
    groups = groups or GROUPS
    command.log_path.parent.mkdir(parents=True, exist_ok=True)
    with open_log(command.log_path) as log:  # redacted and capped
        started = time.monotonic()
        process = _start(command, groups)
        pgid = process.pid  # the leader of its new session and group
        assert process.stdout is not None
        output: _Output | None = None
        timed_out = False
        try:  # from the reader's start: a Ctrl-C the first line triggers still ends the group
            output = _Output(process.stdout, log, on_line, groups)
            process.wait(timeout=command.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:  # after an exit, a timeout or Ctrl-C alike
            end_group(process, pgid, grace_s, groups)
            cut = output.finish(grace_s) if output is not None else ""
            if output is None:
                process.stdout.close()
    if output is not None and output.sink_error is not None:
        raise output.sink_error
    closed = output.closed_at if output is not None and not timed_out else None
    return Completed(
        argv=command.argv,
        exit_code=None if timed_out else process.returncode,
        duration_s=round(time.monotonic() - started, 3),
        timed_out=timed_out,
        log_path=command.log_path,
        pgid=pgid,
        output_cut=cut,
        output_closed_s=None if closed is None else closed - started,
    )
