"""`gate recover --baseline`: a baseline that is not a gate report.json is one config line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gates.recovery import baseline
from harness.errors import ConfigError
from tests.gates.conftest import run_gate

RESULT = {"check": "S001", "scope": "aot-perf-slo", "outcome": "passed"}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"results": [{**RESULT, "data": {"metrics": [1]}}]}, "results[0].data.metrics is an array"),
        ({"results": [{**RESULT, "data": "fast"}]}, "results[0].data is a string"),
        ({"results": [RESULT, 7]}, "results[1] is a number, expected an object"),
        ({"results": {"S001": RESULT}}, "results is an object, expected an array"),
        ([RESULT], "the document is an array, expected an object"),
        (
            {"results": [{**RESULT, "outcome": "green"}]},
            "results[0].outcome is 'green', expected one of passed",
        ),
        ({"results": [{"scope": "x", "outcome": "passed"}]}, "results[0] has no 'check'"),
    ],
)
def test_malformed_baseline_is_a_config_error_naming_the_file(
    tmp_path: Path, document: object, problem: str
) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document))
    with pytest.raises(
        ConfigError, match=r"^--baseline .*report\.json: not a gate report\.json \("
    ) as caught:
        baseline.load(path)
    assert problem in str(caught.value)


def test_gate_recover_with_a_malformed_baseline_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"results": [{**RESULT, "data": {"metrics": [1]}}]}))
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    args = ["--checkout", str(checkout), "--report-dir", str(tmp_path / "r"), "--baseline", str(path)]
    proc = run_gate("recover", *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "internal error" not in proc.stderr
    assert f"--baseline {path}: not a gate report.json (results[0].data.metrics is an array" in proc.stderr


def test_metrics_of_a_well_formed_baseline(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    metrics = {"p50": 41.5, "runs": 3, "ok": True, "label": "x"}
    path.write_text(
        json.dumps({"results": [{**RESULT, "data": {"metrics": metrics}}, {**RESULT, "scope": "s"}]})
    )
    assert baseline.load(path) == {"S001[aot-perf-slo].p50": 41.5, "S001[aot-perf-slo].runs": 3.0}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '{"results": [{"check": "S001", "scope": "s", "outcome": "passed", '
            '"data": {"metrics": {"p50": 1' + "0" * 400 + "}}}]}",
            "results[0].data.metrics.p50 is a 401-digit integer, expected a finite number",
        ),
        (
            '{"results": [{"check": "S001", "scope": "s", "outcome": "passed", '
            '"data": {"metrics": {"p50": -Infinity}}}]}',
            "results[0].data.metrics.p50 is -inf, expected a finite number",
        ),
        ("[" * 100_000, "arrays or objects nested too deep to read"),
    ],
    ids=["huge-integer", "infinity", "deep"],
)
def test_a_baseline_python_cannot_hold_is_a_config_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    args = ["--checkout", str(checkout), "--report-dir", str(tmp_path / "r"), "--baseline", str(path)]
    proc = run_gate("recover", *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"gate: error: --baseline {path}: not a gate report.json ({problem}); " + (
        "pass the report.json an earlier `gate recover` wrote\n"
    )
