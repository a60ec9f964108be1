"""S001: the AOT perf SLO judged by the gate, on the contract's thresholds, whatever the SLO
script was given. The figures are the bench's aot_perf_metrics.json, except cold start when
the gate measured it against the release's CLI bundle (S004, gates/recovery/cold_start.py):
then the measured p50/p95 improvements are judged, so a debug baseline cannot pass the SLO.
The result says which figures were judged. A note flags threshold drift when the script's
verdict and the contract's disagree on the script's own figures.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from gates.recovery import perf
from gates.recovery.gates import RecoveryGate, Run
from harness.results import Outcome, Result, outcome_for

S001_TITLE = "AOT perf metrics meet the release contract's SLO thresholds (judged by the gate)"
MEASURED = ("cold_start_improvement_p50_pct", "cold_start_improvement_p95_pct")


def _limits_text(limits: dict[str, float]) -> str:
    return ", ".join(f"{k} >= {v:g}" for k, v in limits.items())


def _drift(gate: Result, contract_ok: bool, limits: dict[str, float]) -> str:
    """A note when the SLO script and the contract's thresholds disagree ('' otherwise)."""
    if gate.outcome not in (Outcome.PASSED, Outcome.FAILED):
        return ""
    script_ok = gate.outcome is Outcome.PASSED
    if script_ok == contract_ok:
        return ""
    said = "passed" if script_ok else "failed"
    contract = "pass" if contract_ok else "fail"
    return (
        f"threshold drift: {gate.check} {said} but the release contract's thresholds "
        f"({_limits_text(limits)}) say {contract}; the script's own thresholds differ "
        "from the contract"
    )


def _keep(path: Path, kept: Path) -> str:
    """A copy of the metrics beside the logs; the judgement does not depend on it."""
    try:
        shutil.copyfile(path, kept)
    except OSError as exc:
        return f"not kept: {exc}"
    return str(kept)


def _measured(s004: Result | None) -> dict[str, float]:
    """The cold-start improvements S004 measured ({} when it did not measure)."""
    if s004 is None or s004.outcome is not Outcome.PASSED:
        return {}
    return {name: float(s004.data["metrics"][name]) for name in MEASURED}


def _judged_from(values: dict[str, float], measured: dict[str, float], path: str) -> dict[str, str]:
    return {name: "measured against the release CLI (S004)" if name in measured else path for name in values}


def judge_perf(
    gate: RecoveryGate, result: Result, run: Run, s004: Result | None = None
) -> tuple[Result, str]:
    """S001 for a gate that judges aot_perf_metrics.json (with S004's figures when it
    measured), and a drift note if any."""
    base: dict[str, Any] = {"check": "S001", "title": S001_TITLE, "scope": gate.id}
    if result.outcome is Outcome.SKIPPED:
        return Result(**base, outcome=Outcome.SKIPPED, summary=result.summary), ""
    path = run.checkout / gate.cwd / gate.metrics
    limits = perf.thresholds(run.contract.slo)
    try:
        metrics = perf.load(path)
    except perf.MetricsError as exc:
        return Result(
            **base, outcome=Outcome.ERROR, summary=f"could not evaluate: {exc}", data={"thresholds": limits}
        ), ""
    kept = _keep(path, run.log_dir / f"{gate.id}.{path.name}")
    measured = _measured(s004)
    findings = perf.judge(metrics, run.contract.slo, measured=measured)
    outcome = outcome_for(findings)
    script = {
        "outcome": result.outcome.value,
        "pass_line": gate.pass_line,
        "attempts": result.data.get("attempts", [])[-1:],
    }
    # drift compares thresholds on the script's own figures; figures that contradict
    # themselves were not held against any
    script_ok = not perf.judge(metrics, run.contract.slo)
    note = "" if metrics.problems else _drift(result, script_ok, limits)
    values = {**metrics.as_data(), **measured}
    judged = {name: values[name] for name in limits if name in values}
    data = {
        "metrics": metrics.as_data(),
        "thresholds": limits,
        "judged": judged,
        "judged_from": _judged_from(judged, measured, str(path)),
        "metrics_file": kept,
        "samples": metrics.samples,
        "script_verdict": script,
        "contract_verdict": outcome.value,
        "drift": bool(note),
        "self_contradictions": len(metrics.problems),
    }
    summary = _summary(findings, judged, limits, measured)
    if note:
        summary += f" ({note})"
    return Result(**base, outcome=outcome, summary=summary, findings=tuple(findings), data=data), note


def _summary(
    findings: list[Any], judged: dict[str, float], limits: dict[str, float], measured: dict[str, float]
) -> str:
    which = (
        "; judged cold start as measured against the release CLI (S004), the rest from the script's metrics"
        if measured
        else ""
    )
    if findings:
        return "; ".join(f.line() for f in findings) + which
    return "ok: " + ", ".join(f"{k} {judged[k]:g} >= {v:g}" for k, v in limits.items()) + which


def side_by_side(s004: Result, s001: Result) -> str:
    """A note with the measured cold start next to the script's figures ('' without both)."""
    script = s001.data.get("metrics", {})
    if s004.outcome is not Outcome.PASSED or not all(name in script for name in MEASURED):
        return ""
    p50, p95 = (script[name] for name in MEASURED)
    return (
        f"cold start (S004): {s004.summary}; the bench's metrics say improvement p50 {p50:g} % / "
        f"p95 {p95:g} %; S001 judged the measured figures"
    )
