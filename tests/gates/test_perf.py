"""The gate's own perf judgement: aot_perf_metrics.json parsed strictly, each contract
threshold held as "at least the minimum" (pure, no scripts run)."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from gates.contract import Slo
from gates.recovery import perf

GOOD: dict[str, Any] = {
    "schema_version": 1,
    "cold_start_ms": {
        "aot": {"p50": 11.0},
        "jit_native": {"p50": 22.0},
        "improvement_pct": {"p50": 31.0, "p95": 21.0, "p99": 12.0},
    },
    "steady_state_cli_runs_per_sec": {"improvement_pct": {"p50": 5.0}},
    "benchmark_context": {"samples": 7},
}
SLO = Slo(
    cold_start_p50_improvement_pct=30,
    cold_start_p95_improvement_pct=20,
    throughput_p50_improvement_pct=None,
    max_binary_bytes=None,
)


def metrics(**changes: Any) -> perf.PerfMetrics:
    """GOOD with dotted key paths changed (`cold_start_ms.improvement_pct.p50=30`)."""
    document = copy.deepcopy(GOOD)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = document
        for key in parents:
            node = node[key]
        node[leaf] = value
    return perf.parse(json.dumps(document), "m.json")


def test_metrics_are_read_each_from_its_own_key() -> None:
    """Bug: AOT and JIT-native p50 swapped when parsing the metrics."""
    assert metrics().as_data() == {
        "cold_start_improvement_p50_pct": 31.0,
        "cold_start_improvement_p95_pct": 21.0,
        "cold_start_improvement_p99_pct": 12.0,
        "throughput_improvement_p50_pct": 5.0,
        "cold_start_jit_native_p50_ms": 22.0,
        "cold_start_aot_p50_ms": 11.0,
    }
    assert metrics().samples == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "m.json: not valid JSON ("),
        ("[1]", "m.json: (top level): expected a JSON object"),
        ('{"schema_version": 2}', "m.json: schema_version: 2 is not supported (expected 1)"),
        ('{"schema_version": true}', "m.json: schema_version: True is not supported (expected 1)"),
        (
            '{"schema_version": 1}',
            "m.json: cold_start_ms.improvement_pct.p50: missing (schema_version 1 needs it)",
        ),
        (
            '{"schema_version": 1, "cold_start_ms": []}',
            "m.json: cold_start_ms.improvement_pct.p50: missing (schema_version 1 needs it)",
        ),
    ],
)
def test_a_document_that_is_not_schema_version_1_metrics_is_refused(text: str, message: str) -> None:
    with pytest.raises(perf.MetricsError) as refused:
        perf.parse(text, "m.json")
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("value", [True, "31", None, float("nan"), float("inf")])
def test_a_value_that_is_not_a_finite_number_is_a_finding(value: object) -> None:
    """The release's metrics are wrong (S001 fails), not unreadable."""
    found = perf.judge(metrics(**{"cold_start_ms.aot.p50": value}), SLO)
    assert ("cold_start_ms.aot.p50", "not a finite number") in [(f.subject, f.message) for f in found]


def test_an_integer_value_is_read_as_a_number() -> None:
    assert metrics(**{"cold_start_ms.aot.p50": 11}).aot_p50_ms == 11.0


@pytest.mark.parametrize("context", [{"samples": "7"}, {"samples": None}, [], None])
def test_samples_are_known_only_as_an_integer(context: object) -> None:
    assert metrics(benchmark_context=context).samples is None


def test_load_reads_the_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "aot_perf_metrics.json"
    path.write_text(json.dumps(GOOD))
    loaded = perf.load(path)
    assert (loaded.path, loaded.cold_start_p50_pct) == (str(path), 31.0)


def test_load_without_a_file_says_the_bench_did_not_write_it(tmp_path: Path) -> None:
    with pytest.raises(perf.MetricsError) as refused:
        perf.load(tmp_path / "none.json")
    assert (
        str(refused.value) == f"{tmp_path / 'none.json'}: no metrics file (did the bench run and write it?)"
    )


def test_load_of_bytes_that_are_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(perf.MetricsError) as refused:
        perf.load(path)
    assert str(refused.value).startswith(f"{path}: cannot read (")


def test_thresholds_include_throughput_only_when_the_contract_sets_one() -> None:
    assert perf.thresholds(SLO) == {
        "cold_start_improvement_p50_pct": 30,
        "cold_start_improvement_p95_pct": 20,
    }
    with_tput = Slo(**{**SLO.__dict__, "throughput_p50_improvement_pct": 4})
    assert perf.thresholds(with_tput)["throughput_improvement_p50_pct"] == 4


def thresholds_only(m: perf.PerfMetrics) -> perf.PerfMetrics:
    """GOOD carries no samples to recompute from: judge its thresholds alone (the
    recomputation has tests of its own in tests/hostile/test_perf_metrics.py)."""
    return dataclasses.replace(m, problems=())


def test_exactly_the_minimum_passes() -> None:
    at = metrics(**{"cold_start_ms.improvement_pct.p50": 30, "cold_start_ms.improvement_pct.p95": 20})
    assert perf.judge(thresholds_only(at), SLO) == []


def test_below_a_minimum_is_one_finding_per_threshold() -> None:
    low = thresholds_only(metrics(**{"cold_start_ms.improvement_pct.p95": 19.5}))
    (finding,) = perf.judge(low, SLO)
    assert (finding.subject, finding.message, finding.expected, finding.actual, finding.where) == (
        "cold_start_improvement_p95_pct",
        "below the release contract's minimum",
        ">= 20%",
        "19.5%",
        "m.json",
    )
    with_tput = Slo(**{**SLO.__dict__, "throughput_p50_improvement_pct": 6})
    assert [f.subject for f in perf.judge(low, with_tput)] == [
        "cold_start_improvement_p95_pct",
        "throughput_improvement_p50_pct",
    ]


@pytest.mark.parametrize(("constant", "shown"), [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf")])
def test_a_json_constant_is_shown_as_the_number_it_spells(constant: str, shown: str) -> None:
    """JSON's NaN/Infinity are kept as floats, so the finding shows them, not `None`."""
    text = json.dumps(GOOD).replace('"aot": {"p50": 11.0}', f'"aot": {{"p50": {constant}}}')
    found = perf.judge(perf.parse(text, "m.json"), SLO)
    assert ("cold_start_ms.aot.p50", "not a finite number", shown) in [
        (f.subject, f.message, f.actual) for f in found
    ]


@pytest.mark.parametrize(("padding", "refused"), [(0, False), (1, True)], ids=["16-mib", "one-byte-over"])
def test_a_metrics_file_is_read_up_to_16_mib(tmp_path: Path, padding: int, refused: bool) -> None:
    document = json.dumps(GOOD)
    path = tmp_path / "aot_perf_metrics.json"
    path.write_text(document + " " * (16 * 1024 * 1024 - len(document) + padding))
    if not refused:
        assert perf.load(path).cold_start_p50_pct == 31.0
        return
    with pytest.raises(perf.MetricsError) as error:
        perf.load(path)
    assert str(error.value) == f"{path}: is larger than the 16 MiB this file may be; pass the right file"
