"""Dates at the edge of what a date can hold: a release a source dates 9999-12-30 gets a
window that never closes and a signing window to the end of time, never an internal error
(exit 3). Such a date comes from an untrusted place: a dist/'s release-artifacts.json
(generatedAtUtc) or GitHub's published_at."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from drills.standard.releases import write_line, write_release
from gates import contract, retention
from gates.checks import signatures
from gates.reading.facts import read_releases
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from gates.sources.release import ReleaseRef
from tests.gates.conftest import run_gate

FAR = "9999-12-30T00:00:00Z"


def dated(folder: Path, stamp: str) -> None:
    metadata = folder / "release-artifacts.json"
    data = json.loads(metadata.read_text())
    data["generatedAtUtc"] = stamp
    metadata.write_text(json.dumps(data))


def test_a_window_that_would_close_past_the_year_9999_stays_open() -> None:
    releases = [
        ReleaseRef(tag="v0.7.0", location="v0.7.0", published_at=datetime(2026, 1, 1, tzinfo=UTC)),
        ReleaseRef(tag="v0.8.0", location="v0.8.0", published_at=datetime(9999, 12, 30, tzinfo=UTC)),
    ]
    state = retention.window_state("v0.7.x", releases, contract.load(None), date(2026, 6, 1))
    assert (state.open, state.closes) == (True, date.max)
    assert state.reason == "v0.7.x window closes on 9999-12-31 (90 days after v0.8.0)"


def test_gate_check_of_a_line_whose_next_line_is_dated_9999_gives_a_verdict(tmp_path: Path) -> None:
    """Bug: `gate: internal error: OverflowError: date value out of range`, exit 3."""
    line = write_line(tmp_path / "line")
    dated(line / "v0.8.0", FAR)
    proc = run_gate(
        "check", "--release", "v0.7.x", "--source", str(line), "--report-dir", str(tmp_path / "r")
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    summary = (tmp_path / "r" / "summary.md").read_text()
    assert "v0.7.x window closes on 9999-12-31 (90 days after v0.8.0)" in summary


def test_a_release_built_in_9999_is_judged_by_its_signatures(tmp_path: Path) -> None:
    """Bug: the signing window (the build plus 30 days) overflowed: an internal error for the
    whole run. The certificates, made in 2026, were not valid then: a finding, not a crash."""
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    dated(folder, FAR)
    source = FolderSource(folder, single_tag="v1.1.0")
    (release,) = source.releases()
    window = WindowState(open=True, closes=None, reason="open")
    (facts,) = read_releases(source, [(release, window)], contract.load(None))
    start, end = signatures.release_window(facts, contract.load(None))
    assert (start, end) == (datetime(9999, 12, 30, tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
    found = signatures.certificates_valid_then(facts, contract.load(None))
    assert [f.subject for f in found] == ["SHA256SUMS.pem", "release-provenance.pem"]
    proc = run_gate(
        "check", "--release", "v1.1.0", "--source", str(folder), "--report-dir", str(tmp_path / "r")
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
