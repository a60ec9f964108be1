"""The run-wide deadline, and how one scenario that ends the run stops the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.errors import HarnessError


class DeadlineExceeded(HarnessError):
    """The run-wide deadline passed: clean up, report error."""


@dataclass
class Deadline:
    """The run-wide deadline; with scenarios in parallel (`drill run --jobs`), also how one
    that ends the run (Ctrl-C, the deadline, an error) stops the others: `stop` makes every
    later `check`, and every probe (`halted`), raise in their threads, so each goes on to
    its own diagnostics and cleanup."""

    clock: Callable[[], float]
    at: float
    stopped: HarnessError | None = None

    def remaining(self) -> float:
        return self.at - self.clock()

    def stop(self, why: HarnessError) -> None:
        self.stopped = self.stopped or why

    def halted(self) -> None:
        """Raise what stopped the run, if anything did (a probe asks before each request)."""
        if self.stopped is not None:
            raise type(self.stopped)(str(self.stopped))

    def check(self, where: str) -> None:
        self.halted()
        if self.clock() >= self.at:
            raise DeadlineExceeded(
                f"run-wide deadline passed during {where}; raise --deadline or run fewer scenarios"
            )

    def clip(self, seconds: float) -> float:
        """A wait of `seconds`, cut so it never outlives the deadline."""
        return max(0.0, min(seconds, self.remaining()))
