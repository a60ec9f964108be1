"""The metrics recomputation at its edges: nearest rank, the improvement formulas, what
rounding to 3 decimals allows, and each way a file can contradict itself."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gates.recovery import perf_consistency as pc
from tests.hostile.metrics_support import metrics_doc


def test_nearest_rank_is_the_ceil_rank_clamped_to_the_samples() -> None:
    seven = [7.0, 1.0, 6.0, 2.0, 5.0, 3.0, 4.0]
    assert [pc.nearest_rank(seven, p) for p in (50, 95, 99)] == [4.0, 7.0, 7.0]
    twenty = [float(i) for i in range(1, 21)]
    assert [pc.nearest_rank(twenty, p) for p in (50, 95, 99)] == [10.0, 19.0, 20.0]
    assert pc.nearest_rank([3.0], 50) == 3.0
    assert pc.nearest_rank([1.0, 2.0], 0) == 1.0  # rank 0 clamps to the first
    many = [float(i) for i in range(1, 202)]  # 201 samples: p50 is rank ceil(100.5) = 101
    assert pc.nearest_rank(many, 50) == 101.0


def test_the_improvement_formulas_and_a_base_that_is_not_positive() -> None:
    assert pc.improvement(200.0, 50.0, lower_is_better=True) == 75.0
    assert pc.improvement(100.0, 150.0, lower_is_better=False) == 50.0
    assert pc.improvement(0.0, 5.0, lower_is_better=True) == 0.0
    assert pc.improvement(-1.0, 5.0, lower_is_better=False) == 0.0
    assert pc.improvement(1e-9, 0.0, lower_is_better=True) == 100.0


def test_the_range_rounding_allows_is_the_corners_plus_the_value_s_own_rounding() -> None:
    low, high = pc.improvement_range(100.0, 50.0, lower_is_better=True)
    corners = [(j - a) / j * 100 for j in (99.9995, 100.0005) for a in (49.9995, 50.0005)]
    assert low == pytest.approx(min(corners) - 0.0005, abs=1e-8)
    assert high == pytest.approx(max(corners) + 0.0005, abs=1e-8)
    assert low < 50.0 < high and high - low < 0.003


def test_a_base_that_may_have_been_zero_allows_zero() -> None:
    low, high = pc.improvement_range(0.0004, 0.0, lower_is_better=True)
    assert low <= 0.0 <= high


def test_a_small_positive_base_does_not_allow_zero() -> None:
    low, high = pc.improvement_range(1.0, 0.5, lower_is_better=True)
    assert 49.9 < low < 50.0 < high < 50.1


def test_finite_reads_json_numbers_only() -> None:
    assert pc.finite(3) == 3.0 and pc.finite(2.5) == 2.5
    assert [pc.finite(v) for v in (True, False, "1", None, float("nan"), float("inf"), 10**400)] == [None] * 7


def test_a_long_value_is_shown_cut_at_40_characters() -> None:
    assert pc._shown("x" * 38) == repr("x" * 38)  # 40 characters with the quotes: kept whole
    assert pc._shown("z" * 39) == "'" + "z" * 36 + "..."  # 41: cut to 40
    shown = pc._shown("y" * 60)
    assert len(shown) == 40 and shown.endswith("...")


def _doc(one_sample: bool = False) -> dict[str, Any]:
    return metrics_doc(cold=([170.0], [3.1])) if one_sample else metrics_doc()


def subjects(document: dict[str, Any]) -> list[str]:
    return [f.subject for f in pc.findings(document, "m.json")]


def test_a_consistent_file_has_no_findings() -> None:
    assert pc.findings(_doc(), "m.json") == []


def test_a_zero_sample_is_possible_and_a_negative_one_is_not() -> None:
    doc = _doc()
    doc["cold_start_ms"]["aot"]["samples"][0] = 0
    assert "cold_start_ms.aot.samples[0]" not in subjects(doc)
    doc["cold_start_ms"]["aot"]["samples"][0] = -0.001
    doc["cold_start_ms"]["aot"]["samples"][1] = -2
    found = [f for f in pc.findings(doc, "m.json") if f.subject == "cold_start_ms.aot.samples[0]"]
    assert [(f.message, f.expected, f.actual) for f in found] == [
        ("impossible sample (and 1 more)", "a finite number >= 0", "-0.001")
    ]


def test_one_impossible_sample_says_no_more() -> None:
    doc = _doc()
    doc["cold_start_ms"]["jit_native"]["samples"][2] = "fast"
    (found,) = [f for f in pc.findings(doc, "m.json") if "samples[" in f.subject]
    assert (found.subject, found.message) == ("cold_start_ms.jit_native.samples[2]", "impossible sample")


def test_a_sample_count_other_than_declared_is_named_with_both_counts() -> None:
    doc = _doc()
    doc["benchmark_context"]["samples"] += 1
    found = [f for f in pc.findings(doc, "m.json") if f.message.startswith("sample count")]
    assert {(f.expected, f.actual) for f in found} == {("4", "3")}
    assert len(found) == 4  # every series


@pytest.mark.parametrize("value", [0, -1, True, "7", None])
def test_a_declared_count_that_is_not_one_is_a_finding(value: object) -> None:
    doc = _doc()
    doc["benchmark_context"]["samples"] = value
    assert "benchmark_context.samples" in subjects(doc)


def test_a_declared_count_of_one_with_one_sample_each_is_consistent() -> None:
    doc = _doc(one_sample=True)
    assert doc["benchmark_context"]["samples"] == 1
    assert pc.findings(doc, "m.json") == []


def _shift(doc: dict[str, Any], path: str, by: float) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    *parents, leaf = path.split(".")
    node = out
    for key in parents:
        node = node[key]
    node[leaf] = round(node[leaf] + by, 6)
    return out


def test_a_percentile_may_be_off_by_its_rounding_and_not_more() -> None:
    doc = _doc()
    assert "cold_start_ms.aot.p95" not in subjects(_shift(doc, "cold_start_ms.aot.p95", 0.0005))
    off = _shift(doc, "cold_start_ms.aot.p95", 0.0006)
    (found,) = [f for f in pc.findings(off, "m.json") if f.subject == "cold_start_ms.aot.p95"]
    assert found.message == "disagrees with the nearest-rank p95 of its own samples"


def test_an_improvement_just_outside_what_rounding_allows_is_a_finding() -> None:
    doc = _doc()
    inside = _shift(doc, "cold_start_ms.improvement_pct.p50", 0.0004)
    assert "cold_start_ms.improvement_pct.p50" not in subjects(inside)
    outside = _shift(doc, "cold_start_ms.improvement_pct.p50", 0.01)
    (found,) = [f for f in pc.findings(outside, "m.json") if f.subject == "cold_start_ms.improvement_pct.p50"]
    assert found.message.startswith("disagrees with (jit - aot) / jit * 100 of the p50s")
    tput = _shift(doc, "steady_state_cli_runs_per_sec.improvement_pct.p99", -5.0)
    (found,) = [
        f
        for f in pc.findings(tput, "m.json")
        if f.subject == "steady_state_cli_runs_per_sec.improvement_pct.p99"
    ]
    assert found.message.startswith("disagrees with (aot - jit) / jit * 100 of the p99s")


def test_percentiles_out_of_order_are_one_finding_naming_them() -> None:
    doc = _doc()
    series = doc["cold_start_ms"]["aot"]
    series["p50"], series["p95"] = series["p95"] + 1, series["p50"]
    found = [f for f in pc.findings(doc, "m.json") if f.message == "percentiles out of order"]
    assert [(f.subject, f.expected) for f in found] == [("cold_start_ms.aot.p50", "p50 <= p95 <= p99")]
    assert found[0].actual.startswith("p50 ")


def test_equal_percentiles_are_in_order() -> None:
    doc = _doc(one_sample=True)
    assert "percentiles out of order" not in [f.message for f in pc.findings(doc, "m.json")]


def test_a_missing_section_is_named_not_skipped() -> None:
    doc = _doc()
    del doc["steady_state_cli_runs_per_sec"]
    found = subjects(doc)
    assert "steady_state_cli_runs_per_sec.aot.samples" in found
    assert "steady_state_cli_runs_per_sec.improvement_pct.p50" in found
