"""Report renderings: GitHub annotations, step summary, Markdown limits, JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.errors import InfraError
from harness.reports import REPORT_FILES, github, json_report, junit, markdown, write_all
from harness.results import Finding, Outcome, Report, Result
from harness.text import one_line

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
    many = report(0)
    rows = tuple(
        Result(check=f"X{i}", title="t" * 40, scope="v0.7.0", outcome=Outcome.FAILED, summary="s" * 40)
        for i in range(20_000)
    )
    text = markdown.render(replace(many, results=rows))
    assert len(text.encode()) < 1024 * 1024
    assert text.rstrip().endswith("see report.json._")


def test_markdown_says_what_failed_first_and_folds_the_passes() -> None:
    text = markdown.render(report(40_000))
    failed = text.index("### What failed, and why")
    assert (
        failed < text.index("| ❌ | `P002` |") < text.index("<details><summary>1 passed or skipped</summary>")
    )
    assert text.count("bad %thing") == markdown.FIRST_FINDINGS and "and 39995 more: see report.json" in text
    assert "### What failed" not in markdown.render(report(0, Outcome.PASSED))


def test_json_report_counts_and_exit_code() -> None:
    data = json.loads(json_report.render(report(1)))
    assert data["schema_version"] == 1 and data["exit_code"] == 1
    assert data["counts"]["failed"] == 1 and data["counts"]["passed"] == 1
    assert json.loads(json_report.render(report(0, Outcome.ERROR)))["exit_code"] == 3


CONTROLS = "".join(map(chr, [*range(0x20), 0x7F]))


def hostile(text: str = f"bad{CONTROLS}ctl caf\udce9 \ud800|end") -> Report:
    """A report whose every text holds control characters, DEL and lone surrogates."""
    found = (Finding(subject=text, message=text, expected=text, actual=text, where=text),)
    results = (
        Result(
            check="C007", title=text, scope="v0.7.0", outcome=Outcome.FAILED, summary=text, findings=found
        ),
        Result(check="A001", title="t", scope="v0.7.0", outcome=Outcome.ERROR, summary=text),
    )
    return Report(
        tool="gate check", subject=text, started_at=T0, finished_at=T0, results=results, notes=(text,)
    )


def test_one_line_shows_every_control_character_visibly() -> None:
    shown = one_line(f"a{CONTROLS}b")
    assert shown == (
        "a\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e\\x0f"
        "\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f\\x7fb"
    )
    assert one_line("\x9b31m caf\udce9 \ud800 ok é") == "\\x9b31m caf\\xe9 \\ud800 ok é"


def test_junit_is_well_formed_for_any_finding_text() -> None:
    root = ET.fromstring(junit.render(hostile()).encode("utf-8"))
    failure = next(root.iter("failure"))
    assert "bad\\x00\\x01" in (failure.text or "") and "caf\\xe9" in (failure.text or "")
    assert "\\x1b" in failure.get("message", "")


def _has_raw_control(text: str) -> bool:
    return any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in text)


def test_markdown_and_annotations_show_controls_visibly() -> None:
    text = markdown.render(hostile())
    text.encode("utf-8")  # no lone surrogates
    assert not _has_raw_control(text) and "bad\\x00\\x01" in text
    out: list[str] = []
    github.publish(hostile(), {"GITHUB_ACTIONS": "true"}, out.append)
    assert out and not any(_has_raw_control(line) or "\n" in line for line in out)
    assert any(line.startswith("::warning ") and "bad\\x00" in line for line in out)


def test_every_report_is_written_whatever_the_findings_hold(tmp_path: Path) -> None:
    written = write_all(hostile(), tmp_path / "reports")
    assert [p.name for p in written] == ["report.json", "junit.xml", "summary.md"]
    assert json.loads((tmp_path / "reports" / "report.json").read_text())["verdict"] == "failed"
    ET.parse(tmp_path / "reports" / "junit.xml")
    assert "caf\\xe9" in (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")


def test_a_broken_renderer_costs_only_its_own_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_report: Report) -> str:
        raise ValueError("renderer bug")

    monkeypatch.setitem(REPORT_FILES, "junit.xml", broken)
    with pytest.raises(InfraError, match=r"junit.xml \(ValueError: renderer bug\)"):
        write_all(report(1), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "summary.md"]
