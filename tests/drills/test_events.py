"""Event kinds and the typed payloads the reports read: the journal on disk holds the kinds'
values, and a payload of any shape parses without raising."""

from __future__ import annotations

import ast
from pathlib import Path

from drills.records import journal
from drills.records.events import (
    Action,
    PhaseFinished,
    RunFinished,
    RunNote,
    RunStarted,
    Sample,
    ScenarioFinished,
    ScenarioStarted,
)
from drills.records.journal import Event, EventKind

ROOT = Path(__file__).resolve().parents[2]


def test_a_kind_is_written_as_its_value_and_read_back_equal(tmp_path):
    path = tmp_path / "j.jsonl"
    j = journal.Journal(path, clock=lambda: 5.0, run_id="r1", scenarios=[])
    j.record(EventKind.PHASE_FINISHED, scenario="s", phase="detect", outcome="passed", duration_s=2)
    j.close()
    lines = path.read_text().splitlines()
    assert lines[0] == '{"seq": 1, "t": 5.0, "kind": "run.started", "run_id": "r1", "scenarios": []}'
    assert lines[1] == (
        '{"seq": 2, "t": 5.0, "kind": "phase.finished", "scenario": "s", "phase": "detect", '
        '"outcome": "passed", "duration_s": 2}'
    )
    finished = journal.read(path)[1]
    assert finished.kind == EventKind.PHASE_FINISHED
    parsed = PhaseFinished.of(finished)
    assert (parsed.phase, parsed.outcome, parsed.duration_s, parsed.data) == ("detect", "passed", 2, {})
    assert isinstance(parsed.duration_s, int)  # printed as written


def _event(kind: EventKind, **fields: object) -> Event:
    return Event(seq=1, t=1.0, kind=kind, fields=fields)


def test_payloads_of_the_wrong_shape_take_the_defaults_the_reports_show():
    odd = {"duration_s": "soon", "data": [1], "findings": "none", "latency_ms": True, "budgets": ["x"]}
    phase = PhaseFinished.of(_event(EventKind.PHASE_FINISHED, phase="verify", **odd))
    assert (phase.outcome, phase.duration_s, phase.data, phase.findings) == ("error", None, {}, ())
    assert phase.number("time_to_restore_s") is None
    sample = Sample.of(_event(EventKind.SAMPLE, **odd))
    assert (sample.latency_ms, sample.ok, sample.error, sample.role) == (None, False, "", "")
    start = ScenarioStarted.of(
        _event(EventKind.SCENARIO_STARTED, budgets={"detect_s": 5, "x": None, "y": True})
    )
    assert start.budgets == {"detect_s": 5.0}
    end = ScenarioFinished.of(
        _event(EventKind.SCENARIO_FINISHED, verdict="passed", as_expected=1, fell_back=0)
    )
    assert (end.verdict, end.as_expected, end.fell_back, end.reason) == ("passed", True, False, "")
    assert ScenarioFinished.of(_event(EventKind.SCENARIO_FINISHED)).fell_back is None


def test_the_runs_own_events_and_actions_parse_to_what_the_reports_show():
    head = RunStarted.of(
        _event(EventKind.RUN_STARTED, run_id="r1", scenarios=["a", "b"], suite=["a", "b", "c"], shard="1/2")
    )
    assert (head.run_id, head.scenarios, head.suite, head.shard, head.commit) == (
        "r1",
        ("a", "b"),
        ("a", "b", "c"),
        "1/2",
        "",
    )
    bare = RunStarted.of(_event(EventKind.RUN_STARTED, run_id="r2", suite="all", commit=None))
    assert (bare.scenarios, bare.suite, bare.shard, bare.commit) == ((), (), "", "")
    end = RunFinished.of(_event(EventKind.RUN_FINISHED, status="interrupted", journal_error=None))
    assert (end.status, end.journal_error) == ("interrupted", "")
    lost = RunFinished.of(_event(EventKind.RUN_FINISHED, status="finished", journal_error="disk full"))
    assert lost.journal_error == "disk full"
    assert RunNote.of(_event(EventKind.RUN_NOTE, note="the engine went away")).note == "the engine went away"
    deploy = Action.of(_event(EventKind.ACTION, scenario="crash", action="deploy", role="candidate-aot"))
    assert (deploy.scenario, deploy.action, deploy.role, deploy.target) == (
        "crash",
        "deploy",
        "candidate-aot",
        "candidate-aot",
    )
    inject = Action.of(_event(EventKind.ACTION, scenario="crash", action="inject", role=None, fault="crash"))
    assert (inject.role, inject.target) == ("", "crash")
    kept = Action.of(
        _event(EventKind.ACTION, scenario="crash", action="preserve", folder="/e/crash", report_dir=7)
    )
    assert (kept.path("folder"), kept.path("report_dir"), kept.path("to")) == ("/e/crash", None, None)
    assert Action.of(_event(EventKind.ACTION, action="reap-stale")).scenario == ""
    assert (
        _event(EventKind.ACTION, scenario=None).scenario
        == _event(EventKind.ACTION, scenario=5).scenario
        == ""
    )
    odd = RunStarted.of(_event(EventKind.RUN_STARTED, run_id=7, scenarios=5, suite="ab"))
    assert (odd.run_id, odd.scenarios, odd.suite) == (None, (), ())


def _raw_reads(path: Path) -> list[int]:
    """Lines of `path` that call `.raw(` or read an object's `.fields` (dataclasses.fields aside)."""
    tree = ast.parse(path.read_text())
    calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    fields = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr == "fields" and getattr(n.value, "id", "") != "dataclasses"
    ]
    return sorted({n.lineno for n in [*(c for c in calls if c.attr == "raw"), *fields]})


# the payload parsers, the journal's shape check, and the relocation of evidence paths (which
# rewrites every field of a phase's result, whatever it holds)
RAW_READERS = {
    "drills/records/events.py",
    "drills/records/journal_shape.py",
    "drills/records/evidence_location.py",
}


def test_only_the_payloads_and_the_shape_check_read_raw_fields():
    """Reports, progress, the command lines, the benchmarks and the fakes read events through
    the typed payloads."""
    places = [ROOT / p for p in ("drills", "cli", "benchmarks", "fixtures")]
    readers = {
        path.relative_to(ROOT).as_posix(): lines
        for path in sorted(p for place in places for p in place.rglob("*.py"))
        if (lines := _raw_reads(path))
    }
    assert set(readers) == RAW_READERS
    assert readers["drills/records/evidence_location.py"] == [100]  # the rewrite, nothing else


def test_the_raw_read_check_sees_both_forms(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import dataclasses\nx = ev.raw('a')\ny = ev.fields['b']\nz = dataclasses.fields(ev)\n")
    assert _raw_reads(module) == [2, 3]
