"""Signal handling of a drill run: SIGINT/SIGTERM stop it, but never its cleanup."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from harness.errors import HarnessError


class Interrupted(HarnessError):
    """SIGINT or SIGTERM arrived: clean up, then exit 130."""


class Signals:
    """SIGINT/SIGTERM raise Interrupted at once, except while shielded (cleanup): then the
    signal is held, cleanup finishes, and leaving the outermost shield raises Interrupted.
    The third signal exits at once (130), wherever the first one landed: a Ctrl-C starts
    cleanup (or lands in it), a second one is held while cleanup finishes, a third forces.
    """

    FORCE_AFTER = 3  # signals received in all

    def __init__(self) -> None:
        self.received: list[str] = []
        self._depth = 0  # shields open, in any thread (scenarios may run in parallel)
        self._depth_lock = threading.Lock()
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
        with self._depth_lock:
            self._depth += 1
        try:
            yield
        finally:
            with self._depth_lock:
                self._depth -= 1
                last = self._depth == 0
            if last and self._pending is not None:
                # an error leaving the shield stays attached as __context__
                name, self._pending = self._pending, None
                raise Interrupted(f"received {name} during cleanup: cleanup done, stopping")
