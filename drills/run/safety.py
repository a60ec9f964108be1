"""Safety of a drill run: labels, the single-run lock, the run-wide deadline, signal handling
and the reaper.

Cleanup is by label, so it is idempotent and works for leftovers of a run that died:
everything the harness creates carries `fuse-harness.run-id`, the owner's host and pid,
and an expiry time. A resource is stale when it expired or its owner process is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from harness.errors import HarnessError, InfraError

if TYPE_CHECKING:
    from drills.engine.containers import DockerSeam

RUN_ID = "fuse-harness.run-id"
SCENARIO = "fuse-harness.scenario"
ROLE = "fuse-harness.role"
CREATED = "fuse-harness.created"
EXPIRES = "fuse-harness.expires"
HOST = "fuse-harness.host"
PID = "fuse-harness.pid"
MAX_REMOVALS = 8  # removals in flight at once


class Interrupted(HarnessError):
    """SIGINT or SIGTERM arrived: clean up, then exit 130."""


class DeadlineExceeded(HarnessError):
    """The run-wide deadline passed: clean up, report error."""


def labels(run_id: str, scenario: str, role: str, now: float, ttl_s: float) -> dict[str, str]:
    return {
        RUN_ID: run_id,
        SCENARIO: scenario,
        ROLE: role,
        CREATED: str(int(now)),
        EXPIRES: str(int(now + ttl_s)),
        HOST: socket.gethostname(),
        PID: str(os.getpid()),
    }


@dataclass
class Deadline:
    clock: Callable[[], float]
    at: float

    def remaining(self) -> float:
        return self.at - self.clock()

    def check(self, where: str) -> None:
        if self.clock() >= self.at:
            raise DeadlineExceeded(
                f"run-wide deadline passed during {where}; raise --deadline or run fewer scenarios"
            )

    def clip(self, seconds: float) -> float:
        """A wait of `seconds`, cut so it never outlives the deadline."""
        return max(0.0, min(seconds, self.remaining()))


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """One drill run at a time per lock file; the kernel releases it if we die."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise InfraError(f"{path}: cannot open the lock file ({exc.strerror})") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise InfraError(
                f"{path}: another drill run holds the lock (pid {holder}); "
                "wait for it, or pass a different --lock-file"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Signals:
    """SIGINT/SIGTERM raise Interrupted at once, except while shielded (cleanup): then the
    signal is held, cleanup finishes, and leaving the outermost shield raises Interrupted.
    The third signal exits at once (130), wherever the first one landed: a Ctrl-C starts
    cleanup (or lands in it), a second one is held while cleanup finishes, a third forces.
    """

    FORCE_AFTER = 3  # signals received in all

    def __init__(self) -> None:
        self.received: list[str] = []
        self._depth = 0
        self._pending: str | None = None

    @property
    def shielded(self) -> bool:
        return self._depth > 0

    @property
    def pending(self) -> bool:
        """A signal arrived while shielded and has not been raised yet."""
        return self._pending is not None

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        self.received.append(name)
        if not self.shielded:
            raise Interrupted(f"received {name}: cleaning up")
        self._pending = self._pending or name
        if len(self.received) >= self.FORCE_AFTER:
            os._exit(130)

    @contextlib.contextmanager
    def installed(self) -> Iterator[Signals]:
        previous = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @contextlib.contextmanager
    def shield(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._pending is not None:
                # an error leaving the shield stays attached as __context__
                name, self._pending = self._pending, None
                raise Interrupted(f"received {name} during cleanup: cleanup done, stopping")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(found: Mapping[str, str], now: float, live_run: str | None = None) -> bool:
    """Expired, or its owner on this host is gone; never anything of the live run."""
    if live_run is not None and found.get(RUN_ID) == live_run:
        return False
    if int(found.get(EXPIRES, "0") or 0) < now:
        return True
    if found.get(HOST) != socket.gethostname():
        return False
    pid = found.get(PID, "")
    return pid.isdigit() and not _pid_alive(int(pid))


def remove_labelled(
    seam: DockerSeam,
    keep: Callable[[Mapping[str, str]], bool],
    run_id: str | None = None,
    kinds: tuple[str, ...] = ("container", "image"),
) -> list[str]:
    """Remove containers before images; returns 'kind id' of what was removed."""
    found = seam.list_labelled(RUN_ID, run_id)
    removed: list[str] = []
    for kind in kinds:
        ids = [i for k, i, found_labels in found if k == kind and not keep(found_labels)]
        remove = seam.remove_container if kind == "container" else seam.remove_image
        _each_in_parallel(remove, ids)
        removed += [f"{kind} {item_id}" for item_id in ids]
    return removed


def _each_in_parallel(remove: Callable[[str], None], ids: list[str]) -> None:
    """Removals wait on the engine (a container's stop), not on us: a thread each. Every
    removal runs even when one fails; the first failure is raised afterwards."""
    if not ids:
        return
    with ThreadPoolExecutor(max_workers=min(len(ids), MAX_REMOVALS)) as pool:
        futures = [pool.submit(remove, item_id) for item_id in ids]
    for future in futures:
        future.result()


def reap(seam: DockerSeam, now: float, *, live_run: str | None = None, everything: bool = False) -> list[str]:
    """Remove stale leftovers (or, with everything=True, all labelled resources)."""
    if everything:
        return remove_labelled(seam, lambda _labels: False)
    return remove_labelled(seam, lambda found: not is_stale(found, now, live_run))


def cleanup_run(seam: DockerSeam, run_id: str, scenario: str | None = None) -> list[str]:
    """Everything of one run, or the containers of one scenario (the run's images serve
    every scenario and go when the run ends). Idempotent."""
    if scenario is None:
        return remove_labelled(seam, lambda _labels: False, run_id)
    return remove_labelled(seam, lambda found: found.get(SCENARIO) != scenario, run_id, kinds=("container",))
