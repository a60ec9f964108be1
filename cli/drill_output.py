"""What `drill run` and `drill report` print once the reports are written: every verdict
and note (text), the last line only (--quiet), or one JSON object (--json); and the trend
settings those commands pass to the reports."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.console import echo, redact_text

if TYPE_CHECKING:
    from drills.records import outputs
    from drills.records.journal import Event
    from drills.records.trends import Trend


def render(
    events: list[Event],
    out_dir: Path,
    journal_path: Path,
    output: str = "text",
    given: outputs.Trends | None = None,
) -> int:
    """Write every output, publish under GitHub Actions, print verdicts; the exit code.
    `output`: text (every verdict, notes, the reports), quiet (the last line only) or json
    (one JSON object on stdout, nothing else there)."""
    from drills.records import machine  # noqa: PLC0415
    from drills.records import outputs as drill_outputs  # noqa: PLC0415
    from harness.reports.github import publish  # noqa: PLC0415
    from harness.text import one_line  # noqa: PLC0415

    report, written = drill_outputs.write(
        events, out_dir, evidence_dir=journal_path.parent / "evidence", given=given
    )
    # summaries and notes carry what containers and journals said: one line each, so none
    # can start a line of its own (under Actions, a workflow command)
    say = echo if output == "text" else _nothing
    for result in report.results:
        if result.check == "drill.verdict" or result.outcome.value in ("failed", "error"):
            say(one_line(f"{result.outcome.value:<8} {result.scope} {result.check}: {result.summary}"))
    for note in report.notes:
        say(one_line(f"note: {note}"))
    summary = (out_dir / "summary.md").read_text(encoding="utf-8")
    publish(report, os.environ, echo if output != "json" else _to_stderr, summary)
    say(one_line(f"reports: {', '.join(str(p) for p in written)}"))
    verdict = "INTERRUPTED" if report.interrupted else report.verdict.value.upper()
    if output == "json":
        echo(machine.verdict_json(report, events, written, trends_of(out_dir)))
    else:
        echo(one_line(f"drill: {verdict} - {report.subject}"))
    return int(report.exit_code)


def trends_of(out_dir: Path) -> list[Trend]:
    """The trends report.json holds (what the reports just said)."""
    from drills.records import trends  # noqa: PLC0415

    doc = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    return [trends.Trend(**{k: v for k, v in t.items() if k != "change"}) for t in doc["drill"]["trends"]]


def _nothing(_text: str = "") -> None:
    """--quiet and --json drop what a person reads."""


def _to_stderr(text: str = "") -> None:
    click.echo(redact_text(text), err=True)


def output_mode(quiet: bool, as_json: bool) -> str:
    return "json" if as_json else "quiet" if quiet else "text"


def given_trends(baseline: Path | None, tolerance: float | None, fail: bool) -> outputs.Trends:
    """The baseline and what --tolerance / --fail-on-regression say over each scenario's own
    `regression` section."""
    from drills.records import outputs, trends  # noqa: PLC0415

    override = trends.Override(tolerance=tolerance, fail=fail)
    if baseline is None:
        return outputs.Trends(override=override)
    found, note = trends.load(baseline)
    return outputs.Trends(baseline=found, note=note, override=override)
