"""Live progress of a drill run, derived from journal events as they are written.

`Tracker.feed` turns one event into what a watcher should see: a line per phase as it ends
(scenario, phase, outcome, seconds and the figure that matters, e.g. "detect 4 ms / budget
5 s"), the start and end of a scenario (a `::group::` under GitHub Actions) and a short
status of what is running now. It is pure: the command line decides where it goes
(cli/drill_progress.py), the core never prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drills.records.events import (
    PhaseFinished,
    PhaseStarted,
    RunNote,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
)
from drills.records.journal import Event, EventKind
from harness import numbers
from harness.text import one_line


class Kind(StrEnum):
    LINE = "line"  # a finished phase or verdict: printed for good
    BEGIN = "begin"  # a scenario starts (::group:: under Actions)
    END = "end"  # a scenario ended (::endgroup::)
    STATUS = "status"  # what runs now: a terminal's live status line, dropped elsewhere


@dataclass(frozen=True, kw_only=True)
class Update:
    kind: Kind
    text: str
    outcome: str = ""  # passed/failed/error/...: a terminal colours it


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def figure(phase: str, data: Mapping[str, Any], budgets: Mapping[str, Any]) -> str:
    """The number that matters for a phase, against its budget where it has one."""

    def against(value: float, what: str, budget_key: str) -> str:
        budget = numbers.finite(budgets.get(budget_key))
        limit = f" / budget {budget:g} s" if budget is not None else ""
        return f"{what} {_seconds(value)}{limit}"

    number = {
        "detect": ("latency_s", "detect", "detect_s"),
        "contain": ("contain_s", "contained", "contain_s"),
        "fallback": ("ready_s", "native answered", "recover_s"),
        "verify": ("time_to_restore_s", "restored", "recover_s"),
    }.get(phase)
    # a figure that is no finite number (a hand-edited journal) is left out, as a missing one
    value = numbers.finite(data.get(number[0])) if number is not None else None
    if number is not None and value is not None:
        return against(value, number[1], number[2])
    p95 = numbers.finite(data.get("p95_ms"))
    if phase in ("steady-state", "verify") and p95 is not None:
        return f"p95 {p95:.1f} ms"
    return ""


@dataclass
class Tracker:
    """Follows one run's events; `feed` returns what to show for each."""

    budgets: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    total: int = 0
    done: int = 0
    begun: int = 0
    number: dict[str, int] = field(default_factory=dict)  # scenario -> its place in the run

    def feed(self, ev: Event) -> list[Update]:
        name = one_line(ev.scenario)
        out: list[Update] = []
        match ev.kind:
            case EventKind.RUN_STARTED:
                self.total = len(RunStarted.of(ev).scenarios)
            case EventKind.SCENARIO_STARTED:
                out = self._begin(ScenarioStarted.of(ev), name)
            case EventKind.PHASE_STARTED:
                phase = PhaseStarted.of(ev).phase
                out = [Update(kind=Kind.STATUS, text=one_line(f"{self._count(name)} {name}: {phase} ..."))]
            case EventKind.PHASE_FINISHED:
                out = [self._phase(PhaseFinished.of(ev), name)]
            case EventKind.SCENARIO_FINISHED:
                out = self._end(ScenarioFinished.of(ev), name)
            case EventKind.RUN_NOTE:
                out = [Update(kind=Kind.LINE, text=one_line(f"note: {RunNote.of(ev).note}"))]
        return out

    def _count(self, name: str) -> str:
        return f"[{self.number.get(name, self.begun)}/{self.total}]"

    def _begin(self, ev: ScenarioStarted, name: str) -> list[Update]:
        self.budgets[name] = ev.budgets
        self.started[name] = ev.t
        self.begun += 1
        self.number[name] = self.begun
        expect = "fallback" if ev.expect_fallback else "no fallback"
        title = one_line(f"{self._count(name)} {name}: fault {ev.fault}, expect {expect}")
        return [Update(kind=Kind.BEGIN, text=title)]

    def _phase(self, ev: PhaseFinished, name: str) -> Update:
        took = float(ev.duration_s or 0)
        shown = figure(ev.phase, ev.data, self.budgets.get(name, {}))
        text = f"{name:<16} {ev.phase:<14} {ev.outcome:<7} {took:7.2f} s"
        return Update(kind=Kind.LINE, text=one_line(f"{text}  {shown}".rstrip()), outcome=ev.outcome)

    def _end(self, ev: ScenarioFinished, name: str) -> list[Update]:
        self.done += 1
        took = ev.t - self.started.get(name, ev.t)
        verdict = f"{ev.verdict} (expected {ev.expected})"
        text = one_line(f"{name:<16} {'verdict':<14} {verdict} in {took:.1f} s: {ev.reason}")
        outcome = "passed" if ev.as_expected else ("error" if ev.verdict == "error" else "failed")
        return [Update(kind=Kind.LINE, text=text, outcome=outcome), Update(kind=Kind.END, text=name)]
