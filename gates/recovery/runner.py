"""`gate recover`: run the contract's recovery gates, then judge their output ourselves:
the perf metrics against the contract's thresholds (S001, gates/recovery/slo.py), with
--cli-bundle the cold start measured against the release's CLI (S004,
gates/recovery/cold_start.py), the AOT binary size (S002, gates/recovery/binsize.py); with
--baseline, the deltas to a previous run (gates/recovery/baseline.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from gates.contract import Contract
from gates.recovery import baseline as baseline_of
from gates.recovery import binsize, cold_start, jit_baseline
from gates.recovery import gates as recovery
from gates.recovery import plan as recovery_plan
from gates.recovery.gates import Interrupted, RecoveryGate, Run
from gates.recovery.slo import judge_perf, side_by_side
from gates.sources.spec import open_source
from harness.results import Outcome, Report, Result


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


@dataclass(frozen=True, kw_only=True)
class Measuring:
    """What S004 times: the release's CLI and this run's AOT binary (the checkout's own
    build is looked up when S004 runs, after the gates that may build it)."""

    cold: cold_start.ColdStart
    binaries: tuple[binsize.Binary, ...]
    checkout_build: bool
    platform: str

    def measure(self, gate: RecoveryGate, gates: Sequence[RecoveryGate], run: Run) -> Result:
        found = binsize.checkout_binaries(run.checkout) if self.checkout_build else self.binaries
        aot = cold_start.aot_for(found, self.platform)
        if aot is not None and aot.path is not None and not self.checkout_build:
            cold_start.make_executable(aot.path)  # our copy out of the release's AOT archive
        return cold_start.measure(self.cold, gate, aot, cold_start.bench_of(gate, gates), run)


def _gates_judged(
    run: Run, gates: Sequence[RecoveryGate], measuring: Measuring | None
) -> tuple[list[Result], list[str], bool]:
    """The gates' results with S001 (after S004, if measured) after a metrics gate, the
    notes, and whether Ctrl-C cut them."""
    notes: list[str] = []

    def after(gate: RecoveryGate, result: Result) -> list[Result]:
        honest = [jit_baseline.judge(gate, result, run.checkout)] if gate.debug_baseline else []
        if gate.judge != "aot-perf-metrics":
            return honest
        ran = result.outcome is not Outcome.SKIPPED
        measured = [measuring.measure(gate, gates, run)] if measuring and ran else []
        judged, note = judge_perf(gate, result, run, measured[0] if measured else None)
        notes.extend(n for n in (note, *(side_by_side(m, judged) for m in measured)) if n)
        return [*honest, *measured, judged]

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
    measuring: Measuring | None = None,
) -> Report:
    """Run the gates and the gate's own judgements; a Ctrl-C gives a partial report.

    `checkout_build`: the binaries are the checkout's own build output, which is measured
    only when a gate ran in this run (else it may be any earlier run's build).
    """
    started = run.clock()
    run.log_dir.mkdir(parents=True, exist_ok=True)
    results, notes, interrupted = _gates_judged(run, gates, measuring)
    if not interrupted:
        ran = any(r.scope == recovery.SCOPE and r.outcome is not Outcome.SKIPPED for r in results)
        results += _sizes(run, binaries, stale=checkout_build and not ran)
        results += nothing_ran(run.contract, results)
    notes += left_out_notes(run, gates)
    if measuring is not None and not any(r.check == "S004" for r in results):
        notes.append(
            f"--cli-bundle {measuring.cold.bundle}: cold start was not measured: no perf metrics "
            "gate ran (S004 runs beside the gate that judges aot_perf_metrics.json)"
        )
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
    cli_bundle: Path | None = None  # the release's fuse-cli bundle: S004 times cold start with it
    cold_start_runs: int = cold_start.DEFAULT_RUNS


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
    bundle, runs = options.cli_bundle, options.cold_start_runs
    with (
        cold_start.prepared(bundle, runs, rules.limits) as cold,
        _binaries(checkout, rules, options, env) as found,
    ):
        checkout_build = options.binaries is None and options.release is None
        measuring = (
            Measuring(
                cold=cold, binaries=tuple(found), checkout_build=checkout_build, platform=options.platform
            )
            if cold
            else None
        )
        return recover(state, gates, found, previous, checkout_build=checkout_build, measuring=measuring)


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
