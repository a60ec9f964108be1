"""The run's report, derived from the journal alone: one result per phase per scenario, one
for its verdict, the journal's notes and the run's stats (drills/records/outputs.py writes
it, with the trends, as every output file).

A journal cut short (a killed run, or one that could not write it) still renders: phases
that started but never finished and scenarios that never reached a verdict become `error`
results, and the report says the run was interrupted. Events a run could not write while
later ones were written (a full disk, then space again) leave a gap in `seq`: the report
says what was lost and that the run still ended.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from drills.records.events import (
    Action,
    PhaseFinished,
    PhaseStarted,
    RunFinished,
    RunNote,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
)
from drills.records.journal import Event, EventKind
from drills.records.overview import scenario_events
from harness.results import Finding, Outcome, Report, Result

TITLES = {
    "preflight": "images exist or build; engine answers",
    "deploy": "candidate AOT deployed and healthy",
    "steady-state": "steady state under a light load",
    "inject": "fault injected into the AOT deployment",
    "detect": "incident detected within the budget",
    "classify": "playbook classification (three rules, JIT-native shadow)",
    "contain": "containment on the previous known-good AOT",
    "fallback": "fallback redeployed from the CLI artifact (native backend)",
    "verify": "recovery verified: health, latency, errors, quiet period",
    "diagnostics": "diagnostics preserved",
    "recover-to-aot": "recovered back to AOT",
    "cleanup": "everything the drill created removed",
    "verdict": "drill verdict as expected",
}


# A journal without an event it should hold: it ends early (no run.finished: the run was
# killed, or every write from some point on failed), or a write failed and later ones did
# not (it holds run.finished, so the run reached its end and its cleanup).
ENDS_EARLY = (
    "the journal ends early: the run was killed or could not write it; `drill reap` removes anything left"
)
OPEN_PHASE = {
    False: "phase never finished in the journal, which ends early: the run was killed or could not "
    "write it; `drill reap` removes anything left",
    True: "the phase's end is not in the journal (a write failed, see the notes); "
    "the run's cleanup still ran",
}
NO_VERDICT = {
    False: "no verdict: the journal ends early (the run was killed or could not write it)",
    True: "no verdict in the journal: the run ended without one (see the notes)",
}


@dataclass(frozen=True, kw_only=True)
class Timeline:
    scenario: str
    t: float
    text: str


def _phase_result(ev: PhaseFinished, waived: bool) -> Result:
    outcome, summary = Outcome(ev.outcome), ev.summary
    if waived and outcome is Outcome.FAILED:
        outcome, summary = Outcome.WAIVED, f"failed as the scenario expects: {summary}"
    return Result(
        check=f"drill.{ev.phase}",
        title=TITLES.get(ev.phase, ""),
        scope=ev.scenario,
        outcome=outcome,
        summary=summary,
        duration_s=ev.duration_s,
        data=ev.data,
        findings=tuple(Finding(**f) for f in ev.findings),
    )


def _verdict_result(ev: ScenarioFinished | None, name: str, started: bool, ended: bool) -> Result:
    if ev is None:
        why = NO_VERDICT[ended] if started else "not run (the run ended first)"
        return Result(
            check="drill.verdict", title=TITLES["verdict"], scope=name, outcome=Outcome.ERROR, summary=why
        )
    verdict, expected = ev.verdict, ev.expected
    outcome = Outcome.PASSED if ev.as_expected else (Outcome.ERROR if verdict == "error" else Outcome.FAILED)
    return Result(
        check="drill.verdict",
        title=TITLES["verdict"],
        scope=name,
        outcome=outcome,
        summary=f"{verdict} (expected {expected}): {ev.reason}",
        data={"verdict": verdict, "expected": expected, "fell_back": ev.fell_back},
    )


def _scenario_results(events: list[Event], name: str, ended: bool) -> list[Result]:
    """The scenario's phase and verdict results; `ended`: the journal holds run.finished."""
    mine, start, end = scenario_events(events, name)
    waive = _waived_phase(mine, start, end)
    results, open_phases = [], {}  # a dict: the phases in the order they started
    for ev in mine:
        if ev.kind == EventKind.PHASE_STARTED:
            open_phases[PhaseStarted.of(ev).phase] = ev
        elif ev.kind == EventKind.PHASE_FINISHED:
            finished = PhaseFinished.of(ev)
            open_phases.pop(finished.phase, None)
            results.append(_phase_result(finished, ev is waive))
    for phase in open_phases:
        results.append(
            Result(
                check=f"drill.{phase}",
                title=TITLES.get(phase, ""),
                scope=name,
                outcome=Outcome.ERROR,
                summary=OPEN_PHASE[ended],
            )
        )
    verdict = None if end is None else ScenarioFinished.of(end)
    return [*results, _verdict_result(verdict, name, start is not None, ended)]


