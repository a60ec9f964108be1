"""The operating-system part of harness/process.py: how a command gets a process group of
its own, how that group is ended, and how its output pipe is read.

POSIX: a new session (`start_new_session`), so the command leads its own process group;
SIGTERM then SIGKILL to the group (`os.killpg`); liveness from /proc (or `killpg(pgid, 0)`
where there is no /proc, as on macOS); the pipe is watched with a selector.

Windows has no process groups that signals reach. The command starts with
CREATE_NEW_PROCESS_GROUP (so a Ctrl-C in the gate's console is not delivered to it as
well), and its tree is ended with `taskkill /T /PID` (ask), then `taskkill /T /F /PID`
(force): /T walks the tree by parent pid, which still finds the children of a leader that
already exited. Liveness is the leader's (the tree cannot be listed without a job object),
so the forced tree kill always runs once when a command ends. A pipe is not selectable on
Windows, so it is read with blocking reads on the reader thread, which is abandoned (it is a
daemon) if the output is cut off.

The seam is chosen by `groups_for(os.name)`; tests inject the Windows one on Linux, with
a behavioural fake in place of taskkill.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

CREATE_NEW_PROCESS_GROUP = 0x00000200  # the Win32 creation flag (subprocess has it on Windows only)
POLL_S = 0.05
CHUNK = 65536
Emit = Callable[[list[bytes]], None]
Tool = Callable[[Sequence[str]], int]  # runs a helper program to its end; its exit code


class Stop(Protocol):
    def is_set(self) -> bool: ...


class Leader(Protocol):
    def poll(self) -> int | None: ...


class Groups(Protocol):
    """Start a command in a group of its own, end the group, read its output."""

    always_kill: bool  # the group's members cannot be seen: kill the tree even after its leader exits

    def start_options(self) -> dict[str, Any]: ...
    def alive(self, leader: Leader, pgid: int) -> bool: ...
    def terminate(self, pgid: int) -> None: ...
    def kill(self, pgid: int) -> None: ...
    def read(self, fd: int, emit: Emit, stop: Stop) -> None: ...


def _lines(buffer: bytearray, chunk: bytes, emit: Emit) -> None:
    """Append `chunk` and hand on every complete line in `buffer`."""
    scan, start, lines = len(buffer), 0, []
    buffer += chunk
    while (end := buffer.find(b"\n", scan)) >= 0:
        lines.append(bytes(buffer[start : end + 1]))
        start = scan = end + 1
    del buffer[:start]
    emit(lines)


def _emit_lines(chunks: Iterator[bytes], emit: Emit) -> None:
    """Every complete line of `chunks` as it arrives, then the unterminated rest."""
    buffer = bytearray()
    for chunk in chunks:
        _lines(buffer, chunk, emit)
    if buffer:
        emit([bytes(buffer)])


def _selected_chunks(fd: int, stop: Stop) -> Iterator[bytes]:
    """Chunks of `fd` until end of file or `stop`, waiting with a selector (never blocks)."""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while not stop.is_set():
            if not selector.select(POLL_S):
                continue
            chunk = os.read(fd, CHUNK)
            if not chunk:
                return
            yield chunk


def _blocking_chunks(fd: int, stop: Stop) -> Iterator[bytes]:
    while not stop.is_set() and (chunk := os.read(fd, CHUNK)):
        yield chunk


def _in_group(stat_path: Path, pgid: int) -> bool:
    try:
        text = stat_path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # Fields after the parenthesised command name: state ppid pgrp ...
    fields = text[text.rfind(")") + 2 :].split()
    return len(fields) > 2 and fields[0] not in ("Z", "X") and fields[2] == str(pgid)


def group_alive(pgid: int) -> bool:
    """True while a live (non-zombie) process belongs to process group `pgid` (POSIX)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return any(e.name.isdigit() and _in_group(e / "stat", pgid) for e in proc.iterdir())


class PosixGroups:
    always_kill = False

    def start_options(self) -> dict[str, Any]:
        return {"start_new_session": True}

    def alive(self, leader: Leader, pgid: int) -> bool:
        return group_alive(pgid)

    def terminate(self, pgid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)

    def kill(self, pgid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)

    def read(self, fd: int, emit: Emit, stop: Stop) -> None:
        """Lines from `fd` until end of file or `stop` (never blocks).

        `selectors`, not `select.select`: a command started by a process holding 1,024 or
        more descriptors gets a pipe numbered past what `select.select` can watch.
        """
        _emit_lines(_selected_chunks(fd, stop), emit)


class WindowsGroups:
    always_kill = True

    def __init__(self, tool: Tool) -> None:
        self.tool = tool

    def start_options(self) -> dict[str, Any]:
        return {"creationflags": CREATE_NEW_PROCESS_GROUP}

    def alive(self, leader: Leader, pgid: int) -> bool:
        return leader.poll() is None

    def terminate(self, pgid: int) -> None:
        self.tool(["taskkill", "/T", "/PID", str(pgid)])

    def kill(self, pgid: int) -> None:
        self.tool(["taskkill", "/T", "/F", "/PID", str(pgid)])

    def read(self, fd: int, emit: Emit, stop: Stop) -> None:
        """Lines from `fd` until end of file, with blocking reads (pipes are not selectable)."""
        _emit_lines(_blocking_chunks(fd, stop), emit)


def groups_for(os_name: str, tool: Tool) -> Groups:
    """The seam for `os_name` (`os.name`: 'nt' is Windows, everything else POSIX)."""
    return WindowsGroups(tool) if os_name == "nt" else PosixGroups()
