"""`drill report` judges a scenario by its journalled verdict: a verdict, expectation or
policy that is not one a run writes, or a verdict that contradicts its own expectation, is
an edited journal (exit 2, one line naming the journal, the event's seq and the field),
never a pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.drill import drill as drill_cli
from drills.records import journal, outputs
from harness.errors import ConfigError
from harness.results import Outcome
from tests.drills.conftest import drill, standard

Journal = list[dict[str, Any]]


def _journal_of(fake, tmp_path: Path, name: str) -> Journal:
    drill(fake, tmp_path / name, standard(name))
    lines = (tmp_path / name / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture
def crash_journal(fake, tmp_path: Path) -> Journal:
    """A passing crash drill's journal (expected passed, got passed)."""
    return _journal_of(fake, tmp_path, "crash")


@pytest.fixture
def control_journal(fake, tmp_path: Path) -> Journal:
    """The broken-fallback control's journal (expected failed, got failed, as expected)."""
    return _journal_of(fake, tmp_path, "broken-fallback")


def _first(events: Journal, kind: str, phase: str | None = None) -> dict[str, Any]:
    return next(e for e in events if e["kind"] == kind and (phase is None or e.get("phase") == phase))


def _edited(events: Journal, tmp_path: Path, kind: str, changes: dict[str, Any], phase: str | None = None):
    """The journal with one event changed (a value of DROP removes the key): (path, event)."""
    event = _first(events, kind, phase)
    event.update(changes)
    for key in [k for k, v in changes.items() if v is DROP]:
        del event[key]
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path, event


def _report(path: Path, tmp_path: Path):
    return CliRunner().invoke(drill_cli, ["report", str(path), "--out", str(tmp_path / "out")])


DROP = object()
FINISHED = "scenario.finished"
# the scenario.finished of a passing run (expected passed), changed: the line's problem
VERDICT_EDITS: list[tuple[dict[str, Any], str]] = [
    ({"verdict": "failed", "as_expected": "no"}, "as_expected 'no' is not true or false"),
    ({"verdict": "banana"}, "verdict 'banana' is not one of passed, failed, error"),
    ({"verdict": 5}, "verdict 5 is not one of passed, failed, error"),
    ({"verdict": None}, "verdict None is not one of passed, failed, error"),
    ({"verdict": True}, "verdict True is not one of passed, failed, error"),
    ({"verdict": ["passed"]}, "verdict ['passed'] is not one of passed, failed, error"),
    ({"verdict": {"v": "passed"}}, "verdict {'v': 'passed'} is not one of passed, failed, error"),
    ({"verdict": "PASSED"}, "verdict 'PASSED' is not one of passed, failed, error"),
    ({"verdict": "waived"}, "verdict 'waived' is not one of passed, failed, error"),
    ({"verdict": ""}, "verdict '' is not one of passed, failed, error"),
    ({"verdict": DROP}, "verdict None is not one of passed, failed, error"),
    ({"expected": "banana"}, "expected 'banana' is not one of passed, failed"),
    ({"expected": "error"}, "expected 'error' is not one of passed, failed"),
    ({"expected": 1}, "expected 1 is not one of passed, failed"),
    ({"expected": DROP}, "expected None is not one of passed, failed"),
    ({"as_expected": "yes"}, "as_expected 'yes' is not true or false"),
    ({"as_expected": 1}, "as_expected 1 is not true or false"),
    ({"as_expected": 0}, "as_expected 0 is not true or false"),
    ({"as_expected": None}, "as_expected None is not true or false"),
    ({"as_expected": []}, "as_expected [] is not true or false"),
    ({"as_expected": DROP}, "as_expected None is not true or false"),
    (
        {"verdict": "failed"},
        "as_expected true contradicts verdict 'failed' against expected 'passed' (the journal was edited)",
    ),
    (
        {"verdict": "error"},
        "as_expected true contradicts verdict 'error' against expected 'passed' (the journal was edited)",
    ),
    (
        {"as_expected": False},
        "as_expected false contradicts verdict 'passed' against expected 'passed' (the journal was edited)",
    ),
    (
        {"expected": "failed"},
        "as_expected true contradicts verdict 'passed' against expected 'failed' (the journal was edited)",
    ),
    (
        {"verdict": "failed", "expected": "failed"},
        "expected 'failed' is not what scenario.started expects for 'crash' "
        "('passed'; the journal was edited)",
    ),
]


@pytest.mark.parametrize(("changes", "problem"), VERDICT_EDITS, ids=[p for _c, p in VERDICT_EDITS])
def test_a_verdict_a_run_never_writes_is_exit_2_never_a_pass(crash_journal, tmp_path, changes, problem):
    path, event = _edited(crash_journal, tmp_path, FINISHED, changes)
    result = _report(path, tmp_path)
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"drill: error: {path}: seq {event['seq']} ({FINISHED}): {problem}; "
        "pass a journal.jsonl as drill run wrote it\n"
    )
    assert not (tmp_path / "out").exists()


