"""Properties of the metrics reader and judge (hypothesis).

- A consistent file built from random samples, the way FUSE's bench builds it, always
  passes the recomputation.
- Any text, and any JSON document, gives a PerfMetrics or a MetricsError, never another
  exception; the judgement of whatever parses is a list of findings.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gates.contract import Slo
from gates.recovery import perf
from tests.hostile.metrics_support import PCTS, metrics_doc

pytestmark = pytest.mark.timeout(120)
SLO = Slo(
    cold_start_p50_improvement_pct=30,
    cold_start_p95_improvement_pct=20,
    throughput_p50_improvement_pct=5,
    max_binary_bytes=1,
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a timing clock resolves microseconds at best: 0, or at least a microsecond (in ms or runs/s)
latency = st.just(0.0) | st.floats(min_value=0.001, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def bench_samples(draw: st.DrawFn) -> tuple[list[float], ...]:
    n = draw(st.integers(min_value=1, max_value=25))
    series = st.lists(latency, min_size=n, max_size=n)
    return draw(series), draw(series), draw(series), draw(series)


@FAST
@given(bench_samples())
def test_a_consistent_file_from_random_samples_always_passes_the_recomputation(
    samples: tuple[list[float], ...],
) -> None:
    jit, aot, jit_tp, aot_tp = samples
    doc = metrics_doc((jit, aot), (jit_tp, aot_tp))
    metrics = perf.parse(json.dumps(doc), "m.json")
    assert metrics.problems == (), [f.line() for f in metrics.problems]


@FAST
@given(bench_samples(), st.sampled_from(["p50", "p95", "p99"]), st.floats(min_value=1.0, max_value=1e4))
def test_a_large_enough_lie_about_an_improvement_is_always_found(
    samples: tuple[list[float], ...], which: str, lie: float
) -> None:
    jit, aot, jit_tp, aot_tp = samples
    jit = [10.0 + v % 990 for v in jit]  # 10 ms to 1 s: the rounding allows well under 1 %
    aot = [10.0 + v % 990 for v in aot]
    doc = metrics_doc((jit, aot), (jit_tp, aot_tp))
    doc["cold_start_ms"]["improvement_pct"][which] += lie
    metrics = perf.parse(json.dumps(doc), "m.json")
    assert f"cold_start_ms.improvement_pct.{which}" in [f.subject for f in metrics.problems]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["samples", "p50", "p95", "p99", "improvement_pct"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["samples", "p50", "p95", "p99", "jit_native", "aot", "improvement_pct", "x"]),
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)


def _judged(text: str) -> None:
    try:
        metrics = perf.parse(text, "m.json")
    except perf.MetricsError as exc:
        assert str(exc).startswith("m.json: ") and "\n" not in str(exc)
        return
    findings = perf.judge(metrics, SLO)
    assert all(math.isfinite(v) for v in metrics.as_data().values())
    assert all(f.line() for f in findings)


@FAST
@given(json_values)
def test_any_json_document_is_metrics_or_one_metrics_error(value: object) -> None:
    _judged(json.dumps(value))


@FAST
@given(json_values, json_values)
def test_any_shape_under_the_known_keys_is_metrics_or_one_metrics_error(cold: object, tput: object) -> None:
    doc = metrics_doc()
    doc["cold_start_ms"] = cold
    doc["steady_state_cli_runs_per_sec"] = tput
    _judged(json.dumps(doc))


@FAST
@given(st.text(max_size=200))
def test_any_text_is_metrics_or_one_metrics_error(text: str) -> None:
    _judged(text)


NOT_A_NUMBER = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 400]
FIGURES = [
    *(f"{s}.improvement_pct.p{p}" for s in ("cold_start_ms", "steady_state_cli_runs_per_sec") for p in PCTS),
    *(
        f"{s}.{b}.p{p}"
        for s in ("cold_start_ms", "steady_state_cli_runs_per_sec")
        for b in ("jit_native", "aot")
        for p in PCTS
    ),
    *(
        f"{s}.{b}.samples.0"
        for s in ("cold_start_ms", "steady_state_cli_runs_per_sec")
        for b in ("jit_native", "aot")
    ),
]


def _spelled(doc: dict[str, object], path: str, literal: str) -> str:
    """The document as JSON text with the number at `path` spelled `literal` (json.dumps
    cannot write 1e400 or a 401-digit integer as such)."""
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    marker = "__figure__"
    node[int(last) if isinstance(node, list) else last] = marker
    return json.dumps(doc).replace(f'"{marker}"', literal)


@FAST
@given(bench_samples(), st.sampled_from(FIGURES), st.sampled_from(NOT_A_NUMBER))
def test_a_figure_that_is_no_finite_number_never_passes_the_slo(
    samples: tuple[list[float], ...], figure: str, literal: str
) -> None:
    jit, aot, jit_tp, aot_tp = samples
    text = _spelled(metrics_doc((jit, aot), (jit_tp, aot_tp)), figure, literal)
    try:
        metrics = perf.parse(text, "m.json")
    except perf.MetricsError:
        return  # an error of S001 is no pass either
    findings = perf.judge(metrics, SLO)
    assert findings, f"{figure} = {literal} passed the SLO"
    assert figure.replace(".samples.0", ".samples[0]") in [f.subject for f in findings]
    assert all(math.isfinite(v) for v in metrics.as_data().values())
