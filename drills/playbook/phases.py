"""The playbook's phases for one drill. Each takes the `Drill` (its lifecycle state) and
returns a `Step`; playbook.py times them, journals them and decides what runs next.
Every Docker action is journalled before it happens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drills.engine.containers import ContainerSpec
from drills.playbook import watch
from drills.playbook.classify import Classification
from drills.playbook.deploy import Waiting, apply_plan
from drills.playbook.deploy import deploy as deploy_container
from drills.playbook.recovery_gates import RunGates, run_gates
from drills.records.journal import EventKind
from drills.run.deadline import Deadline
from drills.run.labels import labels
from harness.results import Finding, Outcome

if TYPE_CHECKING:
    from pathlib import Path

    from drills.engine.containers import DockerSeam
    from drills.engine.images import ImageSet
    from drills.faults.catalogue import Fault, FaultPlan
    from drills.playbook.probes import Sample
    from drills.records.journal import Journal
    from drills.scenario.model import Scenario

TTL_S = 3600.0
READY_S = 30.0  # how long a deployment may take to answer before the fault or in a shadow
AOT_ROLES = ("candidate-aot", "previous-aot")
NATIVE_ROLES = ("shadow-native", "fallback-native")


@dataclass(frozen=True, kw_only=True)
class Step:
    outcome: Outcome
    summary: str
    findings: tuple[Finding, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Drill:
    """One scenario's run: what it deployed, saw and decided so far."""

    scenario: Scenario
    seam: DockerSeam
    watcher: watch.Watcher
    fault: Fault
    journal: Journal
    run_id: str
    deadline: Deadline
    evidence_dir: Path
    build_images: Callable[[], ImageSet]
    waiting: Waiting = field(default_factory=Waiting)
    run_gates: RunGates = field(default=run_gates)
    build_info: dict[str, str] = field(default_factory=dict)  # image -> its build info (run-wide)
    images: ImageSet | None = None
    plan: FaultPlan | None = None
    containers: dict[str, str] = field(default_factory=dict)  # role -> id of the latest
    ports: dict[str, int | None] = field(default_factory=dict)
    steady: watch.Stats | None = None
    injected_at: float | None = None  # injection started: what time to restore counts from
    active_at: float | None = None  # the fault in effect: what detection latency counts from
    incident: watch.Incident | None = None
    decision: Classification | None = None
    shadow: Future[str] | None = None  # the JIT-native shadow's start, begun with detection
    fell_back: bool = False
    fallback_ready_at: float | None = None

    @property
    def clock(self) -> Callable[[], float]:
        return self.watcher.clock

    def act(self, action: str, **fields: Any) -> None:
        self.journal.record(EventKind.ACTION, scenario=self.scenario.name, action=action, **fields)

    def until(self, seconds: float) -> float:
        return self.clock() + self.deadline.clip(seconds)


def spec_for(
    d: Drill,
    role: str,
    image: str,
    env: Mapping[str, str] | None = None,
) -> ContainerSpec:
    """The labelled spec a role gets before any fault plan applies (AOT roles: `aot_env`)."""
    s = d.scenario
    own = s.aot_env if role in AOT_ROLES else s.native_env if role in NATIVE_ROLES else {}
    return ContainerSpec(
        image=image,
        name=f"fh-{d.run_id}-{s.name}-{role}-{len(d.containers)}",
        labels=labels(d.run_id, s.name, role, d.clock(), TTL_S),
        env={**own, **(env or {})},
        mem_limit_bytes=s.memory_mb * 1024 * 1024,
    )


def start(d: Drill, role: str, spec: ContainerSpec) -> str:
    """Start one container (journalled first); returns its id."""
    d.act("deploy", role=role, image=spec.image, name=spec.name, env=dict(spec.env))
    dep = deploy_container(d.seam, spec)
    d.containers[role], d.ports[role] = dep.container_id, dep.host_port
    d.act("deployed", role=role, container=dep.container_id, host_port=dep.host_port, error=dep.info.error)
    return dep.container_id


def deploy(d: Drill, role: str, image: str, *, env: Mapping[str, str] | None = None) -> str:
    """Start one labelled container for `role`, as is; returns its id."""
    return start(d, role, spec_for(d, role, image, env))


