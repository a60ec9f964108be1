"""The shape a journal must have for the reports to read it: every field a report reads
is of the type it needs, checked once when a journal is read (drills/records/journal.py),
so a journal edited by hand or cut from another tool is one ConfigError naming the event,
never a crash in a report writer.

The fields a report *judges* on (what decides a result's outcome or the exit code) are held
to the values a run writes, not only to a type: a scenario's verdict, what it expected and
whether that is what it got, the policy its trends are judged by, how the run ended. A
verdict that contradicts its own expectation is an edited journal, refused, never a pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from drills.records.events import Event, EventKind, is_number
from harness import numbers
from harness.errors import ConfigError
from harness.results import Finding, Outcome

LAST_T = datetime(9999, 12, 31, tzinfo=UTC).timestamp()  # the last time a report can show
FINDING_KEYS = frozenset(Finding.__dataclass_fields__)
NUMBERS = {"detect": "latency_s", "verify": "time_to_restore_s"}  # phase -> data the overview reads
# what a run writes (drills/playbook/verdict.py, scenario.schema.json, drills/run/runner.py)
VERDICTS = ("passed", "failed", "error")
EXPECTED = ("passed", "failed")
RUN_STATUSES = ("finished", "deadline", "interrupted", "error")
MAX_TOLERANCE = 100  # scenario.schema.json's regression.tolerance maximum


def check(events: list[Event], origin: str) -> None:
    """Every field the reports read has the shape they need: a journal edited by hand or
    cut from another tool is one ConfigError naming the event, not a crash."""
    expects: dict[str, str] = {}  # scenario -> what its scenario.started expects
    for ev in events:
        problem = _shape(ev) or (_head(ev) if ev is events[0] else None) or _agrees_with_start(ev, expects)
        if problem is not None:
            raise ConfigError(
                f"{origin}: seq {ev.seq} ({ev.kind}): {problem}; pass a journal.jsonl as drill run wrote it"
            )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _one_of(name: str, value: Any, known: tuple[str, ...]) -> str | None:
    if isinstance(value, str) and value in known:
        return None
    return f"{name} {_show(value)} is not one of {', '.join(known)}"


def _head(ev: Event) -> str | None:
    names = ev.raw("scenarios") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return f"scenarios {_show(names)} is not a list of scenario names"
    return None


def _shape(ev: Event) -> str | None:
    if not (is_number(ev.t) and 0 <= ev.t <= LAST_T):
        return f"t {_show(ev.t)} is not a time (seconds since 1970)"
    if ev.kind.startswith("phase.") and not isinstance(ev.raw("phase"), str):
        return f"phase {_show(ev.raw('phase'))} is not a phase name"
    by_kind = KIND_SHAPES.get(ev.kind)
    return None if by_kind is None else by_kind(ev)


def _sample_shape(ev: Event) -> str | None:
    if not (ev.raw("latency_ms") is None or is_number(ev.raw("latency_ms"))):
        return f"latency_ms {_show(ev.raw('latency_ms'))} is not a number"
    return None


def _end_shape(ev: Event) -> str | None:
    """run.finished: its status decides whether the run reads as interrupted (exit 130)."""
    return _one_of("status", ev.raw("status"), RUN_STATUSES)


def _start_shape(ev: Event) -> str | None:
    """scenario.started: what the scenario expects (a control expected to fail may waive its
    failed phase) and the policy its trends are judged by."""
    return _one_of("expect_verdict", ev.raw("expect_verdict"), EXPECTED) or _regression_shape(
        ev.raw("regression")
    )


def _regression_shape(section: Any) -> str | None:
    """None in journals from before the section; else what drill run journals: both keys."""
    if section is None:
        return None
    if not isinstance(section, dict):
        return f"regression {_show(section)} is not an object"
    tolerance = numbers.finite(given := section.get("tolerance"))
    if tolerance is None or not 0 <= tolerance <= MAX_TOLERANCE:
        return f"regression.tolerance {_show(given)} is not a number from 0 to {MAX_TOLERANCE}"
    if not isinstance(section.get("fail"), bool):
        return f"regression.fail {_show(section.get('fail'))} is not true or false"
    return None


def _verdict_shape(ev: Event) -> str | None:
    """scenario.finished: the verdict, what was expected and whether that is what it got;
    the report's pass or fail follows from them, so they must agree."""
    verdict, expected, as_expected = ev.raw("verdict"), ev.raw("expected"), ev.raw("as_expected")
    problem = _one_of("verdict", verdict, VERDICTS) or _one_of("expected", expected, EXPECTED)
    if problem is not None:
        return problem
    if not isinstance(as_expected, bool):
        return f"as_expected {_show(as_expected)} is not true or false"
    if ev.raw("fell_back") not in (True, False, None):
        return f"fell_back {_show(ev.raw('fell_back'))} is not true, false or null"
    return _contradiction(verdict, expected, as_expected)


