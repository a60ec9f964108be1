"""The drill's state: the stages a phase returns, and the live registry of what it deployed."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from drills.engine.containers import ContainerInfo
from drills.engine.images import ImageSet
from drills.faults.catalogue import FaultPlan
from drills.playbook.deploy import Deployment, Deployments
from drills.playbook.state import Deployed, Injected, Prepared, Steady, grow
from drills.playbook.watch import Stats


def _dep(role: str, cid: str) -> Deployment:
    info = ContainerInfo(
        id=cid, name=cid, status="running", exit_code=None, oom_killed=False, restart_count=0,
        host_port=8080, labels={},
    )  # fmt: skip
    return Deployment(container_id=cid, name=cid, role=role, host_port=8080, image="aot:1", info=info)


def _deployed() -> Deployed:
    prepared = Prepared(images=ImageSet(candidate_aot="aot:1", fallback_native="jit:1"), plan=FaultPlan())
    return grow(Deployed, prepared, candidate=_dep("candidate-aot", "c1"))


def _steady() -> Steady:
    return grow(Steady, _deployed(), steady=Stats(requests=10, errors=0, p50_ms=1.0, p95_ms=2.0))


def test_a_stage_keeps_what_the_stages_before_it_knew():
    steady = _steady()
    injected = grow(Injected, steady, injected_at=5.0, active_at=6.0)
    assert injected.images == steady.images and injected.plan == steady.plan
    assert injected.candidate == steady.candidate and injected.steady == steady.steady
    assert (injected.injected_at, injected.active_at) == (5.0, 6.0)


def test_a_phase_may_replace_a_fact_and_the_earlier_stage_stays_as_it_was():
    steady = _steady()
    rolled = grow(Injected, steady, candidate=_dep("candidate-aot", "c2"), injected_at=5.0, active_at=6.0)
    assert rolled.candidate.container_id == "c2"
    assert steady.candidate.container_id == "c1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rolled.injected_at = 7.0  # type: ignore[misc]


def test_a_stage_cannot_be_grown_without_what_its_phase_learns():
    with pytest.raises(TypeError, match="steady"):
        grow(Steady, _deployed())


def test_the_registry_keeps_the_latest_container_per_role_in_the_order_roles_first_started():
    live = Deployments()
    for role, cid in (("candidate-aot", "c1"), ("shadow-native", "s1"), ("candidate-aot", "c2")):
        live.add(_dep(role, cid))
    assert len(live) == 2
    assert [(d.role, d.container_id) for d in live.latest()] == [
        ("candidate-aot", "c2"),
        ("shadow-native", "s1"),
    ]
    assert live.get("shadow-native") is not None and live.get("fallback-native") is None


def test_settle_waits_for_a_background_start_and_leaves_its_error_to_whoever_awaits_it():
    live = Deployments()
    go = threading.Event()

    def slow() -> Deployment:
        go.wait(5)
        dep = _dep("shadow-native", "s1")
        live.add(dep)
        return dep

    def broken() -> Deployment:
        raise RuntimeError("no engine")

    started = live.in_background("shadow-native", slow)
    failed = live.in_background("shadow-native", broken)
    threading.Timer(0.05, go.set).start()
    live.settle()
    assert started.done() and live.get("shadow-native") == started.result()
    with pytest.raises(RuntimeError, match="no engine"):
        failed.result()
