"""A behavioural fake of the Docker seam, shipped with the code so tests (ours and users')
can run the playbook runner without an engine.

`FakeDocker` is a small state machine of images, containers and events on a `FakeClock`:
waits advance the clock instead of sleeping, so a 15 s drill runs in microseconds. How a
container behaves is chosen by its image tag through `Behaviour` knobs (serve, exit at
start, crash-loop, slow start, hang, a fatal envelope in the logs), so a test can break
exactly one thing: a fallback that never becomes healthy, a control that falls over, a
Docker error. drills/fake_release.py holds the stand-in release and fault catalogue as
the fake sees them.
"""

from __future__ import annotations

import itertools
import signal as signals
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from drills.containers import ContainerEvent, ContainerInfo, ContainerSpec
from drills.probes import Sample
from drills.safety import ROLE
from harness.errors import InfraError

ELF_HEADER = 64  # bytes: a file cut to this size or less no longer executes
GRACEFUL = (signals.SIGTERM, signals.SIGINT)  # the stand-in's handlers: a clean shutdown
FATAL = (
    "fatal: class=runtime_fatal pid=1 message={msg} mode=aot profile=release "
    "target=x86_64-unknown-linux-gnu rustc=rustc 1.85.0 (4d91de4e4 2025-02-17) cli=0.7.1 "
    "runtime_cache=1 contract=aot-v1"
)


