"""The installed `drill` when whoever reads stdout goes away (`drill report JOURNAL | head -1`):
no traceback, no internal error, the reports still written, the verdict's exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.drills.conftest import drill, standard
from tests.pipes import into_closed_pipe

DRILL = str(Path(sys.executable).with_name("drill"))
REPORTS = ["drill.lock", "journal.jsonl", "junit.xml", "report.html", "report.json", "summary.md"]


def drill_into_closed_pipe(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    return into_closed_pipe([DRILL, *args], env)


def test_validate_into_a_closed_pipe_exits_0():
    assert drill_into_closed_pipe("validate", "--suite", "standard") == (0, "")


def test_report_into_a_closed_pipe_exits_0_and_writes_its_reports(fake, tmp_path):
    drill(fake, tmp_path, standard("crash"))
    assert drill_into_closed_pipe("report", str(tmp_path / "journal.jsonl")) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == REPORTS


def test_a_failed_verdict_under_actions_still_exits_1_and_appends_the_step_summary(fake, tmp_path):
    """Under GitHub Actions the annotations go to stdout too (publish): dropped, not fatal."""
    fake.behaviours["fake/fallback-native"] = fake.behaviours["fake/fallback-native-broken"]
    drill(fake, tmp_path / "run", standard("crash"))
    step_summary = tmp_path / "step-summary.md"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    code, stderr = drill_into_closed_pipe(
        "report", str(tmp_path / "run" / "journal.jsonl"), "--out", str(tmp_path / "out"), env=env
    )
    assert (code, stderr) == (1, "")
    assert (tmp_path / "out" / "report.json").is_file()
    assert "| ❌ | crash | crash |" in step_summary.read_text(encoding="utf-8")
