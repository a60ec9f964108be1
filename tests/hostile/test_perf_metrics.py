"""Metrics that contradict themselves are S001 findings, not a pass and not a crash.

The gate recomputes every percentile and improvement from the file's own samples. Every
case below passed S001 before the recomputation existed (its thresholds were met by the
file's own `improvement_pct`), except the NaN ones, which were an error rather than a
finding of the release.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gates.contract import Slo
from gates.recovery import perf
from tests.gates.conftest import run_gate
from tests.hostile.metrics_support import metrics_doc

pytestmark = pytest.mark.timeout(60)
SLO = Slo(
    cold_start_p50_improvement_pct=30,
    cold_start_p95_improvement_pct=20,
    throughput_p50_improvement_pct=None,
    max_binary_bytes=1,
)
COLD, TPUT = "cold_start_ms", "steady_state_cli_runs_per_sec"


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return apply


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[key]
        del node[last]

    return apply


def _aot_slower_yet_50(doc: dict[str, Any]) -> None:
    doc.update(metrics_doc(([3.0, 3.1, 3.4], [170.0, 174.5, 180.25])))
    doc[COLD]["improvement_pct"]["p50"] = 50.0


# (mutation, the finding's subject)
LIES = {
    "improvement-50-while-aot-slower": (_aot_slower_yet_50, f"{COLD}.improvement_pct.p50"),
    "p95-improvement-inflated": (_set(f"{COLD}.improvement_pct.p95", 99.0), f"{COLD}.improvement_pct.p95"),
    "p99-improvement-off-by-0.01": (
        lambda d: _set(f"{COLD}.improvement_pct.p99", d[COLD]["improvement_pct"]["p99"] + 0.01)(d),
        f"{COLD}.improvement_pct.p99",
    ),
    "throughput-sign-flipped": (
        lambda d: _set(f"{TPUT}.improvement_pct.p50", -d[TPUT]["improvement_pct"]["p50"])(d),
        f"{TPUT}.improvement_pct.p50",
    ),
    "negative-latency": (_set(f"{COLD}.aot.samples.0", -3.1), f"{COLD}.aot.samples[0]"),
    "nan-latency": (_set(f"{COLD}.jit_native.samples.1", float("nan")), f"{COLD}.jit_native.samples[1]"),
    "infinite-latency": (_set(f"{COLD}.aot.samples.2", float("inf")), f"{COLD}.aot.samples[2]"),
    "string-latency": (_set(f"{COLD}.aot.samples.2", "3.4"), f"{COLD}.aot.samples[2]"),
    "boolean-latency": (_set(f"{COLD}.aot.samples.2", True), f"{COLD}.aot.samples[2]"),
    "huge-integer-latency": (_set(f"{COLD}.aot.samples.2", 10**400), f"{COLD}.aot.samples[2]"),
    "negative-throughput": (_set(f"{TPUT}.aot.samples.0", -1.0), f"{TPUT}.aot.samples[0]"),
    "empty-samples": (_set(f"{COLD}.aot.samples", []), f"{COLD}.aot.samples"),
    "no-samples": (_delete(f"{COLD}.jit_native.samples"), f"{COLD}.jit_native.samples"),
    "samples-not-a-list": (_set(f"{TPUT}.jit_native.samples", {"a": 1}), f"{TPUT}.jit_native.samples"),
    "fewer-samples-than-declared": (_set("benchmark_context.samples", 7), f"{COLD}.jit_native.samples"),
    "declared-count-missing": (_delete("benchmark_context.samples"), "benchmark_context.samples"),
    "declared-count-zero": (_set("benchmark_context.samples", 0), "benchmark_context.samples"),
    "declared-count-boolean": (_set("benchmark_context.samples", True), "benchmark_context.samples"),
    "p50-above-p95": (_set(f"{COLD}.jit_native.p50", 500.0), f"{COLD}.jit_native.p50"),
    "p50-not-the-nearest-rank": (_set(f"{COLD}.aot.p50", 3.0), f"{COLD}.aot.p50"),
    "p99-not-the-maximum": (_set(f"{TPUT}.aot.p99", 1.0), f"{TPUT}.aot.p99"),
    "percentile-nan": (_set(f"{COLD}.aot.p95", float("nan")), f"{COLD}.aot.p95"),
    "improvement-nan": (_set(f"{COLD}.improvement_pct.p50", float("nan")), f"{COLD}.improvement_pct.p50"),
    "improvement-infinite": (
        _set(f"{COLD}.improvement_pct.p95", float("inf")),
        f"{COLD}.improvement_pct.p95",
    ),
    "improvement-a-string": (_set(f"{COLD}.improvement_pct.p99", "95"), f"{COLD}.improvement_pct.p99"),
    "no-throughput-p99-improvement": (_delete(f"{TPUT}.improvement_pct.p99"), f"{TPUT}.improvement_pct.p99"),
}


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc)  # NaN and Infinity as JSON's extensions spell them


def test_a_consistent_file_passes_the_recomputation() -> None:
    metrics = perf.parse(_text(metrics_doc()), "m.json")
    assert metrics.problems == ()
    assert perf.judge(metrics, SLO) == []


@pytest.mark.parametrize("name", list(LIES))
def test_a_file_that_contradicts_itself_is_a_finding(name: str) -> None:
    mutate, subject = LIES[name]
    doc = copy.deepcopy(metrics_doc())
    mutate(doc)
    metrics = perf.parse(_text(doc), "m.json")
    findings = perf.judge(metrics, SLO)
    assert subject in [f.subject for f in findings], [f.line() for f in findings]
    assert all(f.where == "m.json" and "\n" not in f.line() for f in findings)
    assert all(not isinstance(v, float) or v == v for v in metrics.as_data().values())


def test_the_improvement_message_shows_the_recomputed_value() -> None:
    doc = metrics_doc(([3.0, 3.1, 3.4], [170.0, 174.5, 180.25]))
    doc[COLD]["improvement_pct"]["p50"] = 50.0
    (finding,) = [f for f in perf.judge(perf.parse(_text(doc), "m.json"), SLO) if f.subject.endswith("p50")]
    assert finding.expected == "-5529.032" and finding.actual == "50"
    assert "(jit - aot) / jit * 100" in finding.message


def test_json_nested_too_deep_is_one_metrics_error() -> None:
    with pytest.raises(perf.MetricsError, match="nested too deep"):
        perf.parse("[" * 100_000 + "]" * 100_000, "m.json")


def _lying_checkout(tmp_path: Path, doc: dict[str, Any]) -> tuple[Path, Path]:
    """A checkout whose bench writes `doc` and whose SLO script always says it passed."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "metrics.json").write_text(_text(doc))
    gates = [
        {
            "id": "aot-perf-bench",
            "title": "bench",
            "command": [
                "sh",
                "-c",
                "mkdir -p .fuse/bench && cp metrics.json .fuse/bench/aot_perf_metrics.json",
            ],
            "produces": [".fuse/bench/aot_perf_metrics.json"],
        },
        {
            "id": "aot-perf-slo",
            "title": "slo",
            "command": ["echo", "AOT performance SLO checks passed"],
            "needs": ["aot-perf-bench"],
            "pass_line": "AOT performance SLO checks passed",
            "judge": "aot-perf-metrics",
        },
    ]
    contract = tmp_path / "contract.yaml"
    contract.write_text(
        yaml.safe_dump({"schema_version": 1, "platforms": ["linux-x64"], "recovery_gates": gates})
    )
    return checkout, contract


