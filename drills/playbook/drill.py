"""One drill: the playbook's phases for one scenario, in order, each timed and journalled;
diagnostics and cleanup on every exit path (pass, fail, error, Ctrl-C, SIGTERM, deadline);
then the verdict. drills/playbook/phases.py and drills/playbook/fallback.py hold what each
phase does; drills/run/runner.py runs the scenarios of a run.

Every phase gets the drill's `Kit` (drills/playbook/kit.py), the same for the whole drill,
and the stage the phase before it returned (drills/playbook/state.py); `_playbook` reads
as the flow of stages. Diagnostics and cleanup read only the kit (its live `deployments`),
so they work whatever stage a drill stopped at.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from drills.engine.reap import cleanup_run
from drills.playbook import evidence, phases
from drills.playbook import fallback as recovery
from drills.playbook.deadline import Deadline, DeadlineExceeded
from drills.playbook.kit import Kit, Step, Tools, kit_for
from drills.playbook.signals import Interrupted, Signals
from drills.playbook.verdict import PhaseOutcome, decide
from drills.records.journal import EventKind, Journal
from harness.errors import HarnessError
from harness.results import Outcome

if TYPE_CHECKING:
    from drills.playbook.state import Prepared
    from drills.scenario.model import Scenario

T = TypeVar("T")


class _Stopped(Exception):
    """A phase a later one depends on ended in an error: the playbook stops there."""


def _stage(k: Kit, name: str, step_fn: Callable[[], tuple[Step, T]], done: list[PhaseOutcome]) -> T:
    """Run a phase whose stage the next phase needs (after a deadline check); its stage, or
    _Stopped when it ended in an error."""
    k.deadline.check(name)
    step, stage = _timed(k, name, step_fn, done, guarded=True)
    if step.outcome is Outcome.ERROR or stage is None:
        raise _Stopped
    return stage


def _phase(
    k: Kit, name: str, step_fn: Callable[[], Step], done: list[PhaseOutcome], *, guarded: bool = True
) -> Step:
    """Run a phase that learns nothing a later one reads: its Step only."""
    return _timed(k, name, lambda: (step_fn(), None), done, guarded=guarded)[0]


def _timed(
    k: Kit,
    name: str,
    step_fn: Callable[[], tuple[Step, T | None]],
    done: list[PhaseOutcome],
    *,
    guarded: bool,
) -> tuple[Step, T | None]:
    """Run, time and journal one phase. Guarded phases lose to the deadline: a wait cut short
    by it must not read as an unhealthy deployment. Unguarded ones (diagnostics, cleanup)
    are on the way out: their journal writes are best-effort (`Journal.record_or_keep`)."""
    record = k.journal.record if guarded else k.journal.record_or_keep
    record(EventKind.PHASE_STARTED, scenario=k.scenario.name, phase=name)
    start = k.clock()
    try:
        step, stage = _step(k, name, step_fn, guarded)
    except (Interrupted, DeadlineExceeded) as exc:
        _finished(k, name, Step(outcome=Outcome.ERROR, summary=str(exc)), start, done, record)
        raise
    _finished(k, name, step, start, done, record)
    return step, stage


def _step(
    k: Kit, name: str, step_fn: Callable[[], tuple[Step, T | None]], guarded: bool
) -> tuple[Step, T | None]:
    """The phase's Step and stage; an error of ours, or a bug, becomes an error Step (no stage)."""
    try:
        out = step_fn()
        if guarded:
            k.deadline.check(name)
    except (Interrupted, DeadlineExceeded):
        raise
    except HarnessError as exc:
        return Step(outcome=Outcome.ERROR, summary=str(exc)), None
    except Exception as exc:  # a bug in a phase must still reach the reports
        return Step(
            outcome=Outcome.ERROR,
            summary=f"internal error in the {name} "
            f"phase: {type(exc).__name__}: {exc} (traceback in the journal; "
            "please report it)",
            data={"traceback": traceback.format_exc()},
        ), None
    return out


def _finished(
    k: Kit,
    name: str,
    step: Step,
    start: float,
    done: list[PhaseOutcome],
    record: Callable[..., object],
) -> None:
    """The phase counts towards the verdict before its event is written: a write that fails
    must not drop a failed phase (the verdict is then an error, see `_record_verdict`)."""
    broken = bool(step.data.get("broken"))
    done.append(PhaseOutcome(phase=name, outcome=step.outcome, summary=step.summary, broken=broken))
    record(
        EventKind.PHASE_FINISHED,
        scenario=k.scenario.name,
        phase=name,
        outcome=step.outcome.value,
        summary=step.summary,
        duration_s=round(k.clock() - start, 6),
        findings=[f.__dict__ for f in step.findings],
        data=dict(step.data),
    )


