"""NaN, infinities and overflowing numbers in the report.json files the commands read back
(`gate merge`, `drill merge`, `drill compare`, `drill run --baseline`) and in their options.

The report writers never write such a number, so one is a hand-edited or damaged file: one
config error line naming the file and the key, exit 2. Before this, a 401-digit integer
ended each reader in an OverflowError, a NaN or infinite duration_s was merged into the new
report (which then held NaN, which is not JSON), and a NaN or infinite restore_s in a drill
report was taken for "not measured": the trend was left out without a word. `--tolerance
nan` made every comparison false, so no regression was ever flagged, and `--deadline nan`
or `inf` gave the run no deadline at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.records import trends
from harness.errors import ConfigError
from tests.drills.test_trends import _night
from tests.gates.test_merge import contract_file, merge, recover

pytestmark = pytest.mark.timeout(120)

HUGE = "1" + "0" * 400
NOT_FINITE = {
    "NaN": "nan",
    "Infinity": "inf",
    "-Infinity": "-inf",
    "1e400": "inf",
    HUGE: "a 401-digit integer",
}


def _edit(path: Path, key: str, value: str, after: str = "{") -> Path:
    """`path` with the first number under `key` (past the text `after`) replaced by `value`."""
    head, found, tail = path.read_text().partition(after)
    text, count = re.subn(rf'("{key}": )[-0-9.e+]+', lambda m: m[1] + value, tail, count=1)
    assert count == 1, f"no number under {key} in {path}"
    edited = path.with_name(f"edited-{path.name}")
    edited.write_text(head + found + text)
    return edited


@pytest.fixture(scope="module")
def gate_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real `gate recover --platform linux-x64` report.json, and its contract."""
    tmp_path = tmp_path_factory.mktemp("recover")
    rules = contract_file(tmp_path)
    return recover(tmp_path, rules, "linux-x64"), rules


@pytest.mark.parametrize("value", NOT_FINITE)
def test_gate_merge_refuses_a_duration_that_is_no_finite_number(
    gate_report: tuple[Path, Path], value: str
) -> None:
    report, rules = gate_report
    edited = _edit(report, "duration_s", value)
    done = merge(rules, edited)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == (
        f"gate: error: {edited}: results[0]: duration_s: {NOT_FINITE[value]} is not a finite number; "
        "pass a report.json the gate or drill wrote\n"
    )


@pytest.fixture
def last_night(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    result = _night(monkeypatch, tmp_path / "night1")
    assert result.exit_code == 0, result.output
    return tmp_path / "night1" / "report.json"


def _refusal(path: Path, key: str, value: str) -> str:
    return (
        f"drill: error: {path}: drill.scenarios.crash.{key}: {NOT_FINITE[value]} is not a finite "
        "number; pass the report.json a drill run wrote\n"
    )


@pytest.mark.parametrize("key", ["restore_s", "detect_s"])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_drill_compare_refuses_a_time_that_is_no_finite_number(
    last_night: Path, key: str, value: str
) -> None:
    edited = _edit(last_night, key, value)
    for pair in ([last_night, edited], [edited, last_night]):
        result = CliRunner().invoke(drill_cli, ["compare", *map(str, pair)])
        assert result.exit_code == 2, result.output
        assert result.output == _refusal(edited, key, value)


def test_drill_run_refuses_a_nan_baseline_before_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, last_night: Path
) -> None:
    edited = _edit(last_night, "restore_s", "NaN")
    result = _night(monkeypatch, tmp_path / "night2", "--baseline", str(edited))
    assert result.exit_code == 2, result.output
    assert result.output == _refusal(edited, "restore_s", "NaN")
    assert not (tmp_path / "night2").exists()


def test_a_huge_history_figure_is_a_gap_and_a_huge_tolerance_is_refused(
    last_night: Path, tmp_path: Path
) -> None:
    doc = json.loads(last_night.read_text())
    doc["drill"]["history"][0]["scenarios"]["crash"]["restore_s"] = int(HUGE)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    baseline, _ = trends.load(edited)
    assert baseline is not None
    assert trends.series(baseline.history, "crash", "restore_s") == [None]
    # a tolerance decides the exit code of `drill compare`: one no run writes is refused, not
    # quietly judged by the default
    doc["drill"]["scenarios"]["crash"]["regression"] = {"tolerance": int(HUGE), "fail": True}
    edited.write_text(json.dumps(doc))
    result = CliRunner().invoke(drill_cli, ["compare", str(last_night), str(edited)])
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"drill: error: {edited}: drill.scenarios.crash.regression.tolerance: a 401-digit integer "
        "is not a number from 0 to 100; pass the report.json a drill run wrote\n"
    )


@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_a_tolerance_that_is_no_finite_number_is_a_usage_error(last_night: Path, value: str) -> None:
    result = CliRunner().invoke(
        drill_cli, ["compare", str(last_night), str(last_night), "--tolerance", value]
    )
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--tolerance': {value!r} is not a finite number" in result.output


@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_a_deadline_that_is_no_finite_number_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    out = tmp_path / "out"
    result = _night(monkeypatch, out, "--deadline", value)  # on the fake engine, should it run
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--deadline': {value!r} is not a finite number" in result.output
    assert not out.exists()


@pytest.mark.parametrize("value", ["NaN", HUGE])
def test_drill_merge_refuses_a_duration_that_is_no_finite_number(last_night: Path, value: str) -> None:
    edited = _edit(last_night, "duration_s", value, after='"results": [')
    result = CliRunner().invoke(drill_cli, ["merge", str(edited)])
    assert result.exit_code == 2, result.output
    assert f"drill: error: {edited}: results[" in result.output
    assert f"]: duration_s: {NOT_FINITE[value]} is not a finite number" in result.output


def test_the_trend_reader_names_the_key_in_its_config_error(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"drill": {"scenarios": {"a b": {"detect_s": 1.0, "restore_s": NaN}}}}')
    with pytest.raises(ConfigError, match=r"drill\.scenarios\.a b\.restore_s: nan is not a finite number"):
        trends.load(path)


@pytest.mark.parametrize("key", ["duration_s", "latency_ms", "latency_s", "time_to_restore_s"])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_drill_report_refuses_a_journal_figure_that_is_no_finite_number(
    last_night: Path, tmp_path: Path, key: str, value: str
) -> None:
    journal = _edit(last_night.with_name("journal.jsonl"), key, value)
    result = CliRunner().invoke(drill_cli, ["report", str(journal), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"drill: error: {journal}: seq ")
    assert "is not a number; pass a journal.jsonl as drill run wrote it" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("key", ["contain_s", "ready_s", "p95_ms", "detect_s", "recover_s"])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_figure_the_reports_only_show_is_left_out_when_it_is_no_finite_number(
    last_night: Path, tmp_path: Path, key: str, value: str
) -> None:
    """Figures journal_shape does not hold to a type (a phase's other data, the scenario's
    budgets): the reports are built without them, as without a missing one."""
    after = '"budgets": {' if key in ("detect_s", "recover_s") else "{"
    journal = _edit(last_night.with_name("journal.jsonl"), key, value, after=after)
    out = tmp_path / "out"
    result = CliRunner().invoke(drill_cli, ["report", str(journal), "--out", str(out)])
    assert result.exit_code == 0, result.output
    shown = result.output + (out / "summary.md").read_text()
    assert not re.search(r"\b(nan|inf)\b|0{300}", shown), shown
