"""Runner tests on the behavioural fake: a whole drill runs in microseconds of fake time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from drills.records import journal, outputs
from drills.run.runner import RunOptions, Tools, run
from drills.scenario.model import SUITES, load
from fixtures.fake_engine import FakeDocker
from fixtures.fake_release import FAULTS, image_builder, standard_behaviours


@pytest.fixture
def fake() -> FakeDocker:
    return standard_behaviours(FakeDocker())


def tools_for(fake: FakeDocker, *, previous: bool = True) -> Tools:
    return Tools(
        seam=fake,
        build_images=image_builder(fake, previous=previous),
        probe=fake.probe,
        faults=FAULTS,
        clock=fake.clock,
        sleep=fake.clock.sleep,
    )


# the phases a crash drill goes through, in order
PHASES = (
    "preflight",
    "deploy",
    "steady-state",
    "inject",
    "detect",
    "classify",
    "contain",
    "fallback",
    "verify",
    "diagnostics",
    "cleanup",
)


def standard(name: str, **changes: object):
    return replace(load(SUITES["standard"] / f"{name}.yaml"), **changes)


def drill(fake: FakeDocker, tmp_path: Path, *scenarios, **opts: object):
    """Run scenarios on the fake; returns (report, events)."""
    path = run(tools_for(fake), list(scenarios), RunOptions(out_dir=tmp_path, **opts))
    events = journal.read(path)
    return outputs.report(events), events


def verdict_of(report, name: str):
    return next(r for r in report.results if r.scope == name and r.check == "drill.verdict")


def phase_of(report, name: str, phase: str):
    return next(r for r in report.results if r.scope == name and r.check == f"drill.{phase}")


# -- the real Docker engine (tests marked `docker`; they fail, never skip, without one) ----
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from drills.engine.containers import ContainerSpec  # noqa: E402
from drills.engine.images import ImageSet, build_images  # noqa: E402
from drills.engine.labels import labels as safety_labels  # noqa: E402
from drills.engine.seam import DockerEngine, connect  # noqa: E402
from drills.standard.releases import write_release  # noqa: E402
from drills.standard.toolchain import Toolchain, app_package, build_toolchain  # noqa: E402
from harness.errors import InfraError  # noqa: E402

RUN_KEY = "fuse-harness.run-id"


@pytest.fixture(scope="session")
def engine() -> Iterator[DockerEngine]:
    try:
        seam = connect()
    except InfraError as exc:
        pytest.fail(f"these tests need a Docker engine: {exc}")
    yield seam
    seam.close()


@pytest.fixture(scope="session")
def docker_run_id() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def standin_tc() -> Toolchain:
    return build_toolchain("0.7.1")


@pytest.fixture(scope="session")
def drill_images(engine: DockerEngine, docker_run_id: str, standin_tc: Toolchain) -> Iterator[ImageSet]:
    """Every drill image, built once per session from the stand-in release; all removed after."""
    labels = docker_labels(docker_run_id, "image")
    with tempfile.TemporaryDirectory(prefix="fuse-harness-test-") as tmp:
        current = write_release(Path(tmp) / "v0.7.1", "v0.7.1", runnable=True)
        previous = write_release(Path(tmp) / "v0.7.0", "v0.7.0", runnable=True)
        images = build_images(
            engine,
            release=current,
            previous=previous,
            app_package=app_package(),
            labels=labels,
            lib_dirs=[standin_tc.runtime_lib.parent],
            namespace=docker_run_id,
            drop_library="libfuse_rt.so",
        )
    yield images
    _remove_labelled(engine, docker_run_id)
    for tag in (v for v in vars(images).values() if v):
        engine.remove_image(tag)
    assert engine.list_labelled(RUN_KEY, docker_run_id) == []


def docker_labels(run_id: str, role: str) -> dict[str, str]:
    """The harness's own labels (expiry, host, pid), so a concurrent reaper leaves them alone."""
    return safety_labels(run_id, "tests", role, time.time(), 3600.0)


def _remove_labelled(engine: DockerEngine, run_id: str) -> None:
    for kind, ident, _labels in engine.list_labelled(RUN_KEY, run_id):
        if kind == "container":
            engine.remove_container(ident)


@pytest.fixture
def containers(engine: DockerEngine, docker_run_id: str) -> Iterator[None]:
    """Removes this test's containers afterwards and checks none is left."""
    yield
    _remove_labelled(engine, docker_run_id)
    left = [i for k, i, _ in engine.list_labelled(RUN_KEY, docker_run_id) if k == "container"]
    assert left == []


def spec_for(image: str, run_id: str, role: str = "candidate-aot", **changes: object) -> ContainerSpec:
    spec = ContainerSpec(
        image=image, name=f"fh-{run_id}-{role}-{uuid.uuid4().hex[:6]}", labels=docker_labels(run_id, role)
    )
    return replace(spec, **changes)  # type: ignore[arg-type]