def _recover(checkout: Path, contract: Path, report: Path) -> subprocess.CompletedProcess[str]:
    return run_gate(
        "recover", "--checkout", str(checkout), "--contract", str(contract), "--report-dir", str(report)
    )


def test_a_checkout_whose_slo_script_lies_does_not_pass(tmp_path: Path) -> None:
    doc = metrics_doc(([3.0, 3.1, 3.4], [170.0, 174.5, 180.25]))  # the AOT is 55 times slower
    doc[COLD]["improvement_pct"].update(p50=50.0, p95=50.0, p99=50.0)
    checkout, contract = _lying_checkout(tmp_path, doc)
    proc = _recover(checkout, contract, tmp_path / "report")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    (s001,) = [r for r in report["results"] if r["check"] == "S001"]
    assert s001["outcome"] == "failed"
    assert "cold_start_ms.improvement_pct.p50: disagrees with" in s001["summary"]
    assert "Traceback" not in proc.stderr


def test_a_consistent_checkout_still_passes(tmp_path: Path) -> None:
    checkout, contract = _lying_checkout(tmp_path, metrics_doc())
    proc = _recover(checkout, contract, tmp_path / "report")
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    (s001,) = [r for r in report["results"] if r["check"] == "S001"]
    assert s001["outcome"] == "passed", s001["summary"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
