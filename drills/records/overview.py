"""What the readable reports show, derived from the journal: one row per scenario (fault,
verdict, detection and restore time against budget) and, per scenario, its phases on the
scenario's own clock, the moments that matter (inject, detected, contained, fell back,
restored), its budgets as limits, its probe samples and its evidence files.

summary.md (drills/records/summary.py), report.html (drills/records/html.py) and `--json` read these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drills.records.events import (
    PhaseFinished,
    PhaseStarted,
    RunStarted,
    Sample,
    ScenarioFinished,
    ScenarioStarted,
)
from drills.records.journal import Event, EventKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from drills.records.trends import Trend
    from harness.results import Report

# a bar past its limit is over budget; verify runs on after the restore (load, quiet period),
# so its budget is judged by the restore mark, not by where the bar ends
PHASE_BUDGET = {"detect": "detect_s", "contain": "contain_s"}


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
    reason: str = ""
    title: str = ""
    budgets: dict[str, float] = field(default_factory=dict)

    @property
    def detect_s(self) -> float | None:
        return None if self.detect_ms is None else self.detect_ms / 1000


def _phases(mine: list[Event]) -> list[PhaseFinished]:
    return [PhaseFinished.of(e) for e in mine if e.kind == EventKind.PHASE_FINISHED]


def _data(mine: list[Event], phase: str, key: str) -> Any:
    return next((p.data.get(key) for p in _phases(mine) if p.phase == phase), None)


def scenario_events(events: list[Event], name: str) -> tuple[list[Event], Event | None, Event | None]:
    """A scenario's events, its scenario.started and its scenario.finished (None if absent)."""
    mine = [e for e in events if e.scenario == name]
    start = next((e for e in mine if e.kind == EventKind.SCENARIO_STARTED), None)
    return mine, start, next((e for e in mine if e.kind == EventKind.SCENARIO_FINISHED), None)


def row(events: list[Event], name: str) -> Overview:
    mine, started, ended = scenario_events(events, name)
    start = None if started is None else ScenarioStarted.of(started)
    end = None if ended is None else ScenarioFinished.of(ended)
    latency = _data(mine, "detect", "latency_s")
    return Overview(
        scenario=name,
        fault=start.fault if start else "-",
        expected=start.expect_verdict if start else "-",
        verdict=end.verdict if end else "error",
        as_expected=end.as_expected if end else None,
        fell_back=end.fell_back if end else None,
        detect_ms=None if latency is None else latency * 1000,
        restore_s=_data(mine, "verify", "time_to_restore_s"),
        duration_s=end.t - start.t if end and start else None,
        reason=end.reason if end else "no verdict: the run ended first",
        title=start.title if start else "",
        budgets=start.budgets if start else {},
    )


def overview(events: list[Event]) -> list[Overview]:
    """Per scenario of the run: fault, expected and actual verdict, detection, restore time."""
    return [row(events, name) for name in RunStarted.of(events[0]).scenarios]


@dataclass(frozen=True, kw_only=True)
class Bar:
    """A phase on the scenario's clock; `limit_s` is where its budget runs out."""

    phase: str
    start_s: float
    end_s: float
    outcome: str
    summary: str
    limit_s: float | None = None

    @property
    def over(self) -> bool:
        return self.outcome == "failed" or (self.limit_s is not None and self.end_s > self.limit_s)


@dataclass(frozen=True, kw_only=True)
class Mark:
    label: str
    at_s: float


@dataclass(frozen=True, kw_only=True)
class Point:
    role: str
    phase: str
    at_s: float
    latency_ms: float | None
    ok: bool
    error: str


@dataclass(frozen=True, kw_only=True)
class Detail:
    row: Overview
    bars: list[Bar]
    marks: list[Mark]  # inject, detected, contained, fell back, restored
    limits: list[Mark]  # budgets on the scenario's clock
    points: list[Point]
    evidence: list[str]  # paths relative to the report's folder
    rule: str  # the classification that decided fallback or not


def _finished(mine: list[Event], phase: str) -> PhaseFinished | None:
    return next((p for p in _phases(mine) if p.phase == phase), None)


