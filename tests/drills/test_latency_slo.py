"""The playbook's rule 2 on latency: with `probe.latency_slo_ms`, an AOT that still answers,
but slower than the SLO, is a health-check regression and falls back; without it, only
errors and timeouts count."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drills.faults.catalogue import FaultPlan
from drills.playbook.probes import Sample
from drills.records import journal, outputs
from drills.run.runner import RunOptions, run
from drills.scenario.model import load
from fixtures.fake_engine import Behaviour
from fixtures.fake_release import FAULTS, ScriptedFault
from harness.errors import ConfigError
from harness.results import Outcome
from tests.drills.conftest import phase_of, standard, tools_for, verdict_of

# A rollout whose AOT answers every health check, 300 ms late.
SLOW = {**FAULTS, "slow-start": ScriptedFault(id="slow-start", plan=FaultPlan(env={"FAKE_SLOW": "1"}))}


def _drill(fake, tmp_path, slo_ms: int | None, name: str = "slow-start", probe=None):
    fake.env_behaviours["FAKE_SLOW"] = Behaviour(latency_ms=300.0)
    scenario = standard(name)
    probing = replace(scenario.probing, latency_slo_s=None if slo_ms is None else slo_ms / 1000)
    tools = replace(tools_for(fake), faults=SLOW, probe=probe or fake.probe)
    path = run(tools, [replace(scenario, probing=probing)], RunOptions(out_dir=tmp_path))
    return outputs.report(journal.read(path))


def test_answers_slower_than_the_latency_slo_are_a_regression_and_fall_back(fake, tmp_path):
    report = _drill(fake, tmp_path, slo_ms=100)
    detect = phase_of(report, "slow-start", "detect")
    assert detect.outcome is Outcome.PASSED
    classify = phase_of(report, "slow-start", "classify")
    assert classify.data["rules"] == [2]
    assert "answered slower than the 100 ms latency SLO" in classify.summary
    assert verdict_of(report, "slow-start").outcome is Outcome.PASSED


def test_without_a_latency_slo_a_slow_but_answering_aot_is_not_detected(fake, tmp_path):
    report = _drill(fake, tmp_path, slo_ms=None)
    assert phase_of(report, "slow-start", "detect").outcome is Outcome.FAILED
    assert verdict_of(report, "slow-start").outcome is Outcome.FAILED


def test_a_latency_slo_the_service_meets_does_not_fall_back(fake, tmp_path):
    report = _drill(fake, tmp_path, slo_ms=100, name="none")
    verdict = verdict_of(report, "none")
    assert verdict.outcome is Outcome.PASSED and verdict.data["fell_back"] is False


def test_a_steady_state_already_over_the_slo_cannot_be_judged(fake, tmp_path):
    fake.behaviours["fake/candidate-aot"] = Behaviour(latency_ms=50.0)
    report = _drill(fake, tmp_path, slo_ms=20, name="none")
    steady = phase_of(report, "none", "steady-state")
    assert steady.outcome is Outcome.ERROR
    assert "already exceeds probe.latency_slo_ms (20 ms)" in steady.summary


def _slower(fake, path: str, extra_ms: float):
    """The fake's probe, with `extra_ms` more on every answer from `path` only."""

    def probe(port: int, asked: str, timeout_s: float) -> Sample:
        sample = fake.probe(port, asked, timeout_s)
        if asked != path or sample.latency_ms is None:
            return sample
        fake.clock.sleep(extra_ms / 1000)
        return replace(sample, latency_ms=sample.latency_ms + extra_ms)

    return probe


def test_a_health_path_already_over_the_slo_is_no_steady_state(fake, tmp_path):
    """The load path is fast; the health path the SLO judges is not: the control must not
    go on to fall back over latency it had before the fault."""
    probe = _slower(fake, standard("none").health_path, 50.0)
    report = _drill(fake, tmp_path, slo_ms=20, name="none", probe=probe)
    steady = phase_of(report, "none", "steady-state")
    assert steady.outcome is Outcome.ERROR
    assert "health p95 52.0 ms (/health) already exceeds probe.latency_slo_ms (20 ms)" in steady.summary
    assert verdict_of(report, "none").data["fell_back"] is False


def test_a_load_path_slower_than_the_slo_does_not_matter_to_it(fake, tmp_path):
    """The SLO is the health check's: a slow load path is judged by the tolerance only."""
    probe = _slower(fake, standard("none").load_path, 50.0)
    report = _drill(fake, tmp_path, slo_ms=20, name="none", probe=probe)
    steady = phase_of(report, "none", "steady-state")
    assert steady.outcome is Outcome.PASSED, steady.summary
    assert steady.data["health_p95_ms"] == 2.0
    verdict = verdict_of(report, "none")
    assert verdict.outcome is Outcome.PASSED and verdict.data["fell_back"] is False


def test_the_slo_is_read_from_the_scenario_and_validated(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nfault: {id: none}\nexpect: {fallback: false}\nprobe: {latency_slo_ms: 250}\n")
    assert load(path).probing.latency_slo_s == 0.25
    path.write_text("name: s\nfault: {id: none}\nexpect: {fallback: false}\nprobe: {latency_slo_ms: 0}\n")
    with pytest.raises(ConfigError, match="latency_slo_ms"):
        load(path)
