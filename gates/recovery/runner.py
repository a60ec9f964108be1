"""`gate recover`: run the contract's recovery gates, then judge their output ourselves:
the perf metrics against the contract's thresholds (S001, with threshold drift flagged
when the SLO script disagrees) and the AOT binary size (S002, judged in gates/recovery/binsize.py); with
--baseline, the deltas to a previous run (gates/recovery/baseline.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gates.contract import Contract
from gates.recovery import baseline as baseline_of
from gates.recovery import binsize, jit_baseline, perf
from gates.recovery import gates as recovery
from gates.recovery import plan as recovery_plan
from gates.recovery.gates import Interrupted, RecoveryGate, Run
from gates.sources.spec import open_source
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
    # drift compares thresholds; figures that contradict themselves were not held against any
    note = "" if metrics.problems else _drift(result, outcome is Outcome.PASSED, limits)
    data = {
        "metrics": metrics.as_data(),
        "thresholds": limits,
        "metrics_file": kept,
        "samples": metrics.samples,
        "script_verdict": script,
        "contract_verdict": outcome.value,
        "drift": bool(note),
        "self_contradictions": len(metrics.problems),
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


def by_contract(results: Sequence[Result]) -> bool:
    """True when the run had gates and the contract kept every one off this platform."""
    gated = [r for r in results if r.scope == recovery.SCOPE]
    return bool(gated) and all(r.summary.startswith("skipped by contract") for r in gated)


def nothing_ran(contract: Contract, results: Sequence[Result]) -> list[Result]:
    """An error when nothing was evaluated: a run that checked nothing cannot pass.

    Running no gate (--only/--skip) is allowed when the run still measures an AOT binary
    given by --release/--source (a size-only run); a contract without gates is always a
    mistake.
    """
    if not contract.recovery_gates:
        why = (
            f"{contract.origin} lists no recovery_gates; add the gates to run "
            "(`gate contract` prints the default ones)"
        )
    elif not all(r.outcome is Outcome.SKIPPED for r in results):
        return []
    elif by_contract(results):
        why = (
            "the contract runs none of its recovery gates on this platform and no AOT binary was "
            "measured; pass --release and --source to measure the platform's AOT binary"
        )
    else:
        why = (
            "--only/--skip left no recovery gate that could run and no AOT binary was measured "
            "(the checkout's own build counts only when a gate ran); select at least one gate "
            "and the gates it needs, or pass --release and --source to measure a release's binary"
        )
    return [
        Result(
            check="recovery",
            title="At least one recovery gate ran",
            scope="gates",
            outcome=Outcome.ERROR,
            summary=f"no recovery gate ran: {why}",
        )
    ]


def left_out_notes(run: Run, gates: Sequence[RecoveryGate]) -> list[str]:
    """One note per gate skipped because --only/--skip left out a gate it needs, naming
    the metrics an earlier run left behind (which were not judged)."""
    chosen = {g.id for g in gates}
    notes = []
    for gate in gates:
        missing = [need for need in gate.needs if need not in chosen]
        if not missing:
            continue
        note = f"{gate.id} did not run: it needs {', '.join(missing)}, which --only/--skip left out"
        path = run.checkout / gate.cwd / gate.metrics
        if gate.judge == "aot-perf-metrics" and path.is_file():
            when = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            note += f"; {path} (modified {when}) is an earlier run's and was not judged"
        notes.append(f"{note}; select {' and '.join(missing)} too to judge this build")
    return notes


def _sizes(run: Run, binaries: Sequence[binsize.Binary], *, stale: bool) -> list[Result]:
    """S002, unless the binaries are a checkout's own build that no gate of this run made."""
    if not stale or not binaries:
        return binsize.judge_all(binaries, run.contract.slo.max_binary_bytes)
    return [
        Result(
            check="S002",
            title=binsize.S002_TITLE,
            scope=b.scope,
            outcome=Outcome.SKIPPED,
            summary=f"not measured: no recovery gate ran in this run, so {b.where} may be a "
            "stale build; pass --release and --source to measure a release's AOT binaries",
        )
        for b in binaries
    ]


def _gates_judged(run: Run, gates: Sequence[RecoveryGate]) -> tuple[list[Result], list[str], bool]:
    """The gates' results with S001 after a metrics gate, the notes, and whether Ctrl-C cut them."""
    notes: list[str] = []

    def after(gate: RecoveryGate, result: Result) -> list[Result]:
        honest = [jit_baseline.judge(gate, result, run.checkout)] if gate.debug_baseline else []
        if gate.judge != "aot-perf-metrics":
            return honest
        judged, note = judge_perf(gate, result, run)
        if note:
            notes.append(note)
        return [*honest, judged]

    try:
        return recovery.run_all(gates, run, after), notes, False
    except Interrupted as exc:
        return exc.results, notes, True


def recover(
    run: Run,
    gates: Sequence[RecoveryGate],
    binaries: Sequence[binsize.Binary],
    baseline: dict[str, float] | None = None,
    *,
    checkout_build: bool = False,
) -> Report:
    """Run the gates and the gate's own judgements; a Ctrl-C gives a partial report.

    `checkout_build`: the binaries are the checkout's own build output, which is measured
    only when a gate ran in this run (else it may be any earlier run's build).
    """
    started = run.clock()
    run.log_dir.mkdir(parents=True, exist_ok=True)
    results, notes, interrupted = _gates_judged(run, gates)
    if not interrupted:
        ran = any(r.scope == recovery.SCOPE and r.outcome is not Outcome.SKIPPED for r in results)
        results += _sizes(run, binaries, stale=checkout_build and not ran)
        results += nothing_ran(run.contract, results)
    notes += left_out_notes(run, gates)
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
    platform: str = ""  # the platform these gates run for ('' ignores the per-platform keys)


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
    gates = recovery_plan.select(recovery_plan.gates_of(rules, options.platform), options.only, options.skip)
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
    with _binaries(checkout, rules, options, env) as found:
        checkout_build = options.binaries is None and options.release is None
        return recover(state, gates, found, previous, checkout_build=checkout_build)


def _binaries(
    checkout: Path, rules: Contract, options: Options, env: dict[str, str]
) -> AbstractContextManager[list[binsize.Binary]]:
    """The AOT binaries to measure: given, from --release/--source, else the checkout's build."""
    if options.binaries is not None:
        return nullcontext(list(options.binaries))
    if options.release is None:
        return nullcontext(binsize.checkout_binaries(checkout))
    selector, spec = options.release
    return binsize.selected_binaries(open_source(spec, selector, env), selector, rules)


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
