"""Judging the AOT perf SLO ourselves: parse aot_perf_metrics.json (schema_version 1) and
hold it against the contract's thresholds, whatever thresholds the SLO script was given.

The comparison is "at least the minimum" (FUSE's checker fails only when strictly below).
A file that contradicts itself (gates/recovery/perf_consistency.py) is judged by those findings
alone: its figures cannot be held against a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.contract import Slo
from gates.recovery import perf_consistency
from harness import bounded_read, numbers
from harness.results import Finding

SCHEMA_VERSION = 1
MAX_BYTES = 16 * bounded_read.MiB  # FUSE's file is a few KiB even at thousands of samples

# The key paths the judgement needs (FUSE's checker reads the same ones).
P50 = ("cold_start_ms", "improvement_pct", "p50")
P95 = ("cold_start_ms", "improvement_pct", "p95")
P99 = ("cold_start_ms", "improvement_pct", "p99")
TPUT_P50 = ("steady_state_cli_runs_per_sec", "improvement_pct", "p50")
JIT_P50_MS = ("cold_start_ms", "jit_native", "p50")
AOT_P50_MS = ("cold_start_ms", "aot", "p50")
REQUIRED = (P50, P95, P99, TPUT_P50, JIT_P50_MS, AOT_P50_MS)


class MetricsError(Exception):
    """The metrics file is missing, unreadable or not schema_version 1."""


@dataclass(frozen=True, kw_only=True)
class PerfMetrics:
    path: str
    cold_start_p50_pct: float
    cold_start_p95_pct: float
    cold_start_p99_pct: float
    throughput_p50_pct: float
    jit_p50_ms: float
    aot_p50_ms: float
    samples: int | None
    problems: tuple[Finding, ...] = field(default=())  # how the file contradicts itself

    def as_data(self) -> dict[str, float]:
        """The figures the judgement reads (a non-finite one is left out: JSON cannot hold it)."""
        figures = {
            "cold_start_improvement_p50_pct": self.cold_start_p50_pct,
            "cold_start_improvement_p95_pct": self.cold_start_p95_pct,
            "cold_start_improvement_p99_pct": self.cold_start_p99_pct,
            "throughput_improvement_p50_pct": self.throughput_p50_pct,
            "cold_start_jit_native_p50_ms": self.jit_p50_ms,
            "cold_start_aot_p50_ms": self.aot_p50_ms,
        }
        return {name: value for name, value in figures.items() if math.isfinite(value)}


def _number(document: dict[str, Any], path: tuple[str, ...], origin: str) -> float:
    """A figure the judgement needs: missing is an error (not schema_version 1); a value that
    is not a finite number is NaN here and a finding of perf_consistency."""
    node: Any = document
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise MetricsError(f"{origin}: {'.'.join(path)}: missing (schema_version 1 needs it)")
        node = node[key]
    number = numbers.finite(node)
    return math.nan if number is None else number


def _reject_constant(name: str) -> float:
    # json accepts NaN/Infinity; keep them as floats so the finiteness check names the key.
    return float(name)


def parse(text: str, origin: str) -> PerfMetrics:
    try:
        document = bounded_read.parse_json(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise MetricsError(f"{origin}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise MetricsError(f"{origin}: (top level): expected a JSON object")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise MetricsError(
            f"{origin}: schema_version: {version!r} is not supported (expected {SCHEMA_VERSION})"
        )
    p50, p95, p99, tput, jit, aot = (_number(document, path, origin) for path in REQUIRED)
    context = document.get("benchmark_context")
    samples = context.get("samples") if isinstance(context, dict) else None
    return PerfMetrics(
        path=origin,
        cold_start_p50_pct=p50,
        cold_start_p95_pct=p95,
        cold_start_p99_pct=p99,
        throughput_p50_pct=tput,
        jit_p50_ms=jit,
        aot_p50_ms=aot,
        samples=samples if isinstance(samples, int) and not isinstance(samples, bool) else None,
        problems=tuple(perf_consistency.findings(document, origin)),
    )


def load(path: Path) -> PerfMetrics:
    try:
        text = bounded_read.read_text(path, MAX_BYTES)
    except FileNotFoundError as exc:
        raise MetricsError(f"{path}: no metrics file (did the bench run and write it?)") from exc
    except bounded_read.Refused as exc:
        raise MetricsError(f"{path}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MetricsError(f"{path}: cannot read ({exc})") from exc
    return parse(text, str(path))


def thresholds(slo: Slo) -> dict[str, float]:
    """The contract's minimums by metric name (throughput only when the contract sets one)."""
    limits = {
        "cold_start_improvement_p50_pct": slo.cold_start_p50_improvement_pct,
        "cold_start_improvement_p95_pct": slo.cold_start_p95_improvement_pct,
    }
    if slo.throughput_p50_improvement_pct is not None:
        limits["throughput_improvement_p50_pct"] = slo.throughput_p50_improvement_pct
    return limits


def judge(metrics: PerfMetrics, slo: Slo, measured: Mapping[str, float] | None = None) -> list[Finding]:
    """One finding per contract threshold the metrics fall short of; a file that contradicts
    itself gets the findings of its contradictions instead. `measured` figures (the gate's
    own cold-start measurement) replace the file's of the same name."""
    if metrics.problems:
        return list(metrics.problems)
    measured = measured or {}
    values = {**metrics.as_data(), **measured}
    return [
        Finding(
            subject=name,
            message="below the release contract's minimum"
            + (" (measured against the release CLI, S004)" if name in measured else ""),
            expected=f">= {minimum:g}%",
            actual=f"{values[name]:g}%",
            where="S004" if name in measured else metrics.path,
        )
        for name, minimum in thresholds(slo).items()
        if values[name] < minimum
    ]
