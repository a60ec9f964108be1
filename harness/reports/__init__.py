"""Report writers. Each renders a Report purely; `write_all` puts them in a folder."""

from __future__ import annotations

from pathlib import Path

from harness.errors import InfraError
from harness.reports import json_report, junit, markdown
from harness.results import Report

REPORT_FILES = {
    "report.json": json_report.render,
    "junit.xml": junit.render,
    "summary.md": markdown.render,
}


def write_all(report: Report, report_dir: Path) -> list[Path]:
    """Write every report format into report_dir; returns the paths written."""
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, render in REPORT_FILES.items():
            path = report_dir / name
            path.write_text(render(report), encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise InfraError(
            f"{report_dir}: cannot write reports ({exc.strerror}); choose a writable --report-dir"
        ) from exc
    return written
