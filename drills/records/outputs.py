"""Every drill output, derived from the journal alone: report.json (the run's report,
drills/records/report.py, with the numbers trends compare, drills/records/trends.py),
junit.xml (one test case per phase per scenario), summary.md (drills/records/summary.py)
and report.html (drills/records/html.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drills.records import trends
from drills.records.events import RunStarted, ScenarioStarted
from drills.records.journal import Event, EventKind
from drills.records.overview import Overview, View, overview
from drills.records.report import report, timeline
from harness import redact
from harness.reports import write_all
from harness.results import Outcome, Report, Result

__all__ = ["Overview", "Trends", "overview", "report", "timeline", "write"]


@dataclass(frozen=True, kw_only=True)
class Trends:
    """What the reports say about earlier nights: the baseline (or the note that there is
    none), what the command line says over each scenario's own regression policy."""

    baseline: trends.Baseline | None = None
    note: str | None = None
    override: trends.Override = field(default_factory=trends.Override)


def policies(events: list[Event], override: trends.Override) -> dict[str, trends.Policy]:
    """Each scenario's trend policy: its journalled `regression` section under the override."""
    return {
        start.scenario: override.policy(start.regression)
        for ev in events
        if ev.kind == EventKind.SCENARIO_STARTED
        for start in [ScenarioStarted.of(ev)]
    }


def _trend_results(found: list[trends.Trend]) -> list[Result]:
    """A failed drill.trend result per regression whose scenario (or --fail-on-regression)
    makes regressions fail the run."""
    return [
        Result(
            check="drill.trend",
            title="detection and restore no slower than the baseline beyond the tolerance",
            scope=t.scenario,
            outcome=Outcome.FAILED,
            summary=t.line(),
        )
        for t in found
        if t.regressed and t.fail
    ]


def _numbers(rows: list[Overview]) -> dict[str, dict[str, Any]]:
    return {
        o.scenario: {
            "detect_s": o.detect_s,
            "restore_s": o.restore_s,
            "verdict": o.verdict,
            "as_expected": o.as_expected,
        }
        for o in rows
    }


def _drill_section(
    events: list[Event],
    rows: list[Overview],
    found: list[trends.Trend],
    given: Trends,
    judged_by: dict[str, trends.Policy],
) -> dict[str, Any]:
    numbers = _numbers(rows)
    night = {
        "run_id": RunStarted.of(events[0]).run_id,
        "at": datetime.fromtimestamp(events[0].t, UTC).isoformat(),
        "scenarios": numbers,
    }
    own = {n: {"tolerance": p.tolerance, "fail": p.fail} for n, p in judged_by.items()}
    return {
        "scenarios": {n: {**row, "regression": own[n]} if n in own else row for n, row in numbers.items()},
        "baseline": None if given.baseline is None else given.baseline.origin,
        "trends": [{**t.__dict__, "change": None if t.change is None else round(t.change, 4)} for t in found],
        "history": trends.history(given.baseline, night),
    }


def write(
    events: list[Event],
    out_dir: Path,
    *,
    evidence_dir: Path | None = None,
    given: Trends | None = None,
) -> tuple[Report, list[Path]]:
    """Render every output into out_dir. Given the run's `evidence_dir`, evidence paths
    point at the folder that holds the run's evidence now (a later run moves an earlier
    one's aside); `given` holds the baseline trends compare against."""
    from drills.records import html, summary  # noqa: PLC0415
    from drills.records.evidence_location import relocate  # noqa: PLC0415

    given = given or Trends()
    notes: list[str] = []
    if evidence_dir is not None:
        events, notes = relocate(events, evidence_dir)
    rows = overview(events)
    judged_by = policies(events, given.override)
    found = trends.compare(_numbers(rows), given.baseline, judged_by)
    notes += [given.note] if given.note else []
    notes += [f"trend: {t.line()}" for t in found if t.regressed]
    rep = report(events, notes)
    rep = replace(rep, results=(*rep.results, *_trend_results(found)))
    written = write_all(rep, out_dir, option="--out")
    section = _drill_section(events, rows, found, given, judged_by)
    doc = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    (out_dir / "report.json").write_text(
        json.dumps({**doc, "drill": section}, indent=2, default=str) + "\n", encoding="utf-8"
    )
    view = View(report=rep, events=events, rows=rows, trends=found, history=section["history"])
    (out_dir / "summary.md").write_text(redact.redact(summary.render(view)), encoding="utf-8")
    page = out_dir / "report.html"
    page.write_text(redact.redact(html.render(view, out_dir)), encoding="utf-8")
    return rep, [*written, page]
