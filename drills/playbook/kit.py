"""What one drill works with: its `Kit`, fixed for the drill and made from the run's `Tools`,
the `Step` a phase returns, and how a phase starts a container with the kit.

A phase gets the kit and the stage the phase before it returned (drills/playbook/state.py),
and returns its Step, with the next stage when a later phase needs what it learned; no
phase changes the kit. The kit's parts that fill up are named as such: `deployments`, the
live containers diagnostics and cleanup read on every exit path, and `build_info`, the
run's cache of build-info output. Every Docker action is journalled before it happens.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drills.engine.containers import ContainerSpec
from drills.engine.labels import labels
from drills.playbook import watch
from drills.playbook.deploy import Deployment, Deployments, Waiting, apply_plan
from drills.playbook.deploy import deploy as deploy_container
from drills.playbook.recovery_gates import RunGates, run_gates
from drills.records.journal import EventKind
from harness.results import Finding, Outcome

if TYPE_CHECKING:
    from pathlib import Path

    from drills.engine.containers import DockerSeam
    from drills.engine.images import ImageSet
    from drills.faults.catalogue import Fault
    from drills.playbook.deadline import Deadline
    from drills.playbook.probes import Probe
    from drills.playbook.state import Prepared
    from drills.records.journal import Journal
    from drills.scenario.model import Scenario

ImageBuilder = Callable[["Scenario", Mapping[str, str]], "ImageSet"]
TTL_S = 3600.0
AOT_ROLES = ("candidate-aot", "previous-aot")
NATIVE_ROLES = ("shadow-native", "fallback-native")


@dataclass(frozen=True, kw_only=True)
class Step:
    outcome: Outcome
    summary: str
    findings: tuple[Finding, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Tools:
    """A run's seams: the engine, how images are built, probes, faults, time, recovery gates."""

    seam: DockerSeam
    build_images: ImageBuilder
    probe: Probe
    faults: Mapping[str, Fault]
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    run_gates: RunGates = run_gates


@dataclass(frozen=True, kw_only=True)
class Kit:
    """One scenario's tools for its drill: the scenario, the engine, how it watches and
    journals, the run's id and deadline, where evidence goes, how its images are built,
    how it waits for helpers and runs the recovery gates. Never replaced during the drill;
    what fills up is named: `deployments` (the live containers, see `Deployments`) and
    `build_info` (image -> its build-info output, shared by the run's scenarios)."""

    scenario: Scenario
    seam: DockerSeam
    watcher: watch.Watcher
    fault: Fault
    journal: Journal
    run_id: str
    deadline: Deadline
    evidence_dir: Path
    build_images: Callable[[], ImageSet]
    waiting: Waiting
    run_gates: RunGates
    build_info: dict[str, str]
    deployments: Deployments = field(default_factory=Deployments)

    @property
    def clock(self) -> Callable[[], float]:
        return self.watcher.clock

    def act(self, action: str, **fields: Any) -> None:
        self.journal.record(EventKind.ACTION, scenario=self.scenario.name, action=action, **fields)

    def until(self, seconds: float) -> float:
        return self.clock() + self.deadline.clip(seconds)


def kit_for(
    tools: Tools,
    scenario: Scenario,
    journal: Journal,
    run_id: str,
    deadline: Deadline,
    evidence_dir: Path,
    build_info: dict[str, str],
) -> Kit:
    """A scenario's kit, wired to the run's tools, journal and deadline."""
    image_labels = labels(run_id, scenario.name, "image", tools.clock(), TTL_S)
    return Kit(
        scenario=scenario,
        seam=tools.seam,
        watcher=watch.Watcher(
            seam=tools.seam,
            probe=tools.probe,
            clock=tools.clock,
            sleep=tools.sleep,
            journal=journal,
            scenario=scenario,
            deadline=deadline,
        ),
        fault=tools.faults[scenario.fault_id],
        journal=journal,
        run_id=run_id,
        deadline=deadline,
        evidence_dir=evidence_dir,
        build_images=lambda: tools.build_images(scenario, image_labels),
        waiting=Waiting(
            probe=tools.probe,
            clock=tools.clock,
            sleep=tools.sleep,
            health_path=scenario.health_path,
            deadline=deadline,
        ),
        run_gates=tools.run_gates,
        build_info=build_info,
    )


def spec_for(
    k: Kit,
    role: str,
    image: str,
    env: Mapping[str, str] | None = None,
) -> ContainerSpec:
    """The labelled spec a role gets before any fault plan applies (AOT roles: `aot_env`)."""
    s = k.scenario
    own = s.aot_env if role in AOT_ROLES else s.native_env if role in NATIVE_ROLES else {}
    return ContainerSpec(
        image=image,
        name=f"fh-{k.run_id}-{s.name}-{role}-{len(k.deployments)}",
        labels=labels(k.run_id, s.name, role, k.clock(), TTL_S),
        env={**own, **(env or {})},
        mem_limit_bytes=s.memory_mb * 1024 * 1024,
    )


def start(k: Kit, role: str, spec: ContainerSpec) -> Deployment:
    """Start one container (journalled first) and register it in `k.deployments`."""
    k.act("deploy", role=role, image=spec.image, name=spec.name, env=dict(spec.env))
    asked_at = k.clock()
    dep = dataclasses.replace(deploy_container(k.seam, spec), asked_at=asked_at)
    k.deployments.add(dep)
    k.act("deployed", role=role, container=dep.container_id, host_port=dep.host_port, error=dep.info.error)
    return dep


def deploy(k: Kit, role: str, image: str, *, env: Mapping[str, str] | None = None) -> Deployment:
    """Start one labelled container for `role`, as is."""
    return start(k, role, spec_for(k, role, image, env))


def planned_spec(k: Kit, p: Prepared, role: str, image: str) -> ContainerSpec:
    """`role`'s spec as the fault's plan has it (drills.playbook.deploy.apply_plan): the faulty AOT
    rollout (variant, env, limits, port holder), or the native deployments' env/variant."""
    k.act("apply-plan", role=role, plan=dataclasses.asdict(p.plan))
    return apply_plan(k.seam, spec_for(k, role, image), p.plan, p.images, k.waiting)


def deploy_planned(k: Kit, p: Prepared, role: str, image: str) -> Deployment:
    """Start `role` as the fault's plan has it."""
    return start(k, role, planned_spec(k, p, role, image))
