"""An app's images on the behavioural engine: the setup runs once in the fallback image with
the fallback's env, and what it keeps goes into every image; a failing setup is one line
with its output's tail."""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.engine.containers import ContainerInfo, ContainerSpec
from drills.engine.images import ImageSet
from drills.scenario.app_images import SETUP_ROLE, build_app_images
from drills.scenario.model import load
from drills.scenario.notes_suite import suite_dir
from fixtures.fake_engine import Behaviour, FakeDocker
from harness.errors import InfraError

LABELS = {"fuse-harness.run-id": "r1", "fuse-harness.scenario": "crash"}


def _recording(fake: FakeDocker) -> list[ContainerSpec]:
    """The specs the fake is asked to run (the setup's container is removed once done)."""
    specs: list[ContainerSpec] = []
    run = fake.run

    def recorded(spec: ContainerSpec) -> ContainerInfo:
        specs.append(spec)
        return run(spec)

    fake.run = recorded  # type: ignore[method-assign]
    return specs


def _built(state: bytes) -> tuple[ImageSet, list[ContainerSpec]]:
    fake = FakeDocker()
    fake.role_behaviours[SETUP_ROLE] = Behaviour(exit_after_s=0.01, exit_code=0, log="[migrate] applied\n")
    fake.image_files["/app/notes.db"] = state
    specs = _recording(fake)
    return build_app_images(fake, load(suite_dir() / "crash.yaml"), LABELS, "ns"), specs


def test_the_setup_runs_once_and_its_files_reach_every_image() -> None:
    images, specs = _built(b"table notes\n")
    (setup,) = specs
    assert setup.labels["fuse-harness.role"] == SETUP_ROLE
    assert setup.entrypoint == ("fuse", "migrate", "--manifest-path", "/app/pkg")
    assert setup.env["FUSE_DB_URL"] == "sqlite://notes.db"  # the fallback's env, .env included
    other, _ = _built(b"other state\n")
    # every image holds the kept file: other state, other content, other tags
    for role in ("candidate_aot", "previous_aot", "fallback_native", "fallback_broken"):
        assert getattr(images, role) and getattr(other, role) != getattr(images, role)


def test_a_failing_setup_is_one_line_with_its_output(tmp_path: Path) -> None:
    scenario = load(suite_dir() / "crash.yaml")
    fake = FakeDocker()
    fake.role_behaviours[SETUP_ROLE] = Behaviour(
        exit_after_s=0.01, exit_code=1, log="run error: db url not configured\n[migrate] failed\n"
    )
    with pytest.raises(
        InfraError,
        match=r"app\.setup: `fuse migrate --manifest-path /app/pkg` exited 1: "
        r"run error: db url not configured \| \[migrate\] failed$",
    ):
        build_app_images(fake, scenario, LABELS, "ns")


def test_a_setup_that_leaves_no_file_names_the_path(tmp_path: Path) -> None:
    scenario = load(suite_dir() / "crash.yaml")
    fake = FakeDocker()
    fake.role_behaviours[SETUP_ROLE] = Behaviour(exit_after_s=0.01, exit_code=0)
    with pytest.raises(InfraError, match=r"app\.setup\.keep: .* exited 0 but left no file /app/notes\.db"):
        build_app_images(fake, scenario, LABELS, "ns")
