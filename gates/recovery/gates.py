"""Recovery gates: the playbook's "rerun the perf bench, the SLO check and the smoke before
going back to AOT", run from a checkout in the contract's order, each in its own process
group with a timeout, every attempt logged and reported.

Which gates run, read from the contract and chosen by --only/--skip, is gates/recovery/plan.py.
A gate passes when its command exits 0, prints its pass line (if the contract names one)
and leaves the files it `produces`. A gate whose dependency did not pass, or was left out
by --only/--skip (its output would be an earlier run's), is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from gates.contract import Contract
from gates.recovery import env as recovery_env
from harness import process
from harness.errors import HarnessError
from harness.results import Finding, Outcome, Result

DEFAULT_TIMEOUT_S = 3600.0
DEFAULT_METRICS = ".fuse/bench/aot_perf_metrics.json"
SCOPE = "recovery"


@dataclass(frozen=True, kw_only=True)
class RecoveryGate:
    id: str
    title: str
    command: tuple[str, ...]
    cwd: str = "."
    timeout_s: float = DEFAULT_TIMEOUT_S
    retries: int = 0
    env: Mapping[str, str] = field(default_factory=dict)  # values the contract sets
    pass_env: tuple[str, ...] = ()  # names (or PREFIX_*) passed from the harness's environment
    produces: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    pass_line: str = ""
    judge: str = "exit-code"
    metrics: str = DEFAULT_METRICS
    skip_reason: str = ""  # why the contract does not run it on this platform ('' when it runs)
    debug_baseline: str = ""  # fail or note: judge its JIT baseline (S003); '' does not


class Progress(Protocol):
    """Live progress; the CLI renders it, core code never prints."""

    def gate_started(self, gate: RecoveryGate, attempt: int, attempts: int) -> None: ...
    def output(self, gate: RecoveryGate, line: str) -> None: ...
    def gate_finished(self, result: Result) -> None: ...


class NoProgress:
    def gate_started(self, gate: RecoveryGate, attempt: int, attempts: int) -> None:
        return None

    def output(self, gate: RecoveryGate, line: str) -> None:
        return None

    def gate_finished(self, result: Result) -> None:
        return None


@dataclass(frozen=True, kw_only=True)
class Run:
    """Everything a recovery run needs from outside: the seams are parameters."""

    checkout: Path
    contract: Contract
    env: Mapping[str, str]
    log_dir: Path
    runner: process.Runner = process.run
    progress: Progress = field(default_factory=NoProgress)
    clock: Callable[[], datetime] = datetime.now


class Interrupted(HarnessError):
    """Ctrl-C during a gate: its process group was killed; carries the partial results."""

    def __init__(self, results: list[Result]) -> None:
        super().__init__("interrupted")
        self.results = results


def _attempt_data(done: process.Completed, attempt: int, seen_pass: bool) -> dict[str, Any]:
    return {
        "attempt": attempt,
        "exit_code": done.exit_code,
        "duration_s": done.duration_s,
        "timed_out": done.timed_out,
        "log": str(done.log_path),
        "pass_line_seen": seen_pass,
        "output_cut": done.output_cut,
    }


def _verdict(
    gate: RecoveryGate, done: process.Completed, seen_pass: bool, workdir: Path
) -> tuple[Outcome, str]:
    if done.timed_out:
        return Outcome.ERROR, (
            f"timed out after {gate.timeout_s:g}s; its process group was killed (log: {done.log_path})"
        )
    if done.exit_code != 0:
        return Outcome.FAILED, f"exited {done.exit_code} (log: {done.log_path})"
    if gate.pass_line and not seen_pass:
        return Outcome.FAILED, (f"exited 0 but never printed '{gate.pass_line}' (log: {done.log_path})")
    missing = [p for p in gate.produces if not (workdir / p).is_file()]
    if missing:
        return Outcome.FAILED, f"exited 0 but did not write {', '.join(missing)}"
    return Outcome.PASSED, f"exit 0 in {done.duration_s:g}s"


def _clear_products(gate: RecoveryGate, workdir: Path) -> None:
    # A stale file from an earlier run must not pass for this run's output.
    for produced in gate.produces:
        (workdir / produced).unlink(missing_ok=True)


def _attempt(
    gate: RecoveryGate, run: Run, attempt: int, attempts: int
) -> tuple[Outcome, str, dict[str, Any]]:
    workdir = run.checkout / gate.cwd
    _clear_products(gate, workdir)
    seen_pass = False

    def on_line(line: str) -> None:
        nonlocal seen_pass
        seen_pass = seen_pass or (bool(gate.pass_line) and line.strip() == gate.pass_line)
        run.progress.output(gate, line)

    run.progress.gate_started(gate, attempt, attempts)
    log = run.log_dir / f"{gate.id}.attempt-{attempt}.log"
    command = process.Command(
        argv=gate.command,
        cwd=workdir,
        env=recovery_env.environment(run.env, gate.pass_env, gate.env),
        timeout_s=gate.timeout_s,
        log_path=log,
    )
    done = run.runner(command, on_line)
    outcome, summary = _verdict(gate, done, seen_pass, workdir)
    if done.output_cut:  # a detached process kept the output open: say so wherever it shows
        summary += f" ({done.output_cut})"
    return outcome, summary, _attempt_data(done, attempt, seen_pass)


def _summary(outcome: Outcome, last: str, attempts: list[dict[str, Any]]) -> str:
    if len(attempts) == 1:
        return last
    failed = len(attempts) - (1 if outcome is Outcome.PASSED else 0)
    return (
        f"attempt {len(attempts)} of {len(attempts)}: {last} ({failed} earlier attempt(s) "
        "did not pass; see data.attempts)"
        if outcome is Outcome.PASSED
        else f"all {len(attempts)} attempts did not pass; last: {last}"
    )


def _result(
    gate: RecoveryGate, outcome: Outcome, summary: str, data: dict[str, Any], duration: float | None = None
) -> Result:
    findings = (
        (Finding(subject=gate.id, message=summary, where=" ".join(gate.command)),)
        if outcome is Outcome.FAILED
        else ()
    )
    return Result(
        check=gate.id,
        title=gate.title,
        scope=SCOPE,
        outcome=outcome,
        summary=summary,
        findings=findings,
        duration_s=duration,
        data=data,
    )


def run_gate(gate: RecoveryGate, run: Run) -> Result:
    """Run one gate with its retries; every attempt is in `data.attempts`."""
    base: dict[str, Any] = {
        "command": list(gate.command),
        "cwd": gate.cwd,
        "timeout_s": gate.timeout_s,
        "retries": gate.retries,
    }
    attempts: list[dict[str, Any]] = []
    outcome, last = Outcome.ERROR, "not run"
    for attempt in range(1, gate.retries + 2):
        try:
            outcome, last, data = _attempt(gate, run, attempt, gate.retries + 1)
        except HarnessError as exc:  # missing or non-executable command: retrying cannot help
            return _result(gate, Outcome.ERROR, f"could not run: {exc}", {**base, "attempts": attempts})
        attempts.append(data)
        if outcome is Outcome.PASSED:
            break
    total = round(sum(a["duration_s"] for a in attempts), 3)
    metrics = {"duration_s": attempts[-1]["duration_s"], "attempts": len(attempts)}
    return _result(
        gate,
        outcome,
        _summary(outcome, last, attempts),
        {**base, "attempts": attempts, "metrics": metrics},
        total,
    )


def skipped(gate: RecoveryGate, reason: str) -> Result:
    return Result(
        check=gate.id,
        title=gate.title,
        scope=SCOPE,
        outcome=Outcome.SKIPPED,
        summary=reason,
        data={"command": list(gate.command)},
    )


def blocked_by(gate: RecoveryGate, outcomes: Mapping[str, Outcome]) -> str:
    """Why a gate cannot run ('' when it may): a dependency did not pass, or was not run.

    `outcomes` holds the gates run so far; a dependency is an earlier gate, so one missing
    from it was left out by --only/--skip, and what it would have produced (metrics, say)
    is an earlier run's: judging that would not prove this build.
    """
    for need in gate.needs:
        outcome = outcomes.get(need)
        if outcome is None:
            return f"skipped: needs {need}, which --only/--skip left out (select {need} too)"
        if outcome is not Outcome.PASSED:
            return f"skipped: needs {need}, which {outcome.value}"
    return ""


def run_all(
    gates: Sequence[RecoveryGate], run: Run, after: Callable[[RecoveryGate, Result], list[Result]]
) -> list[Result]:
    """Run the gates in order; `after` adds the harness's own judgement of a gate's output.

    Raises Interrupted (with the results so far) on Ctrl-C, after the group is gone.
    """
    outcomes: dict[str, Outcome] = {}
    results: list[Result] = []
    for index, gate in enumerate(gates):
        reason = gate.skip_reason or blocked_by(gate, outcomes)
        try:
            result = skipped(gate, reason) if reason else run_gate(gate, run)
        except KeyboardInterrupt:
            results.append(
                _result(
                    gate,
                    Outcome.ERROR,
                    "interrupted: its process group was killed",
                    {"command": list(gate.command)},
                )
            )
            results += [skipped(g, "not run: interrupted") for g in gates[index + 1 :]]
            raise Interrupted(results) from None
        outcomes[gate.id] = result.outcome
        run.progress.gate_finished(result)
        results += [result, *after(gate, result)]
    return results
