"""The fault catalogue: what a drill does to the AOT deployment, through Docker only.

No fault needs the service's cooperation: signals, freezing, resource limits, files replaced
in the container, image variants, environment and config both backends read, and a helper
container that holds the service's port. A fault has two halves:

- `prepare(params) -> FaultPlan`: what the faulty AOT rollout looks like (image variant,
  env, ContainerSpec changes, a port holder) and what the native deployments get
  (`native_env`, `fallback_variant`). A plan with `rollout` set replaces the healthy AOT
  with a faulty one; `drills.playbook.deploy.apply_plan` turns a plan into a ContainerSpec.
- `inject(seam, container_id, params)`: what is done to the running AOT container; it
  returns once the fault is in effect (detection is the runner's job).

Each fault's docstring's first line is its title in reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from drills.engine.closure import APP_DIR
from drills.engine.containers import DockerSeam
from drills.engine.images import AOT_NAME
from harness.errors import ConfigError

BROKEN_CONFIG = "/"  # a directory where both backends expect their config file
ELF_HEADER_BYTES = 64
# The service is PID 1 of its container (no --init): the kernel drops a signal sent from
# outside to a namespace's PID 1 that has no handler for it, and forces only SIGKILL and
# SIGSTOP. The service handles SIGTERM and SIGINT (a clean exit 0), so only SIGKILL crashes it.
CRASH_SIGNAL = "SIGKILL"
MIB = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class FaultPlan:
    """What a fault needs before it is injected (pure data, journalled as is)."""

    image_variant: str | None = None  # ImageSet.variant name for the faulty AOT
    env: Mapping[str, str] = field(default_factory=dict)  # added to the faulty AOT's env
    spec_changes: Mapping[str, Any] = field(default_factory=dict)  # ContainerSpec fields
    port_holder: bool = False  # the AOT starts in a helper's network namespace, port taken
    native_env: Mapping[str, str] = field(default_factory=dict)  # shadow + fallback native
    fallback_variant: str | None = None  # ImageSet.variant name for the fallback deployment
    # the rolled-out AOT must answer before `inject` acts on it: what inject triggers is set up
    # as the service starts, and before that the signal would be lost (PID 1 drops signals it
    # has no handler for)
    ready_first: bool = False

    @property
    def rollout(self) -> bool:
        """True when the fault is a faulty AOT deployment, not an act on the running one."""
        return bool(self.image_variant or self.env or self.spec_changes or self.port_holder)


class Fault(Protocol):
    @property
    def id(self) -> str: ...  # crash, crash-loop, ... (a stable code; frozen in the catalogue)

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan: ...
    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None: ...


def title(fault: Fault) -> str:
    """The report title: the first line of the fault's docstring."""
    return (type(fault).__doc__ or fault.id).strip().splitlines()[0]


def _only(params: Mapping[str, Any], *known: str) -> None:
    """A parameter the fault does not take is a typo, never silently ignored."""
    for key in params:
        if key not in known:
            takes = ", ".join(known) if known else "no parameters"
            raise ConfigError(f"fault.params.{key}: not a parameter of this fault (it takes {takes})")


def _number(params: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"fault.params.{key}: expected a number in [{low}, {high}], got {value!r}")
    return float(value)


class _Fault:
    """Defaults: no parameters, no rollout, nothing done to the running container."""

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params)
        return FaultPlan()

    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None:
        return None


@dataclass(frozen=True)
class NoFault(_Fault):
    """No fault (control): the AOT must stay up and nothing may fall back."""

    id: str = "none"


@dataclass(frozen=True)
class Crash(_Fault):
    """Crash: SIGKILL ends the AOT service (`signal` may only say SIGKILL)."""

    id: str = "crash"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params, "signal")
        value = params.get("signal", CRASH_SIGNAL)
        if value != CRASH_SIGNAL:
            raise ConfigError(
                f"fault.params.signal: {value!r}: only {CRASH_SIGNAL} crashes the service: it is PID 1 "
                "in its container, which ignores signals it has no handler for, and SIGTERM/SIGINT "
                "shut it down cleanly"
            )
        return FaultPlan()

    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None:
        seam.kill(container_id, CRASH_SIGNAL)


