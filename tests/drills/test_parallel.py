"""drills/run/parallel.py: the first scenario that raises stops the running ones through the
shared deadline, the ones not started never run, and its error is raised after all ended."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from drills.playbook.deadline import Deadline, DeadlineExceeded
from drills.playbook.signals import Signals
from drills.run import parallel


def _deadline() -> Deadline:
    return Deadline(clock=time.monotonic, at=time.monotonic() + 60)


def test_the_first_error_stops_the_others_and_is_raised_after_their_cleanup():
    deadline, signals = _deadline(), Signals()
    started: list[str] = []
    cleaned: list[str] = []
    broke = threading.Event()

    def one(name: str) -> None:
        started.append(name)
        try:
            if name == "a":
                broke.wait(5)
                raise DeadlineExceeded("a ran out of time")
            broke.set()
            while True:  # a wait that only the stop ends, as a probe loop does
                deadline.check(name)
                time.sleep(0.01)
        finally:
            cleaned.append(name)

    with pytest.raises(DeadlineExceeded, match="a ran out of time"):
        parallel.run_all(one, ["a", "b", "c", "d"], 2, deadline, signals)
    assert sorted(started) == ["a", "b"] and sorted(cleaned) == ["a", "b"]  # c, d never ran
    with pytest.raises(DeadlineExceeded):
        deadline.halted()


def test_all_pass_in_parallel():
    deadline, signals = _deadline(), Signals()
    at_once = threading.Barrier(3, timeout=5)  # would time out were they one after another
    parallel.run_all(lambda _n: at_once.wait(), ["a", "b", "c"], 3, deadline, signals)
    assert deadline.stopped is None


def test_shields_count_across_threads():
    signals = Signals()
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with signals.shield():
            inside.set()
            leave.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    inside.wait(5)
    assert signals.shielded
    with signals.shield():
        pass
    assert signals.shielded  # the other thread's shield is still open
    leave.set()
    worker.join()
    assert not signals.shielded


@pytest.mark.parametrize(("cores", "jobs"), [(1, 1), (2, 1), (3, 1), (4, 2), (7, 3), (8, 4), (64, 4)])
def test_the_default_jobs_leave_two_cores_per_scenario(cores, jobs):
    assert parallel.default_jobs(cores) == jobs


def test_usable_cores_are_the_process_s_share_not_the_host_s(monkeypatch):
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3, 4, 5}, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 64)
    assert parallel.usable_cores() == 6 and parallel.default_jobs() == 3
    monkeypatch.delattr(parallel.os, "sched_getaffinity", raising=False)  # macOS, Windows
    assert parallel.usable_cores() == 64 and parallel.default_jobs() == 4


def test_drill_run_without_jobs_runs_the_default(monkeypatch, tmp_path):
    from click.testing import CliRunner  # noqa: PLC0415

    from cli.drill import drill as drill_cli  # noqa: PLC0415
    from drills.run import runner, wiring  # noqa: PLC0415
    from drills.scenario.model import SUITES  # noqa: PLC0415

    seen: list[int] = []
    monkeypatch.setattr(parallel, "usable_cores", lambda: 6)
    monkeypatch.setattr(wiring, "real_tools", lambda _work: SimpleNamespace(seam=None))
    monkeypatch.setattr(wiring, "check_base_images", lambda _seam, _scenarios: None)
    monkeypatch.setattr(runner, "run", lambda _tools, _scenarios, opts: seen.append(opts.jobs))
    crash = str(SUITES["standard"] / "crash.yaml")
    CliRunner().invoke(drill_cli, ["run", crash, "--out", str(tmp_path)])
    CliRunner().invoke(drill_cli, ["run", crash, "--out", str(tmp_path), "--jobs", "2"])
    assert seen == [3, 2]
