"""One container of the behavioural fake engine (drills/testing.py): its lifecycle as a small
state machine on the engine's clock, and what a request to its port sees.

How it acts is its image's `Behaviour` (serve, exit at start, crash-loop, slow start, hang, a
fatal envelope in the logs). Every change of state goes into the engine's event log, as the
real engine's events do.
"""

from __future__ import annotations

import signal as signals
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drills.containers import ContainerEvent, ContainerInfo, ContainerSpec
from drills.probes import Sample
from harness.errors import InfraError

ELF_HEADER = 64  # bytes: a file cut to this size or less no longer executes
GRACEFUL = (signals.SIGTERM, signals.SIGINT)  # the stand-in's handlers: a clean shutdown
FATAL = (
    "fatal: class=runtime_fatal pid=1 message={msg} mode=aot profile=release "
    "target=x86_64-unknown-linux-gnu rustc=rustc 1.85.0 (4d91de4e4 2025-02-17) cli=0.7.1 "
    "runtime_cache=1 contract=aot-v1"
)


def crash_log(message: str = "boom") -> str:
    """A startup line then a fatal envelope, as a failing AOT binary prints them."""
    return "startup: pid=1\n" + FATAL.format(msg=message) + "\n"


@dataclass(frozen=True, kw_only=True)
class Behaviour:
    """How a container started from an image acts."""

    ready_after_s: float = 0.2  # service start: probes fail until then
    exit_after_s: float | None = None  # exits on its own this long after start
    exit_code: int = 1
    log: str = "startup: pid=1\n"  # written at start
    latency_ms: float = 2.0
    healthy: bool = True  # False: running but health answers 500
    body: str = ""  # what an unhealthy answer's body says
    oom: bool = False  # the scheduled exit is an OOM kill


BUILD_INFO = Behaviour(
    exit_after_s=0.01, exit_code=0, log="fuse-aot-demo 0.7.1 mode=aot profile=release contract=aot-v1\n"
)  # prints, then exits
BIND_FAILURE = Behaviour(
    exit_after_s=0.02,
    exit_code=1,
    log=crash_log("failed to bind 0.0.0.0:8080: Address already in use (os error 98)"),
)


def refused(now: float) -> Sample:
    """What a request sees when nothing listens on the port."""
    return Sample(ok=False, status=None, latency_ms=None, error="connection refused", t=now)


@dataclass
class FakeContainer:
    """A container: `events` is the engine's event log, `image_files` the files every image
    holds (what `files` held at creation), both the engine's own."""

    id: str
    spec: ContainerSpec
    behaviour: Behaviour
    port: int
    started: float
    events: list[ContainerEvent]
    image_files: Mapping[str, bytes]
    status: str = "running"
    exit_code: int | None = None
    oom: bool = False
    logs: str = ""
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def exit_at(self) -> float | None:
        """When its behaviour ends it on its own (None: never)."""
        after = self.behaviour.exit_after_s
        return None if after is None else self.started + after

    def event(self, action: str, at: float, exit_code: int | None = None) -> None:
        self.events.append(ContainerEvent(container_id=self.id, action=action, time=at, exit_code=exit_code))

    def advance(self, now: float) -> None:
        """Apply what the clock says happened: a scheduled exit."""
        exit_at = self.exit_at
        if self.status == "running" and exit_at is not None and now >= exit_at:
            self.oom = self.behaviour.oom
            self.exit(self.behaviour.exit_code, at=exit_at)

    def exit(self, code: int, at: float, action: str = "die") -> None:
        self.status, self.exit_code = "exited", code
        self.event(action, at, code)

    def info(self) -> ContainerInfo:
        return ContainerInfo(
            id=self.id,
            name=self.spec.name,
            status=self.status,
            exit_code=self.exit_code,
            oom_killed=self.oom,
            restart_count=0,
            host_port=self.port if self.status != "exited" else None,
            labels=dict(self.spec.labels),
        )

    def inspect_raw(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Name": "/" + self.spec.name,
            "State": {"Status": self.status, "ExitCode": self.exit_code, "OOMKilled": self.oom},
            "Config": {
                "Image": self.spec.image,
                "Labels": dict(self.spec.labels),
                "Env": dict(self.spec.env),
            },
        }

    def kill(self, signal: str, now: float) -> None:
        """Like the stand-in as its container's PID 1: SIGKILL ends it (137); SIGTERM and
        SIGINT shut it down cleanly (its shutdown line, exit 0); SIGSTOP freezes it; the
        kernel drops every other signal, since PID 1 has no handler for it."""
        if self.status not in ("running", "paused"):
            return
        try:
            number = signals.Signals[signal]
        except KeyError:
            raise InfraError(f"docker: kill {self.id}: invalid signal {signal!r}") from None
        self.event("kill", now)
        if number == signals.SIGKILL:
            self.exit(128 + number, at=now)
        elif number == signals.SIGSTOP:
            self.pause()  # stopped: it answers nothing, like a frozen container
        elif number in GRACEFUL and self.status == "running":
            self.logs += f"shutdown: runtime=native signal={signal} handled_requests=0\n"
            self.exit(0, at=now)

    def pause(self) -> None:
        if self.status == "running":
            self.status = "paused"

    def oom_kill(self, now: float) -> None:
        self.oom = True
        self.exit(137, at=now, action="oom")

    def restart(self, now: float) -> None:
        """Stop (if running) and start again with the files it holds now."""
        if self.status in ("running", "paused"):
            self.exit(0, at=now)
        self.status, self.exit_code, self.started = "running", None, now
        self.event("restart", now)
        cut = self._cut_binary()
        if cut is not None:  # the kernel refuses to exec a binary cut to its header
            self.logs += f"exec {cut}: exec format error\n"
            self.exit(255, at=now)
        else:
            self.logs += self.behaviour.log

    def _cut_binary(self) -> str | None:
        """A file of the image it now holds only the header of, if any."""
        for path, data in self.files.items():
            if len(data) <= ELF_HEADER < len(self.image_files.get(path, b"")):
                return path
        return None

    def answer(self, now: float, timeout_s: float) -> tuple[Sample, float]:
        """What a health or load request to its port sees at `now`, and how long it takes."""
        b = self.behaviour
        if self.status == "exited" or now < self.started + b.ready_after_s:
            return refused(now), 0.001
        if self.status == "paused":
            return Sample(ok=False, status=None, latency_ms=None, error="read timeout", t=now), timeout_s
        status = 200 if b.healthy else 500
        error = None if status == 200 else "HTTP 500"
        body = "" if status == 200 else b.body
        sample = Sample(
            ok=status == 200, status=status, latency_ms=b.latency_ms, error=error, t=now, body=body
        )
        return sample, b.latency_ms / 1000
