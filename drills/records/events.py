"""The journal's events: their kinds (`EventKind`, the journal's format), the `Event` as
written and read (drills/records/journal.py), and typed payloads of the events the reports
read: the run's start, notes and end, a scenario's start and verdict, a phase's end, an
action, a probe sample. Reports read events through these (and `Event.scenario`); only this
module and the journal's shape check (drills/records/journal_shape.py) read raw fields.

Each payload is parsed from an `Event` and never raises: `journal.read` has already checked
the shape of every field a report needs (drills/records/journal_shape.py), and live progress
only sees events a run wrote. A field missing or of another type takes the value the reports
have always shown for it (an empty text, no number, no data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from harness import numbers


class EventKind(StrEnum):
    """Every kind of event a run writes; on disk, its value (the journal's format)."""

    RUN_STARTED = "run.started"
    RUN_NOTE = "run.note"
    RUN_FINISHED = "run.finished"
    REAPED = "reaped"  # stale leftovers of earlier runs removed at the start
    SCENARIO_STARTED = "scenario.started"
    SCENARIO_FINISHED = "scenario.finished"
    PHASE_STARTED = "phase.started"
    PHASE_FINISHED = "phase.finished"
    ACTION = "action"  # something the drill is about to do (recorded before it happens)
    SAMPLE = "sample"  # one probe request and its answer


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event; `kind` is an EventKind's value, or any text in a journal read from disk
    (kinds the reports do not know are kept and ignored). Typed payloads of the events the
    reports read: below."""

    seq: int
    t: float
    kind: str
    fields: Mapping[str, Any]

    def raw(self, key: str, default: Any = None) -> Any:
        """A field as written: for the payloads below and the shape check only."""
        return self.fields.get(key, default)

    @property
    def scenario(self) -> str:
        """The scenario the event belongs to ("" for the run's own events)."""
        value = self.fields.get("scenario")
        return value if isinstance(value, str) else ""


def is_number(value: Any) -> bool:
    """A finite number (not a bool): what a report can print and compare; an integer too
    large for a float is none (math.isfinite of it raises OverflowError)."""
    return numbers.finite(value) is not None


def _number(value: Any) -> float | None:
    """The value when it is a finite number (ints kept as ints, so reports print them
    as they were written), else None."""
    return value if is_number(value) else None


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(name) for name in value) if isinstance(value, list) else ()


@dataclass(frozen=True, kw_only=True)
class RunStarted:
    t: float
    run_id: str | None  # None in a journal edited to hold no text there (reports show null)
    scenarios: tuple[str, ...]  # the run's scenarios, in order
    suite: tuple[str, ...]  # a shard's: the whole suite's names (so a merge can tell what is missing)
    shard: str  # "K/N", or "" for a whole suite
    commit: str

    @classmethod
    def of(cls, ev: Event) -> RunStarted:
        run_id, scenarios, suite = ev.raw("run_id"), ev.raw("scenarios"), ev.raw("suite")
        return cls(
            t=ev.t,
            run_id=run_id if isinstance(run_id, str) else None,
            scenarios=_names(scenarios),
            suite=_names(suite),
            shard=str(ev.raw("shard") or ""),
            commit=str(ev.raw("commit") or ""),
        )


@dataclass(frozen=True, kw_only=True)
class RunNote:
    t: float
    note: str

    @classmethod
    def of(cls, ev: Event) -> RunNote:
        return cls(t=ev.t, note=str(ev.raw("note")))


@dataclass(frozen=True, kw_only=True)
class RunFinished:
    t: float
    status: str  # one of journal_shape.RUN_STATUSES
    journal_error: str  # why events were lost ("" when none were)

    @classmethod
    def of(cls, ev: Event) -> RunFinished:
        error = ev.raw("journal_error")
        return cls(t=ev.t, status=str(ev.raw("status")), journal_error=str(error) if error else "")


@dataclass(frozen=True, kw_only=True)
class Action:
    t: float
    scenario: str  # "" for the run's own (reaping, the run's cleanup)
    action: str
    role: str  # the deployment it acts on ("" for none)
    target: str  # that role, or the fault it injects ("" for neither)
    fields: Mapping[str, Any]  # what else it names, as written (see `path`)

    @classmethod
    def of(cls, ev: Event) -> Action:
        role = ev.raw("role")
        return cls(
            t=ev.t,
            scenario=ev.scenario,
            action=str(ev.raw("action")),
            role=role if isinstance(role, str) else "",
            target=str(role or ev.raw("fault", "") or ""),
            fields=ev.fields,
        )

    def path(self, key: str) -> str | None:
        """A path the action names (preserve's folder, recovery-gates' report_dir), if text."""
        value = self.fields.get(key)
        return value if isinstance(value, str) else None


@dataclass(frozen=True, kw_only=True)
class ScenarioStarted:
    t: float
    scenario: str
    title: str
    fault: str
    expect_verdict: str
    expect_fallback: bool
    budgets: dict[str, float]  # the numeric budgets only (unset ones are null in the journal)
    regression: dict[str, Any]  # how trends judge it (empty in journals from before the section)
    origin: str  # the scenario file it was read from

    @classmethod
    def of(cls, ev: Event) -> ScenarioStarted:
        raw = ev.raw("budgets")
        given = raw.items() if isinstance(raw, dict) else ()
        budgets = {str(k): n for k, v in given if (n := numbers.finite(v)) is not None}
        return cls(
            t=ev.t,
            scenario=ev.scenario,
            title=str(ev.raw("title", "")),
            fault=str(ev.raw("fault")),
            expect_verdict=str(ev.raw("expect_verdict")),
            expect_fallback=bool(ev.raw("expect_fallback")),
            budgets=budgets,
            regression=dict(reg) if isinstance(reg := ev.raw("regression"), dict) else {},
            origin=str(ev.raw("origin", "")),
        )


@dataclass(frozen=True, kw_only=True)
class PhaseStarted:
    t: float
    scenario: str
    phase: str

    @classmethod
    def of(cls, ev: Event) -> PhaseStarted:
        return cls(t=ev.t, scenario=ev.scenario, phase=str(ev.raw("phase")))


@dataclass(frozen=True, kw_only=True)
class PhaseFinished:
    t: float
    scenario: str
    phase: str
    outcome: str  # an Outcome's value; "error" when the event has none
    duration_s: float | None
    summary: str
    data: dict[str, Any]
    findings: tuple[dict[str, str], ...]

    @classmethod
    def of(cls, ev: Event) -> PhaseFinished:
        data, findings = ev.raw("data"), ev.raw("findings")
        return cls(
            t=ev.t,
            scenario=ev.scenario,
            phase=str(ev.raw("phase")),
            outcome=str(ev.raw("outcome", "error")),
            duration_s=_number(ev.raw("duration_s")),
            summary=str(ev.raw("summary", "")),
            data=data if isinstance(data, dict) else {},
            findings=tuple(findings) if isinstance(findings, list) else (),
        )

    def number(self, key: str) -> float | None:
        """A figure of the phase's data (detect's latency_s, verify's time_to_restore_s)."""
        return _number(self.data.get(key))


@dataclass(frozen=True, kw_only=True)
class ScenarioFinished:
    t: float
    scenario: str
    verdict: str
    expected: str
    as_expected: bool
    fell_back: bool | None
    reason: str

    @classmethod
    def of(cls, ev: Event) -> ScenarioFinished:
        fell_back = ev.raw("fell_back")
        return cls(
            t=ev.t,
            scenario=ev.scenario,
            verdict=str(ev.raw("verdict")),
            expected=str(ev.raw("expected")),
            as_expected=bool(ev.raw("as_expected")),
            fell_back=None if fell_back is None else bool(fell_back),
            reason=str(ev.raw("reason", "")),
        )


@dataclass(frozen=True, kw_only=True)
class Sample:
    t: float
    scenario: str
    phase: str
    role: str
    ok: bool
    latency_ms: float | None
    error: str

    @classmethod
    def of(cls, ev: Event) -> Sample:
        return cls(
            t=ev.t,
            scenario=ev.scenario,
            phase=str(ev.raw("phase", "")),
            role=str(ev.raw("role", "")),
            ok=bool(ev.raw("ok")),
            latency_ms=_number(ev.raw("latency_ms")),
            error=str(ev.raw("error") or ""),
        )
