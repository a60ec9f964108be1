"""One drill: the playbook's phases for one scenario, in order, each timed and journalled;
diagnostics and cleanup on every exit path (pass, fail, error, Ctrl-C, SIGTERM, deadline);
then the verdict. drills/playbook/phases.py and drills/playbook/fallback.py hold what each phase does;
drills/run/runner.py runs the scenarios of a run.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from drills.playbook import fallback as recovery
from drills.playbook import phases, watch
from drills.playbook.deploy import Waiting
from drills.playbook.probes import Probe
from drills.playbook.recovery_gates import RunGates, run_gates
from drills.playbook.verdict import PhaseOutcome, decide
from drills.records import evidence
from drills.records.journal import EventKind, Journal
from drills.run.deadline import Deadline, DeadlineExceeded
from drills.run.labels import labels as resource_labels
from drills.run.reap import cleanup_run
from drills.run.signals import Interrupted, Signals
from harness.errors import HarnessError
from harness.results import Outcome

if TYPE_CHECKING:
    from drills.engine.containers import DockerSeam
    from drills.engine.images import ImageSet
    from drills.faults.catalogue import Fault
    from drills.scenario.model import Scenario

ImageBuilder = Callable[["Scenario", Mapping[str, str]], "ImageSet"]


@dataclass(frozen=True, kw_only=True)
class Tools:
    """A run's seams: the engine, how images are built, probes, faults, time, recovery gates."""

    seam: DockerSeam
    build_images: ImageBuilder
    probe: Probe
    faults: Mapping[str, Fault]
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    run_gates: RunGates = run_gates


def _phase(
    d: phases.Drill,
    name: str,
    step_fn: Callable[[phases.Drill], phases.Step],
    done: list[PhaseOutcome],
    *,
    guarded: bool = True,
) -> phases.Step:
    """Run, time and journal one phase. Guarded phases lose to the deadline: a wait cut short
    by it must not read as an unhealthy deployment. Unguarded ones (diagnostics, cleanup)
    are on the way out: their journal writes are best-effort (`Journal.record_or_keep`)."""
    record = d.journal.record if guarded else d.journal.record_or_keep
    record(EventKind.PHASE_STARTED, scenario=d.scenario.name, phase=name)
    start = d.clock()
    try:
        step = _step(d, name, step_fn, guarded)
    except (Interrupted, DeadlineExceeded) as exc:
        _finished(d, name, phases.Step(outcome=Outcome.ERROR, summary=str(exc)), start, done, record)
        raise
    _finished(d, name, step, start, done, record)
    return step


def _step(
    d: phases.Drill, name: str, step_fn: Callable[[phases.Drill], phases.Step], guarded: bool
) -> phases.Step:
    """The phase's Step; an error of ours, or a bug, becomes an error Step."""
    try:
        step = step_fn(d)
        if guarded:
            d.deadline.check(name)
    except (Interrupted, DeadlineExceeded):
        raise
    except HarnessError as exc:
        return phases.Step(outcome=Outcome.ERROR, summary=str(exc))
    except Exception as exc:  # a bug in a phase must still reach the reports
        return phases.Step(
            outcome=Outcome.ERROR,
            summary=f"internal error in the {name} "
            f"phase: {type(exc).__name__}: {exc} (traceback in the journal; "
            "please report it)",
            data={"traceback": traceback.format_exc()},
        )
    return step


def _finished(
    d: phases.Drill,
    name: str,
    step: phases.Step,
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
        scenario=d.scenario.name,
        phase=name,
        outcome=step.outcome.value,
        summary=step.summary,
        duration_s=round(d.clock() - start, 6),
        findings=[f.__dict__ for f in step.findings],
        data=dict(step.data),
    )


def _preflight(d: phases.Drill) -> phases.Step:
    """An empty evidence folder for this run (an earlier run's moves aside), then preflight."""
    evidence.start_fresh(d)
    return phases.preflight(d)


