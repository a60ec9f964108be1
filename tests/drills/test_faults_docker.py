"""Every fault of the catalogue, really applied to a container running the stand-in AOT
service: the observable effect is asserted, and nothing labelled is left afterwards."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from drills.engine.containers import ContainerInfo
from drills.engine.images import ImageSet
from drills.engine.seam import DockerEngine
from drills.faults.catalogue import FAULTS, FaultPlan
from drills.playbook.deploy import Waiting, apply_plan
from drills.playbook.probes import probe, until_healthy
from harness.formats import find_fatals
from tests.drills.conftest import spec_for

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("containers")]


def _ready(port: int | None, within_s: float = 20.0) -> bool:
    assert port is not None
    return (
        until_healthy(
            lambda: probe(port, "/health", 1.0), time.monotonic() + within_s, time.monotonic, Waiting().pause
        )
        is not None
    )


def _inject(
    engine: DockerEngine,
    images: ImageSet,
    run_id: str,
    fault_id: str,
    params: Mapping[str, Any] | None = None,
) -> tuple[ContainerInfo, FaultPlan]:
    """What the runner does: a healthy AOT, then the fault (a faulty rollout or an act)."""
    fault, params = FAULTS[fault_id], dict(params or {})
    plan = fault.prepare(params)
    spec = spec_for(images.candidate_aot, run_id)
    if plan.rollout:
        spec = apply_plan(engine, spec, plan, images)
    info = engine.run(spec)
    if not plan.rollout or plan.ready_first:  # as the playbook's inject phase waits
        assert _ready(info.host_port), engine.logs(info.id)
    fault.inject(engine, info.id, params)
    return info, plan


def _exited(engine: DockerEngine, info: ContainerInfo, within_s: float = 20.0) -> ContainerInfo:
    done = engine.wait_exit(info.id, within_s)
    assert done is not None, f"still {engine.inspect(info.id).status}: {engine.logs(info.id)}"
    return done


def test_none_leaves_the_service_up(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "none")
    assert engine.wait_exit(info.id, 1.0) is None
    assert probe(info.host_port, "/health", 2.0).ok


def test_crash_kills_the_service_and_the_engine_reports_the_death(
    engine, drill_images, docker_run_id
) -> None:
    since = time.time() - 1
    info, _ = _inject(engine, drill_images, docker_run_id, "crash")
    assert _exited(engine, info).exit_code == 137
    events = engine.events({"fuse-harness.run-id": docker_run_id}, since, time.time() + 0.5)
    dies = [e for e in events if e.container_id == info.id and e.action == "die"]
    assert [e.exit_code for e in dies] == [137]


def test_crash_loop_prints_a_fatal_envelope_on_every_start(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "crash-loop", {"restarts": 2})
    deadline = time.monotonic() + 30
    state = engine.inspect(info.id)
    while not (state.status == "exited" and state.restart_count == 2):
        assert time.monotonic() < deadline, state
        engine.wait_exit(info.id, 1.0)
        state = engine.inspect(info.id)
    assert state.exit_code == 1
    fatals = find_fatals(engine.logs(info.id))
    assert len(fatals) == 3 and {f.klass for f in fatals} == {"runtime_fatal"}
    assert all(f.message.startswith("failed to read config file") for f in fatals)


def test_corrupt_binary_cannot_start_again(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "corrupt-binary")
    state = _exited(engine, info)
    assert state.status != "running" and state.exit_code not in (None, 0)
    assert "exec format error" in (state.error + engine.logs(info.id))


def test_missing_library_is_a_loader_failure(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "missing-library")
    assert _exited(engine, info).exit_code == 127
    assert "libfuse_rt.so: cannot open shared object file" in engine.logs(info.id)


def test_slow_start_runs_under_the_cpu_quota(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "slow-start", {"cpus": 0.02})
    assert engine.inspect_raw(info.id)["HostConfig"]["NanoCpus"] == 20_000_000
    assert _ready(info.host_port, 60.0), engine.logs(info.id)  # slow, not dead
    assert engine.inspect(info.id).status == "running"


def test_hang_freezes_the_service_so_probes_time_out(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "hang")
    assert engine.inspect(info.id).status == "paused"
    sample = probe(info.host_port, "/health", 0.5)
    assert not sample.ok and sample.error in ("read timeout", "connection error")
    assert engine.wait_exit(info.id, 0.5) is None  # a hang never exits by itself


def test_oom_has_the_kernel_kill_the_service(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "oom", {"memory_mb": 16})
    state = _exited(engine, info)
    assert (state.exit_code, state.oom_killed) == (137, True)


def test_oom_ballast_is_inert_until_triggered(engine, drill_images, docker_run_id) -> None:
    plan = FAULTS["oom"].prepare({})
    info = engine.run(
        apply_plan(engine, spec_for(drill_images.candidate_aot, docker_run_id), plan, drill_images)
    )
    assert _ready(info.host_port), engine.logs(info.id)
    assert engine.wait_exit(info.id, 1.0) is None


def test_port_conflict_is_a_fatal_bind_failure(engine, drill_images, docker_run_id) -> None:
    info, _ = _inject(engine, drill_images, docker_run_id, "port-conflict")
    assert _exited(engine, info).exit_code == 1
    fatals = find_fatals(engine.logs(info.id))
    assert fatals and "Address already in use" in fatals[0].message
    roles = [
        labels["fuse-harness.role"]
        for kind, _id, labels in engine.list_labelled("fuse-harness.run-id", docker_run_id)
        if kind == "container"
    ]
    assert "fault-helper" in roles  # the holder is labelled, so cleanup finds it


def test_both_backends_breaks_the_native_deployment_too(engine, drill_images, docker_run_id) -> None:
    info, plan = _inject(engine, drill_images, docker_run_id, "both-backends")
    assert _exited(engine, info).exit_code == 1
    assert find_fatals(engine.logs(info.id))[0].message.startswith("failed to read config file")
    shadow = spec_for(drill_images.fallback_native, docker_run_id, role="shadow-native")
    native = engine.run(apply_plan(engine, shadow, plan, drill_images))
    assert _exited(engine, native).exit_code == 1
    assert "failed to read config file" in engine.logs(native.id)


def test_broken_fallback_crashes_the_aot_and_sabotages_only_the_fallback(
    engine, drill_images, docker_run_id
) -> None:
    info, plan = _inject(engine, drill_images, docker_run_id, "broken-fallback")
    assert _exited(engine, info).exit_code == 137
    fallback = spec_for(drill_images.fallback_native, docker_run_id, role="fallback-native")
    broken = engine.run(apply_plan(engine, fallback, plan, drill_images))
    assert _exited(engine, broken).exit_code != 0
    assert "exec format error" in engine.logs(broken.id) + engine.inspect(broken.id).error
    shadow = spec_for(drill_images.fallback_native, docker_run_id, role="shadow-native")
    healthy = engine.run(apply_plan(engine, shadow, plan, drill_images))
    assert _ready(healthy.host_port), engine.logs(healthy.id)
