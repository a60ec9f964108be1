"""Live progress on the real engine: the installed `drill run` writes each phase line as the
phase ends, well before the run does (through a pipe, as in a CI log)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from drills.engine.seam import DockerEngine
from drills.scenario.model import SUITES

pytestmark = pytest.mark.docker

DRILL = str(Path(sys.executable).parent / "drill")


def test_each_phase_line_arrives_as_the_phase_ends(engine: DockerEngine, tmp_path: Path) -> None:
    crash = str(SUITES["standard"] / "crash.yaml")
    cmd = [DRILL, "run", crash, "--out", str(tmp_path / "out"), "--lock-file", str(tmp_path / "lock")]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: list[tuple[float, str]] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            seen.append((time.monotonic(), line.rstrip("\n")))
        assert child.wait(timeout=240) == 0, "\n".join(text for _t, text in seen)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    at = {text.split()[1]: t for t, text in seen if text.startswith("crash ")}
    assert {"deploy", "detect", "fallback", "verify", "cleanup", "verdict"} <= at.keys(), seen
    end = next(t for t, text in seen if text.startswith("drill: PASSED"))
    # the fallback and verification take seconds after detection: its line came first
    assert end - at["detect"] > 1.0 and at["detect"] < at["verify"] < at["cleanup"] <= end
    detect = next(text for _t, text in seen if text.startswith("crash ") and " detect " in text)
    assert detect.endswith("/ budget 5 s") and " ms " in detect + " "