def planned_spec(d: Drill, role: str, image: str) -> ContainerSpec:
    """`role`'s spec as the fault's plan has it (drills.playbook.deploy.apply_plan): the faulty AOT
    rollout (variant, env, limits, port holder), or the native deployments' env/variant."""
    assert d.plan is not None and d.images is not None
    d.act("apply-plan", role=role, plan=dataclasses.asdict(d.plan))
    return apply_plan(d.seam, spec_for(d, role, image), d.plan, d.images, d.waiting)


def deploy_planned(d: Drill, role: str, image: str) -> str:
    """Start `role` as the fault's plan has it; returns its id."""
    return start(d, role, planned_spec(d, role, image))


def start_shadow(d: Drill) -> None:
    """Start the JIT-native shadow in the background: its container and service start then
    overlap detection, and classify only waits for its healthy streak."""
    assert d.images is not None
    spec = planned_spec(d, "shadow-native", d.images.fallback_native)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shadow-native")
    d.shadow = pool.submit(start, d, "shadow-native", spec)
    pool.shutdown(wait=False)


def settle(d: Drill) -> None:
    """Wait for a background start, so diagnostics and cleanup see its container (its
    error, if any, is classify's to report)."""
    if d.shadow is not None:
        wait([d.shadow])


def preflight(d: Drill) -> Step:
    d.act("ping")
    d.seam.ping()
    d.act("build-images")
    d.images = d.build_images()
    d.plan = d.fault.prepare(d.scenario.fault_params)
    tags = {k: v for k, v in dataclasses.asdict(d.images).items() if v}
    return Step(
        outcome=Outcome.PASSED,
        summary=f"{len(tags)} images ready; fault '{d.fault.id}' prepared{app_note(d.scenario)}",
        data={"images": tags},
    )


def app_note(scenario: Scenario) -> str:
    """What the preflight says of an app's env: FUSE's AOT ignores .env, the drill does not."""
    if scenario.app is None:
        return ""
    keys = ", ".join(sorted(scenario.app.dotenv)) or "none"
    return (
        f"; {scenario.app.package}/.env ({keys}) given to the AOT and the fallback alike "
        "(FUSE's AOT ignores .env)"
    )


def deploy_candidate(d: Drill) -> Step:
    assert d.images is not None
    s = d.scenario
    cid = deploy(d, "candidate-aot", d.images.candidate_aot)
    port = d.ports["candidate-aot"]
    ready = watch.wait_ready(d.watcher, cid, port, d.until(s.ready_s), "candidate-aot")
    if ready is None:
        return Step(outcome=Outcome.ERROR, summary=never_ready(d, cid, port))
    return Step(outcome=Outcome.PASSED, summary="candidate AOT healthy")


def never_ready(d: Drill, cid: str, port: int | None) -> str:
    """One line: why the candidate never answered healthy (its last answer quoted, or how it
    ended) and what the scenario lacks, if its answer says."""
    s = d.scenario
    head = (
        f"the candidate AOT (before any fault) never answered {s.health_path} healthy within {s.ready_s:g} s"
    )
    info = d.seam.inspect(cid)
    if info.status == "exited" or port is None:
        last = (d.seam.logs(cid).strip().splitlines() or ["(no output)"])[-1]
        return (
            f"{head}: it exited (code {info.exit_code}): {last[:300]}; fix the release or the scenario first"
        )
    answer = d.watcher.sample(port, s.health_path, "ready", "candidate-aot")
    if answer.ok:
        return f"{head}; it answers now: raise app.ready_s"
    said = f"HTTP {answer.status} {answer.body.strip()}" if answer.status else (answer.error or "no answer")
    from drills.scenario.app import hint  # noqa: PLC0415

    return f"{head}: last answer {said}; {hint(answer.body, s.aot_env)}"