def _playbook(d: phases.Drill, done: list[PhaseOutcome]) -> None:
    """preflight .. verify; stops at the first error, skips what the decision rules out."""
    for name, fn in (
        ("preflight", _preflight),
        ("deploy", phases.deploy_candidate),
        ("steady-state", phases.steady_state),
        ("inject", phases.inject),
        ("detect", phases.detect),
        ("classify", recovery.classify_incident),
    ):
        d.deadline.check(name)
        if _phase(d, name, fn, done).outcome is Outcome.ERROR:
            return
    assert d.decision is not None
    if not d.decision.fallback:
        if d.scenario.fault_id == "none":
            _phase(d, "verify", lambda dr: recovery.verify(dr, "candidate-aot"), done)
        return
    _phase(d, "contain", recovery.contain, done)
    d.deadline.check("fallback")
    if _phase(d, "fallback", recovery.fall_back, done).outcome is Outcome.PASSED:
        _phase(d, "verify", lambda dr: recovery.verify(dr, "fallback-native"), done)
        if d.scenario.recover_to_aot:
            _phase(d, "recover-to-aot", recovery.recover_to_aot, done)


def _finish(d: phases.Drill, done: list[PhaseOutcome], signals: Signals, interrupted: bool) -> None:
    """Diagnostics and cleanup run whatever happened, shielded from a second Ctrl-C; a
    journal that cannot be written does not stop the removal, and is raised after it."""
    with signals.shield():
        try:
            phases.settle(d)
            if d.containers:  # evidence on every path: a deploy that never got healthy too
                _phase(d, "diagnostics", evidence.preserve, done, guarded=False)
        finally:
            _phase(d, "cleanup", _cleanup, done, guarded=False)
        _record_verdict(d, done, interrupted or signals.pending)
        d.journal.raise_failed()


def _record_verdict(d: phases.Drill, done: list[PhaseOutcome], interrupted: bool) -> None:
    s = d.scenario
    v = decide(
        done,
        fell_back=d.fell_back,
        expect_fallback=s.expect_fallback,
        expected=Outcome(s.expect_verdict),
        interrupted=interrupted,
        journal_lost=None if d.journal.failed is None else str(d.journal.failed),
    )
    d.journal.record_or_keep(
        EventKind.SCENARIO_FINISHED,
        scenario=s.name,
        verdict=v.verdict.value,
        expected=v.expected.value,
        as_expected=v.as_expected,
        reason=v.reason,
        fell_back=d.fell_back,
    )


def _cleanup(d: phases.Drill) -> phases.Step:
    """The scenario's containers; journalled first, but removed even if that write fails."""
    d.journal.record_or_keep(EventKind.ACTION, scenario=d.scenario.name, action="cleanup", run_id=d.run_id)
    removed = cleanup_run(d.seam, d.run_id, d.scenario.name)
    return phases.Step(
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
    d = _drill(tools, scenario, journal, run_id, deadline, out_dir / "evidence")
    d.build_info = {} if build_info is None else build_info
    done: list[PhaseOutcome] = []
    interrupted = False
    try:
        _playbook(d, done)
    except (Interrupted, DeadlineExceeded):
        interrupted = True
        raise
    finally:
        _finish(d, done, signals, interrupted)


def _drill(
    tools: Tools,
    scenario: Scenario,
    journal: Journal,
    run_id: str,
    deadline: Deadline,
    evidence_dir: Path,
) -> phases.Drill:
    """A scenario's Drill, wired to the run's tools, journal and deadline."""
    labels = resource_labels(run_id, scenario.name, "image", tools.clock(), phases.TTL_S)
    return phases.Drill(
        scenario=scenario,
        seam=tools.seam,
        watcher=watch.Watcher(
            seam=tools.seam,
            probe=tools.probe,
            clock=tools.clock,
            journal=journal,
            scenario=scenario,
            deadline=deadline,
        ),
        fault=tools.faults[scenario.fault_id],
        journal=journal,
        run_id=run_id,
        deadline=deadline,
        evidence_dir=evidence_dir,
        build_images=lambda: tools.build_images(scenario, labels),
        waiting=Waiting(
            probe=tools.probe,
            clock=tools.clock,
            sleep=tools.sleep,
            health_path=scenario.health_path,
            deadline=deadline,
        ),
        run_gates=tools.run_gates,
    )
