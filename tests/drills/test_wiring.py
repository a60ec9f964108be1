"""Where `drill run` finds a release and its own libraries (no Docker needed)."""

from __future__ import annotations

import io
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from drills.run import wiring
from drills.scenario import aot_binary
from drills.scenario import model as scenario
from drills.standard.releases import write_line
from drills.standard.toolchain import build_toolchain
from fixtures.fake_engine import FakeDocker
from harness.errors import ConfigError


def _load(tmp_path: Path, release: str) -> scenario.Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: x\nfault: {{id: crash}}\nexpect: {{fallback: true}}\n{release}")
    return scenario.load(path)


def test_the_fixture_release_uses_each_versions_stand_in_runtime(tmp_path: Path) -> None:
    own, previous = aot_binary.lib_dirs(_load(tmp_path, ""))
    assert own == (build_toolchain("0.7.1").runtime_lib.parent,)
    assert previous == (build_toolchain("0.7.0").runtime_lib.parent,)
    assert (own[0] / "libfuse_rt.so").is_file()


def test_a_scenarios_lib_dirs_serve_both_releases(tmp_path: Path) -> None:
    write_line(tmp_path / "r", ("v0.7.0", "v0.7.1"))
    (tmp_path / "lib").mkdir()
    own, previous = aot_binary.lib_dirs(_load(tmp_path, "release: {path: r, lib_dirs: [lib]}\n"))
    assert own == previous == (tmp_path / "lib",)


def test_a_release_without_lib_dirs_gets_none(tmp_path: Path) -> None:
    write_line(tmp_path / "r", ("v0.7.1",))
    assert aot_binary.lib_dirs(_load(tmp_path, "release: {path: r, previous: null}\n")) == ((), ())


def test_release_dirs_finds_both_releases_of_a_line(tmp_path: Path) -> None:
    write_line(tmp_path / "r", ("v0.7.0", "v0.7.1"))
    s = _load(tmp_path, "release: {path: r}\n")
    assert wiring.release_dirs(s, tmp_path / "work") == (tmp_path / "r" / "v0.7.1", tmp_path / "r" / "v0.7.0")


def test_a_previous_release_that_is_not_there_is_a_config_error_not_skipped(tmp_path: Path) -> None:
    write_line(tmp_path / "r", ("v0.7.0", "v0.7.1"))
    s = _load(tmp_path, "release: {path: r}\n")
    gone = replace(s, release=replace(s.release, previous="v0.7.9"))
    with pytest.raises(ConfigError, match=r"s\.yaml: release\.previous: .* holds no v0\.7\.9 bundle"):
        wiring.release_dirs(gone, tmp_path / "work")


def _dockerfile(context: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(context)) as tar:
        member = tar.extractfile("Dockerfile")
        assert member is not None
        return member.read()


@pytest.mark.slow
def test_every_image_is_built_on_the_scenarios_base_image(tmp_path: Path) -> None:
    s = _load(tmp_path, "base_image: debian:12\n")
    fake = FakeDocker()
    fake.build_image(b"", "debian:12", {})  # pulled by whoever runs the drill, never by it
    images = wiring.image_builder(fake, tmp_path / "work")(s, {"fuse-harness.run-id": "r1"})
    built = [t for t in vars(images).values() if t]
    assert images.previous_aot and images.fallback_broken and len(built) >= 4
    # one layer on the base each, never the classic builder (seconds per image)
    assert {fake.layers[t] for t in built} == {"debian:12"} and fake.contexts == {"debian:12": b""}


def test_without_a_base_image_every_image_is_imported_from_scratch(tmp_path: Path) -> None:
    fake = FakeDocker()
    images = wiring.image_builder(fake, tmp_path / "work")(_load(tmp_path, ""), {"fuse-harness.run-id": "r1"})
    assert images.candidate_aot in fake.images and fake.contexts == {}


def test_a_base_image_the_engine_does_not_hold_is_refused_not_pulled(tmp_path: Path) -> None:
    s = _load(tmp_path, "base_image: debian:12\n")
    fake = FakeDocker()
    with pytest.raises(
        ConfigError, match=r"s\.yaml: base_image: debian:12 is not in the local Docker engine"
    ):
        wiring.image_builder(fake, tmp_path / "work")(s, {"fuse-harness.run-id": "r1"})
    assert fake.images == {}
