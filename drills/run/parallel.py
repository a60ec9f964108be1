"""Scenarios in parallel (`drill run --jobs N`) on one engine.

Scenarios are already apart on the engine: container names carry the run id, the scenario
and the role; every port is one the engine picks on 127.0.0.1; the only shared network
namespace (port-conflict's holder) is the scenario's own; cleanup is by the scenario's
label. What parallel adds is how a run ends: the first scenario that raises (Ctrl-C, the
deadline, a harness error) stops the others through the shared deadline (`Deadline.stop`:
their next probe or phase raises in their own thread), the ones not started are not run,
and this thread waits, shielded from a second Ctrl-C, until every started scenario has done
its diagnostics and cleanup; then the first exception is raised, as a sequential run would.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from drills.playbook.deadline import Deadline
from drills.playbook.signals import Signals
from harness.errors import HarnessError, InfraError

T = TypeVar("T")
POLL_S = 0.2  # the waiting thread wakes this often, so a signal reaches it at once
MAX_DEFAULT_JOBS = 4


def usable_cores() -> int:
    """The CPU cores this process may run on (a container's or a taskset's share, not the host's)."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere every core counts
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def default_jobs(cores: int | None = None) -> int:
    """`drill run`'s default --jobs: two cores per scenario (one for the harness and the
    service, one for the engine's daemons starting and removing containers), 1 to 4.
    benchmarks/drill_bench.py --jobs N measures whether N at once moves detection and
    restore times on a machine."""
    return max(1, min(MAX_DEFAULT_JOBS, (cores if cores is not None else usable_cores()) // 2))


def _why(exc: BaseException) -> HarnessError:
    """What the other scenarios raise at their next probe or phase."""
    return (
        exc if isinstance(exc, HarnessError) else InfraError(f"the run stopped: {type(exc).__name__}: {exc}")
    )


def _first_error(futures: Sequence[Future[None]]) -> BaseException | None:
    return next((f.exception() for f in futures if f.done() and not f.cancelled() and f.exception()), None)


def run_all(
    one: Callable[[T], None],
    items: Sequence[T],
    jobs: int,
    deadline: Deadline,
    signals: Signals,
) -> None:
    """Run `one` over `items`, `jobs` at a time; raise the first error after all stopped."""

    def guarded(item: T) -> None:
        if deadline.stopped is not None:
            return  # the run ended before this one started: not run
        try:
            one(item)
        except BaseException as exc:
            # stop the others before this thread can take the next item
            deadline.stop(_why(exc))
            raise

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="scenario")
    futures = [pool.submit(guarded, item) for item in items]
    try:
        while not all(f.done() for f in futures):
            wait(futures, timeout=POLL_S, return_when=FIRST_EXCEPTION)
            error = _first_error(futures)
            if error is not None:
                raise error
    except BaseException as exc:
        deadline.stop(_why(exc))
        for f in futures:
            f.cancel()  # not started: reported as not run
        with signals.shield():
            wait(futures)
        raise
    finally:
        pool.shutdown(wait=True)
