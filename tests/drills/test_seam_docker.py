"""The Docker seam against the real engine: what the runner and the faults rely on."""

from __future__ import annotations

import time

import pytest

from drills.engine.images import ImageSet
from drills.engine.seam import DockerEngine, connect
from harness.errors import InfraError
from tests.drills.conftest import spec_for

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("containers")]


def test_no_engine_is_one_infra_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(InfraError, match=r"^docker: ") as caught:
        connect(timeout_s=2)
    assert "\n" not in str(caught.value)


def test_an_unknown_image_is_an_infra_error(engine: DockerEngine, docker_run_id: str) -> None:
    with pytest.raises(InfraError, match="No such image"):
        engine.run(spec_for("fuse-harness/none:000000000000", docker_run_id))


def test_a_container_publishes_on_loopback_only_and_carries_its_labels(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    info = engine.run(spec_for(drill_images.candidate_aot, docker_run_id, nano_cpus=500_000_000))
    bindings = engine.inspect_raw(info.id)["NetworkSettings"]["Ports"]["8080/tcp"]
    assert {b["HostIp"] for b in bindings} == {"127.0.0.1"} and info.host_port
    assert engine.inspect_raw(info.id)["HostConfig"]["NanoCpus"] == 500_000_000
    engine.update(info.id, nano_cpus=250_000_000)
    assert engine.inspect_raw(info.id)["HostConfig"]["NanoCpus"] == 250_000_000
    found = [
        (kind, ident)
        for kind, ident, labels in engine.list_labelled("fuse-harness.run-id", docker_run_id)
        if labels.get("fuse-harness.role") == "candidate-aot"
    ]
    assert ("container", info.id) in found


def test_files_go_in_and_come_out(engine: DockerEngine, drill_images: ImageSet, docker_run_id: str) -> None:
    before = time.time()
    info = engine.run(spec_for(drill_images.candidate_aot, docker_run_id))
    # the engine's record of the start, on this host's clock (a rollout is timed from it)
    assert info.started_at is not None and before - 0.5 <= info.started_at <= time.time() + 0.5
    assert info.created_at is not None and info.created_at <= info.started_at
    engine.put_file(info.id, "/app/note.txt", b"drill\n", 0o644)
    assert engine.get_file(info.id, "/app/note.txt") == b"drill\n"


def test_wait_exit_times_out_on_a_live_container_and_sees_the_exit_with_its_events(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    since = time.time() - 1
    info = engine.run(spec_for(drill_images.candidate_aot, docker_run_id))
    assert engine.wait_exit(info.id, 0.3) is None
    engine.kill(info.id, "SIGKILL")
    done = engine.wait_exit(info.id, 20)
    assert done is not None and (done.status, done.exit_code) == ("exited", 137)
    actions = [
        e.action
        for e in engine.events({"fuse-harness.run-id": docker_run_id}, since, time.time() + 0.5)
        if e.container_id == info.id
    ]
    assert actions[:1] == ["create"] and {"start", "kill", "die"} <= set(actions)


def test_removal_is_idempotent(engine: DockerEngine, drill_images: ImageSet, docker_run_id: str) -> None:
    info = engine.run(spec_for(drill_images.candidate_aot, docker_run_id))
    engine.remove_container(info.id)
    engine.remove_container(info.id)
    engine.remove_image("fuse-harness/none:000000000000")
    with pytest.raises(InfraError, match="inspect container"):
        engine.inspect(info.id)