def _waived_phase(mine: list[Event], start: Event | None, end: Event | None) -> Event | None:
    """The one failed phase a control expected to fail may show as waived: the first one,
    when the verdict says it failed as expected (in the fallback itself)."""
    expected_red = start is not None and ScenarioStarted.of(start).expect_verdict == Outcome.FAILED
    if not (expected_red and end is not None and ScenarioFinished.of(end).as_expected):
        return None
    return next(
        (
            e
            for e in mine
            if e.kind == EventKind.PHASE_FINISHED and PhaseFinished.of(e).outcome == Outcome.FAILED
        ),
        None,
    )


def timeline(events: Iterable[Event]) -> list[Timeline]:
    """Phase boundaries, actions and the verdict per scenario, offset from the run start."""
    out = []
    for ev in events:
        if ev.kind == EventKind.PHASE_FINISHED:
            p = PhaseFinished.of(ev)
            text = f"{p.phase}: {p.outcome} ({p.duration_s or 0:.3f} s)"
        elif ev.kind == EventKind.ACTION and ev.scenario:
            act = Action.of(ev)
            text = f"action {act.action} {act.target}".strip()
        elif ev.kind == EventKind.SCENARIO_FINISHED:
            v = ScenarioFinished.of(ev)
            text = f"verdict {v.verdict} (expected {v.expected})"
        else:
            continue
        out.append(Timeline(scenario=ev.scenario, t=ev.t, text=text))
    return out


def report(events: list[Event], notes: Iterable[str] = ()) -> Report:
    """The run's report; `notes` are added to the journal's own."""
    head = RunStarted.of(events[0])
    finished = next((RunFinished.of(e) for e in events if e.kind == EventKind.RUN_FINISHED), None)
    names = list(head.scenarios)
    results = [r for name in names for r in _scenario_results(events, name, finished is not None)]
    interrupted = finished is None or finished.status == "interrupted"
    said = [RunNote.of(e).note for e in events if e.kind == EventKind.RUN_NOTE]
    return Report(
        tool="drill",
        subject=f"run {head.run_id}: {len(names)} scenarios",
        started_at=datetime.fromtimestamp(head.t, UTC),
        finished_at=datetime.fromtimestamp(events[-1].t, UTC),
        results=tuple(results),
        notes=(*said, *_ending(events, finished), *notes),
        interrupted=interrupted,
        stats=_stats(events, head),
        shard=head.shard,
        commit=head.commit,
    )


def _ending(events: list[Event], finished: RunFinished | None) -> list[str]:
    """What the journal's end says: events it lost (a gap in seq is a write that failed),
    and a journal that ends early; nothing for a run that wrote all it did."""
    lost = [
        str(a.seq + 1) if b.seq == a.seq + 2 else f"{a.seq + 1}-{b.seq - 1}"
        for a, b in itertools.pairwise(events)
        if b.seq > a.seq + 1
    ]
    notes = []
    if lost:
        why = (finished.journal_error if finished else "") or "they could not be written"
        end = "; the run still reached its end, cleanup included (run.finished)" if finished else ""
        notes.append(f"the journal lost events (seq {', '.join(lost)}): {why}{end}")
    if finished is None:
        notes.append(ENDS_EARLY)
    return notes


def _stats(events: list[Event], head: RunStarted) -> dict[str, Any]:
    samples = [e for e in events if e.kind == EventKind.SAMPLE]
    stats: dict[str, Any] = {
        "run_id": head.run_id,
        "duration_s": round(events[-1].t - events[0].t, 3),
        "samples": len(samples),
    }
    if head.suite:  # a shard: the whole suite, so a merge can tell what is missing
        stats["suite"] = list(head.suite)
    return stats
