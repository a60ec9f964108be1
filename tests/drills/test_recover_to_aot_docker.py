"""The playbook's last step end to end on the real engine: after the fallback, `drill run`
reruns `gate recover` (perf bench, SLO check, smoke) in a checkout of the stand-in, and the
AOT comes back only when those gates pass."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.engine.seam import DockerEngine
from tests.drills.test_suite_docker import DRILL, assert_nothing_left
from tests.gates.recovery_support import contract_doc, make_checkout, script_env, toolchain

pytestmark = pytest.mark.docker


def _drill(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    checkout = make_checkout(tmp_path)
    # the recovery gates see only the environment their contract names: the stand-in's knobs
    rules = tmp_path / "contract.yaml"
    rules.write_text(yaml.safe_dump(contract_doc()))
    scenario = tmp_path / "crash-recover.yaml"
    scenario.write_text(
        "name: crash-recover\nfault: {id: crash}\nexpect: {fallback: true}\nrelease: {previous: null}\n"
        f"recover_to_aot: {{checkout: {checkout}, timeout_s: 180, contract: {rules}}}\n"
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [DRILL, "run", str(scenario), "--out", str(out)],
        env={**script_env(toolchain()), **env},
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    return done, json.loads((out / "report.json").read_text())


def _result(report: dict[str, Any], check: str) -> dict[str, Any]:
    return next(r for r in report["results"] if r["scope"] == "crash-recover" and r["check"] == check)


def test_passing_recovery_gates_bring_the_aot_back(tmp_path: Path, engine: DockerEngine) -> None:
    done, report = _drill(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    step = _result(report, "drill.recover-to-aot")
    assert step["outcome"] == "passed"
    assert step["summary"] == "recovery gates passed; back on AOT and healthy"
    gates = tmp_path / "out" / "evidence" / "crash-recover" / "recovery-gates"
    gate_report = json.loads((gates / "report.json").read_text())
    assert gate_report["verdict"] == "passed"
    assert {r["check"] for r in gate_report["results"]} >= {"aot-perf-bench", "release-smoke", "S001"}
    assert_nothing_left(engine, tmp_path / "out")


def test_failing_recovery_gates_keep_jit_native_and_fail_the_drill(
    tmp_path: Path, engine: DockerEngine
) -> None:
    done, report = _drill(tmp_path, STANDIN_BENCH_FAIL="1")
    assert done.returncode == 1, done.stdout + done.stderr
    step = _result(report, "drill.recover-to-aot")
    assert step["outcome"] == "failed"
    assert "recovery gates did not pass (gate recover exit 1" in step["summary"]
    assert "staying on JIT-native" in step["summary"]
    assert _result(report, "drill.verdict")["outcome"] == "failed"
    assert os.path.isfile(tmp_path / "out" / "evidence" / "crash-recover" / "recovery-gates" / "report.json")
    assert_nothing_left(engine, tmp_path / "out")
