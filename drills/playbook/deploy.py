"""Deploying a container for a drill, the registry of what a drill deployed, and turning a
fault's plan into ContainerSpecs.

`apply_plan` is the one place where a `FaultPlan` meets a deployment: the runner builds
the spec it would deploy anyway for a role and asks `apply_plan` for the faulty one.
`Deployments` is the live registry diagnostics and cleanup read on every exit path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

from drills.engine.containers import ContainerInfo, ContainerSpec, DockerSeam
from drills.engine.images import ImageSet
from drills.engine.labels import ROLE
from drills.faults.catalogue import FaultPlan
from drills.playbook.deadline import Deadline
from drills.playbook.probes import Probe, probe, until_healthy
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
    image: str  # what it was started from
    info: ContainerInfo
    asked_at: float | None = None  # when the harness asked the engine for it (its clock)


def deploy(seam: DockerSeam, spec: ContainerSpec) -> Deployment:
    """Create and start one container (the labels come with the spec)."""
    info = seam.run(spec)
    return Deployment(
        container_id=info.id,
        name=info.name,
        host_port=info.host_port,
        role=spec.labels.get(ROLE, ""),
        image=spec.image,
        info=info,
    )


class Deployments:
    """The containers one drill started, the latest per role (in the order the roles first
    started), and the starts still under way in the background (the JIT-native shadow).

    It fills up during the drill, on purpose, where everything else a phase learned is a
    returned stage (drills/playbook/state.py): diagnostics read it on every exit path, also
    after a phase stopped midway (an error, Ctrl-C, the deadline) before it could return
    anything. Containers are added by `drills.playbook.kit.start` only; a background start
    adds from its own thread, hence the lock. (Cleanup finds the containers by their labels.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Deployment] = {}
        self._background: list[Future[Deployment]] = []

    def add(self, dep: Deployment) -> None:
        with self._lock:
            self._latest[dep.role] = dep

    def __len__(self) -> int:
        with self._lock:
            return len(self._latest)

    def get(self, role: str) -> Deployment | None:
        with self._lock:
            return self._latest.get(role)

    def latest(self) -> list[Deployment]:
        with self._lock:
            return list(self._latest.values())

    def in_background(self, name: str, start: Callable[[], Deployment]) -> Future[Deployment]:
        """Run `start` in a thread of its own; `settle` waits for it."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        future = pool.submit(start)
        pool.shutdown(wait=False)
        with self._lock:
            self._background.append(future)
        return future

    def settle(self) -> None:
        """Wait for the background starts, so diagnostics and cleanup see their containers
        (a start's error, if any, is for the phase that awaits it to report)."""
        with self._lock:
            pending = list(self._background)
        wait(pending)


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
