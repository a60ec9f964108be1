"""Properties of the baseline readers (hypothesis): a real report.json with the value at any
key path replaced by one of another type is, on `drill compare` (either side) and `drill
report --baseline`, a verdict (exit 0 or 1) or one line naming the file (exit 2); never an
internal error or a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.drill import drill as drill_cli
from drills.records import outputs
from fixtures.fake_engine import FakeDocker
from fixtures.fake_release import standard_behaviours
from tests.drills.conftest import drill, standard

pytestmark = pytest.mark.timeout(300)
SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
Path_ = tuple[str | int, ...]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
wrong = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("night")
    _report, events = drill(standard_behaviours(FakeDocker()), out, standard("crash"))
    outputs.write(events, out)
    return out


def _paths(value: Any, here: Path_ = ()) -> list[Path_]:
    """Every key path of a JSON document (the document itself too)."""
    found = [here]
    if isinstance(value, dict):
        found += [p for k, v in value.items() for p in _paths(v, (*here, k))]
    elif isinstance(value, list):
        found += [p for n, v in enumerate(value) for p in _paths(v, (*here, n))]
    return found


def _mutated(doc: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    edited = copy.deepcopy(doc)
    holder = edited
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return edited


@st.composite
def edits(draw: st.DrawFn, doc: Any) -> Any:
    """`doc` with the value at one key path replaced by one of any JSON type."""
    every = _paths(doc)
    read = [p for p in every if p[:1] in (("stats",), ("drill",))]  # what trends reads: drawn half the time
    return _mutated(doc, draw(st.sampled_from(read) | st.sampled_from(every)), draw(wrong))


def _judged(result: Any, edited: Path) -> None:
    # CliRunner keeps an exception that escaped the command in result.exception (exit 1)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith(f"drill: error: {edited}: ") and result.output.count("\n") == 1


@SETTINGS
@given(data=st.data(), edited_first=st.booleans())
def test_compare_of_any_mutated_report_is_a_verdict_or_one_line(night, tmp_path, data, edited_first):
    real = night / "report.json"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data.draw(edits(json.loads(real.read_text())))))
    pair = [str(edited), str(real)] if edited_first else [str(real), str(edited)]
    _judged(CliRunner().invoke(drill_cli, ["compare", *pair]), edited)


@settings(SETTINGS, max_examples=60)
@given(data=st.data())
def test_report_against_any_mutated_baseline_is_a_verdict_or_one_line(night, tmp_path, data):
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data.draw(edits(json.loads((night / "report.json").read_text())))))
    args = ["report", str(night / "journal.jsonl"), "--baseline", str(edited), "--out", str(tmp_path / "out")]
    _judged(CliRunner().invoke(drill_cli, args), edited)