def _bars(mine: list[Event], t0: float, limits: dict[str, float]) -> list[Bar]:
    bars, opened = [], {}
    for ev in mine:
        if ev.kind == EventKind.PHASE_STARTED:
            opened[PhaseStarted.of(ev).phase] = ev.t
        elif ev.kind == EventKind.PHASE_FINISHED:
            p = PhaseFinished.of(ev)
            begun = opened.pop(p.phase, p.t - float(p.duration_s or 0))
            bars.append(
                Bar(
                    phase=p.phase,
                    start_s=begun - t0,
                    end_s=p.t - t0,
                    outcome=p.outcome,
                    summary=p.summary,
                    limit_s=limits.get(PHASE_BUDGET.get(p.phase, "")),
                )
            )
    end = mine[-1].t if mine else t0
    bars += [
        Bar(phase=str(p), start_s=t - t0, end_s=end - t0, outcome="error", summary="never finished")
        for p, t in opened.items()
    ]
    return bars


def _moments(mine: list[Event], t0: float) -> tuple[float | None, list[Mark]]:
    """(the injection's start on the scenario clock, the marks of what happened)."""
    inject = next(
        (e for e in mine if e.kind == EventKind.PHASE_STARTED and PhaseStarted.of(e).phase == "inject"), None
    )
    at = inject.t - t0 if inject else None
    marks = [Mark(label="inject", at_s=at)] if at is not None else []
    active, detect = _finished(mine, "inject"), _finished(mine, "detect")
    latency = None if detect is None else detect.number("latency_s")
    if active is not None and latency is not None:
        marks.append(Mark(label="detected", at_s=active.t - t0 + float(latency)))
    for phase, label in (("contain", "contained"), ("fallback", "fell back")):
        done = _finished(mine, phase)
        if done is not None and done.outcome == "passed":
            marks.append(Mark(label=label, at_s=done.t - t0))
    restore = _data(mine, "verify", "time_to_restore_s")
    if at is not None and isinstance(restore, int | float):
        marks.append(Mark(label="restored", at_s=at + float(restore)))
    return at, marks


def _evidence(mine: list[Event], out_dir: Path) -> list[str]:
    """Every file under the scenario's evidence folder (as diagnostics recorded it)."""
    folder = (_data(mine, "diagnostics", "folder")) or ""
    root = Path(str(folder))
    if not folder or not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return [Path(os.path.relpath(p, out_dir)).as_posix() for p in files]


def detail(events: list[Event], name: str, out_dir: Path) -> Detail:
    mine, start, _end = scenario_events(events, name)
    t0 = start.t if start else (mine[0].t if mine else events[0].t)
    the_row = row(events, name)
    at, marks = _moments(mine, t0)
    limits: dict[str, float] = {}
    if at is not None:
        inject_end = _finished(mine, "inject")
        active = inject_end.t - t0 if inject_end else at
        for key, base in (("detect_s", active), ("contain_s", at), ("recover_s", at)):
            if key in the_row.budgets:
                limits[key] = base + the_row.budgets[key]
    samples = [Sample.of(e) for e in mine if e.kind == EventKind.SAMPLE]
    points = [
        Point(role=s.role, phase=s.phase, at_s=s.t - t0, latency_ms=s.latency_ms, ok=s.ok, error=s.error)
        for s in samples
    ]
    classify = _finished(mine, "classify")
    names = {"detect_s": "detect budget", "contain_s": "contain budget", "recover_s": "restore budget"}
    return Detail(
        row=the_row,
        bars=_bars(mine, t0, limits),
        marks=marks,
        limits=[Mark(label=names[k], at_s=v) for k, v in limits.items()],
        points=points,
        evidence=_evidence(mine, out_dir),
        rule=classify.summary if classify else "",
    )


@dataclass(frozen=True, kw_only=True)
class View:
    """Everything a readable report shows of a run."""

    report: Report
    events: list[Event]
    rows: list[Overview]
    trends: list[Trend]
    history: list[Mapping[str, Any]]
