"""Every drill output, derived from the journal alone: report.json, junit.xml (one test case
per phase per scenario), summary.md with a timeline, report.html.

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
from pathlib import Path
from typing import Any

from drills.journal import Event
from harness import redact
from harness.reports import write_all
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


def _phase_result(ev: Event, waived: bool) -> Result:
    outcome = Outcome(ev.get("outcome", "error"))
    summary = str(ev.get("summary", ""))
    if waived and outcome is Outcome.FAILED:
        outcome, summary = Outcome.WAIVED, f"failed as the scenario expects: {summary}"
    return Result(
        check=f"drill.{ev.get('phase')}",
        title=TITLES.get(ev.get("phase"), ""),
        scope=ev.get("scenario", ""),
        outcome=outcome,
        summary=summary,
        duration_s=ev.get("duration_s"),
        data=ev.get("data") or {},
        findings=tuple(Finding(**f) for f in ev.get("findings") or ()),
    )


def _verdict_result(ev: Event | None, name: str, started: bool, ended: bool) -> Result:
    if ev is None:
        why = NO_VERDICT[ended] if started else "not run (the run ended first)"
        return Result(
            check="drill.verdict", title=TITLES["verdict"], scope=name, outcome=Outcome.ERROR, summary=why
        )
    ok = bool(ev.get("as_expected"))
    verdict, expected = ev.get("verdict"), ev.get("expected")
    outcome = Outcome.PASSED if ok else (Outcome.ERROR if verdict == "error" else Outcome.FAILED)
    return Result(
        check="drill.verdict",
        title=TITLES["verdict"],
        scope=name,
        outcome=outcome,
        summary=f"{verdict} (expected {expected}): {ev.get('reason')}",
        data={"verdict": verdict, "expected": expected, "fell_back": ev.get("fell_back")},
    )


def _scenario_events(events: list[Event], name: str) -> tuple[list[Event], Event | None, Event | None]:
    """A scenario's events, its scenario.started and its scenario.finished (None if absent)."""
    mine = [e for e in events if e.get("scenario") == name]
    start = next((e for e in mine if e.kind == "scenario.started"), None)
    return mine, start, next((e for e in mine if e.kind == "scenario.finished"), None)


def _scenario_results(events: list[Event], name: str, ended: bool) -> list[Result]:
    """The scenario's phase and verdict results; `ended`: the journal holds run.finished."""
    mine, start, end = _scenario_events(events, name)
    waive = _waived_phase(mine, start, end)
    results, open_phases = [], {}
    for ev in mine:
        if ev.kind == "phase.started":
            open_phases[ev.get("phase")] = ev
        elif ev.kind == "phase.finished":
            open_phases.pop(ev.get("phase"), None)
            results.append(_phase_result(ev, ev is waive))
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
    return [*results, _verdict_result(end, name, start is not None, ended)]


def _waived_phase(mine: list[Event], start: Event | None, end: Event | None) -> Event | None:
    """The one failed phase a control expected to fail may show as waived: the first one,
    when the verdict says it failed as expected (in the fallback itself)."""
    expected_red = bool(start and start.get("expect_verdict") == "failed")
    if not (expected_red and end and end.get("as_expected")):
        return None
    return next(
        (e for e in mine if e.kind == "phase.finished" and e.get("outcome") == Outcome.FAILED.value), None
    )


def timeline(events: Iterable[Event]) -> list[Timeline]:
    """Phase boundaries, actions and the verdict per scenario, offset from the run start."""
    out = []
    for ev in events:
        if ev.kind == "phase.finished":
            text = f"{ev.get('phase')}: {ev.get('outcome')} ({ev.get('duration_s', 0):.3f} s)"
        elif ev.kind == "action" and ev.get("scenario"):
            text = f"action {ev.get('action')} {ev.get('role', '') or ev.get('fault', '')}".strip()
        elif ev.kind == "scenario.finished":
            text = f"verdict {ev.get('verdict')} (expected {ev.get('expected')})"
        else:
            continue
        out.append(Timeline(scenario=str(ev.get("scenario", "")), t=ev.t, text=text))
    return out


def report(events: list[Event], notes: Iterable[str] = ()) -> Report:
    """The run's report; `notes` are added to the journal's own."""
    head = events[0]
    finished = next((e for e in events if e.kind == "run.finished"), None)
    names: list[str] = list(head.get("scenarios") or [])
    results = [r for name in names for r in _scenario_results(events, name, finished is not None)]
    interrupted = finished is None or finished.get("status") == "interrupted"
    said = [str(e.get("note")) for e in events if e.kind == "run.note"]
    return Report(
        tool="drill",
        subject=f"run {head.get('run_id')}: {len(names)} scenarios",
        started_at=datetime.fromtimestamp(head.t, UTC),
        finished_at=datetime.fromtimestamp(events[-1].t, UTC),
        results=tuple(results),
        notes=(*said, *_ending(events, finished), *notes),
        interrupted=interrupted,
        stats=_stats(events),
    )


