"""Every verdict of the playbook runner, green and red, on the behavioural fake."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drills.engine.containers import ContainerInfo, ContainerSpec
from drills.faults.catalogue import FaultPlan
from drills.playbook.deploy import Deployment
from drills.playbook.phases import in_effect
from drills.playbook.probes import Sample
from drills.records import journal, outputs
from drills.run.runner import RunOptions, run
from fixtures.fake_engine import Behaviour, FakeDocker, crash_log
from fixtures.fake_release import FAULTS as SCRIPTED
from fixtures.fake_release import ScriptedFault, standard_behaviours
from harness.errors import ExitCode
from harness.results import Outcome
from tests.drills.conftest import drill, phase_of, standard, tools_for, verdict_of
from tests.drills.test_faults import ISSUE_CATALOGUE

CONTROLS = {"none", "both-backends", "broken-fallback"}
FAULTS = tuple(sorted(ISSUE_CATALOGUE - CONTROLS))


@pytest.mark.parametrize("name", FAULTS)
def test_each_fault_falls_back_and_recovers(fake, tmp_path, name):
    report, _ = drill(fake, tmp_path, standard(name))
    verdict = verdict_of(report, name)
    assert verdict.outcome is Outcome.PASSED, verdict.summary
    assert verdict.data["fell_back"] is True
    assert phase_of(report, name, "verify").outcome is Outcome.PASSED
    assert report.exit_code is ExitCode.PASSED


def test_the_standard_suite_leaves_nothing_labelled(fake, tmp_path):
    names = (*FAULTS, "none", "both-backends", "broken-fallback")
    report, _ = drill(fake, tmp_path, *(standard(n) for n in names))
    assert [verdict_of(report, n).outcome for n in names] == [Outcome.PASSED] * len(names)
    assert fake.list_labelled("fuse-harness.run-id") == []


def test_crash_detection_is_event_driven_not_probe_bound(fake, tmp_path):
    report, _ = drill(fake, tmp_path, standard("crash"))
    detect = phase_of(report, "crash", "detect")
    assert detect.data["kind"] == "exit"
    assert detect.data["latency_s"] < standard("crash").probing.interval_s


class LateAnswers(FakeDocker):
    """An engine that answers a start 0.4 s after the process started (it is busy with
    another scenario's containers)."""

    def run(self, spec: ContainerSpec) -> ContainerInfo:
        info = super().run(spec)
        self.clock.sleep(0.4)
        return info


@pytest.mark.parametrize(("engine", "latency_s"), [(FakeDocker, 0.0), (LateAnswers, 0.4)])
def test_a_faulty_rollout_is_timed_from_its_start_not_from_a_late_answer(
    tmp_path, engine: type[FakeDocker], latency_s: float
) -> None:
    """Bug: detection timed from when the rollout's deploy call returned: a busy engine
    answers after it has seen the dying process exit, so the exit looked detected at once
    (4 ms in parallel runs against 150 ms in sequential ones)."""
    report, _ = drill(standard_behaviours(engine()), tmp_path, standard("missing-library"))
    detect = phase_of(report, "missing-library", "detect")
    assert detect.data["kind"] == "exit"
    assert detect.data["latency_s"] == pytest.approx(latency_s, abs=0.01)


def rolled_out(created_at: float | None, started_at: float | None, restarts: int = 0) -> Deployment:
    info = ContainerInfo(
        id="c1",
        name="aot",
        status="exited",
        exit_code=1,
        oom_killed=False,
        restart_count=restarts,
        host_port=None,
        labels={},
        created_at=created_at,
        started_at=started_at,
    )
    return Deployment(
        container_id="c1",
        name="aot",
        role="candidate-aot",
        host_port=None,
        image="i",
        info=info,
        asked_at=3.0,
    )


@pytest.mark.parametrize(
    ("created_at", "started_at", "restarts", "expected"),
    [
        (100.0, 100.2, 0, 3.2),  # the engine's clock 97 s ahead of the harness's: no matter
        (-50.0, -49.5, 0, 3.5),  # or behind
        (100.0, 99.0, 0, 3.0),  # a start before the create: at least when it was asked for
        (100.0, 130.0, 0, 9.0),  # at most when the deploy answered
        (100.0, 100.2, 1, 9.0),  # restarted already: StartedAt is its last start, not its first
        (None, 100.2, 0, 9.0),
        (100.0, None, 0, 9.0),
    ],
)
def test_a_rollout_takes_effect_at_its_start_on_the_harness_clock(
    created_at: float | None, started_at: float | None, restarts: int, expected: float
) -> None:
    """Bug (found in review): StartedAt compared with the harness's clock directly, so an
    engine whose clock is behind (a remote engine, a VM that slept) put the start at the
    rollout call and counted the whole deploy as detection time."""
    got = in_effect(rolled_out(created_at, started_at, restarts), deployed_at=9.0)
    assert got == pytest.approx(expected)


def test_a_signal_pid_1_ignores_crashes_nothing_on_the_fake_as_on_docker(fake, tmp_path):
    # past the scenario checks (they refuse it): the service is its container's PID 1 and has
    # no SIGSEGV handler, so the kernel drops the signal and nothing is detected
    report, _ = drill(fake, tmp_path, standard("crash", fault_params={"signal": "SIGSEGV"}))
    assert phase_of(report, "crash", "detect").outcome is Outcome.FAILED
    assert verdict_of(report, "crash").outcome is not Outcome.PASSED


def test_the_oom_trigger_waits_until_the_rolled_out_ballast_can_hear_it(fake, tmp_path):
    # the real oom fault: its SIGUSR2 reaches a handler the ballast installs as the service
    # starts; sent before that (right after the container started), PID 1 drops it and
    # nothing is ever detected, which a loaded machine made happen
    from drills.faults.catalogue import FAULTS as CATALOGUE  # noqa: PLC0415

    fake.behaviours["fake/candidate-aot-oom"] = Behaviour(ballast=True, ready_after_s=0.5)
    tools = replace(tools_for(fake), faults={**SCRIPTED, "oom": CATALOGUE["oom"]})
    path = run(tools, [standard("oom")], RunOptions(out_dir=tmp_path))
    report = outputs.report(journal.read(path))
    detect = phase_of(report, "oom", "detect")
    assert (detect.outcome, detect.data["kind"]) == (Outcome.PASSED, "oom"), detect.summary
    assert verdict_of(report, "oom").outcome is Outcome.PASSED
    # and one that never answers cannot be triggered: the drill says so, it does not wait 5 s
    fake.behaviours["fake/candidate-aot-oom"] = Behaviour(ballast=True, ready_after_s=999)
    path = run(tools, [standard("oom")], RunOptions(out_dir=tmp_path / "never"))
    inject = phase_of(outputs.report(journal.read(path)), "oom", "inject")
    assert inject.outcome is Outcome.ERROR and "could not be triggered" in inject.summary


def test_fallback_that_never_becomes_healthy_fails(fake, tmp_path):
    # the shadow is healthy, so classify falls back; the fallback itself never answers
    fake.role_behaviours["fallback-native"] = Behaviour(ready_after_s=999)
    report, _ = drill(fake, tmp_path, standard("crash"))
    assert phase_of(report, "crash", "classify").data["fallback"] is True
    fallback = phase_of(report, "crash", "fallback")
    assert fallback.outcome is Outcome.FAILED
    assert "fallback path broken (it never answered healthy)" in fallback.summary
    assert fallback.data["broken"] is True
    assert verdict_of(report, "crash").outcome is Outcome.FAILED
    assert report.exit_code is ExitCode.FAILED


def test_fallback_that_exits_at_start_is_reported_broken(fake, tmp_path):
    fake.role_behaviours["fallback-native"] = Behaviour(exit_after_s=0.01, exit_code=126)
    report, _ = drill(fake, tmp_path, standard("crash"))
    fallback = phase_of(report, "crash", "fallback")
    assert fallback.outcome is Outcome.FAILED
    assert "fallback path broken" in fallback.summary
    assert "exit code 126" in fallback.summary


def test_fallback_over_budget_fails(fake, tmp_path):
    fake.behaviours["fake/fallback-native"] = Behaviour(ready_after_s=3.0)
    scenario = standard("crash")
    scenario = standard("crash", budgets=type(scenario.budgets)(detect_s=5, contain_s=10, recover_s=2.0))
    report, _ = drill(fake, tmp_path, scenario)
    assert verdict_of(report, "crash").outcome is Outcome.FAILED
    assert report.exit_code is ExitCode.FAILED


def test_slow_detection_over_budget_fails(fake, tmp_path):
    scenario = standard("hang")
    scenario = standard("hang", budgets=type(scenario.budgets)(detect_s=0.1, contain_s=10, recover_s=15))
    report, _ = drill(fake, tmp_path, scenario)
    assert phase_of(report, "hang", "detect").outcome is Outcome.FAILED
    assert verdict_of(report, "hang").outcome is Outcome.FAILED


def test_latency_not_back_within_tolerance_fails(fake, tmp_path):
    fake.behaviours["fake/fallback-native"] = Behaviour(ready_after_s=0.1, latency_ms=400)
    report, _ = drill(fake, tmp_path, standard("crash"))
    verify = phase_of(report, "crash", "verify")
    assert verify.outcome is Outcome.FAILED
    assert "latency" in verify.summary


def test_new_fatal_envelope_in_quiet_period_fails(fake, tmp_path):
    fallback_cids: list[str] = []
    real_logs = fake.logs

    def logs(cid: str) -> str:
        # the fallback prints a fatal envelope once the quiet period has begun
        text = real_logs(cid)
        if fake.containers[cid].spec.labels.get("fuse-harness.role") == "fallback-native":
            fallback_cids.append(cid)
            if len(fallback_cids) > 1:
                text += crash_log("late failure")
        return text

    fake.logs = logs  # type: ignore[method-assign]
    report, _ = drill(fake, tmp_path, standard("crash"))
    verify = phase_of(report, "crash", "verify")
    assert verify.outcome is Outcome.FAILED
    assert "fatal envelope" in verify.summary


def test_control_that_falls_back_fails(fake, tmp_path):
    # "none" with an AOT that dies on its own: the drill would fall back, the control must go red
    fake.behaviours["fake/candidate-aot"] = Behaviour(exit_after_s=1.0, exit_code=1)
    report, _ = drill(fake, tmp_path, standard("none"))
    verdict = verdict_of(report, "none")
    assert verdict.outcome is Outcome.FAILED
    assert "control fell back" in verdict.summary or "fell back" in verdict.summary
    assert report.exit_code is ExitCode.FAILED


def test_both_backends_does_not_fall_back(fake, tmp_path):
    report, _ = drill(fake, tmp_path, standard("both-backends"))
    classify = phase_of(report, "both-backends", "classify")
    assert classify.data["native_healthy"] is False
    assert classify.data["fallback"] is False
    assert verdict_of(report, "both-backends").outcome is Outcome.PASSED


def test_both_backends_goes_red_if_native_stays_healthy(fake, tmp_path):
    # a "both-backends" fault that only hurts AOT would be called AOT-specific: red
    del fake.env_behaviours["FAKE_NATIVE_CONFIG_BROKEN"]
    report, _ = drill(fake, tmp_path, standard("both-backends"))
    assert verdict_of(report, "both-backends").outcome is Outcome.FAILED


def test_broken_fallback_is_reported_broken(fake, tmp_path):
    report, _ = drill(fake, tmp_path, standard("broken-fallback"))
    assert phase_of(report, "broken-fallback", "fallback").outcome is Outcome.WAIVED
    verdict = verdict_of(report, "broken-fallback")
    assert verdict.outcome is Outcome.PASSED
    assert verdict.data["verdict"] == "failed"


def test_broken_fallback_that_works_goes_red(fake, tmp_path):
    fake.behaviours["fake/fallback-native-broken"] = fake.behaviours["fake/fallback-native"]
    report, _ = drill(fake, tmp_path, standard("broken-fallback"))
    assert verdict_of(report, "broken-fallback").outcome is Outcome.FAILED
    assert report.exit_code is ExitCode.FAILED


def test_docker_error_is_an_error_not_a_failure(fake, tmp_path):
    fake.failing["run"] = "engine went away"
    report, _ = drill(fake, tmp_path, standard("crash"))
    assert phase_of(report, "crash", "deploy").outcome is Outcome.ERROR
    assert verdict_of(report, "crash").outcome is Outcome.ERROR
    assert report.exit_code is ExitCode.INFRA


def test_containment_uses_previous_aot(fake, tmp_path):
    report, _ = drill(fake, tmp_path, standard("crash"))
    assert phase_of(report, "crash", "contain").outcome is Outcome.PASSED


def test_containment_failing_goes_on_to_fallback(fake, tmp_path):
    fake.behaviours["fake/previous-aot"] = Behaviour(exit_after_s=0.01, exit_code=1)
    report, _ = drill(fake, tmp_path, standard("crash"))
    contain = phase_of(report, "crash", "contain")
    assert contain.outcome is Outcome.WAIVED
    assert contain.summary.startswith("containment failed (non-fatal): the previous AOT")
    assert (contain.data["contained"], contain.data["exit_code"]) == (False, 1)
    assert verdict_of(report, "crash").outcome is Outcome.PASSED
    assert report.exit_code is ExitCode.PASSED


def test_evidence_folder_keeps_binary_build_info_and_fatals(fake, tmp_path):
    _report, _ = drill(fake, tmp_path, standard("crash-loop"))
    folder = tmp_path / "evidence" / "crash-loop"
    assert (folder / "fuse-aot-demo").read_bytes().startswith(b"\x7fELF")
    assert "fatal: class=runtime_fatal" in (folder / "fatal-lines.json").read_text()
    assert (folder / "candidate-aot.inspect.json").is_file()
    assert (folder / "build-info.txt").is_file()


def test_deadline_ends_the_run_with_error_and_cleans_up(fake, tmp_path):
    report, _ = drill(fake, tmp_path, standard("crash"), standard("hang"), deadline_s=1.0)
    assert report.verdict is Outcome.ERROR
    assert verdict_of(report, "crash").outcome is Outcome.ERROR
    assert "deadline" in verdict_of(report, "crash").summary
    assert verdict_of(report, "hang").outcome is Outcome.ERROR
    assert fake.list_labelled("fuse-harness.run-id") == []


def _deployed(events, scenario: str) -> list[dict]:
    return [
        dict(e.fields)
        for e in events
        if e.kind == "action" and e.raw("action") == "deploy" and e.raw("scenario") == scenario
    ]


def test_port_conflict_rolls_out_the_aot_beside_a_port_holder(fake, tmp_path):
    report, events = drill(fake, tmp_path, standard("port-conflict"))
    detect = phase_of(report, "port-conflict", "detect")
    assert any("Address already in use" in line for line in detect.data["fatal_lines"])
    roles = [c.spec.labels.get("fuse-harness.role") for c in fake.containers.values()]
    assert roles == []  # cleanup removed the holder with the rest
    plans = [
        e
        for e in events
        if e.kind == "action" and e.raw("action") == "apply-plan" and e.raw("role") == "candidate-aot"
    ]
    assert plans[0].raw("plan")["port_holder"]
    assert verdict_of(report, "port-conflict").outcome is Outcome.PASSED


def test_port_conflict_without_a_holder_is_not_detected(fake, tmp_path):
    no_holder = {**SCRIPTED, "port-conflict": ScriptedFault(id="port-conflict", plan=FaultPlan())}
    tools = replace(tools_for(fake), faults=no_holder)
    path = run(tools, [standard("port-conflict")], RunOptions(out_dir=tmp_path))
    report = outputs.report(journal.read(path))
    assert phase_of(report, "port-conflict", "detect").outcome is Outcome.FAILED
    assert verdict_of(report, "port-conflict").outcome is Outcome.FAILED


def test_both_backends_shadow_native_gets_the_plans_native_env(fake, tmp_path):
    _report, events = drill(fake, tmp_path, standard("both-backends"))
    shadow = [d for d in _deployed(events, "both-backends") if d["role"] == "shadow-native"]
    assert shadow and shadow[0]["env"] == {"FAKE_NATIVE_CONFIG_BROKEN": "1"}


def test_broken_fallback_deploys_the_plans_fallback_variant(fake, tmp_path):
    _report, events = drill(fake, tmp_path, standard("broken-fallback"))
    fallback = [d for d in _deployed(events, "broken-fallback") if d["role"] == "fallback-native"]
    assert [d["image"] for d in fallback] == ["fake/fallback-native-broken:1"]


def test_the_overview_says_per_scenario_what_was_expected_and_what_happened(fake, tmp_path):
    # the native image is broken: the shadow says native is unhealthy too, so no fallback
    fake.behaviours["fake/fallback-native"] = Behaviour(exit_after_s=0.01, exit_code=126)
    _report, events = drill(fake, tmp_path, standard("crash"), standard("none"))
    rows = {o.scenario: o for o in outputs.overview(events)}
    assert (rows["crash"].verdict, rows["crash"].as_expected, rows["crash"].fell_back) == (
        "failed",
        False,
        False,
    )
    assert rows["crash"].detect_ms is not None and rows["crash"].restore_s is None
    assert (rows["none"].verdict, rows["none"].as_expected, rows["none"].detect_ms) == ("passed", True, None)
    outputs.write(events, tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert "| ❌ | crash | crash | failed (passed) | no |" in summary
    assert '<a href="#s-crash">crash</a>' in (tmp_path / "report.html").read_text()


def test_ctrl_c_during_cleanup_stops_the_run_after_cleanup(fake, tmp_path):
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from drills.playbook.signals import Interrupted  # noqa: PLC0415

    real_remove = fake.remove_container
    sent: list[str] = []

    def remove(cid: str) -> None:
        if not sent:  # Ctrl-C while the first scenario cleans up
            sent.append(cid)
            os.kill(os.getpid(), signal.SIGINT)
        real_remove(cid)

    fake.remove_container = remove  # type: ignore[method-assign]
    with pytest.raises(Interrupted):
        run(tools_for(fake), [standard("crash"), standard("hang")], RunOptions(out_dir=tmp_path))
    events = journal.read(tmp_path / "journal.jsonl")
    assert not [e for e in events if e.kind == "scenario.started" and e.raw("scenario") == "hang"]
    assert [e.raw("status") for e in events if e.kind == "run.finished"] == ["interrupted"]
    assert outputs.report(events).interrupted
    assert fake.list_labelled("fuse-harness.run-id") == []


def test_fallback_that_exits_quietly_during_the_quiet_period_fails(fake, tmp_path):
    # healthy and fast, then gone without a fatal envelope once the quiet period began
    fake.role_behaviours["fallback-native"] = Behaviour(ready_after_s=0.1, exit_after_s=0.8, exit_code=0)
    report, _ = drill(fake, tmp_path, standard("crash"))
    assert phase_of(report, "crash", "fallback").outcome is Outcome.PASSED
    verify = phase_of(report, "crash", "verify")
    assert verify.outcome is Outcome.FAILED
    assert "fallback exited during the quiet period" in verify.summary
    assert "exit code 0" in verify.summary
    assert verdict_of(report, "crash").outcome is Outcome.FAILED


def _containment_outlasting_recovery():
    """broken-fallback with a containment budget (10 s) longer than its recovery budget (6 s)."""
    scenario = standard("broken-fallback")
    return replace(scenario, budgets=replace(scenario.budgets, contain_s=10, recover_s=6))


def test_broken_fallback_that_works_goes_red_after_a_failed_containment(fake, tmp_path):
    # containment uses its whole 10 s budget, more than the control's 6 s recovery budget:
    # the fallback still gets probed, answers, and a working fallback is no expected failure
    fake.behaviours["fake/fallback-native-broken"] = fake.behaviours["fake/fallback-native"]
    fake.behaviours["fake/previous-aot"] = Behaviour(healthy=False)
    report, events = drill(fake, tmp_path, _containment_outlasting_recovery())
    assert phase_of(report, "broken-fallback", "contain").outcome is Outcome.WAIVED
    fallback = phase_of(report, "broken-fallback", "fallback")
    assert fallback.outcome is Outcome.FAILED
    assert "fallback path too slow" in fallback.summary
    assert fallback.data["broken"] is False
    probes = [e for e in events if e.kind == "sample" and e.raw("role") == "fallback-native"]
    assert probes and probes[-1].raw("ok") is True
    verdict = verdict_of(report, "broken-fallback")
    assert verdict.outcome is Outcome.FAILED
    assert "the sabotage did not take" in verdict.summary
    assert report.exit_code is ExitCode.FAILED


def test_broken_fallback_still_counts_after_a_failed_containment(fake, tmp_path):
    fake.behaviours["fake/previous-aot"] = Behaviour(healthy=False)
    report, _ = drill(fake, tmp_path, _containment_outlasting_recovery())
    fallback = phase_of(report, "broken-fallback", "fallback")
    assert "fallback path broken" in fallback.summary and "status exited" in fallback.summary
    assert verdict_of(report, "broken-fallback").outcome is Outcome.PASSED
    assert report.exit_code is ExitCode.PASSED


def test_broken_fallback_that_dies_in_the_quiet_period_counts_as_broken(fake, tmp_path):
    fake.role_behaviours["fallback-native"] = Behaviour(ready_after_s=0.1, exit_after_s=0.8, exit_code=1)
    report, _ = drill(fake, tmp_path, standard("broken-fallback"))
    assert phase_of(report, "broken-fallback", "fallback").outcome is Outcome.PASSED
    assert phase_of(report, "broken-fallback", "verify").data["broken"] is True
    assert verdict_of(report, "broken-fallback").outcome is Outcome.PASSED


def test_broken_fallback_that_never_falls_back_is_not_as_expected(fake, tmp_path):
    # the shadow dies, so classify refuses to fall back: red, but the fallback went untested
    fake.role_behaviours["shadow-native"] = Behaviour(exit_after_s=0.01, exit_code=126)
    report, _ = drill(fake, tmp_path, standard("broken-fallback"))
    assert phase_of(report, "broken-fallback", "classify").outcome is Outcome.FAILED
    verdict = verdict_of(report, "broken-fallback")
    assert verdict.outcome is Outcome.FAILED
    assert "fallback path went untested" in verdict.summary
    assert report.exit_code is ExitCode.FAILED


def test_only_the_fallbacks_own_failure_is_waived(fake, tmp_path):
    # a hang detected over budget: detect goes red first, then the broken fallback
    hang = ScriptedFault(
        id="broken-fallback", action="pause", plan=FaultPlan(fallback_variant="broken-fallback")
    )
    tools = replace(tools_for(fake), faults={**SCRIPTED, "broken-fallback": hang})
    scenario = standard("broken-fallback")
    slow = standard("broken-fallback", budgets=replace(scenario.budgets, detect_s=0.01))
    report = outputs.report(journal.read(run(tools, [slow], RunOptions(out_dir=tmp_path))))
    assert phase_of(report, "broken-fallback", "detect").outcome is Outcome.FAILED
    assert phase_of(report, "broken-fallback", "fallback").outcome is Outcome.FAILED
    assert verdict_of(report, "broken-fallback").outcome is Outcome.FAILED


def test_a_bug_in_a_phase_is_an_error_naming_the_phase(fake, tmp_path):
    def inspect(_cid: str) -> None:
        raise KeyError("State")  # e.g. an unwrapped SDK answer

    fake.inspect = inspect  # type: ignore[method-assign,assignment]
    report, events = drill(fake, tmp_path, standard("crash"), standard("none"))
    detect = phase_of(report, "crash", "detect")
    assert detect.outcome is Outcome.ERROR
    assert "internal error in the detect phase: KeyError" in detect.summary
    assert "Traceback" in detect.data["traceback"]
    verdict = verdict_of(report, "crash")
    assert verdict.outcome is Outcome.ERROR and "detect" in verdict.summary
    assert verdict_of(report, "none").outcome is Outcome.ERROR  # it hits the same bug
    assert [e.raw("status") for e in events if e.kind == "run.finished"] == ["finished"]
    assert report.exit_code is ExitCode.INFRA
    assert fake.list_labelled("fuse-harness.run-id") == []


def test_port_holder_probes_the_scenarios_health_path(fake, tmp_path):
    def probe(port: int, path: str, timeout_s: float) -> Sample:
        if path == "/health":  # this service has its health check on /healthz
            return Sample(ok=False, status=404, latency_ms=1.0, error="HTTP 404", t=fake.clock())
        return fake.probe(port, path, timeout_s)

    tools = replace(tools_for(fake), probe=probe)
    scenario = standard("port-conflict", health_path="/healthz")
    report = outputs.report(journal.read(run(tools, [scenario], RunOptions(out_dir=tmp_path))))
    assert phase_of(report, "port-conflict", "inject").outcome is Outcome.PASSED
    assert verdict_of(report, "port-conflict").outcome is Outcome.PASSED


def test_build_info_runs_once_per_image_and_run(fake, tmp_path):
    _report, events = drill(fake, tmp_path, standard("crash"), standard("hang"))
    helpers = [
        d
        for name in ("crash", "hang")
        for d in _deployed(events, name)
        if d["env"].get("FUSE_AOT_BUILD_INFO") == "1"
    ]
    assert len(helpers) == 1  # both scenarios fail on the same AOT image
    crash, hang = (tmp_path / "evidence" / n / "build-info.txt" for n in ("crash", "hang"))
    assert crash.read_text() == hang.read_text()


def test_the_shadow_starts_with_detection_and_only_for_a_fault(fake, tmp_path):
    _report, events = drill(fake, tmp_path, standard("hang"), standard("none"))
    detect, classify = (
        next(
            e.seq
            for e in events
            if e.kind == "phase.started" and e.raw("phase") == p and e.raw("scenario") == "hang"
        )
        for p in ("detect", "classify")
    )
    shadow = [
        e.seq
        for e in events
        if e.kind == "action"
        and e.raw("action") == "deploy"
        and e.raw("role") == "shadow-native"
        and e.raw("scenario") == "hang"
    ]
    assert len(shadow) == 1 and detect < shadow[0] < classify
    assert [d for d in _deployed(events, "none") if d["role"] == "shadow-native"] == []
