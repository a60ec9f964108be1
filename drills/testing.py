"""A behavioural fake of the Docker seam, shipped with the code so tests (ours and users')
can run the playbook runner without an engine.

`FakeDocker` is a small engine of images, containers and events on a `FakeClock`: waits
advance the clock instead of sleeping, so a 15 s drill runs in microseconds. How a
container behaves is chosen by its image tag through `Behaviour` knobs (serve, exit at
start, crash-loop, slow start, hang, a fatal envelope in the logs), so a test can break
exactly one thing: a fallback that never becomes healthy, a control that falls over, a
Docker error. A container's own lifecycle is drills/fake_container.py's `FakeContainer`;
drills/fake_release.py holds the stand-in release and fault catalogue as the fake sees them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from drills.containers import ContainerEvent, ContainerInfo, ContainerSpec
from drills.fake_container import (
    BIND_FAILURE,
    BUILD_INFO,
    ELF_HEADER,
    FATAL,
    GRACEFUL,
    Behaviour,
    FakeContainer,
    crash_log,
    refused,
)
from drills.probes import Sample
from drills.safety import ROLE
from harness.errors import InfraError

__all__ = [
    "BIND_FAILURE",
    "BUILD_INFO",
    "ELF_HEADER",
    "FATAL",
    "GRACEFUL",
    "Behaviour",
    "FakeClock",
    "FakeContainer",
    "FakeDocker",
    "Sample",
    "crash_log",
]


class FakeClock:
    """Time that only moves when someone waits."""

    def __init__(self, start: float = 1_772_236_800.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


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
        self.layers: dict[str, str] = {}  # tag -> the base image it was layered on
        self.containers: dict[str, FakeContainer] = {}
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

    def _get(self, container_id: str) -> FakeContainer:
        if container_id not in self.containers:
            raise InfraError(f"docker: container {container_id}: no such container")
        c = self.containers[container_id]
        c.advance(self.clock.now)
        return c

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

    def layer_image(
        self, base: str, rootfs_tar: bytes, tag: str, changes: tuple[str, ...], labels: Mapping[str, str]
    ) -> None:
        self._check("layer_image")
        if base not in self.images:
            raise InfraError(f"docker: layer image {tag}: no such image {base}")
        self.images[tag] = dict(labels)
        self.layers[tag] = base

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
        c = FakeContainer(
            id=f"c{next(self._ids):04d}",
            spec=spec,
            behaviour=behaviour,
            port=owner.port if owner else next(self._ports),
            started=self.clock.now,
            events=self.event_log,
            image_files=self.image_files,
            logs=behaviour.log,
            files=dict(self.image_files),
        )
        self.containers[c.id] = c
        c.event("start", self.clock.now)
        return c.info()

    def inspect(self, container_id: str) -> ContainerInfo:
        self._check("inspect")
        return self._get(container_id).info()

    def inspect_raw(self, container_id: str) -> dict[str, Any]:
        return self._get(container_id).inspect_raw()

    def logs(self, container_id: str) -> str:
        self._check("logs")
        return self._get(container_id).logs

    def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        self._check("kill")
        self._get(container_id).kill(signal, self.clock.now)

    def pause(self, container_id: str) -> None:
        self._check("pause")
        self._get(container_id).pause()

    def update(
        self, container_id: str, *, nano_cpus: int | None = None, mem_limit_bytes: int | None = None
    ) -> None:
        self._check("update")
        c = self._get(container_id)
        if mem_limit_bytes is not None and mem_limit_bytes < 8 * 1024 * 1024:
            c.oom_kill(self.clock.now)

    def restart(self, container_id: str) -> None:
        self._check("restart")
        self._get(container_id).restart(self.clock.now)

    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None:
        """Event-driven like the engine: returns at the exit, or None after timeout_s."""
        self._check("wait_exit")
        c = self._get(container_id)
        if c.status == "exited":
            return c.info()
        exit_at = c.exit_at
        if c.status == "running" and exit_at is not None and exit_at <= self.clock.now + timeout_s:
            self.clock.now = max(self.clock.now, exit_at)
            c.advance(self.clock.now)
            return c.info()
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
        c = next((c for c in self.containers.values() if c.port == host_port), None)
        if c is None:
            self.clock.sleep(0.001)
            return refused(now)
        c.advance(now)
        sample, took_s = c.answer(now, timeout_s)
        self.clock.sleep(took_s)
        return sample