def _unsteady(scenario: Scenario, streak: list[Sample] | None, stats: watch.Stats) -> str | None:
    """Why there is no steady state to judge recovery against, or None. The latency SLO is
    the health check's, so it judges the health answers, not the load path's."""
    if streak is None or stats.error_rate > scenario.max_error_rate:
        return (
            f"no steady state before the fault (error rate {stats.error_rate:.0%}): "
            "the drill cannot judge recovery"
        )
    slo = scenario.probing.latency_slo_s
    health_ms = watch.health_p95_ms(streak)
    if slo is not None and health_ms > slo * 1000:
        return (
            f"no steady state before the fault: health p95 {health_ms:.1f} ms ({scenario.health_path}) "
            f"already exceeds probe.latency_slo_ms ({slo * 1000:g} ms); raise it or fix the deployment"
        )
    return None


def steady_state(d: Drill) -> Step:
    port = d.ports["candidate-aot"]
    assert port is not None
    cid = d.containers["candidate-aot"]
    streak = watch.healthy_streak(
        d.watcher, cid, port, d.until(d.scenario.ready_s), "candidate-aot", "steady-state"
    )
    stats = watch.load(d.watcher, port, "steady-state", "candidate-aot")
    d.steady = stats
    data = {**stats.as_data(), "health_p95_ms": round(watch.health_p95_ms(streak or []), 2)}
    problem = _unsteady(d.scenario, streak, stats)
    if problem:
        return Step(outcome=Outcome.ERROR, summary=problem, data=data)
    return Step(
        outcome=Outcome.PASSED,
        summary=f"p50 {stats.p50_ms:.1f} ms, p95 "
        f"{stats.p95_ms:.1f} ms, {stats.errors}/{stats.requests} errors",
        data=data,
    )


def inject(d: Drill) -> Step:
    """Runtime faults act on the running AOT; a plan with a rollout deploys a faulty AOT."""
    assert d.plan is not None and d.images is not None
    plan, params = d.plan, d.scenario.fault_params
    cid = d.containers["candidate-aot"]
    if plan.rollout:
        d.act("remove", role="candidate-aot", container=cid, why="rollout of the faulty AOT")
        d.seam.remove_container(cid)
        d.injected_at = d.clock()
        cid = deploy_planned(d, "candidate-aot", d.images.candidate_aot)
        port = d.ports["candidate-aot"]
        if (
            plan.ready_first
            and watch.wait_ready(d.watcher, cid, port, d.until(READY_S), "candidate-aot") is None
        ):
            return Step(
                outcome=Outcome.ERROR,
                summary=f"the faulty AOT rollout did not answer within {READY_S:.0f} s, so fault "
                f"'{d.fault.id}' could not be triggered in it",
            )
    d.act("inject", fault=d.fault.id, container=cid, params=dict(params))
    d.injected_at = d.injected_at or d.clock()
    d.fault.inject(d.seam, cid, params)
    d.active_at = d.clock()
    return Step(
        outcome=Outcome.PASSED,
        summary=f"fault '{d.fault.id}' injected into the AOT deployment",
        data={"plan": dataclasses.asdict(plan)},
    )


def detect(d: Drill) -> Step:
    assert d.injected_at is not None
    s = d.scenario
    window = s.observe_s if s.fault_id == "none" else max(s.observe_s, s.budgets.detect_s)
    cid = d.containers["candidate-aot"]
    # a fault: classify will ask whether JIT-native stays healthy
    shadow = (lambda: start_shadow(d)) if s.fault_id != "none" else watch.nothing
    d.incident = watch.detect(d.watcher, cid, d.ports["candidate-aot"], d.until(window), on_running=shadow)
    if d.incident is None:
        ok = s.fault_id == "none"
        return Step(
            outcome=Outcome.PASSED if ok else Outcome.FAILED,
            summary=f"no incident in {window:.1f} s" + ("" if ok else ": the fault was not detected"),
        )
    assert d.active_at is not None
    latency = max(0.0, d.incident.at - d.active_at)
    data = {
        "kind": d.incident.kind,
        "latency_s": round(latency, 4),
        "since_injection_s": round(d.incident.at - d.injected_at, 4),
        "exit_code": d.incident.exit_code,
        "fatal_lines": list(d.incident.fatal_lines),
    }
    summary = f"{d.incident.kind} detected {latency * 1000:.0f} ms after injection"
    if latency > s.budgets.detect_s:
        return Step(
            outcome=Outcome.FAILED, summary=f"{summary}: over the {s.budgets.detect_s} s budget", data=data
        )
    return Step(outcome=Outcome.PASSED, summary=summary, data=data)
