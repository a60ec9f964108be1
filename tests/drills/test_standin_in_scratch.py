"""The stand-in AOT service honours the runtime contract inside a container built locally
FROM scratch plus the binary's shared-library closure (issue 3's conformance check)."""

from __future__ import annotations

import re
import time

import pytest
import requests

from drills.engine.containers import ContainerInfo
from drills.engine.images import ImageSet
from drills.engine.seam import DockerEngine
from drills.playbook.deploy import Waiting, start_port_holder
from drills.playbook.probes import probe, until_healthy
from harness.errors import InfraError
from harness.formats import SHUTDOWN, compiled, find_fatals
from tests.drills.conftest import spec_for

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("containers")]


def _start_ready(engine: DockerEngine, image: str, run_id: str) -> ContainerInfo:
    info = engine.run(spec_for(image, run_id))
    assert info.host_port is not None, info
    port = info.host_port
    assert (
        until_healthy(
            lambda: probe(port, "/health", 1.0), time.monotonic() + 20, time.monotonic, Waiting().pause
        )
        is not None
    ), engine.logs(info.id)
    return info


def test_health_answers_200_with_a_request_id(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    info = _start_ready(engine, drill_images.candidate_aot, docker_run_id)
    url = f"http://127.0.0.1:{info.host_port}/health"
    echoed = requests.get(url, headers={"x-request-id": "drill-abc"}, timeout=(1, 5))
    assert (echoed.status_code, echoed.json()) == (200, {"status": "ok"})
    assert echoed.headers["X-Request-Id"] == "drill-abc"
    minted = requests.get(url, timeout=(1, 5))
    assert re.fullmatch(r"req-[0-9a-f]{16}", minted.headers["X-Request-Id"])


def test_the_image_holds_only_the_binary_and_its_closure(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    info = engine.run(spec_for(drill_images.candidate_aot, docker_run_id))
    assert engine.get_file(info.id, "/app/libfuse_rt.so")[:4] == b"\x7fELF"
    assert engine.get_file(info.id, "/lib64/ld-linux-x86-64.so.2")[:4] == b"\x7fELF"
    with pytest.raises(InfraError, match="/bin/sh"):
        engine.get_file(info.id, "/bin/sh")  # scratch: no shell, nothing but the closure


def test_sigterm_prints_the_shutdown_line_and_exits_0(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    info = _start_ready(engine, drill_images.candidate_aot, docker_run_id)
    engine.kill(info.id, "SIGTERM")
    done = engine.wait_exit(info.id, 20)
    assert done is not None and done.exit_code == 0
    lines = engine.logs(info.id).splitlines()
    shutdown = [m for m in map(compiled(SHUTDOWN).match, lines) if m]
    assert shutdown, lines
    assert "signal=SIGTERM" in shutdown[0].group(0)


def test_without_libfuse_rt_the_loader_fails_with_127(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    assert drill_images.aot_missing_library is not None
    info = engine.run(spec_for(drill_images.aot_missing_library, docker_run_id))
    done = engine.wait_exit(info.id, 20)
    assert done is not None and done.exit_code == 127
    assert (
        "error while loading shared libraries: libfuse_rt.so: cannot open shared object file"
    ) in engine.logs(info.id)


def test_a_bind_failure_is_a_runtime_fatal_envelope(
    engine: DockerEngine, drill_images: ImageSet, docker_run_id: str
) -> None:
    spec = spec_for(drill_images.candidate_aot, docker_run_id)
    holder = start_port_holder(engine, spec)
    info = engine.run(spec_for(drill_images.candidate_aot, docker_run_id, network_container=holder))
    done = engine.wait_exit(info.id, 20)
    assert done is not None and done.exit_code == 1
    fatals = find_fatals(engine.logs(info.id))
    assert [f.klass for f in fatals] == ["runtime_fatal"]
    assert "failed to bind 0.0.0.0:8080: Address already in use" in fatals[0].message
