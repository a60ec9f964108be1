"""`drill run --jobs 2` on the real engine: scenarios overlap, verdicts are as expected,
nothing is left behind, and a Ctrl-C mid-run stops every scenario and still cleans up."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from drills.engine.seam import DockerEngine
from drills.records import journal
from drills.scenario.model import SUITES
from tests.drills.test_suite_docker import DRILL, assert_nothing_left

pytestmark = pytest.mark.docker

FOUR = [str(SUITES["standard"] / f"{n}.yaml") for n in ("crash", "hang", "oom", "none")]


def _cmd(tmp_path: Path) -> list[str]:
    return [
        DRILL,
        "run",
        *FOUR,
        "--jobs",
        "2",
        "--out",
        str(tmp_path / "out"),
        "--lock-file",
        str(tmp_path / "lock"),
    ]


def test_two_at_a_time_overlap_and_pass(engine: DockerEngine, tmp_path: Path) -> None:
    done = subprocess.run(_cmd(tmp_path), capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    events = journal.read(tmp_path / "out" / "journal.jsonl")
    starts = [e.t for e in events if e.kind == "scenario.started"]
    first_end = min(e.t for e in events if e.kind == "scenario.finished")
    assert sum(t < first_end for t in starts) == 2  # two ran at once, never more
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert {r["scope"]: r["outcome"] for r in report["results"] if r["check"] == "drill.verdict"} == {
        "crash": "passed",
        "hang": "passed",
        "oom": "passed",
        "none": "passed",
    }
    assert_nothing_left(engine, tmp_path / "out")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_both_running_scenarios_and_cleans_up(
    engine: DockerEngine, tmp_path: Path, sig: signal.Signals
) -> None:
    child = subprocess.Popen(_cmd(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    path = tmp_path / "out" / "journal.jsonl"
    try:
        until = time.monotonic() + 120
        while time.monotonic() < until:  # both running scenarios past their deploy
            deployed = path.exists() and sum(
                e.kind == "phase.finished" and e.raw("phase") == "deploy" for e in journal.read(path)
            )
            if deployed == 2:
                break
            time.sleep(0.1)
        sent = time.monotonic()
        child.send_signal(sig)
        _out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, err
    assert time.monotonic() - sent < 30  # every wait ended at its next probe, not at its budget
    events = journal.read(path)
    assert events[-1].kind == "run.finished" and events[-1].raw("status") == "interrupted"
    verdicts = {e.raw("scenario"): e.raw("verdict") for e in events if e.kind == "scenario.finished"}
    assert verdicts == {"crash": "error", "hang": "error"}  # the two not started never ran
    assert_nothing_left(engine, tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["interrupted"] is True