def _preflight(k: Kit) -> tuple[Step, Prepared]:
    """An empty evidence folder for this run (an earlier run's moves aside), then preflight."""
    evidence.start_fresh(k)
    return phases.preflight(k)


def _playbook(k: Kit, done: list[PhaseOutcome]) -> None:
    """preflight .. verify; stops at the first error, skips what the decision rules out."""
    try:
        prepared = _stage(k, "preflight", lambda: _preflight(k), done)
        deployed = _stage(k, "deploy", lambda: phases.deploy_candidate(k, prepared), done)
        steady = _stage(k, "steady-state", lambda: phases.steady_state(k, deployed), done)
        injected = _stage(k, "inject", lambda: phases.inject(k, steady), done)
        detected = _stage(k, "detect", lambda: phases.detect(k, injected), done)
        classified = _stage(k, "classify", lambda: recovery.classify_incident(k, detected), done)
    except _Stopped:
        return
    if not classified.decision.fallback:
        if k.scenario.fault_id == "none":
            _phase(k, "verify", lambda: recovery.verify(k, classified, classified.candidate), done)
        return
    _phase(k, "contain", lambda: recovery.contain(k, classified), done)
    k.deadline.check("fallback")
    step, fallen = _timed(k, "fallback", lambda: recovery.fall_back(k, classified), done, guarded=True)
    if step.outcome is Outcome.PASSED and fallen is not None:
        _phase(k, "verify", lambda: recovery.verify(k, fallen, fallen.fallback), done)
        if k.scenario.recover_to_aot:
            _phase(k, "recover-to-aot", lambda: recovery.recover_to_aot(k, fallen), done)


def _finish(k: Kit, done: list[PhaseOutcome], signals: Signals, interrupted: bool) -> None:
    """Diagnostics and cleanup run whatever happened, shielded from a second Ctrl-C; a
    journal that cannot be written does not stop the removal, and is raised after it."""
    with signals.shield():
        try:
            k.deployments.settle()
            if k.deployments:  # evidence on every path: a deploy that never got healthy too
                _phase(k, "diagnostics", lambda: evidence.preserve(k), done, guarded=False)
        finally:
            _phase(k, "cleanup", lambda: _cleanup(k), done, guarded=False)
        _record_verdict(k, done, interrupted or signals.pending)
        k.journal.raise_failed()


def _record_verdict(k: Kit, done: list[PhaseOutcome], interrupted: bool) -> None:
    """The verdict, journalled; the drill fell back when its fallback phase ran."""
    s = k.scenario
    fell_back = any(p.phase == "fallback" for p in done)
    v = decide(
        done,
        fell_back=fell_back,
        expect_fallback=s.expect_fallback,
        expected=Outcome(s.expect_verdict),
        interrupted=interrupted,
        journal_lost=None if k.journal.failed is None else str(k.journal.failed),
    )
    k.journal.record_or_keep(
        EventKind.SCENARIO_FINISHED,
        scenario=s.name,
        verdict=v.verdict.value,
        expected=v.expected.value,
        as_expected=v.as_expected,
        reason=v.reason,
        fell_back=fell_back,
    )


def _cleanup(k: Kit) -> Step:
    """The scenario's containers, found by their labels; journalled first, but removed even
    if that write fails."""
    k.journal.record_or_keep(EventKind.ACTION, scenario=k.scenario.name, action="cleanup", run_id=k.run_id)
    removed = cleanup_run(k.seam, k.run_id, k.scenario.name)
    return Step(
        outcome=Outcome.PASSED, summary=f"removed {len(removed)} containers", data={"removed": removed}
    )


def run_scenario(
    tools: Tools,
    scenario: Scenario,
    journal: Journal,
    run_id: str,
    deadline: Deadline,
    signals: Signals,
    out_dir: Path,
    build_info: dict[str, str] | None = None,
) -> None:
    """One drill; `build_info` (image -> output) is shared by the run's scenarios."""
    journal.record(
        EventKind.SCENARIO_STARTED,
        scenario=scenario.name,
        title=scenario.title,
        fault=scenario.fault_id,
        expect_fallback=scenario.expect_fallback,
        expect_verdict=scenario.expect_verdict,
        origin=scenario.origin,
        budgets=scenario.budgets.__dict__,
        regression=scenario.regression.__dict__,
    )
    shared = {} if build_info is None else build_info
    kit = kit_for(tools, scenario, journal, run_id, deadline, out_dir / "evidence", shared)
    done: list[PhaseOutcome] = []
    interrupted = False
    try:
        _playbook(kit, done)
    except (Interrupted, DeadlineExceeded):
        interrupted = True
        raise
    finally:
        _finish(kit, done, signals, interrupted)
