"""Drilling your own service on the real engine: `drill init` + `drill run` on the stand-in's
reference-service shape (its AOT from `fuse build --release`, the CLI from a release's
bundle, a database `fuse migrate` creates) passes every fault and control with no hand
edits; without the app's env the drill fails in deploy with one line, evidence kept."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.engine.seam import DockerEngine
from drills.faults.catalogue import FAULTS
from drills.standard.releases import write_release
from drills.standard.toolchain import build_toolchain, notes_package
from tests.drills.test_suite_docker import DRILL, assert_nothing_left, drill_run

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`drill init` on a built notes package, as a user would run it."""
    root = tmp_path_factory.mktemp("own-service")
    pkg = Path(shutil.copytree(notes_package(), root / "notes"))
    fuse = build_toolchain("0.7.1").fuse
    built = subprocess.run(
        [fuse, "build", "--release", "--manifest-path", pkg], capture_output=True, check=False
    )
    assert built.returncode == 0, built.stderr
    release = write_release(root / "v0.7.1", "v0.7.1", runnable=True)
    previous = build_toolchain("0.7.0").notes_aot
    init = subprocess.run(
        [
            DRILL,
            "init",
            "--app",
            pkg,
            "--release",
            release,
            "--previous-aot",
            previous,
            "--out",
            root / "suite",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    return root / "suite"


def absolute(suite: Path, name: str) -> dict[str, Any]:
    """A scenario of the suite with its app paths made absolute, to be written elsewhere."""
    doc: dict[str, Any] = yaml.safe_load((suite / name).read_text())
    app = doc["app"]
    app["package"] = str((suite / app["package"]).resolve())
    app["aot"] = {k: str((suite / v).resolve()) for k, v in app["aot"].items()}
    app["fallback"] = {"release": str((suite / app["fallback"]["release"]).resolve())}
    return doc


@pytest.mark.slow
def test_init_then_run_passes_every_fault_and_control(
    suite: Path, tmp_path: Path, engine: DockerEngine
) -> None:
    out = tmp_path / "out"
    done = drill_run(out, str(suite), timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((out / "report.json").read_text())
    verdicts = {r["scope"]: r["outcome"] for r in report["results"] if r["check"] == "drill.verdict"}
    assert verdicts == dict.fromkeys(FAULTS, "passed")
    log = (out / "evidence" / "missing-library" / "candidate-aot.log").read_text()
    assert "libm.so.6: cannot open shared object file" in log  # a real dependency of a glibc-only AOT
    assert_nothing_left(engine, out)


def test_without_the_apps_env_the_drill_fails_in_deploy_with_one_line(
    suite: Path, tmp_path: Path, engine: DockerEngine
) -> None:
    doc = absolute(suite, "crash.yaml")
    app = doc["app"]
    app |= {"env_file": False, "ready_s": 3, "setup": {**app["setup"], "keep": ["/app/notes.db"]}}
    scenario = tmp_path / "no-env.yaml"
    scenario.write_text(yaml.safe_dump({**doc, "name": "no-env"}))
    out = tmp_path / "out"
    done = drill_run(out, str(scenario))
    assert done.returncode == 3, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("error    no-env drill.deploy:"))
    assert "last answer HTTP 500" in line and "db url not configured (set FUSE_DB_URL or App.dbUrl)" in line
    assert "FUSE_DB_URL is not in the AOT's environment (FUSE's AOT ignores .env)" in line
    evidence = out / "evidence" / "no-env"
    assert (
        "starting reference service on port 8080 with db (not configured)"
        in (evidence / "candidate-aot.log").read_text()
    )
    assert (evidence / "candidate-aot.inspect.json").is_file()
    assert_nothing_left(engine, out)


def test_on_a_base_image_with_setup_the_drill_passes(
    suite: Path, tmp_path: Path, engine: DockerEngine
) -> None:
    """Every image one committed layer on the base, the setup run in a container given its
    files: the path a user's `base_image: debian:12` takes."""
    from benchmarks.preflight_bench import base_rootfs  # noqa: PLC0415 - the host's glibc as a base

    base = f"fuse-harness/test-base:{tmp_path.name[-12:].lower().replace('_', '-')}"
    engine.import_image(base_rootfs(), base, (), {"fuse-harness.test": "base"})
    try:
        doc = absolute(suite, "crash.yaml")
        scenario = tmp_path / "crash.yaml"
        scenario.write_text(yaml.safe_dump({**doc, "base_image": base}))
        out = tmp_path / "out"
        done = drill_run(out, str(scenario))
        assert done.returncode == 0, done.stdout + done.stderr
        assert_nothing_left(engine, out)
    finally:
        engine.remove_image(base)
