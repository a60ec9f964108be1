"""Report writers. Each renders a Report purely; `write_all` puts them in a folder."""

from __future__ import annotations

from pathlib import Path

from harness import redact
from harness.errors import InfraError
from harness.reports import json_report, junit, markdown
from harness.results import Report

REPORT_FILES = {
    "report.json": json_report.render,
    "junit.xml": junit.render,
    "summary.md": markdown.render,
}


def _rendered(report: Report) -> tuple[dict[str, bytes], list[str]]:
    """Every format as bytes, and the formats that could not be rendered (and why)."""
    done: dict[str, bytes] = {}
    broken: list[str] = []
    for name, render in REPORT_FILES.items():
        try:
            # backslashreplace: a text no renderer made printable still cannot stop the write
            done[name] = redact.redact(render(report)).encode("utf-8", "backslashreplace")
        except Exception as exc:  # a renderer's bug must not cost the other reports
            broken.append(f"{name} ({type(exc).__name__}: {exc})")
    return done, broken


def write_all(report: Report, report_dir: Path, option: str = "--report-dir") -> list[Path]:
    """Write every report format into report_dir; returns the paths written. `option` is
    the command's option that chose the folder, named in the error when it cannot be written.

    Each format is rendered in full before its file is opened, so a file is never left
    half-written; a format that cannot be rendered is an InfraError after the others are written.
    """
    done, broken = _rendered(report)
    written = []
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        for name, data in done.items():
            path = report_dir / name
            path.write_bytes(data)
            written.append(path)
    except OSError as exc:
        raise InfraError(
            f"{report_dir}: cannot write reports ({exc.strerror}); choose a writable {option}"
        ) from exc
    if broken:
        raise InfraError(
            f"{report_dir}: could not render {', '.join(broken)}; "
            f"wrote {', '.join(p.name for p in written) or 'nothing'} (rerun with --debug, and report it)"
        )
    return written
