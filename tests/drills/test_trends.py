"""Trends across nights: --baseline and drill compare flag a slower restore in every report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.records import trends
from drills.scenario.model import SUITES
from fixtures.fake_engine import Behaviour, FakeDocker
from fixtures.fake_release import standard_behaviours
from tests.drills.conftest import tools_for

CRASH = str(SUITES["standard"] / "crash.yaml")
SLOW = 4.3  # a fallback this slow to start restores three times as late as one of 0.2 s


def _night(monkeypatch, out: Path, *args: str, fallback_ready_s: float = 0.2, scenario: str = CRASH):
    """`drill run` of the crash scenario on a fresh fake whose fallback starts this slowly."""
    from drills.run import wiring  # noqa: PLC0415

    fake = standard_behaviours(FakeDocker())
    fake.role_behaviours["fallback-native"] = Behaviour(ready_after_s=fallback_ready_s)
    monkeypatch.setattr(wiring, "real_tools", lambda _work: tools_for(fake))
    return CliRunner().invoke(drill_cli, ["run", scenario, "--out", str(out), "--no-reap", *args])


def _restore(out: Path) -> float:
    return json.loads((out / "report.json").read_text())["drill"]["scenarios"]["crash"]["restore_s"]


@pytest.fixture
def last_night(monkeypatch, tmp_path) -> Path:
    result = _night(monkeypatch, tmp_path / "night1")
    assert result.exit_code == 0, result.output
    return tmp_path / "night1" / "report.json"


def test_a_three_times_slower_restore_is_flagged_in_every_report(monkeypatch, tmp_path, last_night):
    out = tmp_path / "night2"
    result = _night(monkeypatch, out, "--baseline", str(last_night), fallback_ready_s=SLOW)
    assert result.exit_code == 0, result.output  # a warning by default
    ratio = _restore(out) / _restore(last_night.parent)
    assert 2.8 < ratio < 3.2
    doc = json.loads((out / "report.json").read_text())
    (restore,) = [t for t in doc["drill"]["trends"] if t["metric"] == "restore"]
    assert restore["regressed"] is True and restore["change"] == pytest.approx(ratio - 1, abs=0.01)
    assert any(n.startswith("trend: crash: restore ") and "regressed" in n for n in doc["notes"])
    summary = (out / "summary.md").read_text()
    assert "### Regressions against the baseline" in summary and "📈 restore +" in summary
    html = (out / "report.html").read_text()
    assert "Regressions against the baseline" in html and 'class="regress"' in html
    assert "note: trend: crash: restore" in result.output
    as_json = _night(
        monkeypatch, tmp_path / "n3", "--json", "--baseline", str(last_night), fallback_ready_s=SLOW
    )
    assert json.loads(as_json.stdout.splitlines()[-1])["scenarios"][0]["regressed"] == ["restore"]


def test_the_same_speed_is_no_regression(monkeypatch, tmp_path, last_night):
    out = tmp_path / "night2"
    assert _night(monkeypatch, out, "--baseline", str(last_night)).exit_code == 0
    doc = json.loads((out / "report.json").read_text())
    assert doc["drill"]["trends"] and not any(t["regressed"] for t in doc["drill"]["trends"])
    assert "Regressions against the baseline" not in (out / "summary.md").read_text()
    assert len(doc["drill"]["history"]) == 2  # last night's and this one: a sparkline
    assert "<polyline" in (out / "report.html").read_text().split('id="overview"')[1].split("</table>")[0]


def test_fail_on_regression_fails_the_run_with_a_trend_result(monkeypatch, tmp_path, last_night):
    out = tmp_path / "night2"
    result = _night(
        monkeypatch, out, "--baseline", str(last_night), "--fail-on-regression", fallback_ready_s=SLOW
    )
    assert result.exit_code == 1, result.output
    junit = (out / "junit.xml").read_text()
    assert 'name="drill.trend: detection and restore no slower' in junit and "<failure" in junit
    assert "❌ **crash**: crash: restore" in (out / "summary.md").read_text()


def test_a_missing_baseline_is_a_note_and_a_bad_one_is_exit_2(monkeypatch, tmp_path):
    result = _night(monkeypatch, tmp_path / "a", "--baseline", str(tmp_path / "gone" / "report.json"))
    assert result.exit_code == 0 and "note: no baseline at " in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"tool": "gate"}')
    result = _night(monkeypatch, tmp_path / "b", "--baseline", str(bad))
    assert result.exit_code == 2 and result.output.startswith(f"drill: error: {bad}: no drill.scenarios")
    assert not (tmp_path / "b").exists()  # refused before the run


def test_compare_flags_the_slower_run(monkeypatch, tmp_path, last_night):
    _night(monkeypatch, tmp_path / "slow", fallback_ready_s=SLOW)
    slow = tmp_path / "slow" / "report.json"
    result = CliRunner().invoke(drill_cli, ["compare", str(last_night), str(slow)])
    assert result.exit_code == 0, result.output
    assert "regressed crash: restore " in result.output and "drill compare: 1 regressions" in result.output
    failing = CliRunner().invoke(drill_cli, ["compare", str(last_night), str(slow), "--fail-on-regression"])
    assert failing.exit_code == 1
    back = CliRunner().invoke(drill_cli, ["compare", str(slow), str(last_night)])
    assert "drill compare: 0 regressions" in back.output


def test_history_keeps_the_last_nights():
    night = {"run_id": "x", "scenarios": {"crash": {"restore_s": 1.0}}}
    base = trends.Baseline(origin="b", run_id="y", numbers={}, history=tuple([night] * trends.HISTORY))
    kept = trends.history(base, {"run_id": "new", "scenarios": {}})
    assert len(kept) == trends.HISTORY and kept[-1]["run_id"] == "new"
    assert trends.series(kept, "crash", "restore_s")[-2:] == [1.0, None]


def test_small_absolute_changes_are_not_regressions():
    base = trends.Baseline(
        origin="b", run_id="y", numbers={"c": {"detect_s": 0.004, "restore_s": 2.0}}, history=()
    )
    found = trends.compare({"c": {"detect_s": 0.012, "restore_s": 2.9}}, base, {})
    assert [(t.metric, t.regressed) for t in found] == [("detect", False), ("restore", False)]
    found = trends.compare({"c": {"detect_s": 0.2, "restore_s": 3.1}}, base, {})
    assert [(t.metric, t.regressed) for t in found] == [("detect", True), ("restore", True)]


def _crash_with(tmp_path: Path, regression: str) -> str:
    """The standard crash scenario with its own `regression` section."""
    path = tmp_path / "crash.yaml"
    path.write_text(Path(CRASH).read_text() + f"regression: {regression}\n")
    return str(path)


def test_a_scenario_that_says_fail_fails_the_run_without_the_flag(monkeypatch, tmp_path, last_night):
    own = _crash_with(tmp_path, "{fail: true}")
    out = tmp_path / "night2"
    result = _night(monkeypatch, out, "--baseline", str(last_night), fallback_ready_s=SLOW, scenario=own)
    assert result.exit_code == 1, result.output
    assert "<failure" in (out / "junit.xml").read_text()
    doc = json.loads((out / "report.json").read_text())
    assert doc["drill"]["scenarios"]["crash"]["regression"] == {"tolerance": 0.5, "fail": True}
    # drill compare judges by the policy the newer report records: it fails without the flag
    compared = CliRunner().invoke(drill_cli, ["compare", str(last_night), str(out / "report.json")])
    assert compared.exit_code == 1 and "regressed crash: restore " in compared.output


def test_a_scenario_tolerance_decides_and_the_flag_overrides_it(monkeypatch, tmp_path, last_night):
    own = _crash_with(tmp_path, "{tolerance: 3, fail: true}")  # +200 % is within +300 %
    lenient = _night(
        monkeypatch, tmp_path / "a", "--baseline", str(last_night), fallback_ready_s=SLOW, scenario=own
    )
    assert lenient.exit_code == 0, lenient.output
    doc = json.loads((tmp_path / "a" / "report.json").read_text())
    restore = next(t for t in doc["drill"]["trends"] if t["metric"] == "restore")
    assert restore["regressed"] is False and restore["tolerance"] == 3
    strict = _night(
        monkeypatch,
        tmp_path / "b",
        "--baseline",
        str(last_night),
        "--tolerance",
        "0.5",
        fallback_ready_s=SLOW,
        scenario=own,
    )
    assert strict.exit_code == 1, strict.output  # the flag's tolerance, the scenario's fail


@pytest.mark.parametrize(
    ("section", "key"),
    [("{tolerance: -1}", "tolerance"), ("{fail: yes please}", "fail"), ("{slack: 1}", "slack")],
)
def test_a_bad_regression_section_is_refused_by_validate(tmp_path, section, key):
    result = CliRunner().invoke(drill_cli, ["validate", _crash_with(tmp_path, section)])
    assert result.exit_code == 2, result.output
    assert "regression" in result.output and key in result.output


@pytest.mark.parametrize(
    ("own", "override", "expected"),
    [
        ({}, trends.Override(), trends.Policy()),
        ({"tolerance": 2, "fail": True}, trends.Override(), trends.Policy(tolerance=2.0, fail=True)),
        ({"tolerance": 2}, trends.Override(tolerance=0.1), trends.Policy(tolerance=0.1)),
        ({"fail": False}, trends.Override(fail=True), trends.Policy(fail=True)),
        # a hand-edited journal: what is not a finite, non-negative number is the default
        ({"tolerance": True, "fail": "yes"}, trends.Override(), trends.Policy()),
        ({"tolerance": -1}, trends.Override(), trends.Policy()),
        ({"tolerance": float("inf")}, trends.Override(), trends.Policy()),
        (None, trends.Override(), trends.Policy()),
    ],
)
def test_override_policy(own, override, expected):
    assert override.policy(own) == expected


@pytest.mark.parametrize(
    ("now", "base", "shown", "change"),
    [
        (0.0, 0.0, "+0%", 0.0),
        (0, 0, "+0%", 0.0),
        (0.04, 0.0, "n/a", None),
        (3.0, 0.0, "n/a", None),
        (1.1, 1.0, "+10%", 0.1),
        (0.0, 2.0, "-100%", -1.0),
    ],
)
def test_a_change_against_0_s_is_no_change_or_n_a_never_inf(now, base, shown, change):
    trend = trends.Trend(
        scenario="crash", metric="detect", now_s=now, base_s=base, regressed=False, tolerance=0.5
    )
    assert trend.shown_change == shown and trend.change == pytest.approx(change)
    assert f"({shown}; tolerance +50%)" in trend.line()
    assert "inf" not in trend.line() and "nan" not in trend.line()


def test_compare_shows_0_s_against_0_s_as_no_change_in_every_output(monkeypatch, tmp_path, last_night):
    """The fake detects a crash in 0 s: both nights' detect figure is 0 s."""
    assert json.loads(last_night.read_text())["drill"]["scenarios"]["crash"]["detect_s"] == 0
    result = CliRunner().invoke(drill_cli, ["compare", str(last_night), str(last_night)])
    assert result.exit_code == 0, result.output
    assert "crash: detect 0.000 s vs 0.000 s in the baseline (+0%; tolerance +50%)" in result.output
    out = tmp_path / "night2"
    _night(monkeypatch, out, "--baseline", str(last_night))
    shown = (out / "summary.md").read_text() + (out / "report.html").read_text()
    shown += (out / "report.json").read_text()
    assert "detect +0%" in shown and "inf" not in shown.lower().replace("info", "")
    changes = [t["change"] for t in json.loads((out / "report.json").read_text())["drill"]["trends"]]
    assert changes[0] == 0.0
