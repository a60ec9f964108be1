"""A baseline or compared report.json that is not one a drill run wrote is one line naming
the file and the key path, exit 2: on `drill compare` (either side) and `drill report
--baseline`; never an internal error, never a trend judged on a value no run writes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.records import outputs, trends
from tests.drills.conftest import drill, standard

FIX = "; pass the report.json a drill run wrote\n"


@pytest.fixture
def night(fake, tmp_path: Path) -> Path:
    """A crash drill's run folder on the fake: its journal.jsonl and report.json."""
    out = tmp_path / "night"
    _report, events = drill(fake, out, standard("crash"))
    outputs.write(events, out)
    return out


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    edited = copy.deepcopy(doc)
    holder: Any = edited
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return edited


# (key path, value, what the line says after "FILE: ")
EDITS: list[tuple[tuple[str | int, ...], Any, str]] = [
    (("stats",), "x", "stats: 'x' is not an object"),
    (("stats",), [1, 2], "stats: [1, 2] is not an object"),
    (("stats",), 7, "stats: 7 is not an object"),
    (("stats",), None, "stats: None is not an object"),
    (("stats", "run_id"), ["a"], "stats.run_id: ['a'] is not a run id (text)"),
    (("stats", "run_id"), {"id": 1}, "stats.run_id: {'id': 1} is not a run id (text)"),
    (("drill", "scenarios"), "x", "drill.scenarios: 'x' is not an object"),
    (("drill", "scenarios"), ["crash"], "drill.scenarios: ['crash'] is not an object"),
    (("drill", "scenarios", "crash"), "x", "drill.scenarios.crash: 'x' is not an object"),
    (("drill", "scenarios", "crash"), [0.1], "drill.scenarios.crash: [0.1] is not an object"),
    (("drill", "scenarios", "crash"), None, "drill.scenarios.crash: None is not an object"),
    (
        ("drill", "scenarios", "crash", "restore_s"),
        "2.2",
        "drill.scenarios.crash.restore_s: '2.2' is not a number of seconds or null",
    ),
    (
        ("drill", "scenarios", "crash", "detect_s"),
        [0.1],
        "drill.scenarios.crash.detect_s: [0.1] is not a number of seconds or null",
    ),
    (
        ("drill", "scenarios", "crash", "detect_s"),
        True,
        "drill.scenarios.crash.detect_s: True is not a number of seconds or null",
    ),
    (
        ("drill", "scenarios", "crash", "restore_s"),
        -1,
        "drill.scenarios.crash.restore_s: -1 is not a number of seconds (0 or more)",
    ),
    (
        ("drill", "scenarios", "crash", "regression"),
        "x",
        "drill.scenarios.crash.regression: 'x' is not an object",
    ),
    (
        ("drill", "scenarios", "crash", "regression", "tolerance"),
        "0.5",
        "drill.scenarios.crash.regression.tolerance: '0.5' is not a number from 0 to 100",
    ),
    (
        ("drill", "scenarios", "crash", "regression", "tolerance"),
        -0.1,
        "drill.scenarios.crash.regression.tolerance: -0.1 is not a number from 0 to 100",
    ),
    (
        ("drill", "scenarios", "crash", "regression", "tolerance"),
        10**400,
        "drill.scenarios.crash.regression.tolerance: a 401-digit integer is not a number from 0 to 100",
    ),
    (
        ("drill", "scenarios", "crash", "regression", "fail"),
        "yes",
        "drill.scenarios.crash.regression.fail: 'yes' is not true or false",
    ),
    (
        ("drill", "scenarios", "crash", "regression", "fail"),
        None,
        "drill.scenarios.crash.regression.fail: None is not true or false",
    ),
    (("drill", "history"), "x", "drill.history: 'x' is not a list of nights"),
    (("drill", "history"), {"0": {}}, "drill.history: {'0': {}} is not a list of nights"),
    (("drill", "history", 0), "x", "drill.history[0]: 'x' is not an object"),
    (("drill", "history", 0), [], "drill.history[0]: [] is not an object"),
    (("drill", "history", 0, "scenarios"), "x", "drill.history[0].scenarios: 'x' is not an object"),
    (("drill", "history", 0, "scenarios"), [1], "drill.history[0].scenarios: [1] is not an object"),
    (
        ("drill", "history", 0, "scenarios", "crash"),
        3,
        "drill.history[0].scenarios.crash: 3 is not an object",
    ),
    (
        ("drill", "history", 0, "scenarios", "crash", "restore_s"),
        "fast",
        "drill.history[0].scenarios.crash.restore_s: 'fast' is not a number of seconds or null",
    ),
    (
        ("drill", "history", 0, "scenarios", "crash", "detect_s"),
        -2.5,
        "drill.history[0].scenarios.crash.detect_s: -2.5 is not a number of seconds (0 or more)",
    ),
    (("drill",), "x", "no drill.scenarios object"),
    (("drill",), {"history": []}, "no drill.scenarios object"),
    ((), None, "the document: None is not an object"),
    ((), [{"drill": {}}], "the document: [{'drill': {}}] is not an object"),
]


def _edited(night: Path, tmp_path: Path, path: tuple[str | int, ...], value: Any) -> Path:
    doc = json.loads((night / "report.json").read_text())
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(value if not path else _set(doc, path, value)))
    return edited


def _expected(edited: Path, line: str) -> str:
    if line == "no drill.scenarios object":
        return f"drill: error: {edited}: no drill.scenarios object; pass the report.json of a drill run\n"
    return f"drill: error: {edited}: {line}{FIX}"


@pytest.mark.parametrize(("path", "value", "line"), EDITS, ids=[line for *_x, line in EDITS])
def test_compare_refuses_an_odd_report_on_either_side(night, tmp_path, path, value, line):
    edited = _edited(night, tmp_path, path, value)
    for args in ([str(night / "report.json"), str(edited)], [str(edited), str(night / "report.json")]):
        result = CliRunner().invoke(drill_cli, ["compare", *args])
        assert result.exit_code == 2, result.output
        assert result.output == _expected(edited, line)


@pytest.mark.parametrize(("path", "value", "line"), EDITS, ids=[line for *_x, line in EDITS])
def test_report_refuses_an_odd_baseline_before_writing_anything(night, tmp_path, path, value, line):
    edited = _edited(night, tmp_path, path, value)
    out = tmp_path / "out"
    args = ["report", str(night / "journal.jsonl"), "--baseline", str(edited), "--out", str(out)]
    result = CliRunner().invoke(drill_cli, args)
    assert result.exit_code == 2, result.output
    assert result.output == _expected(edited, line)
    assert not out.exists()


def test_what_a_run_writes_and_older_reports_still_read(night, tmp_path):
    """The run's own report.json, and one from before the history and regression keys."""
    doc = json.loads((night / "report.json").read_text())
    assert trends.load(night / "report.json")[0] is not None
    del doc["drill"]["history"], doc["drill"]["scenarios"]["crash"]["regression"], doc["stats"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    baseline, _ = trends.load(old)
    assert baseline is not None and baseline.history == () and baseline.run_id == ""
    result = CliRunner().invoke(drill_cli, ["compare", str(old), str(night / "report.json")])
    assert result.exit_code == 0, result.output
