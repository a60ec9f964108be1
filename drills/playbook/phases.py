"""The playbook's phases up to detection: preflight, deploy, steady-state, inject, detect.
Each takes the drill's `Kit` and the stage the phase before it returned, and returns its
`Step` with the next stage (drills/playbook/state.py); drills/playbook/drill.py times and
journals them and decides what runs next; drills/playbook/fallback.py holds the rest.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from drills.playbook import watch
from drills.playbook.kit import Kit, Step, deploy, deploy_planned, planned_spec, start
from drills.playbook.state import Deployed, Detected, Injected, Prepared, Steady, grow
from harness.results import Outcome

if TYPE_CHECKING:
    from concurrent.futures import Future

    from drills.playbook.deploy import Deployment
    from drills.playbook.probes import Sample
    from drills.scenario.model import Scenario

READY_S = 30.0  # how long a deployment may take to answer before the fault or in a shadow


def start_shadow(k: Kit, p: Prepared) -> Future[Deployment]:
    """Start the JIT-native shadow in the background: its container and service start then
    overlap detection, and classify only waits for its healthy streak."""
    spec = planned_spec(k, p, "shadow-native", p.images.fallback_native)
    return k.deployments.in_background("shadow-native", lambda: start(k, "shadow-native", spec))


def preflight(k: Kit) -> tuple[Step, Prepared]:
    k.act("ping")
    k.seam.ping()
    k.act("build-images")
    images = k.build_images()
    prepared = Prepared(images=images, plan=k.fault.prepare(k.scenario.fault_params))
    tags = {name: tag for name, tag in dataclasses.asdict(images).items() if tag}
    return Step(
        outcome=Outcome.PASSED,
        summary=f"{len(tags)} images ready; fault '{k.fault.id}' prepared{app_note(k.scenario)}",
        data={"images": tags},
    ), prepared


def app_note(scenario: Scenario) -> str:
    """What the preflight says of an app's env: FUSE's AOT ignores .env, the drill does not."""
    if scenario.app is None:
        return ""
    keys = ", ".join(sorted(scenario.app.dotenv)) or "none"
    return (
        f"; {scenario.app.package}/.env ({keys}) given to the AOT and the fallback alike "
        "(FUSE's AOT ignores .env)"
    )


def deploy_candidate(k: Kit, p: Prepared) -> tuple[Step, Deployed]:
    candidate = deploy(k, "candidate-aot", p.images.candidate_aot)
    deployed = grow(Deployed, p, candidate=candidate)
    cid, port = candidate.container_id, candidate.host_port
    ready = watch.wait_ready(k.watcher, cid, port, k.until(k.scenario.ready_s), "candidate-aot")
    if ready is None:
        return Step(outcome=Outcome.ERROR, summary=never_ready(k, cid, port)), deployed
    return Step(outcome=Outcome.PASSED, summary="candidate AOT healthy"), deployed


def never_ready(k: Kit, cid: str, port: int | None) -> str:
    """One line: why the candidate never answered healthy (its last answer quoted, or how it
    ended) and what the scenario lacks, if its answer says."""
    s = k.scenario
    head = (
        f"the candidate AOT (before any fault) never answered {s.health_path} healthy within {s.ready_s:g} s"
    )
    info = k.seam.inspect(cid)
    if info.status == "exited" or port is None:
        last = (k.seam.logs(cid).strip().splitlines() or ["(no output)"])[-1]
        return (
            f"{head}: it exited (code {info.exit_code}): {last[:300]}; fix the release or the scenario first"
        )
    answer = k.watcher.sample(port, s.health_path, "ready", "candidate-aot")
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


def steady_state(k: Kit, d: Deployed) -> tuple[Step, Steady]:
    port, cid = d.candidate.host_port, d.candidate.container_id
    assert port is not None
    streak = watch.healthy_streak(
        k.watcher, cid, port, k.until(k.scenario.ready_s), "candidate-aot", "steady-state"
    )
    stats = watch.load(k.watcher, port, "steady-state", "candidate-aot")
    steady = grow(Steady, d, steady=stats)
    data = {**stats.as_data(), "health_p95_ms": round(watch.health_p95_ms(streak or []), 2)}
    problem = _unsteady(k.scenario, streak, stats)
    if problem:
        return Step(outcome=Outcome.ERROR, summary=problem, data=data), steady
    return Step(
        outcome=Outcome.PASSED,
        summary=f"p50 {stats.p50_ms:.1f} ms, p95 "
        f"{stats.p95_ms:.1f} ms, {stats.errors}/{stats.requests} errors",
        data=data,
    ), steady


def _unready(k: Kit, rolled_out: Deployment) -> bool:
    """True when the rolled-out AOT gave no healthy answer within READY_S (a plan with
    `ready_first` triggers its fault only in a service that is up)."""
    until = k.until(READY_S)
    cid, port = rolled_out.container_id, rolled_out.host_port
    return watch.wait_ready(k.watcher, cid, port, until, "candidate-aot") is None


def in_effect(rolled_out: Deployment, deployed_at: float) -> float:
    """When a faulty rollout took effect: as its process started, not when a busy engine
    answered the deploy (it answers late, after it has seen a process that dies at start
    exit, which then looks detected in no time: 4 ms with a second scenario running, 150 ms
    without). The engine records the start on its own clock, which may be another host's, so
    it is read against its record of the create, which the harness asked for at `asked_at`:
    the start came (StartedAt - Created) after that. Bounded by the deploy call; a container
    the engine has already restarted (a restart policy) says only its last start, so that
    one keeps `deployed_at`."""
    info, asked_at = rolled_out.info, rolled_out.asked_at
    if asked_at is None or info.started_at is None or info.created_at is None or info.restart_count:
        return deployed_at
    return min(max(asked_at + (info.started_at - info.created_at), asked_at), deployed_at)


def inject(k: Kit, s: Steady) -> tuple[Step, Injected]:
    """Runtime faults act on the running AOT; a plan with a rollout deploys a faulty AOT."""
    plan, params = s.plan, k.scenario.fault_params
    candidate, rolled_out_at = s.candidate, None
    if plan.rollout:
        cid = candidate.container_id
        k.act("remove", role="candidate-aot", container=cid, why="rollout of the faulty AOT")
        k.seam.remove_container(cid)
        rolled_out_at = k.clock()
        candidate = deploy_planned(k, s, "candidate-aot", s.images.candidate_aot)
        if plan.ready_first and _unready(k, candidate):
            return Step(
                outcome=Outcome.ERROR,
                summary=f"the faulty AOT rollout did not answer within {READY_S:.0f} s, so fault "
                f"'{k.fault.id}' could not be triggered in it",
            ), grow(Injected, s, candidate=candidate, injected_at=rolled_out_at, active_at=k.clock())
    k.act("inject", fault=k.fault.id, container=candidate.container_id, params=dict(params))
    injected_at = rolled_out_at or k.clock()
    k.fault.inject(k.seam, candidate.container_id, params)
    active_at = k.clock()
    if rolled_out_at is not None and not plan.ready_first:
        active_at = in_effect(candidate, active_at)
    injected = grow(Injected, s, candidate=candidate, injected_at=injected_at, active_at=active_at)
    return Step(
        outcome=Outcome.PASSED,
        summary=f"fault '{k.fault.id}' injected into the AOT deployment",
        data={"plan": dataclasses.asdict(plan)},
    ), injected


def detect(k: Kit, i: Injected) -> tuple[Step, Detected]:
    s = k.scenario
    window = s.observe_s if s.fault_id == "none" else max(s.observe_s, s.budgets.detect_s)
    candidate = i.candidate
    # a fault: classify will ask whether JIT-native stays healthy
    shadows: list[Future[Deployment]] = []
    shadow = (lambda: shadows.append(start_shadow(k, i))) if s.fault_id != "none" else watch.nothing
    incident = watch.detect(
        k.watcher, candidate.container_id, candidate.host_port, k.until(window), on_running=shadow
    )
    detected = grow(Detected, i, incident=incident, shadow=shadows[0] if shadows else None)
    if incident is None:
        ok = s.fault_id == "none"
        return Step(
            outcome=Outcome.PASSED if ok else Outcome.FAILED,
            summary=f"no incident in {window:.1f} s" + ("" if ok else ": the fault was not detected"),
        ), detected
    latency = max(0.0, incident.at - i.active_at)
    data = {
        "kind": incident.kind,
        "latency_s": round(latency, 4),
        "since_injection_s": round(incident.at - i.injected_at, 4),
        "exit_code": incident.exit_code,
        "fatal_lines": list(incident.fatal_lines),
    }
    summary = f"{incident.kind} detected {latency * 1000:.0f} ms after injection"
    if latency > s.budgets.detect_s:
        return Step(
            outcome=Outcome.FAILED, summary=f"{summary}: over the {s.budgets.detect_s} s budget", data=data
        ), detected
    return Step(outcome=Outcome.PASSED, summary=summary, data=data), detected
