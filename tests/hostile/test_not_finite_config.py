"""NaN and infinities where the user wrote a number: one config error line naming the
file and the key, exit 2. Every comparison with NaN is false, so before this a NaN
threshold or budget let everything pass.

Fails on the code before the fix: the loader accepted `.nan`, `.inf` and `1e400` as floats.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drills.scenario import model as scenario
from gates import contract
from gates.recovery import baseline
from harness.config import parse_yaml
from harness.errors import ConfigError
from tests.gates.conftest import run_gate

pytestmark = pytest.mark.timeout(60)

NOT_FINITE = [".nan", ".NaN", ".inf", "-.inf", "+.Inf", "1.0e+400", "-1.0e+999"]

CONTRACT_KEYS = [
    ("slo: {cold_start_p50_improvement_pct: %s}", "slo.cold_start_p50_improvement_pct"),
    ("slo: {cold_start_p95_improvement_pct: %s}", "slo.cold_start_p95_improvement_pct"),
    ("slo: {throughput_p50_improvement_pct: %s}", "slo.throughput_p50_improvement_pct"),
    ("slo: {max_binary_bytes: %s}", "slo.max_binary_bytes"),
    ("archive_limits: {max_members: %s}", "archive_limits.max_members"),
    ("retention: {default: {days_after_next_line: %s}}", "retention.default.days_after_next_line"),
    (
        "recovery_gates: [{id: g, title: t, command: [x], timeout_s: %s}]",
        "recovery_gates[0].timeout_s",
    ),
]


@pytest.mark.parametrize("value", NOT_FINITE)
def test_the_loader_refuses_a_number_that_is_not_one(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(f"a: {{b: [1, {value}]}}\n", "c.yaml")
    assert str(caught.value).startswith("c.yaml: a.b[1]: ")
    assert "is not a finite number" in str(caught.value)


@pytest.mark.parametrize(("body", "key"), CONTRACT_KEYS, ids=[k for _, k in CONTRACT_KEYS])
@pytest.mark.parametrize("value", [".nan", "-.inf"])
def test_a_contract_number_that_is_not_finite_is_a_config_error(
    tmp_path: Path, body: str, key: str, value: str
) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text("schema_version: 1\n" + body % value + "\n")
    with pytest.raises(ConfigError) as caught:
        contract.load(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert "\n" not in str(caught.value)


def test_gate_recover_under_a_nan_contract_exits_2_before_running_anything(tmp_path: Path) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text("schema_version: 1\nslo: {cold_start_p50_improvement_pct: .nan}\n")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    proc = run_gate("recover", "--checkout", str(checkout), "--contract", str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        f"gate: error: {path}: slo.cold_start_p50_improvement_pct: nan is not a finite number "
        "(NaN and infinities compare false with everything, so nothing would ever fail); "
        "write a real number\n"
    )
    assert not (checkout / ".fuse").exists()


CRASH = "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"
SCENARIO_KEYS = [
    ("budgets: {detect_s: %s}", "budgets.detect_s"),
    ("budgets: {recover_s: %s}", "budgets.recover_s"),
    ("budgets: {contain_s: %s}", "budgets.contain_s"),
    ("probe: {interval_ms: %s}", "probe.interval_ms"),
    ("probe: {latency_slo_ms: %s}", "probe.latency_slo_ms"),
    ("tolerance: {latency_factor: %s}", "tolerance.latency_factor"),
    ("tolerance: {error_rate: %s}", "tolerance.error_rate"),
    ("quiet_period_ms: %s", "quiet_period_ms"),
]


@pytest.mark.parametrize(("body", "key"), SCENARIO_KEYS, ids=[k for _, k in SCENARIO_KEYS])
def test_a_scenario_number_that_is_not_finite_is_a_config_error(tmp_path: Path, body: str, key: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(CRASH + body % ".nan" + "\n")
    with pytest.raises(ConfigError) as caught:
        scenario.load(path)
    assert str(caught.value).startswith(f"{path}: {key}: nan is not a finite number")


def test_drill_validate_refuses_a_nan_budget_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(CRASH + "budgets: {detect_s: .nan}\n")
    drill = str(Path(sys.executable).with_name("drill"))
    proc = subprocess.run(
        [drill, "validate", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{path}: budgets.detect_s: nan is not a finite number" in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_baseline_metric_that_is_not_finite_is_a_config_error(tmp_path: Path, value: str) -> None:
    path = tmp_path / "report.json"
    doc = {"results": [{"check": "S001", "scope": "x", "outcome": "passed", "data": {"metrics": {"m": 1}}}]}
    path.write_text(json.dumps(doc).replace('"m": 1', f'"m": {value}'))
    with pytest.raises(ConfigError, match=r"results\[0\]\.data\.metrics\.m is .*expected a finite number"):
        baseline.load(path)


HUGE = "1" + "0" * 400  # a YAML integer past the largest float: float() of it overflows


def test_the_loader_refuses_an_integer_too_large_for_a_float() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(f"a: {{b: [1, {HUGE}]}}\n", "c.yaml")
    assert str(caught.value).startswith("c.yaml: a.b[1]: a 401-digit integer is not a finite number")
    assert len(str(caught.value)) < 300  # the digits are not echoed


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (f"recover_to_aot: {{checkout: ., timeout_s: {HUGE}}}", "recover_to_aot.timeout_s"),
        (f"budgets: {{contain_s: {HUGE}}}", "budgets.contain_s"),
    ],
)
def test_drill_validate_refuses_a_huge_integer_with_exit_2(tmp_path: Path, body: str, key: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(CRASH + body + "\n")
    drill = str(Path(sys.executable).with_name("drill"))
    proc = subprocess.run(
        [drill, "validate", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"drill: error: {path}: {key}: a 401-digit integer is not a finite number")
    assert proc.stderr.count("\n") == 1


def test_gate_recover_under_a_huge_gate_timeout_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text(
        "schema_version: 1\nplatforms: [linux-x64]\n"
        f"recovery_gates: [{{id: g, title: t, command: [x], timeout_s: {HUGE}}}]\n"
    )
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    proc = run_gate("recover", "--checkout", str(checkout), "--contract", str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(
        f"gate: error: {path}: recovery_gates[0].timeout_s: a 401-digit integer is not a finite number"
    )
    assert proc.stderr.count("\n") == 1
