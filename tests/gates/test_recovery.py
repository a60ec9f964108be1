"""Recovery gates against the stand-in FUSE recovery scripts, run for real."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from gates import contract
from gates.recovery import baseline, binsize
from gates.recovery import gates as recovery
from gates.recovery import plan as recovery_plan
from gates.recovery import runner as recovery_runner
from gates.recovery.gates import RecoveryGate
from harness import process
from harness.errors import ConfigError, ExitCode
from harness.process import Command, Completed
from harness.reports.json_report import render as render_json
from harness.results import Outcome, Report, Result, verdict_of
from tests.gates.recovery_support import (
    Recorder,
    contract_doc,
    live_processes_in,
    load_contract,
    make_checkout,
    make_run,
    script_env,
    toolchain,
)
from tests.harness.daemon_support import detached_sleeper, end_detached


def recover(
    tmp_path: Path,
    doc: dict[str, Any] | None = None,
    *,
    binaries: list[binsize.Binary] | None = None,
    baseline: dict[str, float] | None = None,
    progress: Recorder | None = None,
    **env: str,
) -> Report:
    checkout = tmp_path / "checkout"
    if not checkout.exists():
        make_checkout(tmp_path)
    rules = load_contract(doc or contract_doc(), tmp_path)
    run = make_run(checkout, rules, script_env(toolchain(), **env), progress)
    return recovery_runner.recover(run, recovery_plan.gates_of(rules), binaries or [], baseline)


def by_check(report: Report) -> dict[str, Result]:
    return {r.check: r for r in report.results}


# For tests about the bench, the SLO check and their judging: release-smoke, which needs
# neither, passes at once instead of running the stand-in smoke script (about a second).
# The script itself runs in the tests about the smoke gate and the full-contract run.
QUICK_SMOKE: dict[str, dict[str, Any]] = {"release-smoke": {"command": ["true"], "pass_line": ""}}


def smoke_alone(**smoke: Any) -> dict[str, Any]:
    """A contract of release-smoke alone, for the tests about that gate: the bench and the SLO
    check it does not need (about a second and a half) are not in it."""
    doc = contract_doc(**{"release-smoke": smoke})
    doc["recovery_gates"] = [g for g in doc["recovery_gates"] if g["id"] == "release-smoke"]
    return doc


def test_all_gates_pass_and_the_gate_judges_the_metrics_itself(tmp_path: Path) -> None:
    progress = Recorder()
    report = recover(tmp_path, progress=progress)
    results = by_check(report)
    assert [r.check for r in report.results] == [
        "aot-perf-bench",
        "aot-perf-slo",
        "S001",
        "release-smoke",
        "S002",
    ]
    assert report.exit_code is ExitCode.PASSED
    for gate_id in ("aot-perf-bench", "aot-perf-slo", "release-smoke"):
        attempts = results[gate_id].data["attempts"]
        assert [a["exit_code"] for a in attempts] == [0]
        assert Path(attempts[0]["log"]).is_file()
    s001 = results["S001"]
    assert s001.outcome is Outcome.PASSED
    assert s001.data["thresholds"] == {
        "cold_start_improvement_p50_pct": 30,
        "cold_start_improvement_p95_pct": 20,
    }
    assert s001.data["script_verdict"]["outcome"] == "passed"
    assert s001.data["drift"] is False
    assert Path(s001.data["metrics_file"]).is_file()  # evidence kept beside the logs
    assert results["S002"].outcome is Outcome.SKIPPED
    assert ("line", "[3/9] fuse check (demo app package)") in progress.events
    assert progress.events[-1] == ("end", "release-smoke passed")


def test_a_failing_bench_skips_the_gates_that_need_it(tmp_path: Path) -> None:
    report = recover(tmp_path, contract_doc(**QUICK_SMOKE), STANDIN_BENCH_FAIL="1")
    results = by_check(report)
    assert results["aot-perf-bench"].outcome is Outcome.FAILED
    assert results["aot-perf-bench"].summary.startswith("exited 1")
    assert results["aot-perf-slo"].outcome is Outcome.SKIPPED
    assert results["aot-perf-slo"].summary == "skipped: needs aot-perf-bench, which failed"
    assert results["S001"].outcome is Outcome.SKIPPED
    assert results["release-smoke"].outcome is Outcome.PASSED
    assert report.exit_code is ExitCode.FAILED


def test_metrics_below_the_contract_fail_both_the_script_and_the_gate(tmp_path: Path) -> None:
    report = recover(
        tmp_path, STANDIN_METRICS="below-slo", doc=contract_doc(**{"release-smoke": {"command": ["true"]}})
    )
    results = by_check(report)
    assert results["aot-perf-slo"].outcome is Outcome.FAILED
    s001 = results["S001"]
    assert s001.outcome is Outcome.FAILED
    assert [(f.subject, f.expected, f.actual) for f in s001.findings] == [
        ("cold_start_improvement_p50_pct", ">= 30%", "10%"),
        ("cold_start_improvement_p95_pct", ">= 20%", "5%"),
    ]
    assert s001.data["drift"] is False


def test_script_stricter_than_the_contract_is_flagged_as_threshold_drift(tmp_path: Path) -> None:
    # Like FUSE's script since v0.9.0 (40/25) against the 30/20 contract, pushed to the extreme.
    stricter = {"command": ["./scripts/check_aot_perf_slo.sh", "--min-p50", "100000"]}
    report = recover(tmp_path, contract_doc(**{"aot-perf-slo": stricter}, **QUICK_SMOKE))
    results = by_check(report)
    assert results["aot-perf-slo"].outcome is Outcome.FAILED
    assert results["S001"].outcome is Outcome.PASSED
    assert results["S001"].data["drift"] is True
    assert any(
        n.startswith("threshold drift: aot-perf-slo failed but the release contract's thresholds")
        for n in report.notes
    )


def test_contract_stricter_than_the_script_is_flagged_and_fails(tmp_path: Path) -> None:
    report = recover(
        tmp_path,
        contract_doc(
            slo={"cold_start_p50_improvement_pct": 100000, "throughput_p50_improvement_pct": 100000},
            **QUICK_SMOKE,
        ),
    )
    results = by_check(report)
    assert results["aot-perf-slo"].outcome is Outcome.PASSED
    s001 = results["S001"]
    assert s001.outcome is Outcome.FAILED
    assert {f.subject for f in s001.findings} == {
        "cold_start_improvement_p50_pct",
        "throughput_improvement_p50_pct",
    }
    assert "threshold drift: aot-perf-slo passed" in s001.summary
    assert report.exit_code is ExitCode.FAILED


def test_a_bench_that_writes_no_metrics_fails(tmp_path: Path) -> None:
    report = recover(tmp_path, contract_doc(**QUICK_SMOKE), STANDIN_METRICS="missing")
    bench = by_check(report)["aot-perf-bench"]
    assert bench.outcome is Outcome.FAILED
    assert bench.summary == "exited 0 but did not write .fuse/bench/aot_perf_metrics.json"
    assert by_check(report)["S001"].outcome is Outcome.SKIPPED


def test_a_stale_metrics_file_does_not_count(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    stale = checkout / ".fuse" / "bench" / "aot_perf_metrics.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    report = recover(tmp_path, contract_doc(**{"aot-perf-bench": {"command": ["true"]}}, **QUICK_SMOKE))
    assert by_check(report)["aot-perf-bench"].outcome is Outcome.FAILED
    assert not stale.exists()


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("bad-schema", "schema_version: 2 is not supported (expected 1)"),
        ("missing-key", "cold_start_ms.improvement_pct.p95: missing"),
        ("garbage", "not valid JSON"),
    ],
)
def test_bad_metrics_are_an_error_naming_the_problem(tmp_path: Path, how: str, message: str) -> None:
    report = recover(tmp_path, contract_doc(**{"release-smoke": {"command": ["true"]}}), STANDIN_METRICS=how)
    s001 = by_check(report)["S001"]
    assert s001.outcome is Outcome.ERROR
    assert message in s001.summary
    assert "aot_perf_metrics.json" in s001.summary
    assert by_check(report)["aot-perf-slo"].outcome is Outcome.FAILED  # the script agrees


def test_a_nan_improvement_is_a_finding_of_the_release(tmp_path: Path) -> None:
    report = recover(
        tmp_path, contract_doc(**{"release-smoke": {"command": ["true"]}}), STANDIN_METRICS="nan"
    )
    s001 = by_check(report)["S001"]
    assert s001.outcome is Outcome.FAILED
    assert [(f.subject, f.message, f.actual) for f in s001.findings] == [
        ("cold_start_ms.improvement_pct.p50", "not a finite number", "nan")
    ]
    assert "NaN" not in json.dumps(s001.data)  # report.json stays valid JSON


def test_a_slow_gate_times_out_as_an_error(tmp_path: Path) -> None:
    doc = contract_doc(**{"aot-perf-slo": {"timeout_s": 0.5}}, **QUICK_SMOKE)
    report = recover(tmp_path, doc, STANDIN_SLO_SLEEP="5")
    slo = by_check(report)["aot-perf-slo"]
    assert slo.outcome is Outcome.ERROR
    assert slo.summary.startswith("timed out after 0.5s; its process group was killed")
    assert slo.data["attempts"][0]["timed_out"] is True
    assert report.exit_code is ExitCode.INFRA


def test_a_hanging_gate_is_killed_within_its_timeout_and_leaves_nothing(tmp_path: Path) -> None:
    doc = smoke_alone(timeout_s=1)
    started = time.monotonic()
    report = recover(tmp_path, doc, STANDIN_SMOKE_HANG="2")
    elapsed = time.monotonic() - started
    smoke = by_check(report)["release-smoke"]
    assert smoke.outcome is Outcome.ERROR
    assert smoke.data["attempts"][0]["duration_s"] < 1 + 3 + 1  # timeout + TERM grace + slack
    assert "hanging on purpose" in Path(smoke.data["attempts"][0]["log"]).read_text()
    assert live_processes_in(tmp_path / "checkout") == []
    assert elapsed < 30


def test_a_non_executable_script_is_an_error(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    (checkout / "scripts" / "release_smoke.sh").chmod(0o644)
    smoke = by_check(recover(tmp_path, smoke_alone()))["release-smoke"]
    assert smoke.outcome is Outcome.ERROR
    assert "./scripts/release_smoke.sh: not executable" in smoke.summary


def test_a_missing_script_is_an_error(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    (checkout / "scripts" / "check_aot_perf_slo.sh").unlink()
    report = recover(tmp_path, contract_doc(**QUICK_SMOKE))
    slo = by_check(report)["aot-perf-slo"]
    assert slo.outcome is Outcome.ERROR
    assert "./scripts/check_aot_perf_slo.sh: no such file" in slo.summary
    assert report.exit_code is ExitCode.INFRA


def test_retries_are_recorded_attempt_by_attempt(tmp_path: Path) -> None:
    doc = contract_doc(**{"aot-perf-slo": {"retries": 2}}, **QUICK_SMOKE)
    report = recover(tmp_path, doc, STANDIN_SLO_FAIL_TIMES="1", STANDIN_STATE_DIR=str(tmp_path / "state"))
    slo = by_check(report)["aot-perf-slo"]
    assert slo.outcome is Outcome.PASSED
    attempts = slo.data["attempts"]
    assert [a["exit_code"] for a in attempts] == [1, 0]
    assert [a["pass_line_seen"] for a in attempts] == [False, True]
    assert len({a["log"] for a in attempts}) == 2
    assert all(Path(a["log"]).is_file() for a in attempts)
    assert "1 earlier attempt(s) did not pass" in slo.summary


def test_retries_exhausted_fail_with_every_attempt_kept(tmp_path: Path) -> None:
    doc = contract_doc(**{"aot-perf-slo": {"retries": 1}}, **QUICK_SMOKE)
    slo = by_check(recover(tmp_path, doc, STANDIN_SLO_FAIL="1"))["aot-perf-slo"]
    assert slo.outcome is Outcome.FAILED
    assert [a["exit_code"] for a in slo.data["attempts"]] == [1, 1]
    assert slo.summary.startswith("all 2 attempts did not pass")


def test_exit_zero_without_the_pass_line_fails(tmp_path: Path) -> None:
    doc = contract_doc(**{"release-smoke": {"command": ["true"]}})
    smoke = by_check(recover(tmp_path, doc))["release-smoke"]
    assert smoke.outcome is Outcome.FAILED
    assert "never printed 'release smoke checks passed'" in smoke.summary


def test_binary_over_the_limit_fails_and_says_how_it_was_measured(tmp_path: Path) -> None:
    tc = toolchain()
    binaries = [binsize.Binary(scope="checkout", path=tc.aot_binary, where=str(tc.aot_binary))]
    doc = contract_doc(
        slo={"max_binary_bytes": 1000}, **{"release-smoke": {"command": ["true"], "pass_line": ""}}
    )
    s002 = by_check(recover(tmp_path, doc, binaries=binaries))["S002"]
    assert s002.outcome is Outcome.FAILED
    assert s002.findings[0].expected == "<= 1000 bytes"
    method = "stripped (strip)" if binsize.strip_tool() else "file size (no strip tool found)"
    assert s002.data["method"] == method
    assert s002.data["metrics"]["file_bytes"] == tc.aot_binary.stat().st_size


def test_binary_within_the_limit_passes(tmp_path: Path) -> None:
    tc = toolchain()
    binaries = [binsize.Binary(scope="checkout", path=tc.aot_binary, where=str(tc.aot_binary))]
    doc = contract_doc(**{"release-smoke": {"command": ["true"], "pass_line": ""}})
    s002 = by_check(recover(tmp_path, doc, binaries=binaries))["S002"]
    assert s002.outcome is Outcome.PASSED
    assert s002.data["metrics"]["binary_bytes"] <= 25 * 1024 * 1024


def test_baseline_deltas_cover_every_metric(tmp_path: Path) -> None:
    doc = contract_doc(**{"release-smoke": {"command": ["true"], "pass_line": ""}})
    first = recover(tmp_path, doc)
    saved = tmp_path / "report.json"
    saved.write_text(render_json(first))
    second = recover(tmp_path, doc, baseline=baseline.load(saved))
    s001 = by_check(second)["S001"]
    assert set(s001.data["baseline"]) == set(s001.data["metrics"])
    p50 = s001.data["baseline"]["cold_start_improvement_p50_pct"]
    assert p50["baseline"] == by_check(first)["S001"].data["metrics"]["cold_start_improvement_p50_pct"]
    assert any(
        n.startswith("S001[aot-perf-slo].cold_start_improvement_p50_pct: ") and "(baseline " in n
        for n in second.notes
    )
    assert "duration_s" in by_check(second)["aot-perf-bench"].data["baseline"]


def test_a_baseline_that_is_not_a_report_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_text(json.dumps({"results": [{"nope": 1}]}))
    with pytest.raises(ConfigError, match=r"--baseline .*report.json: not a gate report.json"):
        baseline.load(bad)


def test_ctrl_c_gives_a_partial_interrupted_report(tmp_path: Path) -> None:
    calls: list[str] = []

    def runner(command: Command, on_line: Any) -> Completed:
        calls.append(command.argv[0])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return Completed(
            argv=command.argv, exit_code=0, duration_s=0.1, timed_out=False, log_path=command.log_path, pgid=0
        )

    make_checkout(tmp_path)
    rules = load_contract(contract_doc(**{"aot-perf-bench": {"produces": []}}), tmp_path)
    run = make_run(tmp_path / "checkout", rules, {})
    run = recovery.Run(**{**run.__dict__, "runner": runner})
    report = recovery_runner.recover(run, recovery_plan.gates_of(rules), [])
    assert report.interrupted
    assert report.exit_code is ExitCode.INTERRUPTED
    assert [(r.check, r.outcome) for r in report.results] == [
        ("aot-perf-bench", Outcome.PASSED),
        ("aot-perf-slo", Outcome.ERROR),
        ("release-smoke", Outcome.SKIPPED),
    ]


@pytest.mark.parametrize(
    ("gates", "message"),
    [
        (
            [{"id": "a", "command": ["x"], "needs": ["b"]}, {"id": "b", "command": ["x"]}],
            r"recovery_gates\[0\].needs: 'b' is not an earlier gate",
        ),
        (
            [{"id": "a", "command": ["x"]}, {"id": "a", "command": ["y"]}],
            r"recovery_gates\[1\].id: 'a' is used twice",
        ),
        (
            [{"id": "a", "command": ["x"], "produces": ["../out.json"]}],
            r"recovery_gates\[0\].produces: '../out.json' must be a path inside the checkout",
        ),
    ],
)
def test_bad_gate_definitions_are_config_errors(
    tmp_path: Path, gates: list[dict[str, Any]], message: str
) -> None:
    rules = load_contract(
        {"schema_version": 1, "platforms": ["linux-x64"], "recovery_gates": gates}, tmp_path
    )
    with pytest.raises(ConfigError, match=message):
        recovery_plan.gates_of(rules)


def test_only_and_skip_select_gates_and_reject_unknown_ids(tmp_path: Path) -> None:
    gates = recovery_plan.gates_of(load_contract(contract_doc(), tmp_path))
    assert [g.id for g in recovery_plan.select(gates, ("aot-perf-slo",), ())] == ["aot-perf-slo"]
    assert [g.id for g in recovery_plan.select(gates, (), ("release-smoke",))] == [
        "aot-perf-bench",
        "aot-perf-slo",
    ]
    with pytest.raises(ConfigError, match="--only nope: no such recovery gate"):
        recovery_plan.select(gates, ("nope",), ())


def test_default_contract_runs_fuses_three_scripts_in_playbook_order() -> None:
    gates: tuple[RecoveryGate, ...] = recovery_plan.gates_of(contract.load(None))
    assert [g.command for g in gates] == [
        ("./scripts/aot_perf_bench.sh",),
        ("./scripts/check_aot_perf_slo.sh",),
        ("./scripts/release_smoke.sh",),
    ]
    assert gates[1].needs == ("aot-perf-bench",)
    assert gates[1].judge == "aot-perf-metrics"


def test_a_contract_without_recovery_gates_is_an_error_not_a_pass(tmp_path: Path) -> None:
    tc = toolchain()
    binaries = [binsize.Binary(scope="checkout", path=tc.aot_binary, where=str(tc.aot_binary))]
    doc = {"schema_version": 1, "platforms": ["linux-x64"], "recovery_gates": []}
    report = recover(tmp_path, doc, binaries=binaries)
    assert report.verdict is Outcome.ERROR and report.exit_code is ExitCode.INFRA
    assert "no recovery gate ran: " in by_check(report)["recovery"].summary


def test_skipping_every_gate_with_nothing_to_measure_is_an_error(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    rules = load_contract(contract_doc(), tmp_path)
    run = make_run(checkout, rules, script_env(toolchain()))
    report = recovery_runner.recover(run, [], [])
    assert report.verdict is Outcome.ERROR and report.exit_code is ExitCode.INFRA
    assert "--only/--skip left no recovery gate" in by_check(report)["recovery"].summary


def test_a_report_with_nothing_evaluated_is_not_a_pass() -> None:
    assert verdict_of(()) is Outcome.ERROR


def test_a_strip_that_cannot_start_is_an_error_and_the_report_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "strip"
    fake.write_text("#!/bin/sh\n")  # present but not executable: process cannot start it
    monkeypatch.setattr(binsize, "strip_tool", lambda: str(fake))
    tc = toolchain()
    binaries = [binsize.Binary(scope="checkout", path=tc.aot_binary, where=str(tc.aot_binary))]
    doc = {
        "schema_version": 1,
        "platforms": ["linux-x64"],
        "slo": {"max_binary_bytes": 10**9},
        "recovery_gates": [{"id": "smoke", "command": ["true"]}],
    }
    report = recover(tmp_path, doc, binaries=binaries)
    assert by_check(report)["smoke"].outcome is Outcome.PASSED
    s002 = by_check(report)["S002"]
    assert s002.outcome is Outcome.ERROR
    assert s002.summary.startswith("could not evaluate: ") and "not executable" in s002.summary


def test_metrics_that_cannot_be_kept_still_get_judged(tmp_path: Path) -> None:
    (tmp_path / "logs" / "aot-perf-slo.aot_perf_metrics.json").mkdir(parents=True)
    doc = contract_doc(**{"release-smoke": {"command": ["true"], "pass_line": ""}})
    s001 = by_check(recover(tmp_path, doc))["S001"]
    assert s001.outcome is Outcome.PASSED
    assert s001.data["metrics_file"].startswith("not kept: ")


@pytest.mark.slow
def test_a_daemon_holding_the_output_cannot_hold_the_gate_and_is_reported(tmp_path: Path) -> None:
    pid_file = tmp_path / "daemon.pid"
    smoke = {"id": "smoke", "command": ["bash", "-c", detached_sleeper(pid_file, 60) + "echo ok"]}
    doc = {
        "schema_version": 1,
        "platforms": ["linux-x64"],
        "recovery_gates": [{**smoke, "timeout_s": 2, "pass_line": "ok"}],
    }
    started = time.monotonic()
    try:
        result = by_check(recover(tmp_path, doc))["smoke"]
        elapsed = time.monotonic() - started
    finally:
        daemon = end_detached(pid_file)
    assert elapsed < 2 + 3 * process.GRACE_S + 2  # timeout + TERM, KILL and drain graces
    assert result.outcome is Outcome.PASSED
    assert f"(output cut off: pid {daemon} (sleep) outside the command's process group" in result.summary
    assert result.data["attempts"][0]["output_cut"].startswith("output cut off: ")


def test_a_gate_whose_need_is_left_out_is_skipped_not_judged_on_stale_metrics(tmp_path: Path) -> None:
    gates = recovery_plan.gates_of(load_contract(contract_doc(), tmp_path))
    recover(
        tmp_path, contract_doc(**QUICK_SMOKE)
    )  # an earlier run leaves .fuse/bench/aot_perf_metrics.json behind
    stale = tmp_path / "checkout" / ".fuse" / "bench" / "aot_perf_metrics.json"
    assert stale.is_file()
    rules = load_contract(contract_doc(), tmp_path)
    run = make_run(tmp_path / "checkout", rules, script_env(toolchain()))
    report = recovery_runner.recover(run, recovery_plan.select(gates, ("aot-perf-slo",), ()), [])
    results = by_check(report)
    assert results["aot-perf-slo"].outcome is Outcome.SKIPPED
    assert results["aot-perf-slo"].summary.startswith(
        "skipped: needs aot-perf-bench, which --only/--skip left out"
    )
    assert results["S001"].outcome is Outcome.SKIPPED
    assert not results["aot-perf-slo"].data.get("attempts")  # the script never ran
    note = next(n for n in report.notes if n.startswith("aot-perf-slo did not run"))
    assert f"{stale} (modified " in note and "was not judged" in note
    assert report.exit_code is ExitCode.INFRA  # no gate ran: never a pass


def test_skipping_a_needed_gate_still_runs_the_others_and_says_what_was_not_judged(
    tmp_path: Path,
) -> None:
    doc = contract_doc(**{"release-smoke": {"command": ["true"], "pass_line": ""}})
    rules = load_contract(doc, tmp_path)
    run = make_run(make_checkout(tmp_path), rules, script_env(toolchain()))
    gates = recovery_plan.select(recovery_plan.gates_of(rules), (), ("aot-perf-bench",))
    report = recovery_runner.recover(run, gates, [])
    assert [(r.check, r.outcome) for r in report.results[:3]] == [
        ("aot-perf-slo", Outcome.SKIPPED),
        ("S001", Outcome.SKIPPED),
        ("release-smoke", Outcome.PASSED),
    ]
    assert any(n.startswith("aot-perf-slo did not run: it needs aot-perf-bench") for n in report.notes)


def test_a_size_only_run_does_not_measure_the_checkouts_own_build(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    build = checkout / ".fuse" / "build" / "program.aot"
    build.parent.mkdir(parents=True)
    build.write_bytes(b"x")
    rules = load_contract(contract_doc(slo={"max_binary_bytes": 1000}), tmp_path)
    run = make_run(checkout, rules, script_env(toolchain()))
    report = recovery_runner.recover(run, [], binsize.checkout_binaries(checkout), checkout_build=True)
    s002 = by_check(report)["S002"]
    assert s002.outcome is Outcome.SKIPPED
    assert s002.summary.startswith(f"not measured: no recovery gate ran in this run, so {build}")
    assert report.exit_code is ExitCode.INFRA
    assert "no recovery gate ran: " in by_check(report)["recovery"].summary
