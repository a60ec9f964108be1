"""`gate recover` at its boundaries: the last attempt's verdict, a skipped gate that did not
run. Each test here fails on a plausible one-line bug (named in its docstring)."""

from __future__ import annotations

from pathlib import Path

from gates.recovery import binsize
from gates.recovery import plan as recovery_plan
from gates.recovery import runner as recovery_runner
from harness.results import Outcome, Report, Result
from tests.gates.recovery_support import contract_doc, load_contract, make_checkout, make_run, script_env
from tests.gates.recovery_support import toolchain as standin


def by_check(report: Report) -> dict[str, Result]:
    return {r.check: r for r in report.results}


def test_s001_keeps_the_script_verdict_of_the_last_attempt(tmp_path: Path) -> None:
    """Bug: S001's script verdict taken from the first attempt (which failed), not the last."""
    rules = load_contract(contract_doc(**{"aot-perf-slo": {"retries": 2}}), tmp_path)
    env = script_env(standin(), STANDIN_SLO_FAIL_TIMES="1", STANDIN_STATE_DIR=str(tmp_path / "state"))
    run = make_run(make_checkout(tmp_path), rules, env)
    results = by_check(recovery_runner.recover(run, recovery_plan.gates_of(rules), []))
    attempts = results["aot-perf-slo"].data["attempts"]
    assert [a["exit_code"] for a in attempts] == [1, 0]
    script = results["S001"].data["script_verdict"]
    assert script["outcome"] == "passed"
    assert script["attempts"] == attempts[-1:]


def checkout_with_build(tmp_path: Path) -> tuple[Path, list[binsize.Binary]]:
    checkout = make_checkout(tmp_path)
    build = checkout / ".fuse" / "build" / "program.aot"
    build.parent.mkdir(parents=True)
    build.write_bytes(b"x")
    return checkout, binsize.checkout_binaries(checkout)


def test_a_skipped_gate_is_not_a_gate_that_ran_so_the_checkouts_build_is_not_measured(
    tmp_path: Path,
) -> None:
    """Bug: a skipped gate counted as ran, so a stale checkout build is measured for S002."""
    checkout, binaries = checkout_with_build(tmp_path)
    rules = load_contract(contract_doc(slo={"max_binary_bytes": 1000}), tmp_path)
    gates = recovery_plan.select(recovery_plan.gates_of(rules), ("aot-perf-slo",), ())
    run = make_run(checkout, rules, script_env(standin()))
    results = by_check(recovery_runner.recover(run, gates, binaries, checkout_build=True))
    assert results["aot-perf-slo"].outcome is Outcome.SKIPPED
    assert results["S002"].outcome is Outcome.SKIPPED
    assert results["S002"].summary.startswith("not measured: no recovery gate ran in this run")
    assert results["recovery"].outcome is Outcome.ERROR


def test_the_checkouts_build_is_measured_when_a_gate_ran(tmp_path: Path) -> None:
    checkout, binaries = checkout_with_build(tmp_path)
    doc = contract_doc(
        slo={"max_binary_bytes": 1000}, **{"release-smoke": {"command": ["true"], "pass_line": ""}}
    )
    rules = load_contract(doc, tmp_path)
    gates = recovery_plan.select(recovery_plan.gates_of(rules), ("release-smoke",), ())
    run = make_run(checkout, rules, script_env(standin()))
    results = by_check(recovery_runner.recover(run, gates, binaries, checkout_build=True))
    assert results["release-smoke"].outcome is Outcome.PASSED
    assert results["S002"].outcome is Outcome.PASSED
    assert "recovery" not in results