def _contradiction(verdict: str, expected: str, as_expected: bool) -> str | None:
    """as_expected holds only when the verdict is the expected one; it may be false then only
    for a control expected to fail whose fallback was not the part that broke."""
    if as_expected == (verdict == expected) or (verdict == expected == "failed"):
        return None
    return (
        f"as_expected {str(as_expected).lower()} contradicts verdict {verdict!r} "
        f"against expected {expected!r} (the journal was edited)"
    )


def _agrees_with_start(ev: Event, expects: dict[str, str]) -> str | None:
    """A verdict's `expected` is what its scenario.started said the scenario expects."""
    name = ev.raw("scenario")
    if not isinstance(name, str):
        return None
    if ev.kind == EventKind.SCENARIO_STARTED:
        expects[name] = str(ev.raw("expect_verdict"))
    elif ev.kind == EventKind.SCENARIO_FINISHED and expects.get(name, ev.raw("expected")) != ev.raw(
        "expected"
    ):
        return (
            f"expected {_show(ev.raw('expected'))} is not what scenario.started expects for "
            f"{name!r} ({expects[name]!r}; the journal was edited)"
        )
    return None


def _phase_shape(ev: Event) -> str | None:
    outcome, duration, data = ev.raw("outcome", "error"), ev.raw("duration_s", 0), ev.raw("data") or {}
    key = NUMBERS.get(ev.raw("phase"), "")
    if not isinstance(outcome, str) or outcome not in set(Outcome):
        return f"outcome {_show(outcome)} is not one of {', '.join(Outcome)}"
    if not is_number(duration):
        return f"duration_s {_show(duration)} is not a number"
    if not isinstance(data, dict):
        return f"data {_show(data)} is not an object"
    if not (data.get(key) is None or is_number(data[key])):
        return f"data.{key} {_show(data[key])} is not a number"
    if data.get(key) is not None and data[key] < 0:  # a trend would read it as faster than ever
        return f"data.{key} {_show(data[key])} is not a number of seconds (0 or more)"
    return _findings_shape(ev.raw("findings") or [])


def _findings_shape(findings: Any) -> str | None:
    if not isinstance(findings, list):
        return f"findings {_show(findings)} is not a list of findings"
    for n, f in enumerate(findings):
        if not isinstance(f, dict) or not {"subject", "message"} <= f.keys() <= FINDING_KEYS:
            return f"findings[{n}] {_show(f)} is not a finding (keys: {', '.join(sorted(FINDING_KEYS))})"
        if not all(isinstance(v, str) for v in f.values()):
            return f"findings[{n}] holds a value that is not text"
    return None


# the events whose fields a report reads beyond seq, t and phase, and the check of each
KIND_SHAPES: dict[str, Callable[[Event], str | None]] = {
    EventKind.PHASE_FINISHED: _phase_shape,
    EventKind.SCENARIO_STARTED: _start_shape,
    EventKind.SCENARIO_FINISHED: _verdict_shape,
    EventKind.SAMPLE: _sample_shape,
    EventKind.RUN_FINISHED: _end_shape,
}
