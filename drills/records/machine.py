"""`drill run --json`: the run's verdict as one JSON object on stdout, for scripts.

The same figures the reports show (per scenario: verdict, expected, MTTD and MTTR against
budget, trends), and where the reports are; report.json holds everything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drills.records.journal import Event
from drills.records.overview import overview
from drills.records.trends import Trend
from harness.results import Report


def _scenario(o: Any, found: list[Trend]) -> dict[str, Any]:
    return {
        "name": o.scenario,
        "fault": o.fault,
        "verdict": o.verdict,
        "expected": o.expected,
        "as_expected": o.as_expected,
        "fell_back": o.fell_back,
        "detect_s": o.detect_s,
        "restore_s": o.restore_s,
        "budgets": o.budgets,
        "regressed": sorted(t.metric for t in found if t.scenario == o.scenario and t.regressed),
    }


def verdict_json(report: Report, events: list[Event], written: list[Path], found: list[Trend]) -> str:
    return json.dumps(
        {
            "tool": "drill",
            "verdict": "interrupted" if report.interrupted else report.verdict.value,
            "exit_code": int(report.exit_code),
            "run_id": report.stats.get("run_id"),
            "subject": report.subject,
            "scenarios": [_scenario(o, found) for o in overview(events)],
            "notes": list(report.notes),
            "reports": [str(p) for p in written],
        },
        sort_keys=False,
    )
