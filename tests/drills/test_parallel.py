"""drills/run/parallel.py: the first scenario that raises stops the running ones through the
shared deadline, the ones not started never run, and its error is raised after all ended."""

from __future__ import annotations

import threading
import time

import pytest

from drills.run import parallel
from drills.run.deadline import Deadline, DeadlineExceeded
from drills.run.signals import Signals


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