def _ending(events: list[Event], finished: Event | None) -> list[str]:
    """What the journal's end says: events it lost (a gap in seq is a write that failed),
    and a journal that ends early; nothing for a run that wrote all it did."""
    lost = [
        str(a.seq + 1) if b.seq == a.seq + 2 else f"{a.seq + 1}-{b.seq - 1}"
        for a, b in itertools.pairwise(events)
        if b.seq > a.seq + 1
    ]
    notes = []
    if lost:
        why = (finished.get("journal_error") if finished else None) or "they could not be written"
        end = "; the run still reached its end, cleanup included (run.finished)" if finished else ""
        notes.append(f"the journal lost events (seq {', '.join(lost)}): {why}{end}")
    if finished is None:
        notes.append(ENDS_EARLY)
    return notes


def _stats(events: list[Event]) -> dict[str, Any]:
    samples = [e for e in events if e.kind == "sample"]
    return {
        "run_id": events[0].get("run_id"),
        "duration_s": round(events[-1].t - events[0].t, 3),
        "samples": len(samples),
    }


@dataclass(frozen=True, kw_only=True)
class Overview:
    """One scenario at a glance: what was done, what was expected, how fast it went."""

    scenario: str
    fault: str
    expected: str
    verdict: str
    as_expected: bool | None  # None: no verdict (the run ended first)
    fell_back: bool | None
    detect_ms: float | None
    restore_s: float | None
    duration_s: float | None


def _data(mine: list[Event], phase: str, key: str) -> Any:
    return next(
        (
            (e.get("data") or {}).get(key)
            for e in mine
            if e.kind == "phase.finished" and e.get("phase") == phase
        ),
        None,
    )


def overview(events: list[Event]) -> list[Overview]:
    """Per scenario of the run: fault, expected and actual verdict, detection, restore time."""
    rows = []
    for name in events[0].get("scenarios") or []:
        mine, start, end = _scenario_events(events, name)
        latency = _data(mine, "detect", "latency_s")
        rows.append(
            Overview(
                scenario=name,
                fault=str(start.get("fault")) if start else "-",
                expected=str(start.get("expect_verdict")) if start else "-",
                verdict=str(end.get("verdict")) if end else "error",
                as_expected=bool(end.get("as_expected")) if end else None,
                fell_back=end.get("fell_back") if end else None,
                detect_ms=None if latency is None else latency * 1000,
                restore_s=_data(mine, "verify", "time_to_restore_s"),
                duration_s=end.t - start.t if end and start else None,
            )
        )
    return rows


def _cell(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def markdown_overview(events: list[Event]) -> str:
    lines = [
        "### Scenarios",
        "",
        "| | scenario | fault | verdict (expected) | fell back | detected (ms) | restored (s) | took (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in overview(events):
        mark = {True: "✅", False: "❌", None: "⚠️"}[o.as_expected]
        back = {True: "yes", False: "no", None: "-"}[o.fell_back]
        lines.append(
            f"| {mark} | {o.scenario} | {o.fault} | {o.verdict} ({o.expected}) | "
            f"{back} | {_cell(o.detect_ms, '.0f')} | {_cell(o.restore_s, '.2f')} | "
            f"{_cell(o.duration_s, '.1f')} |"
        )
    return "\n".join(lines) + "\n"


def markdown_timeline(events: list[Event]) -> str:
    start = events[0].t
    lines = ["### Timeline", "", "| t (s) | scenario | event |", "|---|---|---|"]
    lines += [f"| {item.t - start:.3f} | {item.scenario} | {item.text} |" for item in timeline(events)]
    return "\n".join(lines) + "\n"


def write(
    events: list[Event], out_dir: Path, *, evidence_dir: Path | None = None
) -> tuple[Report, list[Path]]:
    """Render every output into out_dir; the Markdown summary carries the timeline. Given
    the run's `evidence_dir`, evidence paths point at the folder that holds the run's
    evidence now (a later run moves an earlier one's aside)."""
    from drills.evidence_location import relocate  # noqa: PLC0415
    from drills.html import render as render_html  # noqa: PLC0415

    notes: list[str] = []
    if evidence_dir is not None:
        events, notes = relocate(events, evidence_dir)
    rep = report(events, notes)
    written = write_all(rep, out_dir)
    summary = out_dir / "summary.md"
    summary.write_text(
        summary.read_text(encoding="utf-8")
        + "\n"
        + redact.redact(markdown_overview(events) + "\n" + markdown_timeline(events)),
        encoding="utf-8",
    )
    html = out_dir / "report.html"
    html.write_text(redact.redact(render_html(rep, events)), encoding="utf-8")
    return rep, [*written, html]
