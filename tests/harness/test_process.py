"""The subprocess seam against real processes: exit codes, streaming, timeouts, groups."""

from __future__ import annotations

import os
import resource
import signal
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import InfraError
from harness.process import Command, group_alive, run
from tests.harness.daemon_support import detached_sleeper, end_detached


def script(tmp_path: Path, body: str, name: str = "s.sh") -> Path:
    path = tmp_path / name
    path.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def command(tmp_path: Path, path: Path, timeout_s: float = 10.0) -> Command:
    return Command(
        argv=(str(path),),
        cwd=tmp_path,
        env=dict(os.environ),
        timeout_s=timeout_s,
        log_path=tmp_path / "logs" / "attempt-1.log",
    )


def test_streams_lines_in_order_to_callback_and_log(tmp_path: Path) -> None:
    path = script(tmp_path, "echo one\necho two >&2\nprintf 'three'\n")
    lines: list[str] = []
    done = run(command(tmp_path, path), lines.append)
    assert done.exit_code == 0
    assert not done.timed_out
    assert lines == ["one", "two", "three"]
    assert done.log_path.read_text() == "one\ntwo\nthree"
    assert not group_alive(done.pgid)


def test_a_failing_line_callback_is_raised_after_the_command_ran_to_its_end(tmp_path: Path) -> None:
    """The reader keeps reading (and logging) past a callback's error: 4 MiB of output, far
    more than a pipe holds, still lets the command finish; the error comes out of `run`."""
    path = script(tmp_path, "echo first\nhead -c 4194304 /dev/zero | tr '\\0' x | fold -w 1024\necho last\n")
    seen: list[str] = []

    def sink(line: str) -> None:
        seen.append(line)
        raise ValueError("a callback bug")

    started = time.monotonic()
    with pytest.raises(ValueError, match="a callback bug"):
        run(command(tmp_path, path, timeout_s=30), sink)
    assert time.monotonic() - started < 20  # not held until the timeout by a full pipe
    assert seen == ["first"]
    log = (tmp_path / "logs" / "attempt-1.log").read_text()
    assert log.startswith("first\n") and log.rstrip().endswith("last")


def test_reports_a_failing_exit_code(tmp_path: Path) -> None:
    done = run(command(tmp_path, script(tmp_path, "echo bad\nexit 7\n")), lambda _: None)
    assert done.exit_code == 7
    assert done.duration_s >= 0


def test_hang_is_killed_within_timeout_with_its_whole_group(tmp_path: Path) -> None:
    # A background child that ignores SIGTERM: only SIGKILL to the group ends it.
    body = "(trap '' TERM; while :; do sleep 0.1; done) &\necho started\nwhile :; do sleep 0.1; done\n"
    started = time.monotonic()
    done = run(command(tmp_path, script(tmp_path, body), timeout_s=0.5), lambda _: None, grace_s=0.5)
    elapsed = time.monotonic() - started
    assert done.timed_out
    assert done.exit_code is None
    assert elapsed < 0.5 + 2 * 0.5 + 1.0  # timeout + TERM grace + KILL grace + slack
    assert not group_alive(done.pgid)
    assert "started" in done.log_path.read_text()


def test_background_leftovers_are_reaped_after_a_normal_exit(tmp_path: Path) -> None:
    body = "sleep 30 &\necho bye\n"
    done = run(command(tmp_path, script(tmp_path, body)), lambda _: None)
    assert done.exit_code == 0
    assert not group_alive(done.pgid)


def test_keyboard_interrupt_kills_the_group_and_propagates(tmp_path: Path) -> None:
    seen = threading.Event()

    def on_line(line: str) -> None:
        if line == "ready":
            seen.set()

    def interrupt() -> None:
        seen.wait(5)
        os.kill(os.getpid(), signal.SIGINT)

    body = "sleep 30 &\necho ready\nwhile :; do sleep 0.1; done\n"
    trigger = threading.Thread(target=interrupt)
    trigger.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run(command(tmp_path, script(tmp_path, body)), on_line, grace_s=0.5)
        trigger.join()
        leftovers = _live_processes_in(tmp_path)  # what run() left, before any cleanup of ours
    finally:
        for pid in _live_processes_in(tmp_path):  # only when the test failed: leave nothing running
            os.kill(int(pid), signal.SIGKILL)
    assert leftovers == []


def _live_processes_in(tmp_path: Path) -> list[str]:
    # Every live process whose cwd is tmp_path would be a leftover of the test.
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cwd").resolve() == tmp_path.resolve():
                    found.append(entry.name)
            except OSError:
                continue
    return found


def test_missing_command_is_a_clear_infra_error(tmp_path: Path) -> None:
    with pytest.raises(InfraError, match=r"nope\.sh: no such file"):
        run(command(tmp_path, tmp_path / "nope.sh"), lambda _: None)


def test_non_executable_command_is_a_clear_infra_error(tmp_path: Path) -> None:
    path = script(tmp_path, "echo hi\n")
    path.chmod(0o644)
    with pytest.raises(InfraError, match="not executable"):
        run(command(tmp_path, path), lambda _: None)