@dataclass(frozen=True)
class CrashLoop(_Fault):
    """Crash loop: every start of the AOT ends in a runtime_fatal envelope (broken config)."""

    id: str = "crash-loop"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params, "restarts")
        retries = int(_number(params, "restarts", 3, 1, 20))
        return FaultPlan(env={"FUSE_CONFIG": BROKEN_CONFIG}, spec_changes={"restart_on_failure": retries})


@dataclass(frozen=True)
class CorruptBinary(_Fault):
    """Corrupt binary: the AOT binary on disk is cut to its ELF header, then the service restarts."""

    id: str = "corrupt-binary"

    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None:
        path = f"{APP_DIR}/{AOT_NAME}"
        seam.put_file(container_id, path, seam.get_file(container_id, path)[:ELF_HEADER_BYTES])
        seam.restart(container_id)


@dataclass(frozen=True)
class MissingLibrary(_Fault):
    """Missing library: the AOT is rolled out without one library of its closure (a loader failure)."""

    id: str = "missing-library"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        """`library`: a soname of the AOT's closure (default: the first that is not the
        loader or libc); whether the image can leave it out is drills.engine.closure.library_to_drop's."""
        _only(params, "library")
        library = params.get("library")
        if library is not None and (not isinstance(library, str) or not library or "/" in library):
            raise ConfigError(
                f"fault.params.library: expected a library name such as libm.so.6, got {library!r}"
            )
        return FaultPlan(image_variant="missing-library")


@dataclass(frozen=True)
class SlowStart(_Fault):
    """Slow start: the AOT is rolled out under a tiny CPU quota (`cpus`, default 0.02)."""

    id: str = "slow-start"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params, "cpus")
        cpus = _number(params, "cpus", 0.02, 0.01, 1.0)
        return FaultPlan(spec_changes={"nano_cpus": int(cpus * 1e9)})


@dataclass(frozen=True)
class Hang(_Fault):
    """Hang: the AOT container is frozen (paused); it answers nothing and never exits."""

    id: str = "hang"

    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None:
        seam.pause(container_id)


@dataclass(frozen=True)
class OutOfMemory(_Fault):
    """Out of memory: a preloaded ballast grows past the memory limit and the kernel kills the AOT."""

    id: str = "oom"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params, "memory_mb")
        limit = int(_number(params, "memory_mb", 16, 6, 256)) * MIB
        return FaultPlan(image_variant="oom", spec_changes={"mem_limit_bytes": limit}, ready_first=True)

    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None:
        seam.kill(container_id, "SIGUSR2")  # the ballast's trigger; the service never sees it


@dataclass(frozen=True)
class PortConflict(_Fault):
    """Port conflict: the AOT starts where another process already holds its port."""

    id: str = "port-conflict"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params)
        return FaultPlan(port_holder=True)


@dataclass(frozen=True)
class BothBackends(_Fault):
    """Both backends broken (control): a config both read is broken; must not fall back."""

    id: str = "both-backends"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params)
        broken = {"FUSE_CONFIG": BROKEN_CONFIG}
        return FaultPlan(env=broken, native_env=broken)


@dataclass(frozen=True)
class BrokenFallback(_Fault):
    """Broken fallback (control): the AOT crashes and the CLI fallback image is sabotaged."""

    id: str = "broken-fallback"

    def prepare(self, params: Mapping[str, Any]) -> FaultPlan:
        _only(params)
        return FaultPlan(fallback_variant="broken-fallback")

    def inject(self, seam: DockerSeam, container_id: str, params: Mapping[str, Any]) -> None:
        seam.kill(container_id, "SIGKILL")


FAULTS: dict[str, Fault] = {
    f.id: f
    for f in (
        NoFault(),
        Crash(),
        CrashLoop(),
        CorruptBinary(),
        MissingLibrary(),
        SlowStart(),
        Hang(),
        OutOfMemory(),
        PortConflict(),
        BothBackends(),
        BrokenFallback(),
    )
}
