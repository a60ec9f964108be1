"""The Windows branch of the process seam, run on Linux through the seam: the group is
ended with taskkill (a behavioural fake that ends the real process tree only when forced,
as a console program that ignores a polite close would), output is read with blocking reads."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.process import GROUPS, run
from harness.process_groups import (
    CREATE_NEW_PROCESS_GROUP,
    PosixGroups,
    WindowsGroups,
    group_alive,
    groups_for,
)
from tests.harness.test_process import command, script


class FakeTaskkill:
    """taskkill: /T /F ends the tree (here: the real process group); without /F it is ignored."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> int:
        self.calls.append(list(argv))
        if "/F" in argv:
            try:
                os.killpg(int(argv[-1]), signal.SIGKILL)
            except ProcessLookupError:
                return 128  # taskkill: process not found
        return 0


def gone(pgid: int, within_s: float = 2.0) -> bool:
    """The group is gone within `within_s` (a SIGKILL is delivered asynchronously)."""
    deadline = time.monotonic() + within_s
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


class WindowsOnLinux(WindowsGroups):
    """The Windows seam, except that Linux cannot apply creationflags: a new session instead."""

    def start_options(self) -> dict[str, Any]:
        return {"start_new_session": True}


def test_the_seam_is_chosen_by_os_name() -> None:
    tool = FakeTaskkill()
    windows = groups_for("nt", tool)
    assert isinstance(windows, WindowsGroups)
    assert windows.start_options() == {"creationflags": CREATE_NEW_PROCESS_GROUP} == {"creationflags": 0x200}
    assert isinstance(groups_for("posix", tool), PosixGroups)
    assert PosixGroups().start_options() == {"start_new_session": True}
    assert isinstance(GROUPS, PosixGroups)  # this machine


def test_windows_timeout_asks_then_forces_the_tree(tmp_path: Path) -> None:
    tool = FakeTaskkill()
    body = "sleep 30 &\necho started\nwhile :; do sleep 0.1; done\n"
    started = time.monotonic()
    done = run(
        command(tmp_path, script(tmp_path, body), timeout_s=0.5),
        lambda _: None,
        grace_s=0.5,
        groups=WindowsOnLinux(tool),
    )
    assert done.timed_out and done.exit_code is None
    pid = str(done.pgid)
    assert tool.calls == [["taskkill", "/T", "/PID", pid], ["taskkill", "/T", "/F", "/PID", pid]]
    assert gone(done.pgid)  # the background child went with the tree
    assert time.monotonic() - started < 0.5 + 2 * 0.5 + 1.5
    assert "started" in done.log_path.read_text()


def test_windows_exit_still_ends_what_the_command_left_running(tmp_path: Path) -> None:
    tool = FakeTaskkill()
    done = run(
        command(tmp_path, script(tmp_path, "sleep 30 &\necho bye\n")),
        lambda _: None,
        groups=WindowsOnLinux(tool),
    )
    assert done.exit_code == 0
    assert tool.calls == [["taskkill", "/T", "/F", "/PID", str(done.pgid)]]
    assert gone(done.pgid)


def test_windows_reader_streams_lines_with_blocking_reads(tmp_path: Path) -> None:
    lines: list[str] = []
    body = "echo one\necho two >&2\nprintf 'three'\n"
    done = run(command(tmp_path, script(tmp_path, body)), lines.append, groups=WindowsOnLinux(FakeTaskkill()))
    assert lines == ["one", "two", "three"]
    assert done.log_path.read_text() == "one\ntwo\nthree"
