"""`gate recover`: run the contract's recovery gates, then judge their output ourselves:
the perf metrics against the contract's thresholds (S001, with threshold drift flagged
when the SLO script disagrees) and the AOT binary size (S002, judged in gates/binsize.py); with
--baseline, the deltas to a previous run (gates/baseline.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from gates import baseline as baseline_of
from gates import binsize, perf, recovery
from gates.contract import Contract
from gates.recovery import Interrupted, RecoveryGate, Run
from gates.sources import open_source
from harness.results import Outcome, Report, Result, outcome_for

S001_TITLE = "AOT perf metrics meet the release contract's SLO thresholds (judged by the gate)"


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


def judge_perf(gate: RecoveryGate, result: Result, run: Run) -> tuple[Result, str]:
    """S001 for a gate that judges aot_perf_metrics.json, and a drift note if any."""
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
    findings = perf.judge(metrics, run.contract.slo)
    outcome = outcome_for(findings)
    script = {
        "outcome": result.outcome.value,
        "pass_line": gate.pass_line,
        "attempts": result.data.get("attempts", [])[-1:],
    }
    note = _drift(result, outcome is Outcome.PASSED, limits)
    data = {
        "metrics": metrics.as_data(),
        "thresholds": limits,
        "metrics_file": kept,
        "samples": metrics.samples,
        "script_verdict": script,
        "contract_verdict": outcome.value,
        "drift": bool(note),
    }
    values = metrics.as_data()
    summary = (
        "; ".join(f.line() for f in findings)
        if findings
        else "ok: " + ", ".join(f"{k} {values[k]:g} >= {v:g}" for k, v in limits.items())
    )
    if note:
        summary += f" ({note})"
    return Result(**base, outcome=outcome, summary=summary, findings=tuple(findings), data=data), note


def nothing_ran(contract: Contract, results: Sequence[Result]) -> list[Result]:
    """An error when no recovery gate was selected: a run that checked nothing cannot pass.

    Skipping every gate with --only/--skip is allowed when the run still measures the AOT
    binary (a size-only run); a contract without gates is always a mistake.
    """
    if not contract.recovery_gates:
        why = (
            f"{contract.origin} lists no recovery_gates; add the gates to run "
            "(`gate contract` prints the default ones)"
        )
    elif all(r.outcome is Outcome.SKIPPED for r in results):
        why = (
            "--only/--skip left no recovery gate to run and no AOT binary was measured; "
            "select at least one gate, or pass --release and --source to measure one"
        )
    else:
        return []
    return [
        Result(
            check="recovery",
            title="At least one recovery gate ran",
            scope="gates",
            outcome=Outcome.ERROR,
            summary=f"no recovery gate ran: {why}",
        )
    ]


def recover(
    run: Run,
    gates: Sequence[RecoveryGate],
    binaries: Sequence[binsize.Binary],
    baseline: dict[str, float] | None = None,
) -> Report:
    """Run the gates and the gate's own judgements; a Ctrl-C gives a partial report."""
    started = run.clock()
    run.log_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []

    def after(gate: RecoveryGate, result: Result) -> list[Result]:
        if gate.judge != "aot-perf-metrics":
            return []
        judged, note = judge_perf(gate, result, run)
        if note:
            notes.append(note)
        return [judged]

    interrupted = False
    try:
        results = recovery.run_all(gates, run, after)
    except Interrupted as exc:
        results, interrupted = exc.results, True
    if not interrupted:
        results += binsize.judge_all(binaries, run.contract.slo.max_binary_bytes)
    if not gates:
        results += nothing_ran(run.contract, results)
    if baseline is not None:
        results, delta_notes = baseline_of.with_deltas(results, baseline)
        notes += delta_notes
    notes.append(f"logs: {run.log_dir}")
    return Report(
        tool="gate recover",
        subject=f"recovery gates in {run.checkout} (contract: {run.contract.origin})",
        started_at=started,
        finished_at=run.clock(),
        results=tuple(results),
        notes=tuple(notes),
        interrupted=interrupted,
    )


@dataclass(frozen=True, kw_only=True)
class Options:
    """What `gate recover` (or `gate check --recovery-checkout`) was asked to do."""

    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    baseline: Path | None = None
    report_dir: Path | None = None
    log_dir: Path | None = None
    release: tuple[str, str] | None = None  # (selector, source spec) to measure binaries of
    binaries: tuple[binsize.Binary, ...] | None = None  # already read by `gate check`'s pass


def run(
    checkout: Path,
    rules: Contract,
    options: Options,
    *,
    progress: recovery.Progress,
    env: dict[str, str],
    clock: Callable[[], datetime],
) -> Report:
    """Select the gates, run them in `checkout`, measure the AOT binaries, judge everything."""
    gates = recovery.select(recovery.gates_of(rules), options.only, options.skip)
    previous = baseline_of.load(options.baseline) if options.baseline else None
    logs = options.log_dir or default_log_dir(checkout, options.report_dir, clock())
    state = Run(
        checkout=checkout.resolve(),
        contract=rules,
        env=env,
        log_dir=logs.resolve(),
        progress=progress,
        clock=clock,
    )
    binaries: AbstractContextManager[list[binsize.Binary]]
    if options.binaries is not None:
        binaries = nullcontext(list(options.binaries))
    elif options.release is None:
        binaries = nullcontext(binsize.checkout_binaries(checkout))
    else:
        selector, spec = options.release
        binaries = binsize.selected_binaries(open_source(spec, selector, env), selector, rules)
    with binaries as found:
        return recover(state, gates, found, previous)


def default_log_dir(checkout: Path, report_dir: Path | None, now: datetime) -> Path:
    """Logs are kept: beside the reports, else under the checkout's .fuse/ (per run)."""
    if report_dir is not None:
        return report_dir / "logs"
    return checkout / ".fuse" / "gate-logs" / now.strftime("%Y%m%dT%H%M%S")


def combined(check: Report, recovered: Report) -> Report:
    """`gate check --recovery-checkout`: one report, the release checks then the recovery gates."""
    return replace(
        check,
        results=check.results + recovered.results,
        notes=check.notes + recovered.notes,
        finished_at=recovered.finished_at,
        interrupted=recovered.interrupted,
        subject=f"{check.subject}; {recovered.subject}",
    )
