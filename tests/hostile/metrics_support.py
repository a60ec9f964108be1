"""aot_perf_metrics.json documents built from samples, as FUSE's bench computes them."""

from __future__ import annotations

from typing import Any

from gates.recovery.perf_consistency import improvement, nearest_rank

PCTS = (50, 95, 99)


def _series(values: list[float]) -> dict[str, Any]:
    return {
        "samples": [round(v, 3) for v in values],
        **{f"p{p}": round(nearest_rank(values, p), 3) for p in PCTS},
    }


def _compare(jit: list[float], aot: list[float], *, lower: bool) -> dict[str, Any]:
    gains = {
        f"p{p}": round(improvement(nearest_rank(jit, p), nearest_rank(aot, p), lower_is_better=lower), 3)
        for p in PCTS
    }
    return {"jit_native": _series(jit), "aot": _series(aot), "improvement_pct": gains}


def metrics_doc(
    cold: tuple[list[float], list[float]] = ([170.0, 174.5, 180.25], [3.1, 3.0, 3.4]),
    tput: tuple[list[float], list[float]] | None = None,
) -> dict[str, Any]:
    """A consistent schema_version 1 file: the unrounded samples give every figure."""
    jit_tp, aot_tp = tput or ([1000 / v for v in cold[0]], [1000 / v for v in cold[1]])
    return {
        "schema_version": 1,
        "timestamp_utc": "2026-03-01T00:00:00Z",
        "benchmark_context": {"samples": len(cold[0]), "burst_runs_per_sample": 1, "git_rev": "abc"},
        "cold_start_ms": _compare(*cold, lower=True),
        "steady_state_cli_runs_per_sec": _compare(jit_tp, aot_tp, lower=False),
    }
