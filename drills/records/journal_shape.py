"""The shape a journal must have for the reports to read it: every field a report reads
is of the type it needs, checked once when a journal is read (drills/records/journal.py),
so a journal edited by hand or cut from another tool is one ConfigError naming the event,
never a crash in a report writer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drills.records.events import Event, EventKind, is_number
from harness.errors import ConfigError
from harness.results import Finding, Outcome

LAST_T = datetime(9999, 12, 31, tzinfo=UTC).timestamp()  # the last time a report can show
FINDING_KEYS = frozenset(Finding.__dataclass_fields__)
NUMBERS = {"detect": "latency_s", "verify": "time_to_restore_s"}  # phase -> data the overview reads


def check(events: list[Event], origin: str) -> None:
    """Every field the reports read has the shape they need: a journal edited by hand or
    cut from another tool is one ConfigError naming the event, not a crash."""
    for ev in events:
        problem = _shape(ev) or (_head(ev) if ev is events[0] else None)
        if problem is not None:
            raise ConfigError(
                f"{origin}: seq {ev.seq} ({ev.kind}): {problem}; pass a journal.jsonl as drill run wrote it"
            )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _head(ev: Event) -> str | None:
    names = ev.get("scenarios") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return f"scenarios {_show(names)} is not a list of scenario names"
    return None


def _shape(ev: Event) -> str | None:
    if not (is_number(ev.t) and 0 <= ev.t <= LAST_T):
        return f"t {_show(ev.t)} is not a time (seconds since 1970)"
    if ev.kind.startswith("phase.") and not isinstance(ev.get("phase"), str):
        return f"phase {_show(ev.get('phase'))} is not a phase name"
    if ev.kind == EventKind.PHASE_FINISHED:
        return _phase_shape(ev)
    if ev.kind == EventKind.SCENARIO_FINISHED and ev.get("fell_back") not in (True, False, None):
        return f"fell_back {_show(ev.get('fell_back'))} is not true, false or null"
    if ev.kind == EventKind.SAMPLE and not (ev.get("latency_ms") is None or is_number(ev.get("latency_ms"))):
        return f"latency_ms {_show(ev.get('latency_ms'))} is not a number"
    return None


def _phase_shape(ev: Event) -> str | None:
    outcome, duration, data = ev.get("outcome", "error"), ev.get("duration_s", 0), ev.get("data") or {}
    key = NUMBERS.get(ev.get("phase"), "")
    if not isinstance(outcome, str) or outcome not in set(Outcome):
        return f"outcome {_show(outcome)} is not one of {', '.join(Outcome)}"
    if not is_number(duration):
        return f"duration_s {_show(duration)} is not a number"
    if not isinstance(data, dict):
        return f"data {_show(data)} is not an object"
    if not (data.get(key) is None or is_number(data[key])):
        return f"data.{key} {_show(data[key])} is not a number"
    return _findings_shape(ev.get("findings") or [])


def _findings_shape(findings: Any) -> str | None:
    if not isinstance(findings, list):
        return f"findings {_show(findings)} is not a list of findings"
    for n, f in enumerate(findings):
        if not isinstance(f, dict) or not {"subject", "message"} <= f.keys() <= FINDING_KEYS:
            return f"findings[{n}] {_show(f)} is not a finding (keys: {', '.join(sorted(FINDING_KEYS))})"
        if not all(isinstance(v, str) for v in f.values()):
            return f"findings[{n}] holds a value that is not text"
    return None