class FakeClock:
    """Time that only moves when someone waits."""

    def __init__(self, start: float = 1_772_236_800.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


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
    oom: bool = False  # the scheduled exit is an OOM kill


BUILD_INFO = Behaviour(
    exit_after_s=0.01, exit_code=0, log="fuse-aot-demo 0.7.1 mode=aot profile=release contract=aot-v1\n"
)  # prints, then exits
BIND_FAILURE = Behaviour(
    exit_after_s=0.02,
    exit_code=1,
    log=crash_log("failed to bind 0.0.0.0:8080: Address already in use (os error 98)"),
)


@dataclass
class _Container:
    id: str
    spec: ContainerSpec
    behaviour: Behaviour
    port: int
    started: float
    status: str = "running"
    exit_code: int | None = None
    oom: bool = False
    logs: str = ""
    files: dict[str, bytes] = field(default_factory=dict)


class FakeDocker:
    """Honours the DockerSeam Protocol; knobs: `behaviours` (image tag -> Behaviour, the
    longest matching prefix wins), `env_behaviours` (an env variable in the spec -> Behaviour,
    checked before the image), `role_behaviours` (the spec's role label -> Behaviour, checked
    first: a fallback that differs from its shadow), `failing` (method name -> message: that
    call raises InfraError), `image_files` (path -> bytes every container holds)."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.behaviours: dict[str, Behaviour] = {"": Behaviour()}
        self.env_behaviours: dict[str, Behaviour] = {"FUSE_AOT_BUILD_INFO": BUILD_INFO}
        self.role_behaviours: dict[str, Behaviour] = {}
        self.failing: dict[str, str] = {}
        self.image_files: dict[str, bytes] = {"/app/fuse-aot-demo": b"\x7fELF fake"}
        self.images: dict[str, dict[str, str]] = {}
        self.contexts: dict[str, bytes] = {}  # tag -> the build context of a built (not imported) image
        self.containers: dict[str, _Container] = {}
        self.event_log: list[ContainerEvent] = []
        self._ids = itertools.count(1)
        self._ports = itertools.count(32768)

    # -- knobs and helpers -------------------------------------------------------------
    def _check(self, method: str) -> None:
        if method in self.failing:
            raise InfraError(f"docker: {method}: {self.failing[method]}")

    def _behaviour(self, spec: ContainerSpec) -> Behaviour:
        role = spec.labels.get(ROLE, "")
        if role in self.role_behaviours:
            return self.role_behaviours[role]
        for var, behaviour in self.env_behaviours.items():
            if var in spec.env:
                return behaviour
        key = max((k for k in self.behaviours if spec.image.startswith(k)), key=len)
        return self.behaviours[key]

    def _get(self, container_id: str) -> _Container:
        if container_id not in self.containers:
            raise InfraError(f"docker: container {container_id}: no such container")
        c = self.containers[container_id]
        self._advance(c)
        return c

    def _advance(self, c: _Container) -> None:
        """Apply what the clock says happened: a scheduled exit."""
        b = c.behaviour
        due = b.exit_after_s is not None and self.clock.now >= c.started + b.exit_after_s
        if c.status == "running" and b.exit_after_s is not None and due:
            c.oom = b.oom
            self._exit(c, b.exit_code, at=c.started + b.exit_after_s)

    def _cut_binary(self, c: _Container) -> str | None:
        """A file of the image the container now holds only the header of, if any."""
        for path, data in c.files.items():
            if len(data) <= ELF_HEADER < len(self.image_files.get(path, b"")):
                return path
        return None

    def _exit(self, c: _Container, code: int, at: float, action: str = "die") -> None:
        c.status, c.exit_code = "exited", code
        self.event_log.append(ContainerEvent(container_id=c.id, action=action, time=at, exit_code=code))

    def _info(self, c: _Container) -> ContainerInfo:
        return ContainerInfo(
            id=c.id,
            name=c.spec.name,
            status=c.status,
            exit_code=c.exit_code,
            oom_killed=c.oom,
            restart_count=0,
            host_port=c.port if c.status != "exited" else None,
            labels=dict(c.spec.labels),
        )

    # -- the DockerSeam Protocol -------------------------------------------------------
    def ping(self) -> None:
        self._check("ping")

    def image_exists(self, tag: str) -> bool:
        self._check("image_exists")
        return tag in self.images

    def build_image(self, context_tar: bytes, tag: str, labels: Mapping[str, str]) -> None:
        self._check("build_image")
        self.images[tag] = dict(labels)
        self.contexts[tag] = context_tar

    def import_image(
        self, rootfs_tar: bytes, tag: str, changes: tuple[str, ...], labels: Mapping[str, str]
    ) -> None:
        self._check("import_image")
        self.images[tag] = dict(labels)

    def run(self, spec: ContainerSpec) -> ContainerInfo:
        self._check("run")
        if spec.image not in self.images:
            raise InfraError(f"docker: run {spec.name}: no such image {spec.image}")
        behaviour = self._behaviour(spec)
        if spec.network_container is not None:
            behaviour = BIND_FAILURE  # the namespace's owner already listens on the port
        if spec.nano_cpus is not None and spec.nano_cpus < 500_000_000:
            behaviour = replace(behaviour, ready_after_s=behaviour.ready_after_s * 50)
        owner = self.containers.get(spec.network_container or "")
        c = _Container(
            id=f"c{next(self._ids):04d}",
            spec=spec,
            behaviour=behaviour,
            port=owner.port if owner else next(self._ports),
            started=self.clock.now,
            logs=behaviour.log,
            files=dict(self.image_files),
        )
        self.containers[c.id] = c
        self.event_log.append(
            ContainerEvent(container_id=c.id, action="start", time=self.clock.now, exit_code=None)
        )
        return self._info(c)

    def inspect(self, container_id: str) -> ContainerInfo:
        self._check("inspect")
        return self._info(self._get(container_id))

    def inspect_raw(self, container_id: str) -> dict[str, Any]:
        c = self._get(container_id)
        return {
            "Id": c.id,
            "Name": "/" + c.spec.name,
            "State": {"Status": c.status, "ExitCode": c.exit_code, "OOMKilled": c.oom},
            "Config": {"Image": c.spec.image, "Labels": dict(c.spec.labels), "Env": dict(c.spec.env)},
        }

    def logs(self, container_id: str) -> str:
        self._check("logs")
        return self._get(container_id).logs

    def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        """Like the stand-in: SIGTERM and SIGINT shut it down cleanly (its shutdown line,
        exit 0); any other signal ends it with 128 + the signal's number."""
        self._check("kill")
        c = self._get(container_id)
        if c.status not in ("running", "paused"):
            return
        try:
            number = signals.Signals[signal]
        except KeyError:
            raise InfraError(f"docker: kill {container_id}: invalid signal {signal!r}") from None
        self.event_log.append(
            ContainerEvent(container_id=c.id, action="kill", time=self.clock.now, exit_code=None)
        )
        if number in GRACEFUL and c.status == "running":
            c.logs += f"shutdown: runtime=native signal={signal} handled_requests=0\n"
            self._exit(c, 0, at=self.clock.now)
        elif number not in GRACEFUL:
            self._exit(c, 128 + number, at=self.clock.now)

    def pause(self, container_id: str) -> None:
        self._check("pause")
        c = self._get(container_id)
        if c.status == "running":
            c.status = "paused"

    def update(
        self, container_id: str, *, nano_cpus: int | None = None, mem_limit_bytes: int | None = None
    ) -> None:
        self._check("update")
        c = self._get(container_id)
        if mem_limit_bytes is not None and mem_limit_bytes < 8 * 1024 * 1024:
            c.oom = True
            self._exit(c, 137, at=self.clock.now, action="oom")

    def restart(self, container_id: str) -> None:
        """Stop (if running) and start again with the files it holds now."""
        self._check("restart")
        c = self._get(container_id)
        if c.status in ("running", "paused"):
            self._exit(c, 0, at=self.clock.now)
        c.status, c.exit_code, c.started = "running", None, self.clock.now
        self.event_log.append(
            ContainerEvent(container_id=c.id, action="restart", time=self.clock.now, exit_code=None)
        )
        cut = self._cut_binary(c)
        if cut is not None:  # the kernel refuses to exec a binary cut to its header
            c.logs += f"exec {cut}: exec format error\n"
            self._exit(c, 255, at=self.clock.now)
        else:
            c.logs += c.behaviour.log

    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None:
        """Event-driven like the engine: returns at the exit, or None after timeout_s."""
        self._check("wait_exit")
        c = self._get(container_id)
        if c.status == "exited":
            return self._info(c)
        b = c.behaviour
        exit_at = c.started + b.exit_after_s if b.exit_after_s is not None else None
        if c.status == "running" and exit_at is not None and exit_at <= self.clock.now + timeout_s:
            self.clock.now = max(self.clock.now, exit_at)
            self._advance(c)
            return self._info(c)
        self.clock.sleep(timeout_s)
        return None

    def events(self, labels: Mapping[str, str], since: float, until: float) -> list[ContainerEvent]:
        wanted = {
            c.id
            for c in self.containers.values()
            if all(c.spec.labels.get(k) == v for k, v in labels.items())
        }
        return [e for e in self.event_log if e.container_id in wanted and since <= e.time <= until]

    def put_file(self, container_id: str, path: str, data: bytes, mode: int = 0o755) -> None:
        self._get(container_id).files[path] = data

    def get_file(self, container_id: str, path: str) -> bytes:
        files = self._get(container_id).files
        if path not in files:
            raise InfraError(f"docker: get {path} from {container_id}: no such file")
        return files[path]

    def remove_container(self, container_id: str) -> None:
        self._check("remove_container")
        self.containers.pop(container_id, None)

    def remove_image(self, tag: str) -> None:
        self.images.pop(tag, None)

    def list_labelled(
        self, label_key: str, value: str | None = None
    ) -> list[tuple[str, str, dict[str, str]]]:
        def hit(found: Mapping[str, str]) -> bool:
            return label_key in found and (value is None or found[label_key] == value)

        out = [
            ("container", c.id, dict(c.spec.labels)) for c in self.containers.values() if hit(c.spec.labels)
        ]
        return out + [("image", tag, dict(lab)) for tag, lab in self.images.items() if hit(lab)]

    # -- the HTTP side: what a probe would see -----------------------------------------
    def probe(self, host_port: int, path: str, timeout_s: float) -> Sample:
        """A health/load request to 127.0.0.1:host_port, answered from container state."""
        now = self.clock.now
        found = [c for c in self.containers.values() if c.port == host_port]
        if found:
            self._advance(found[0])
        c = found[0] if found else None
        if c is None or c.status == "exited" or now < c.started + c.behaviour.ready_after_s:
            self.clock.sleep(0.001)
            return Sample(ok=False, status=None, latency_ms=None, error="connection refused", t=now)
        if c.status == "paused":
            self.clock.sleep(timeout_s)
            return Sample(ok=False, status=None, latency_ms=None, error="read timeout", t=now)
        self.clock.sleep(c.behaviour.latency_ms / 1000)
        status = 200 if c.behaviour.healthy else 500
        return Sample(
            ok=status == 200,
            status=status,
            latency_ms=c.behaviour.latency_ms,
            error=None if status == 200 else "HTTP 500",
            t=now,
        )
