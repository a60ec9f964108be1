"""What the drill knows of Docker: the container it asks for, what it sees of one, and the
`DockerSeam` Protocol that drills/engine/seam.py implements over the SDK (fixtures/fake_engine.py fakes it).
Core drill code imports these, never the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True)
class ContainerSpec:
    image: str
    name: str
    labels: Mapping[str, str]
    env: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] | None = None
    workdir: str | None = None
    container_port: int = 8080  # published on 127.0.0.1 only, ephemeral host port
    mem_limit_bytes: int | None = None
    nano_cpus: int | None = None
    restart_on_failure: int = 0  # docker restart policy max retries (crash-loop)
    network_container: str | None = None  # join this container's network namespace (no publish)
    entrypoint: tuple[str, ...] | None = None  # replaces the image's (a one-off command)
    files: bytes | None = None  # a tar put into the container's / before it starts


@dataclass(frozen=True, kw_only=True)
class ContainerInfo:
    id: str
    name: str
    status: str  # created|running|paused|restarting|exited|dead
    exit_code: int | None
    oom_killed: bool
    restart_count: int
    host_port: int | None
    labels: Mapping[str, str]
    error: str = ""  # the engine's own start error (e.g. "exec format error"), if any
    # the engine's records, on its own clock (epoch s): the create, and the last start
    created_at: float | None = None
    started_at: float | None = None


@dataclass(frozen=True, kw_only=True)
class ContainerEvent:
    container_id: str
    action: str  # die, oom, kill, start, pause, ...
    time: float
    exit_code: int | None


class DockerSeam(Protocol):
    def ping(self) -> None: ...
    def image_exists(self, tag: str) -> bool: ...
    def build_image(self, context_tar: bytes, tag: str, labels: Mapping[str, str]) -> None: ...
    def import_image(
        self, rootfs_tar: bytes, tag: str, changes: tuple[str, ...], labels: Mapping[str, str]
    ) -> None: ...
    def layer_image(
        self, base: str, rootfs_tar: bytes, tag: str, changes: tuple[str, ...], labels: Mapping[str, str]
    ) -> None: ...
    def run(self, spec: ContainerSpec) -> ContainerInfo: ...
    def inspect(self, container_id: str) -> ContainerInfo: ...
    def inspect_raw(self, container_id: str) -> dict[str, Any]: ...
    def logs(self, container_id: str) -> str: ...
    def kill(self, container_id: str, signal: str = "SIGKILL") -> None: ...
    def pause(self, container_id: str) -> None: ...
    def update(
        self, container_id: str, *, nano_cpus: int | None = None, mem_limit_bytes: int | None = None
    ) -> None: ...
    def restart(self, container_id: str) -> None: ...
    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None: ...
    def events(self, labels: Mapping[str, str], since: float, until: float) -> list[ContainerEvent]: ...
    def put_file(self, container_id: str, path: str, data: bytes, mode: int = 0o755) -> None: ...
    def get_file(self, container_id: str, path: str) -> bytes: ...
    def remove_container(self, container_id: str) -> None: ...
    def remove_image(self, tag: str) -> None: ...
    def list_labelled(
        self,
        label_key: str,
        value: str | None = None,
    ) -> list[tuple[str, str, dict[str, str]]]:
        """(kind, id, labels) of the containers and images carrying the label: the only
        kinds the harness creates, and so the only ones cleanup removes."""
        ...