# other events whose fields decide a result or the exit code: (kind, phase, changes, problem)
JUDGED_EDITS: list[tuple[str, str | None, dict[str, Any], str]] = [
    (
        "scenario.started",
        None,
        {"expect_verdict": "banana"},
        "expect_verdict 'banana' is not one of passed, failed",
    ),
    ("scenario.started", None, {"expect_verdict": None}, "expect_verdict None is not one of passed, failed"),
    (
        "scenario.started",
        None,
        {"expect_verdict": "error"},
        "expect_verdict 'error' is not one of passed, failed",
    ),
    ("scenario.started", None, {"regression": "x"}, "regression 'x' is not an object"),
    ("scenario.started", None, {"regression": [0.5]}, "regression [0.5] is not an object"),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": "0.5", "fail": False}},
        "regression.tolerance '0.5' is not a number from 0 to 100",
    ),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": -1, "fail": False}},
        "regression.tolerance -1 is not a number from 0 to 100",
    ),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": 101, "fail": False}},
        "regression.tolerance 101 is not a number from 0 to 100",
    ),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": True, "fail": False}},
        "regression.tolerance True is not a number from 0 to 100",
    ),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": 0.5, "fail": "yes"}},
        "regression.fail 'yes' is not true or false",
    ),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": 0.5, "fail": 1}},
        "regression.fail 1 is not true or false",
    ),
    (
        "scenario.started",
        None,
        {"regression": {"tolerance": 0.5}},
        "regression.fail None is not true or false",
    ),
    (
        "run.finished",
        None,
        {"status": "banana"},
        "status 'banana' is not one of finished, deadline, interrupted, error",
    ),
    ("run.finished", None, {"status": "INTERRUPTED"}, "status 'INTERRUPTED' is not one of"),
    ("run.finished", None, {"status": 130}, "status 130 is not one of"),
    ("run.finished", None, {"status": None}, "status None is not one of"),
    (
        "phase.finished",
        "detect",
        {"data": {"latency_s": -1}},
        "data.latency_s -1 is not a number of seconds (0 or more)",
    ),
    (
        "phase.finished",
        "verify",
        {"data": {"time_to_restore_s": -0.5}},
        "data.time_to_restore_s -0.5 is not a number of seconds (0 or more)",
    ),
]


@pytest.mark.parametrize(
    ("kind", "phase", "changes", "problem"), JUDGED_EDITS, ids=[p for *_x, p in JUDGED_EDITS]
)
def test_every_judged_field_a_run_never_writes_is_exit_2(
    crash_journal, tmp_path, kind, phase, changes, problem
):
    path, event = _edited(crash_journal, tmp_path, kind, changes, phase)
    result = _report(path, tmp_path)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"drill: error: {path}: seq {event['seq']} ({kind}): {problem}")
    assert result.output.count("\n") == 1


def test_a_journal_from_before_the_regression_section_still_reads(crash_journal, tmp_path):
    path, _ = _edited(crash_journal, tmp_path, "scenario.started", {"regression": DROP})
    assert _report(path, tmp_path).exit_code == 0


def test_a_consistent_failed_verdict_fails_the_report(crash_journal, tmp_path):
    path, _ = _edited(crash_journal, tmp_path, FINISHED, {"verdict": "failed", "as_expected": False})
    result = _report(path, tmp_path)
    assert result.exit_code == 1, result.output
    assert "failed   crash drill.verdict: failed (expected passed)" in result.output


def test_a_control_that_failed_as_expected_passes_and_one_off_target_fails(control_journal, tmp_path):
    path, _ = _edited(control_journal, tmp_path, FINISHED, {})
    assert _report(path, tmp_path).exit_code == 0
    path, _ = _edited(control_journal, tmp_path, FINISHED, {"as_expected": False})
    assert _report(path, tmp_path).exit_code == 1  # failed, but not because the fallback broke
    path, _ = _edited(control_journal, tmp_path, FINISHED, {"verdict": "passed", "as_expected": True})
    assert _report(path, tmp_path).exit_code == 2  # as_expected true contradicts passed vs failed


VALUES = st.sampled_from(["passed", "failed", "error", "waived", "banana", ""]) | st.none() | st.booleans()
VALUES |= st.integers(-1, 2) | st.lists(st.just("passed"), max_size=1)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.timeout(180)
@FAST
@given(verdict=VALUES, expected=VALUES, as_expected=VALUES)
def test_no_edit_of_a_verdict_passes_a_scenario_that_did_not_get_what_it_expected(
    crash_journal, tmp_path, verdict, expected, as_expected
):
    """Whatever the three fields say: one ConfigError, or a report that passes only when the
    verdict is what was expected."""
    path, _ = _edited(
        crash_journal,
        tmp_path,
        FINISHED,
        {"verdict": verdict, "expected": expected, "as_expected": as_expected},
    )
    try:
        report = outputs.report(journal.read(path))
    except ConfigError as exc:
        assert str(exc).startswith(f"{path}: seq ") and "\n" not in str(exc)
        return
    assert report.verdict is not Outcome.PASSED or (verdict == expected == "passed" and as_expected is True)
