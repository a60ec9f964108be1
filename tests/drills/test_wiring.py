"""Where `drill run` finds a release's own libraries (no Docker needed)."""

from __future__ import annotations

from pathlib import Path

from drills import scenario, wiring
from fixtures.toolchain import build_toolchain


def _load(tmp_path: Path, release: str) -> scenario.Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: x\nfault: {{id: crash}}\nexpect: {{fallback: true}}\n{release}")
    return scenario.load(path)


def test_the_fixture_release_uses_each_versions_stand_in_runtime(tmp_path: Path) -> None:
    own, previous = wiring.lib_dirs(_load(tmp_path, ""))
    assert own == (build_toolchain("0.7.1").runtime_lib.parent,)
    assert previous == (build_toolchain("0.7.0").runtime_lib.parent,)
    assert (own[0] / "libfuse_rt.so").is_file()


def test_a_scenarios_lib_dirs_serve_both_releases(tmp_path: Path) -> None:
    own, previous = wiring.lib_dirs(_load(tmp_path, "release: {path: r, lib_dirs: [lib]}\n"))
    assert own == previous == (tmp_path / "lib",)


def test_a_release_without_lib_dirs_gets_none(tmp_path: Path) -> None:
    assert wiring.lib_dirs(_load(tmp_path, "release: {path: r, previous: null}\n")) == ((), ())
