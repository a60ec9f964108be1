"""Deploying a container for a drill, and turning a fault's plan into ContainerSpecs.

`apply_plan` is the one place where a `FaultPlan` meets a deployment: the runner builds
the spec it would deploy anyway for a role and asks `apply_plan` for the faulty one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from drills.engine.containers import ContainerInfo, ContainerSpec, DockerSeam
from drills.engine.images import ImageSet
from drills.faults.catalogue import FaultPlan
from drills.playbook.probes import Probe, probe, until_healthy
from drills.run.deadline import Deadline
from drills.run.labels import ROLE
from drills.scenario.model import HEALTH_PATH
from harness.errors import InfraError

HOLDER_READY_S = 15.0
HOLDER_INTERVAL_S = 0.05


@dataclass(frozen=True, kw_only=True)
class Deployment:
    container_id: str
    name: str
    role: str
    host_port: int | None
    info: ContainerInfo


def deploy(seam: DockerSeam, spec: ContainerSpec) -> Deployment:
    """Create and start one container (the labels come with the spec)."""
    info = seam.run(spec)
    return Deployment(
        container_id=info.id,
        name=info.name,
        host_port=info.host_port,
        role=spec.labels.get(ROLE, ""),
        info=info,
    )


@dataclass(frozen=True, kw_only=True)
class Waiting:
    """How to wait for a helper: the probe, a clock and a sleep (fakes in unit tests), the
    scenario's health path and the run-wide deadline no wait may outlive."""

    probe: Probe = probe
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    health_path: str = HEALTH_PATH
    deadline: Deadline | None = None

    def pause(self) -> bool:
        self.sleep(HOLDER_INTERVAL_S)
        return False

    def until(self, seconds: float) -> float:
        """The clock time a wait of `seconds` ends, cut to the deadline."""
        return self.clock() + (seconds if self.deadline is None else self.deadline.clip(seconds))

    def check(self, where: str) -> None:
        """A wait that came back empty: DeadlineExceeded if the deadline cut it short."""
        if self.deadline is not None:
            self.deadline.check(where)


def start_port_holder(seam: DockerSeam, spec: ContainerSpec, waiting: Waiting = Waiting()) -> str:
    """A helper serving the AOT's own port from the same image; returns its id once it answers.

    It owns the network namespace (and the published port) the faulty AOT then joins.
    """
    holder = replace(
        spec,
        name=f"{spec.name}-port-holder",
        restart_on_failure=0,
        labels={**spec.labels, ROLE: "fault-helper"},
        network_container=None,
    )
    info = seam.run(holder)
    port = info.host_port
    path = waiting.health_path
    ready = (
        None
        if port is None
        else until_healthy(
            lambda: waiting.probe(port, path, 1.0),
            waiting.until(HOLDER_READY_S),
            waiting.clock,
            waiting.pause,
        )
    )
    if ready is None:
        waiting.check(f"the start of the port holder {holder.name}")
        raise InfraError(
            f"port-conflict: the port holder {holder.name} never answered on "
            f"{path}; see `docker logs {info.id[:12]}`"
        )
    return info.id


def apply_plan(
    seam: DockerSeam,
    spec: ContainerSpec,
    plan: FaultPlan,
    images: ImageSet,
    waiting: Waiting = Waiting(),
) -> ContainerSpec:
    """The spec to deploy for the spec's role under `plan` (may start a port holder).

    candidate-aot: variant image, env, spec changes, port holder; shadow-native and
    fallback-native: `native_env`; fallback-native also `fallback_variant`.
    """
    role = spec.labels.get(ROLE, "")
    if role == "candidate-aot":
        out = _with_env(spec, plan.env)
        if plan.image_variant:
            out = replace(out, image=images.variant(plan.image_variant))
        out = replace(out, **dict(plan.spec_changes))
        if plan.port_holder:
            out = replace(out, network_container=start_port_holder(seam, out, waiting))
        return out
    if role in ("shadow-native", "fallback-native"):
        out = _with_env(spec, plan.native_env)
        if role == "fallback-native" and plan.fallback_variant:
            out = replace(out, image=images.variant(plan.fallback_variant))
        return out
    return spec


def _with_env(spec: ContainerSpec, env: Mapping[str, str]) -> ContainerSpec:
    return replace(spec, env={**spec.env, **env}) if env else spec
