"""`drill init` writes a suite `drill validate` accepts: every fault and control of the
catalogue, the app's AOT from `fuse build --release`, setup and health path found."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.drill import drill
from drills.faults.catalogue import FAULTS
from drills.scenario.model import load_all
from drills.standard.releases import write_release
from drills.standard.toolchain import Toolchain, app_package, build_toolchain, notes_package


@pytest.fixture(scope="module")
def tc() -> Toolchain:
    return build_toolchain("0.7.1")


@pytest.fixture
def built(tmp_path: Path, tc: Toolchain) -> Path:
    """The notes package after `fuse build --release` (its .fuse/build/program.aot)."""
    pkg = Path(shutil.copytree(notes_package(), tmp_path / "notes"))
    done = subprocess.run(
        [str(tc.fuse), "build", "--release", "--manifest-path", str(pkg)], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return pkg


@pytest.fixture
def release(tmp_path: Path) -> Path:
    return write_release(tmp_path / "v0.7.1", "v0.7.1", runnable=True)


def test_init_writes_every_fault_and_control_and_they_validate(
    tmp_path: Path, built: Path, release: Path
) -> None:
    out = tmp_path / "suite"
    result = CliRunner().invoke(
        drill, ["init", "--app", str(built), "--release", str(release), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "drill init: 11 scenarios in" in result.output
    scenarios = load_all(sorted(out.glob("*.yaml")))
    assert {s.fault_id for s in scenarios} == set(FAULTS)
    first = scenarios[0]
    assert first.app is not None
    assert first.app.candidate.path == built / ".fuse" / "build" / "program.aot"
    assert first.health_path == "/api/public/notes"  # the package declares no /health
    assert first.app.setup is not None and first.app.setup.command == (
        "fuse",
        "migrate",
        "--manifest-path",
        "/app/pkg",
    )
    doc = yaml.safe_load((out / "crash.yaml").read_text())
    assert doc["app"]["package"] == "../notes"  # relative: the suite moves with the repository
    assert CliRunner().invoke(drill, ["validate", str(out)]).exit_code == 0


def test_init_on_the_demo_app_probes_its_own_health_route_and_needs_no_setup(
    tmp_path: Path, tc: Toolchain, release: Path
) -> None:
    out = tmp_path / "suite"
    args = ["init", "--app", str(app_package()), "--release", str(release), "--aot", str(tc.aot_binary)]
    result = CliRunner().invoke(drill, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((out / "none.yaml").read_text())
    assert doc["app"]["health_path"] == "/health"
    assert "setup" not in doc["app"]


def test_init_without_a_built_aot_says_how_to_build_it(tmp_path: Path, release: Path) -> None:
    pkg = shutil.copytree(notes_package(), tmp_path / "notes")
    result = CliRunner().invoke(drill, ["init", "--app", str(pkg), "--release", str(release)])
    assert result.exit_code == 2
    assert "program.aot: no AOT binary; build it first (`fuse build --manifest-path" in result.output


def test_init_refuses_a_release_without_the_cli_bundle(tmp_path: Path, built: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(drill, ["init", "--app", str(built), "--release", str(empty)])
    assert result.exit_code == 2
    assert "holds no fuse-cli-linux-x64.tar.gz" in result.output


def test_the_notes_suite_validates() -> None:
    result = CliRunner().invoke(drill, ["validate", "--suite", "notes"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\nok ") + result.output.startswith("ok ") == len(FAULTS)
