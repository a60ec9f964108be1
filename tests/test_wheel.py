"""What ships is what runs: the built wheel (not the checkout) validates the standard suite and
gates the fixture line from a folder outside the checkout. CI's `wheel` job does the same with
a fresh venv and the console scripts; this is the same check inside the suite."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from drills.standard.releases import write_line

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked on its own into a folder (what `pip install` lays out)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=240,
    )
    (wheel,) = out.glob("*.whl")
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run_installed(site: Path, cwd: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; from cli.start import {command}; sys.argv[0] = {command!r}; sys.exit({command}())"
    env = {**os.environ, "PYTHONPATH": str(site), "FUSE_FIXTURE_CACHE": str(cwd / "cache")}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_the_wheel_holds_the_standard_suite_and_the_stand_in(installed: Path) -> None:
    assert sorted(p.name for p in (installed / "drills/standard/scenarios").glob("*.yaml"))
    assert (installed / "drills/standard/standin/src/aot_main.c").is_file()
    assert not (installed / "fixtures").exists()  # test fakes stay out of the product
    assert not (installed / "tests").exists()


@pytest.mark.slow
def test_the_installed_wheel_validates_the_standard_suite_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    proc = run_installed(installed, tmp_path, "drill", "validate", "--suite", "standard")
    assert proc.returncode == 0, proc.stderr
    assert str(installed) in proc.stdout  # the suite came from the wheel, not the checkout
    assert str(ROOT) not in proc.stdout


@pytest.mark.slow
def test_the_installed_wheel_gates_the_fixture_line_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    write_line(tmp_path / "line")
    proc = run_installed(installed, tmp_path, "gate", "check", "--release", "v0.7.x", "--source", "line")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gate check: PASSED" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("columns", "command"), [("80", "gate"), ("60", "gate"), ("80", "drill")])
def test_the_installed_wheel_prints_help_from_its_screens_or_click(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: str, command: str
) -> None:
    """The screens ship (cli/help/); at 60 columns click renders the help itself."""
    assert sorted(p.name for p in (installed / "cli/help").iterdir()) == sorted(
        p.name for p in (ROOT / "cli/help").iterdir()
    )
    monkeypatch.setenv("COLUMNS", columns)
    proc = run_installed(installed, tmp_path, command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Usage: {command} [OPTIONS] COMMAND [ARGS]...")
    assert (proc.stdout == (ROOT / f"cli/help/{command}.txt").read_text()) is (columns == "80")
