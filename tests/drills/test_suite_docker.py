"""The standard suite end to end on the real engine, through the installed `drill` script:
verdicts, phase timings, JUnit, evidence, nothing left behind; SIGINT/SIGTERM mid-drill;
and a scenario whose expectation is wrong goes red."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from drills.engine.seam import DockerEngine
from drills.records import journal
from drills.scenario.model import SUITES
from harness.formats import find_fatals

pytestmark = pytest.mark.docker

DRILL = str(Path(sys.executable).parent / "drill")
RUN_KEY = "fuse-harness.run-id"
SUITE = sorted(p.stem for p in SUITES["standard"].glob("*.yaml"))
FELL_BACK = [n for n in SUITE if n not in ("none", "both-backends")]
WITH_FATALS = ("crash-loop", "port-conflict")  # the AOT prints a fatal envelope itself


def drill_run(out: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DRILL, "run", *args, "--out", str(out)], capture_output=True, text=True, timeout=timeout, check=False
    )


def events_of(out: Path) -> list[journal.Event]:
    return journal.read(out / "journal.jsonl")


def assert_nothing_left(engine: DockerEngine, out: Path) -> None:
    events = events_of(out)
    run_id = events[0].raw("run_id")
    assert engine.list_labelled(RUN_KEY, run_id) == []
    tags = [
        t
        for e in events
        if e.raw("phase") == "preflight" and e.kind == "phase.finished"
        for t in (e.raw("data") or {}).get("images", {}).values()
    ]
    assert [t for t in tags if engine.image_exists(t)] == []


@pytest.fixture(scope="module")
def suite_run(
    tmp_path_factory: pytest.TempPathFactory, engine: DockerEngine
) -> tuple[subprocess.CompletedProcess[str], Path, float]:
    out = tmp_path_factory.mktemp("suite")
    start = time.monotonic()
    done = drill_run(out, "--suite", "standard")
    return done, out, time.monotonic() - start


def test_every_verdict_is_as_expected(suite_run) -> None:
    done, out, _took = suite_run
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((out / "report.json").read_text())
    verdicts = {r["scope"]: r for r in report["results"] if r["check"] == "drill.verdict"}
    assert sorted(verdicts) == SUITE
    assert {n: r["outcome"] for n, r in verdicts.items()} == dict.fromkeys(SUITE, "passed")
    broken = verdicts["broken-fallback"]
    assert broken["data"]["verdict"] == "failed"
    # counted only because the sabotaged fallback exited, not because it ran out of time
    assert "status exited" in broken["summary"] and "fallback path broken" in broken["summary"]
    assert _phases(report, "broken-fallback")["fallback"]["data"]["broken"] is True
    assert sorted(n for n, r in verdicts.items() if r["data"]["fell_back"]) == FELL_BACK


def _phases(report: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {
        r["check"].removeprefix("drill."): r
        for r in report["results"]
        if r["scope"] == name and r["check"] != "drill.verdict"
    }


def test_phase_timings_are_present_and_plausible(suite_run) -> None:
    _done, out, took = suite_run
    report = json.loads((out / "report.json").read_text())
    total = 0.0
    for name in SUITE:
        phases = _phases(report, name)
        assert {
            "preflight",
            "deploy",
            "steady-state",
            "inject",
            "detect",
            "classify",
            "diagnostics",
            "cleanup",
        } <= set(phases)
        durations = [p["duration_s"] for p in phases.values()]
        assert all(isinstance(d, float) and 0 <= d < 30 for d in durations), phases
        total += sum(durations)
    assert total <= report["stats"]["duration_s"] <= took
    crash = _phases(report, "crash")
    assert crash["detect"]["data"]["kind"] == "exit"
    assert crash["detect"]["data"]["latency_s"] < 0.1  # event-driven: the probe interval is 0.1 s
    assert crash["verify"]["data"]["time_to_restore_s"] < 15


def test_junit_has_one_testcase_per_phase_per_scenario(suite_run) -> None:
    _done, out, _took = suite_run
    finished = {
        (e.raw("scenario"), f"drill.{e.raw('phase')}") for e in events_of(out) if e.kind == "phase.finished"
    }
    cases = [
        (c.get("classname"), c.get("name", "").split(":")[0])
        for c in ET.parse(out / "junit.xml").getroot().iter("testcase")
    ]
    phases = [c for c in cases if c[1] != "drill.verdict"]
    assert len(phases) == len(set(phases)) and set(phases) == finished
    assert sorted(n for n, check in cases if check == "drill.verdict") == SUITE


@pytest.mark.parametrize("name", FELL_BACK)
def test_evidence_is_kept_for_every_scenario_that_fell_back(suite_run, name: str) -> None:
    _done, out, _took = suite_run
    folder = out / "evidence" / name
    binary = (folder / "fuse-aot-demo").read_bytes()
    assert binary.startswith(b"\x7fELF")
    build_info = (folder / "build-info.txt").read_text()
    if name == "missing-library":  # the failing binary cannot load: its loader error is kept
        assert "libfuse_rt.so" in build_info
    else:
        assert "mode=aot profile=release" in build_info and "contract=aot-v1" in build_info
    inspect = json.loads((folder / "candidate-aot.inspect.json").read_text())
    assert inspect["Config"]["Labels"][RUN_KEY] == events_of(out)[0].raw("run_id")
    assert (folder / "candidate-aot.log").is_file()
    assert json.loads((folder / "fallback-native.inspect.json").read_text())["State"]
    fatals = json.loads((folder / "fatal-lines.json").read_text())
    if name in WITH_FATALS:
        assert fatals and all(f["pid"] and f["build"]["cli"] == "0.7.1" for f in fatals)
        assert len(find_fatals((folder / "candidate-aot.log").read_text())) == len(fatals)


def test_the_suite_leaves_nothing_labelled_and_runs_in_about_a_minute(
    suite_run, engine: DockerEngine
) -> None:
    _done, out, took = suite_run
    assert_nothing_left(engine, out)
    assert took < 180, f"the standard suite took {took:.0f} s"  # a guard, not the benchmark


def _wait_for(out: Path, phase: str, within_s: float = 60) -> None:
    """Until the journal shows `phase` started (the run is mid-drill)."""
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        path = out / "journal.jsonl"
        if path.exists() and any(
            e.kind == "phase.started" and e.raw("phase") == phase for e in journal.read(path)
        ):
            return
        time.sleep(0.05)
    pytest.fail(f"the drill never reached {phase}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_drill_cleans_up_writes_reports_and_exits_130(
    tmp_path: Path, engine: DockerEngine, sig: signal.Signals
) -> None:
    scenarios = [str(SUITES["standard"] / f"{n}.yaml") for n in ("crash", "hang")]
    proc = subprocess.Popen(
        [DRILL, "run", *scenarios, "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(tmp_path, "classify")
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    assert f"received {sig.name}" in stderr and "drill: INTERRUPTED" in stdout
    events = events_of(tmp_path)
    assert events[-1].kind == "run.finished" and events[-1].raw("status") == "interrupted"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["interrupted"] and report["verdict"] == "error"
    assert (tmp_path / "junit.xml").is_file() and (tmp_path / "summary.md").is_file()
    assert_nothing_left(engine, tmp_path)


def test_a_wrong_expectation_makes_drill_run_exit_1(tmp_path: Path, engine: DockerEngine) -> None:
    scenario = tmp_path / "tight.yaml"
    scenario.write_text(
        "name: crash-tight-budget\nfault: {id: crash}\nexpect: {fallback: true}\n"
        "release: {previous: null}\nbudgets: {recover_s: 0.05}\n"
    )
    done = drill_run(tmp_path / "out", str(scenario))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "failed   crash-tight-budget drill.verdict" in done.stdout
    assert "0.05 s recovery budget" in done.stdout
    assert_nothing_left(engine, tmp_path / "out")
