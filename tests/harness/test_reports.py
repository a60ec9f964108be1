"""Report renderings: GitHub annotations, step summary, Markdown limits, JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from harness.reports import github, json_report, markdown
from harness.results import Finding, Outcome, Report, Result

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def report(findings: int, outcome: Outcome = Outcome.FAILED) -> Report:
    found = tuple(Finding(subject=f"s{i}", message=f"bad %thing\nline {i}") for i in range(findings))
    return Report(
        tool="gate check",
        subject="v0.7.0",
        started_at=T0,
        finished_at=T0,
        results=(
            Result(check="P002", title="t", scope="v0.7.0", outcome=outcome, summary="x", findings=found),
            Result(check="P001", title="t", scope="v0.7.0", outcome=Outcome.PASSED, summary="ok"),
        ),
    )


def test_annotation_data_and_properties_are_escaped() -> None:
    line = github.command("error", "50% done\r\nnext", title="a:b,c")
    assert line == "::error title=a%3Ab%2Cc::50%25 done%0D%0Anext"


def test_no_annotation_is_silently_dropped_past_ten() -> None:
    lines = github.annotation_lines(report(25))
    assert len(lines) == 10
    assert "16 more errors not shown" in lines[-1]
    assert all(line.startswith("::error ") for line in lines)


def test_ten_or_fewer_annotations_are_all_shown() -> None:
    assert len(github.annotation_lines(report(10))) == 10


def test_publish_only_under_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    out: list[str] = []
    github.publish(report(2), {"GITHUB_STEP_SUMMARY": str(summary)}, out.append)
    assert out == [] and not summary.exists()
    github.publish(report(2), {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}, out.append)
    text = summary.read_text()
    assert text.startswith("## gate check: ❌ FAILED") and "| verdict |" in text.splitlines()[4]
    token_line = next(line for line in out if line.startswith("::stop-commands::"))
    token = token_line.split("::")[2]
    body = out[out.index(token_line) + 1 : out.index(f"::{token}::")]
    assert len(body) == 2 and all("bad %thing" in line for line in body)
    assert out[0] == "::group::all findings" and "::endgroup::" in out


def test_markdown_stays_under_github_limit() -> None:
    text = markdown.render(report(40_000))
    assert len(text.encode()) < 1024 * 1024
    assert text.rstrip().endswith("see report.json._")


def test_json_report_counts_and_exit_code() -> None:
    data = json.loads(json_report.render(report(1)))
    assert data["schema_version"] == 1 and data["exit_code"] == 1
    assert data["counts"]["failed"] == 1 and data["counts"]["passed"] == 1
    assert json.loads(json_report.render(report(0, Outcome.ERROR)))["exit_code"] == 3
