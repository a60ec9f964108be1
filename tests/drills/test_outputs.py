"""`drill report` on journals that drill run did not write as they are: one clear error."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.records import journal, journal_shape, outputs
from harness.errors import ConfigError
from tests.drills.conftest import drill, standard


@pytest.fixture
def crash_journal(fake, tmp_path: Path) -> list[dict[str, Any]]:
    """The journal of a real crash drill on the fake, as JSON objects."""
    drill(fake, tmp_path / "run", standard("crash"))
    lines = (tmp_path / "run" / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _first(events: list[dict[str, Any]], kind: str, phase: str | None = None) -> dict[str, Any]:
    return next(e for e in events if e["kind"] == kind and (phase is None or e.get("phase") == phase))


EDITS: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "outcome 'maybe' is not one of passed, failed": ("phase.finished", None, {"outcome": "maybe"}),
    "duration_s None is not a number": ("phase.finished", None, {"duration_s": None}),
    "findings[0] {'subject': 'x', 'message': 'm', 'colour': 'red'} is not a finding": (
        "phase.finished",
        None,
        {"findings": [{"subject": "x", "message": "m", "colour": "red"}]},
    ),
    "findings {'subject': 'x', 'message': 'm'} is not a list of findings": (
        "phase.finished",
        None,
        {"findings": {"subject": "x", "message": "m"}},
    ),
    "findings 'x' is not a list of findings": ("phase.finished", None, {"findings": "x"}),
    "t 1e+20 is not a time": ("run.finished", None, {"t": 1e20}),
    "scenarios [1, 2] is not a list of scenario names": ("run.started", None, {"scenarios": [1, 2]}),
    "scenarios 'crash' is not a list of scenario names": ("run.started", None, {"scenarios": "crash"}),
    "data.latency_s 'fast' is not a number": ("phase.finished", "detect", {"data": {"latency_s": "fast"}}),
    "phase ['x'] is not a phase name": ("phase.finished", None, {"phase": ["x"]}),
}


@pytest.mark.parametrize("problem", sorted(EDITS))
def test_an_odd_journal_is_exit_2_naming_the_journal_and_the_event(crash_journal, tmp_path, problem):
    kind, phase, changes = EDITS[problem]
    edited = _first(crash_journal, kind, phase)
    edited.update(changes)
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in crash_journal))
    result = CliRunner().invoke(drill_cli, ["report", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"drill: error: {path}: seq {edited['seq']} ({kind}): {problem}")
    assert result.output.count("\n") == 1
    assert not (tmp_path / "out").exists()


ODD = (None, [1], {"a": 1}, 10**30, "x", True)


@pytest.mark.slow
def test_no_field_of_any_event_crashes_the_reports(fake, tmp_path):
    """Each field of one event of every kind, replaced by odd values: a ConfigError, or reports
    (its evidence folder taken by a later run, so they look for where it was moved)."""
    drill(fake, tmp_path / "run", standard("crash"))
    evidence = tmp_path / "run" / "evidence"
    (evidence / "crash" / "run-id.txt").write_text("later\n")
    events = journal.read(tmp_path / "run" / "journal.jsonl")
    samples = {(e.kind, e.raw("phase"), e.raw("action")): n for n, e in enumerate(events)}
    for n in samples.values():
        for key in events[n].fields:
            for odd in ODD:
                edited = list(events)
                edited[n] = replace(events[n], fields={**events[n].fields, key: odd})
                try:
                    journal_shape.check(edited, "journal.jsonl")
                except ConfigError as exc:
                    assert str(exc).startswith(f"journal.jsonl: seq {events[n].seq} ({events[n].kind}): ")
                    continue
                for path in outputs.write(edited, tmp_path / "out", evidence_dir=evidence)[1]:
                    path.unlink()  # each rendered, and gone before the next edit
