"""Metrics that contradict themselves: aot_perf_metrics.json recomputed from its own samples.

A bench that writes `improvement_pct: 50` while the AOT's p50 is slower than JIT's, or
negative latencies, must not pass S001 on the strength of its own summary. The raw samples
are the evidence: every percentile is recomputed from them (nearest rank on the sorted
samples, rank = ceil(p/100 * n) clamped to [1, n]) and every improvement from those
percentiles (`(jit - aot) / jit * 100` for cold start, `(aot - jit) / jit * 100` for
throughput, 0 when the base is <= 0), as FUSE's bench computes them.

FUSE writes every number with 3 decimals, computed from unrounded timings. An improvement
is therefore accepted when it lies within what the rounded percentiles allow: the formula
is evaluated at the corners of each percentile's +-0.0005 interval, and the stated value
may sit 0.0005 beyond that range (its own rounding). Anything further is a finding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from harness.numbers import finite
from harness.results import Finding

SECTIONS = (("cold_start_ms", True), ("steady_state_cli_runs_per_sec", False))
BACKENDS = ("jit_native", "aot")
PERCENTILES = (50, 95, 99)
ROUNDING = 0.0005  # half of the last of 3 decimals
_SLACK = 1e-9  # binary floating point


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = min(max(math.ceil(p / 100 * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]


def improvement(jit: float, aot: float, *, lower_is_better: bool) -> float:
    if jit <= 0:
        return 0.0
    return (jit - aot) / jit * 100 if lower_is_better else (aot - jit) / jit * 100


def improvement_range(jit: float, aot: float, *, lower_is_better: bool) -> tuple[float, float]:
    """What the improvement may be, given percentiles each rounded to 3 decimals."""
    corners = [
        improvement(j, a, lower_is_better=lower_is_better)
        for j in (jit - ROUNDING, jit + ROUNDING)
        for a in (aot - ROUNDING, aot + ROUNDING)
    ]
    # a base that may have been <= 0 needs no corner of its own: jit - ROUNDING is one, and
    # improvement() gives 0.0 there
    return min(corners) - ROUNDING - _SLACK, max(corners) + ROUNDING + _SLACK


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Judge:
    """Collects the findings of one metrics file."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.found: list[Finding] = []

    def add(self, key: str, message: str, expected: str = "", actual: str = "") -> None:
        self.found.append(
            Finding(subject=key, message=message, expected=expected, actual=actual, where=self.origin)
        )

    def number(self, node: Any, key: str) -> float | None:
        value = node.get(key.rsplit(".", 1)[1]) if isinstance(node, Mapping) else None
        number = finite(value)
        if number is None:
            self.add(key, "not a finite number", "a finite number", _shown(value))
        return number


def _samples(judge: _Judge, node: Any, key: str, declared: int | None) -> list[float] | None:
    raw = node.get("samples") if isinstance(node, Mapping) else None
    if not isinstance(raw, list) or not raw:
        judge.add(f"{key}.samples", "no samples to recompute the figures from", "a non-empty array")
        return None
    values = [finite(v) for v in raw]
    bad = [(i, raw[i]) for i, v in enumerate(values) if v is None or v < 0]
    if bad:
        i, value = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        judge.add(f"{key}.samples[{i}]", f"impossible sample{more}", "a finite number >= 0", _shown(value))
        return None
    if declared is not None and len(raw) != declared:
        judge.add(
            f"{key}.samples",
            "sample count differs from benchmark_context.samples",
            str(declared),
            str(len(raw)),
        )
    return [v for v in values if v is not None]


def _series(judge: _Judge, node: Any, key: str, declared: int | None) -> dict[int, float] | None:
    """The percentiles recomputed from the samples; the stated ones must agree."""
    samples = _samples(judge, node, key, declared)
    stated = {p: judge.number(node, f"{key}.p{p}") for p in PERCENTILES}
    if samples is None:
        return None
    recomputed = {p: nearest_rank(samples, p) for p in PERCENTILES}
    for p, value in stated.items():
        if value is not None and abs(value - recomputed[p]) > ROUNDING + _SLACK:
            judge.add(
                f"{key}.p{p}",
                f"disagrees with the nearest-rank p{p} of its own samples",
                f"{recomputed[p]:.3f}",
                f"{value:g}",
            )
    given = [v for v in stated.values() if v is not None]
    if given != sorted(given):
        shown = ", ".join(f"p{p} {v:g}" for p, v in stated.items() if v is not None)
        judge.add(f"{key}.p50", "percentiles out of order", "p50 <= p95 <= p99", shown)
    return recomputed


def _gains(judge: _Judge, node: Any, key: str, lower: bool, series: Mapping[str, dict[int, float]]) -> None:
    gains = node.get("improvement_pct") if isinstance(node, Mapping) else None
    formula = "(jit - aot) / jit * 100" if lower else "(aot - jit) / jit * 100"
    for p in PERCENTILES:
        stated = judge.number(gains, f"{key}.improvement_pct.p{p}")
        if stated is None or len(series) < len(BACKENDS):
            continue
        jit, aot = series["jit_native"][p], series["aot"][p]
        low, high = improvement_range(jit, aot, lower_is_better=lower)
        if not low <= stated <= high:
            judge.add(
                f"{key}.improvement_pct.p{p}",
                f"disagrees with {formula} of the p{p}s its own samples give (jit {jit:g}, aot {aot:g})",
                f"{improvement(jit, aot, lower_is_better=lower):.3f}",
                f"{stated:g}",
            )


def _declared(judge: _Judge, document: Mapping[str, Any]) -> int | None:
    context = document.get("benchmark_context")
    value = context.get("samples") if isinstance(context, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        judge.add("benchmark_context.samples", "not a sample count", "an integer >= 1", _shown(value))
        return None
    return value


def findings(document: Mapping[str, Any], origin: str) -> list[Finding]:
    """Every way the metrics file contradicts itself or states the impossible."""
    judge = _Judge(origin)
    declared = _declared(judge, document)
    for section, lower in SECTIONS:
        node = document.get(section)
        series = {}
        for backend in BACKENDS:
            sub = node.get(backend) if isinstance(node, Mapping) else None
            recomputed = _series(judge, sub, f"{section}.{backend}", declared)
            if recomputed is not None:
                series[backend] = recomputed
        _gains(judge, node, section, lower, series)
    return judge.found