@pytest.mark.parametrize(
    ("tail", "timed_out"),
    [("echo hi\n", False), ("echo hi\nwhile :; do sleep 0.1; done\n", True)],
    ids=["command-exits", "command-hangs"],
)
def test_a_detached_child_holding_the_output_cannot_stall_run(
    tmp_path: Path, tail: str, timed_out: bool
) -> None:
    # `setsid` puts the child in a new session: the group kill cannot reach it, and it
    # keeps the output pipe open for 30 s after the command itself is gone.
    pid_file = tmp_path / "daemon.pid"
    body = detached_sleeper(pid_file) + tail
    threads = set(threading.enumerate())
    lines: list[str] = []
    started = time.monotonic()
    try:
        done = run(command(tmp_path, script(tmp_path, body), timeout_s=1.0), lines.append, grace_s=0.5)
        elapsed = time.monotonic() - started
    finally:
        daemon = end_detached(pid_file)
    assert elapsed < 1.0 + 3 * 0.5 + 1.5  # timeout + TERM, KILL and drain graces + slack
    assert done.timed_out is timed_out
    assert lines == ["hi"]
    assert f"pid {daemon} (sleep)" in done.output_cut
    assert "outside the command's process group" in done.output_cut
    assert done.log_path.read_text().startswith("hi\n")
    assert done.output_cut in done.log_path.read_text()
    assert set(threading.enumerate()) <= threads  # no reader thread left behind


def test_output_is_complete_and_not_cut_when_the_group_closes_it(tmp_path: Path) -> None:
    body = "for i in $(seq 1 2000); do echo line-$i; done\nprintf tail\n"
    lines: list[str] = []
    done = run(command(tmp_path, script(tmp_path, body)), lines.append, grace_s=0.5)
    assert lines == [f"line-{i}" for i in range(1, 2001)] + ["tail"]
    assert done.output_cut == ""
    assert done.log_path.read_text().endswith("line-2000\ntail")


@pytest.fixture
def descriptors_past_1024() -> Iterator[None]:
    """Hold 1,100 open descriptors, so the next ones the process opens are numbered past 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2048
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the hard descriptor limit ({hard}) is below {wanted}")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        yield
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.usefixtures("descriptors_past_1024")
def test_output_on_a_descriptor_past_1024_is_read_to_the_end(tmp_path: Path) -> None:
    # 200 KB fills the pipe: unless it is drained, the command blocks until its timeout.
    body = "head -c 200000 /dev/zero | tr '\\0' x\necho\necho done\n"
    lines: list[str] = []
    done = run(command(tmp_path, script(tmp_path, body), timeout_s=5.0), lines.append, grace_s=0.5)
    assert not done.timed_out
    assert done.exit_code == 0
    assert done.output_cut == ""
    assert lines == ["x" * 200000, "done"]
    assert done.log_path.stat().st_size == 200000 + len("\ndone\n")


def _open_descriptors() -> set[str]:
    return {entry.name for entry in Path("/proc/self/fd").iterdir()}


def test_a_slow_output_callback_past_the_graces_never_writes_to_a_closed_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The callback outlives both reader graces: run() returns and closes the log while
    # the reader still holds lines; it must drop them, not write to the closed log, and
    # close the pipe itself when it ends. No timing is raced: the command exits only once
    # the callback has its first line, and the callback stays busy until run() returned.
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    threads, descriptors = set(threading.enumerate()), _open_descriptors()
    seen: list[str] = []
    busy, returned = tmp_path / "callback-busy", threading.Event()

    def slow(line: str) -> None:
        seen.append(line)
        busy.touch()
        returned.wait(10)

    # one write (cat copies a small file in one), so the lines reach the reader in one chunk;
    # the unfinished last line is what the reader still holds when it is cut loose
    (tmp_path / "lines").write_text("one\ntwo\nthr")
    body = f"cat {tmp_path / 'lines'}\nuntil [ -e {busy} ]; do sleep 0.01; done\n"
    done = run(command(tmp_path, script(tmp_path, body)), slow, grace_s=0.2)
    returned.set()
    for thread in set(threading.enumerate()) - threads:
        thread.join(5)
    assert failures == []
    assert seen == ["one"]
    log = done.log_path.read_text()
    assert log.startswith("one\ntwo\n") and "thr" not in log
    assert "output callback was still busy" in done.output_cut
    assert _open_descriptors() == descriptors  # the pipe was closed by the reader


def test_the_time_to_exit_is_kept_unrounded_and_none_after_a_timeout(tmp_path: Path) -> None:
    done = run(command(tmp_path, script(tmp_path, "sleep 0.2\n")), lambda _line: None)
    assert done.output_closed_s is not None
    assert 0.2 <= done.output_closed_s <= done.duration_s + 0.001
    hung = run(command(tmp_path, script(tmp_path, "sleep 30\n", "h.sh"), timeout_s=0.3), lambda _line: None)
    assert hung.timed_out and hung.output_closed_s is None
